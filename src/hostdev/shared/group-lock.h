/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Serialising invocations that touch the same devices: one lock per IOMMU
 * group under /run/vfio-hostdev/ (group-N.lock), since VFIO hands out whole
 * groups and a group's members are bound and checked together. Devices
 * without a group lock themselves (device-<address>.lock). Different groups
 * proceed in parallel. */
#pragma once

#include <glib.h>

/* The lock name for a device. */
char *hd_group_lock_name(const char *address, gint64 group);

/* Takes the locks NAMES (duplicates allowed) in sorted order, so that two
 * invocations wanting overlapping sets cannot deadlock, waiting at most
 * TIMEOUT_MS for each. Creates the state directory. Returns the held locks
 * (free the array to release them). */
GPtrArray *hd_group_locks_acquire(GPtrArray *names, guint timeout_ms, GError **error);
