/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A PF's VF count across reboots: `sriov PF --vfs N --bind --persist`
 * persists the VFs' bindings (persist.h) and, here, the count, since
 * sriov_numvfs is 0 after every boot. persist-apply first gives each
 * persisted PF its VFs, as `sriov` does (sriov_drivers_autoprobe 0 while
 * they are made, the PF's record saying so for reattach), then binds the
 * persisted devices, the VFs among them:
 * - a PF that is gone or has other IDs: skipped with a warning, untouched;
 * - a PF with the persisted count already: nothing;
 * - a PF with another non-zero count: someone else configured it; left
 *   alone with a warning. */
#pragma once

#include "hostdev/bind/sriov.h"
#include "hostdev/persist/persist.h"

/* Persists RESULT's VF count with the PF's IDs (a count of 0 forgets it).
 * Returns the configuration written (NULL for 0, or with ERROR). */
HdPersistConfig *hd_persist_sriov(HdManager *manager, const HdSriovResult *result, GError **error);

/* Gives every persisted PF its VFs (dry run: says it would). Appends one
 * result per PF to RESULTS; damaged files go to PROBLEMS. Returns the
 * addresses of the VFs planned in a dry run (which do not exist yet). */
GPtrArray *hd_persist_apply_sriov(HdManager *manager, const HdPersistApplyOptions *options, GPtrArray *results,
                                  GPtrArray *problems);

/* Forgets the VF count of PF when it was persisted, and the bindings of
 * the VFs persisted with it (each said in a warning). FALSE with ERROR
 * when a file could not be removed; *FOUND says whether there was one. */
gboolean hd_unpersist_sriov(HdManager *manager, const char *pf, gboolean *found, GError **error);
