/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Serialising invocations that touch the same devices: one lock per IOMMU
 * group under /run/vfio-hostdev/ (group-N.lock), since VFIO hands out whole
 * groups and a group's members are bound and checked together. Devices
 * without a group lock themselves (device-<address>.lock). Different groups
 * proceed in parallel.
 *
 * SR-IOV: a PF's VFs are locked under their PF's lock. Changing
 * sriov_numvfs destroys the VFs, and the kernel creates new ones in new
 * IOMMU groups, so a VF's group lock alone cannot keep a VF from changing
 * under an invocation: every invocation on a VF also takes its PF's lock,
 * and one on a PF also takes its VFs' locks. All are taken in one sorted
 * pass (hd_group_locks_acquire), the one order every invocation uses. */
#pragma once

#include <glib.h>

/* The lock name for a device. */
char *hd_group_lock_name(const char *address, gint64 group);

/* Adds to NAMES the lock of the device at ADDRESS in GROUP, its PF's
 * lock when it is a VF, and each of its VFs' locks when it is a PF. */
void hd_group_lock_names_add(GPtrArray *names, const char *address, gint64 group);

/* Takes the locks NAMES (duplicates allowed) in sorted order, so that two
 * invocations wanting overlapping sets cannot deadlock, waiting at most
 * TIMEOUT_MS for each. Creates the state directory. Returns the held locks
 * (free the array to release them). */
GPtrArray *hd_group_locks_acquire(GPtrArray *names, guint timeout_ms, GError **error);

/* hd_group_locks_acquire() of the one device at ADDRESS in GROUP (with its
 * PF's or VFs' locks). */
GPtrArray *hd_group_locks_acquire_device(const char *address, gint64 group, guint timeout_ms, GError **error);
