/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* release: the devices of one owner given back (owner-release.h says how
 * each one goes back), their nodes returned to their previous owner and
 * mode, and the owner's journal removed. Only that owner's devices are
 * touched. Refused, changing nothing, while a process still holds one of
 * the devices' group node or cdev open (the VM is still running). */
#pragma once

#include "hostdev/device/manager.h"

/* Releases OWNER. Returns HdReleaseResult* (owner-release.h), empty when
 * the owner holds nothing (releasing twice is fine), or NULL with ERROR:
 * HD_ERROR_INVALID (owner name), HD_ERROR_REFUSED (in use, nothing
 * changed), HD_ERROR_FAILED (the state could not be read),
 * HD_ERROR_UNFINISHED (a node's owner or the journal could not be
 * restored). Results and error never come together: a device that could not
 * be given back is a result (stuck, with its error); the journal keeps the
 * release running so that `recover` finishes it. */
GPtrArray *hd_release(HdManager *manager, const char *owner, guint unbind_timeout_ms, GError **error);
