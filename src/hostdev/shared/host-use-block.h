// SPDX-License-Identifier: LGPL-2.1-or-later
/* The block check's two halves: where a device's block devices start
 * (host-use-nvme.c: disks below it, NVMe multipath heads reached through
 * its path devices, its character nodes) and what depends on each and uses
 * it (host-use-block.c: the walk through partitions, holders and loop
 * devices to mounts, swap, open files and exclusive claims). */
#pragma once

#include "hostdev/shared/host-use.h"

/* What the walk reads once per device check. */
typedef struct {
  HdManager *manager;
  GPtrArray *mounts;  /* HdMount* */
  GPtrArray *swaps;   /* strings, as /proc/swaps names them */
  GHashTable *loops;  /* loop device name -> backing file */
  GHashTable *walked; /* block name -> number of uses found at or below it */
} HdBlockWalk;

/* Reads the tables; on failure adds an HD_HOST_USE_UNCHECKED user and
 * returns FALSE. */
gboolean hd_block_walk_init(HdBlockWalk *walk, HdManager *manager, GPtrArray *users);
void hd_block_walk_clear(HdBlockWalk *walk);

/* Adds a user for every use of block device NAME and of everything that
 * depends on it, each chain beginning with PREFIX (NULL: with NAME). Returns
 * the number of uses found. */
guint hd_block_walk(HdBlockWalk *walk, const char *name, const char *prefix, GPtrArray *users);

/* Adds a user for every process holding the character node of class CLS
 * entry NAME (its "dev" attribute) open. */
void hd_block_char_node_users(HdManager *manager, const char *cls, const char *name, GPtrArray *users);

/* Walks BLOCKS, the block devices below one device or NVMe controller
 * (disks, NVMe namespaces in either layout: a path device is walked through
 * its head), each chain beginning with PREFIX (NULL: with the block
 * device). */
void hd_nvme_walk(HdBlockWalk *walk, const GPtrArray *blocks, const char *prefix, GPtrArray *users);

/* The path devices nvme<S>c<C>n<N> of NVMe multipath head HEAD
 * (nvme<S>n<N>), by the kernel's naming (Linux 6.12 links neither way);
 * empty for any other block device. */
GPtrArray *hd_nvme_head_paths(const char *head);
