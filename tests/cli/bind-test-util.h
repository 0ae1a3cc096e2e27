/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the bind, reattach, reset and status tests: reading a
 * device's state in the fake tree, hashing the tree, timing runs. */
#pragma once

#include "cli-test.h"

/* Basename of the device's driver link, NULL when unbound. */
char *bt_driver(MockHost *host, const char *address);
/* driver_override as sysfs shows it ("(null)" when clear). */
char *bt_override(MockHost *host, const char *address);
/* sriov_numvfs as a number. */
guint bt_numvfs(MockHost *host, const char *address);
gboolean bt_has_record(MockHost *host, const char *address);
/* Number of *.record files under /run/vfio-hostdev. */
guint bt_count_records(MockHost *host);
/* Asserts the device is on DRIVER with a clear override, NUMVFS VFs and no record. */
void bt_assert_original(MockHost *host, const char *address, const char *driver, guint numvfs);
/* Asserts the device is bound to DRIVER with vfio-dev/ and its group node. */
void bt_assert_vfio(MockHost *host, const char *address, const char *driver, const char *group);
/* SHA-256 over every path, type, link target and file content of the tree
 * (the mock's own bookkeeping in .mock/ excluded). */
char *bt_tree_hash(MockHost *host);
/* The same over /sys and /dev only: what the kernel shows. A refusal may
 * leave a lock file in /run/vfio-hostdev, never a change to a device. */
char *bt_kernel_hash(MockHost *host);

/* `bind [--force] ADDRESS` is refused as a device the host uses (exit 4,
 * one line, "--force" offered or said not to override) with every one of
 * NEEDLES (NULL-terminated) in the message, and nothing changed: same /sys
 * and /dev, the device still on DRIVER (NULL: none) with no
 * driver_override and its VFs, no record, no module loaded. Returns the
 * message. */
char *bt_assert_refused(MockHost *host, gboolean force, const char *address, const char *driver,
                        const char *const *needles);
/* `bind [--force] ADDRESS` succeeds (silently without --force) and leaves
 * it on vfio-pci with vfio-dev/ and its group's node. */
void bt_assert_binds(MockHost *host, gboolean force, const char *address);

/* Whether someone holds the flock of PATH in the fake host (the lock itself,
 * as the tool asks, not a pid). */
gboolean bt_lock_held(MockHost *host, const char *path);

/* Waits until nobody holds PATH's flock: a kernel write's helper lets go of
 * its .pending lock when the fake kernel returns. */
void bt_wait_lock_free(MockHost *host, const char *path);
