/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Early binding (docs/persist.md, "Before the host drivers"): what the
 * initramfs script, the modprobe guard and the udev rule read, generated
 * from the persisted configurations whenever they change:
 *
 * - /etc/vfio-hostdev/early.list, one line per persisted device that passed
 *   the deny list:
 *     ADDRESS VENDOR DEVICE SUBVENDOR SUBDEVICE DRIVER MODULE HOST_MODULES
 *   ("-" for what is not recorded; HOST_MODULES comma-separated), read by
 *   the shell helper vfio-hostdev-early, which cannot parse INI nor ask
 *   the deny list;
 * - /etc/modprobe.d/vfio-hostdev.conf, an `install` line per host module
 *   those devices were taken from: loading the module first runs the
 *   helper, which overrides the devices it would probe.
 * Both are removed when nothing is left to list. */
#pragma once

#include "hostdev/device/manager.h"

#define HD_EARLY_LIST "/etc/vfio-hostdev/early.list"
#define HD_EARLY_MODPROBE_CONF "/etc/modprobe.d/vfio-hostdev.conf"

/* Rewrites both files from /etc/vfio-hostdev/devices/. A persisted device
 * that is present and on the deny list is left out with a warning on
 * MANAGER (persist-apply refuses it too). HELPER is the absolute path of
 * vfio-hostdev-early that the modprobe guard runs. CHANGED is set when a
 * file was written or removed (an unchanged one is left untouched). */
gboolean hd_persist_early_update(HdManager *manager, const char *helper, gboolean *changed, GError **error);
