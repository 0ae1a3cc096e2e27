/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The manager: one per invocation. It owns what is read once per run (the
 * kernel release, the modules.alias tables, the libudev handle) and the
 * warnings gathered while working, which the caller reports. */
#pragma once

#include <glib.h>

#include "util/fd-holders.h"
#include "util/modules-alias.h"
#include "util/udev-pci.h"

typedef struct _HdManager HdManager;

/* MODULES_DIR: where modules.alias and modules.builtin.alias are read; NULL
 * means /lib/modules/<running release>. */
HdManager *hd_manager_new(const char *modules_dir, GError **error);
void hd_manager_free(HdManager *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdManager, hd_manager_free)

const char *hd_manager_kernel_release(HdManager *self);
const char *hd_manager_modules_dir(HdManager *self);

/* True when the running kernel publishes vfio-dev/ for VFIO-bound devices
 * (Linux >= 6.1); older kernels need the fallback detection rules. */
gboolean hd_manager_kernel_has_vfio_dev(HdManager *self);

/* True when the running kernel's VFIO drivers declare `vfio_pci:` aliases
 * (Linux >= 5.16, PCI_DRIVER_OVERRIDE_DEVICE_VFIO); before that no module
 * has one and vfio-pci is the only choice, which is no cause for alarm. */
gboolean hd_manager_kernel_has_vfio_aliases(HdManager *self);

/* The `vfio_pci:` aliases of modules.alias then modules.builtin.alias, parsed
 * on first use. When modules.alias cannot be read the table is empty and
 * hd_manager_alias_problem() says why; that is a warning, never a failure. */
const HdAliasTable *hd_manager_vfio_aliases(HdManager *self);
const char *hd_manager_alias_problem(HdManager *self);

/* Name of the file a loaded alias came from (HdAlias.source). */
const char *hd_manager_alias_source_name(HdManager *self, guint source);

/* Every process's open files, read from /proc once per invocation on first
 * use and shared by every device and check (who holds a VFIO node, a disk,
 * a DRM node...): one pass whatever the number of devices. */
const HdFdScan *hd_manager_fd_scan(HdManager *self);

/* Drops that scan, so that the next hd_manager_fd_scan() reads /proc again:
 * for an invocation that outlives the processes it saw (run, once its
 * command is done). Never while another thread uses the scan. */
void hd_manager_forget_fd_scan(HdManager *self);

/* What a later layer reads once per invocation and every device shares
 * (the deny list), opaque here: LOAD's result, made on the first call for
 * KEY and kept until the manager is freed (then passed to DESTROY). */
typedef gpointer (*HdManagerLoad)(void);
gpointer hd_manager_once(HdManager *self, const char *key, HdManagerLoad load, GDestroyNotify destroy);

/* libudev, opened on first use. */
HdUdev *hd_manager_udev(HdManager *self, GError **error);

/* Records a warning for the caller to report; repeated texts are kept once. */
void hd_manager_warn(HdManager *self, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* Warnings so far, in order (strings owned by the manager). */
const GPtrArray *hd_manager_warnings(HdManager *self);
