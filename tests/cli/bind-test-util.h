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

/* 2M hugepage pools of a two-node NUMA host, as mock-hugepages.c models
 * them: node 0 holds the whole pool's one free page, node 1 none; the
 * device at ADDRESS is on node 1. */
#define BT_POOL_2M "/sys/kernel/mm/hugepages/hugepages-2048kB"
#define BT_NODE_POOL_2M(node) "/sys/devices/system/node/node" node "/hugepages/hugepages-2048kB"
void bt_make_numa_pools(MockHost *host, const char *address);
/* Asserts the pages of node 0, node 1 and the whole 2M pool. */
void bt_assert_numa_pools(MockHost *host, const char *node0, const char *node1, const char *whole);

/* Whether someone holds the flock of PATH in the fake host (the lock itself,
 * as the tool asks, not a pid). */
gboolean bt_lock_held(MockHost *host, const char *path);

/* Waits until nobody holds PATH's flock: a kernel write's helper lets go of
 * its .pending lock when the fake kernel returns. */
void bt_wait_lock_free(MockHost *host, const char *path);
/* Starts `vfio-hostdev ARGS...` (NULL-terminated) on HOST without waiting,
 * output discarded; bt_wait_exit() reaps it. */
GPid bt_spawn(MockHost *host, const char *const *args);
/* The same with stdout discarded and stderr the test's (no pipe that a
 * command's leftover child could keep the test waiting on). */
GPid bt_spawn_with_stderr(MockHost *host, const char *const *args);
/* Reaps the spawned tool PID, which must have exited, and returns its exit code. */
int bt_wait_exit(GPid pid);
/* Another card at ADDRESS: PCI_ID and PCI_SUBSYS_ID ("8086:10d3") of the
 * kernel's uevent, where the tool reads IDs. */
void bt_change_ids(MockHost *host, const char *address, const char *pci_id, const char *subsys_id);
