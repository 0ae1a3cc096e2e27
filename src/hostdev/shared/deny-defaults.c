// SPDX-License-Identifier: LGPL-2.1-or-later
/* The deny list's defaults: the PCI devices that hold the mounted root
 * filesystem and the active swap areas. From a block device down to the
 * hardware: a device below a PCI device names it in its sysfs path;
 * otherwise its slaves (dm, md), its path devices (an NVMe head) or the
 * filesystem of its backing file (a loop device) lead on. */
#include "hostdev/shared/deny-list-internal.h"
#include "hostdev/shared/host-use-block.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

#include "util/mounts.h"
#include "util/pci-address.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

/* Stacks deeper than this are taken for a loop in the tables. */
#define MAX_DEPTH 16

/* The block device whose "dev" is DEVNO, or named by SOURCE (/dev/NAME,
 * /dev/mapper/<dm name>); NULL when none. */
static char *block_named(dev_t devno, const char *source)
{
  g_autofree char *dir = hd_path_class("block", NULL, NULL);
  g_autoptr(GPtrArray) names = hd_sysfs_list_dir(dir, NULL);

  for (guint i = 0; names != NULL && i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    g_autofree char *dev_path = hd_path_class("block", name, "dev");
    g_autofree char *dev = hd_sysfs_read_optional(dev_path, NULL);
    g_autofree char *dm_path = hd_path_class("block", name, "dm/name");
    g_autofree char *dm = hd_sysfs_read_optional(dm_path, NULL);
    g_autofree char *node = g_strconcat("/dev/", name, NULL);
    g_autofree char *mapper = dm != NULL ? g_strconcat("/dev/mapper/", dm, NULL) : NULL;
    unsigned major = 0, minor = 0;
    if ((dev != NULL && sscanf(dev, "%u:%u", &major, &minor) == 2 && makedev(major, minor) == devno) ||
        g_strcmp0(source, node) == 0 || g_strcmp0(source, mapper) == 0)
      return g_strdup(name);
  }
  return NULL;
}

/* The PCI device whose directory holds sysfs path RESOLVED (the last PCI
 * address among its components), or NULL. */
static char *pci_in_path(const char *resolved)
{
  g_auto(GStrv) parts = g_strsplit(resolved, "/", -1);
  char *found = NULL;

  for (char **p = parts; *p != NULL; p++)
    if (hd_pci_address_is_canonical(*p)) {
      g_free(found);
      found = g_strdup(*p);
    }
  return found;
}

/* A walk down from a block device: the PCI devices found, and every block
 * device passed (with a partition's disk), for storage no PCI device holds
 * (NVMe over fabrics, iSCSI), whose carrier the network check finds. */
typedef struct {
  const GPtrArray *mounts;
  GHashTable *pci;    /* addresses */
  GHashTable *blocks; /* block device names */
} StackWalk;

static void stack_walk_init(StackWalk *walk, const GPtrArray *mounts)
{
  walk->mounts = mounts;
  walk->pci = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  walk->blocks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static void stack_walk_clear(StackWalk *walk)
{
  g_clear_pointer(&walk->pci, g_hash_table_unref);
  g_clear_pointer(&walk->blocks, g_hash_table_unref);
}

static void walk_block(StackWalk *walk, const char *name, guint depth);

/* Every entry of block device NAME's directory SUB (slaves). */
static void walk_links(StackWalk *walk, const char *name, const char *sub, guint depth)
{
  g_autofree char *dir = hd_path_class("block", name, sub);
  g_autoptr(GPtrArray) links = hd_sysfs_list_dir(dir, NULL);

  for (guint i = 0; links != NULL && i < links->len; i++)
    walk_block(walk, g_ptr_array_index(links, i), depth + 1);
}

/* The block device of the filesystem holding file PATH. */
static void walk_file(StackWalk *walk, const char *path, guint depth)
{
  const HdMount *mount = path[0] == '/' ? hd_mount_of_path(walk->mounts, path) : NULL;
  g_autofree char *name = mount != NULL ? block_named(mount->devno, mount->source) : NULL;

  if (name != NULL)
    walk_block(walk, name, depth + 1);
}

/* Records NAME and, for a partition, its disk (the directory above it). */
static void record_block(StackWalk *walk, const char *name, const char *resolved)
{
  g_autofree char *partition = hd_path_class("block", name, "partition");

  g_hash_table_add(walk->blocks, g_strdup(name));
  if (resolved != NULL && hd_sysfs_exists(partition)) {
    g_autofree char *disk_dir = g_path_get_dirname(resolved);
    g_hash_table_add(walk->blocks, g_path_get_basename(disk_dir));
  }
}

static void walk_block(StackWalk *walk, const char *name, guint depth)
{
  g_autofree char *path = hd_path_class("block", name, NULL);
  g_autofree char *resolved = realpath(path, NULL);
  g_autofree char *pci = resolved != NULL ? pci_in_path(resolved) : NULL;
  g_autofree char *backing_path = hd_path_class("block", name, "loop/backing_file");
  g_autofree char *backing = hd_sysfs_read_optional(backing_path, NULL);

  if (depth > MAX_DEPTH)
    return;
  record_block(walk, name, resolved);
  if (pci != NULL) {
    g_hash_table_add(walk->pci, g_steal_pointer(&pci));
    return;
  }
  g_autoptr(GPtrArray) paths = hd_nvme_head_paths(name);
  walk_links(walk, name, "slaves", depth);
  for (guint i = 0; i < paths->len; i++)
    walk_block(walk, g_ptr_array_index(paths, i), depth + 1);
  if (backing != NULL)
    walk_file(walk, backing, depth);
}

/* The block device the root filesystem is mounted from, or NULL. */
static char *root_block(const GPtrArray *mounts)
{
  const HdMount *root = NULL;

  for (guint i = 0; i < mounts->len; i++) {
    const HdMount *mount = g_ptr_array_index(mounts, i);
    if (g_str_equal(mount->target, "/"))
      root = mount; /* the last one: a mount over / hides the ones before */
  }
  return root != NULL ? block_named(root->devno, root->source) : NULL;
}

GHashTable *hd_root_blocks(void)
{
  g_autoptr(GPtrArray) mounts = hd_mounts_list(NULL);
  g_autofree char *root = mounts != NULL ? root_block(mounts) : NULL;
  StackWalk walk;

  if (root == NULL)
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  stack_walk_init(&walk, mounts);
  walk_block(&walk, root, 0);
  GHashTable *blocks = g_steal_pointer(&walk.blocks);
  stack_walk_clear(&walk);
  return blocks;
}

/* One default rule per PCI device below the block device NAME. */
static void add_rules(const GPtrArray *mounts, const char *name, HdDenySource source, const char *why,
                      GPtrArray *rules)
{
  StackWalk walk;

  stack_walk_init(&walk, mounts);
  walk_block(&walk, name, 0);
  g_autoptr(GHashTable) found = g_steal_pointer(&walk.pci);
  stack_walk_clear(&walk);
  g_autoptr(GList) addresses = g_list_sort(g_hash_table_get_keys(found), (GCompareFunc)g_strcmp0);
  for (GList *l = addresses; l != NULL; l = l->next) {
    HdDenyRule *rule = g_new0(HdDenyRule, 1);
    rule->source = source;
    rule->address = g_strdup(l->data);
    rule->rule = g_strdup_printf("address %s", rule->address);
    rule->origin = g_strdup_printf("%s (%s)", why, name);
    g_ptr_array_add(rules, rule);
  }
}

gboolean hd_deny_defaults(GPtrArray *rules, GError **error)
{
  g_autoptr(GPtrArray) mounts = hd_mounts_list(error);
  g_autoptr(GPtrArray) swaps = mounts != NULL ? hd_swaps_list(error) : NULL;

  if (swaps == NULL)
    return FALSE;
  g_autofree char *root = root_block(mounts);
  if (root != NULL)
    add_rules(mounts, root, HD_DENY_ROOT, "the root filesystem is on it", rules);
  for (guint i = 0; i < swaps->len; i++) {
    const char *swap = g_ptr_array_index(swaps, i);
    g_autofree char *name = g_str_has_prefix(swap, "/dev/") ? block_named(makedev(0, 0), swap) : NULL;
    g_autofree char *why = g_strdup_printf("active swap %s is on it", swap);
    const HdMount *mount = name == NULL ? hd_mount_of_path(mounts, swap) : NULL;
    g_autofree char *file_block = mount != NULL ? block_named(mount->devno, mount->source) : NULL;
    if (name != NULL || file_block != NULL)
      add_rules(mounts, name != NULL ? name : file_block, HD_DENY_SWAP, why, rules);
  }
  return TRUE;
}
