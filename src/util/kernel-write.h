/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sysfs writes that can block in the kernel for as long as a driver likes
 * (unbind, bind, drivers_probe, sriov_numvfs, reset, remove, rescan): a
 * driver's remove() or probe() on a wedged device sleeps uninterruptibly,
 * and a thread in that state keeps its whole process from being reaped,
 * with every lock it holds. So such a write is done by a helper program
 * (libexecdir/vfio-hostdev-write) in its own session, holding nothing but a
 * lock on the device's /run/vfio-hostdev/<device>.pending file, where it
 * also records the result; the caller waits only until its deadline.
 *
 * The lock is the liveness signal (pids are reused): while it is held, the
 * write is in flight and nothing more is written to that device. */
#pragma once

#include <glib.h>

/* Writes VALUE to the attribute PATH for DEVICE (an address: it names the
 * .pending file) through the helper, waiting at most TIMEOUT_MS.
 * - the kernel returned in time: like hd_sysfs_write() (its errno as a
 *   G_IO_ERROR), and the .pending file is gone;
 * - it did not: G_IO_ERROR_TIMED_OUT; the write goes on in the helper, the
 *   .pending file names it and says how it ended once it has;
 * - a write of DEVICE was already in flight: HD_ERROR_UNFINISHED naming
 *   it, and nothing is written. */
gboolean hd_kernel_write(const char *device, const char *path, const char *value, guint timeout_ms, GError **error);

/* The write in flight for DEVICE ("writing \"0000:01:00.0\" to
 * /sys/bus/pci/drivers/e1000e/unbind since 12:00:01"), NULL when none.
 * Never blocks, works unprivileged. */
char *hd_kernel_write_pending(const char *device);

/* Fails with HD_ERROR_UNFINISHED naming the write in flight for DEVICE. */
gboolean hd_kernel_write_check_idle(const char *device, GError **error);
