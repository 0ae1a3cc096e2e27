/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel steps of moving a device between drivers, shared by bind,
 * reattach and bind's rollback. They touch sysfs only (no manager, no
 * udev), so that threads can run them for different devices at once.
 * driver_override goes through hd_sysfs_write; unbind, drivers_probe and
 * sriov_numvfs, which can block for as long as a driver's remove() or
 * probe() likes, through hd_kernel_write (the helper process, bounded by
 * TIMEOUT_MS; a write still in flight stops every later one). */
#pragma once

#include "hostdev/shared/device-record.h"

/* The driver the device is bound to now, NULL when unbound. */
char *hd_switch_current_driver(const char *address);

/* driver_override now, NULL when clear. */
char *hd_switch_current_override(const char *address);

/* Sets driver_override to DRIVER, or clears it when DRIVER is NULL. */
gboolean hd_switch_set_override(const char *address, const char *driver, GError **error);

/* Why the device at ADDRESS does not answer (config space reads all ones,
 * power_state D3cold), or NULL when it does. */
char *hd_switch_unresponsive(const char *address);

/* Unbinds the device from DRIVER, then checks that it still answers
 * (hd_switch_unresponsive; HD_ERROR_FAILED naming why not). A write that does not return within
 * TIMEOUT_MS fails with G_IO_ERROR_TIMED_OUT: the kernel still holds the
 * device and nothing can be undone until it lets go. */
gboolean hd_switch_unbind(const char *address, const char *driver, guint timeout_ms, GError **error);

/* Asks the kernel to probe drivers for the device (drivers_probe), then
 * checks that DRIVER got it: drivers_probe succeeds even when nothing binds. */
gboolean hd_switch_probe(const char *address, const char *driver, guint timeout_ms, GError **error);

/* Writes sriov_numvfs (the PF's driver must be bound). */
gboolean hd_switch_set_numvfs(const char *address, guint numvfs, guint timeout_ms, GError **error);

/* Waits (bounded polling: udev makes the /dev nodes) until the device
 * shows it is a VFIO device, by what the running kernel's VFIO offers
 * (the classes module vfio registers): vfio-dev/vfioN where the kernel
 * has vfio-dev (>= 6.1); /dev/vfio/GROUP where it has VFIO groups
 * (CONFIG_VFIO_GROUP; before 6.1 this and the driver link, which
 * hd_switch_probe() read back, are all there is); and
 * /dev/vfio/devices/vfioN where it has no groups (cdev only). Sets
 * *VFIO_DEVICE ("vfioN"; NULL before 6.1) and *GROUP_NODE ("/dev/vfio/N";
 * NULL on a kernel without groups). */
gboolean hd_switch_wait_vfio(const char *address, gint64 group, char **vfio_device, char **group_node,
                             GError **error);

/* Puts the device back as RECORD says it was: the original driver (through
 * a temporary driver_override naming exactly it, so that the kernel's
 * default choice cannot take it), the original driver_override, and the
 * original number of VFs; each step is verified, the driver by its link
 * read back, and at the end the device must still answer. Steps already in their
 * original state are skipped, so this also finishes an interrupted
 * restore. An unbind timeout fails with G_IO_ERROR_TIMED_OUT. */
gboolean hd_switch_restore(const HdDeviceRecord *record, guint timeout_ms, GError **error);
