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

static void pci_of_block(const GPtrArray *mounts, const char *name, guint depth, GHashTable *found);

/* Every entry of block device NAME's directory SUB (slaves). */
static void pci_of_links(const GPtrArray *mounts, const char *name, const char *sub, guint depth, GHashTable *found)
{
  g_autofree char *dir = hd_path_class("block", name, sub);
  g_autoptr(GPtrArray) links = hd_sysfs_list_dir(dir, NULL);

  for (guint i = 0; links != NULL && i < links->len; i++)
    pci_of_block(mounts, g_ptr_array_index(links, i), depth + 1, found);
}

/* The block device of the filesystem holding file PATH. */
static void pci_of_file(const GPtrArray *mounts, const char *path, guint depth, GHashTable *found)
{
  const HdMount *mount = path[0] == '/' ? hd_mount_of_path(mounts, path) : NULL;
  g_autofree char *name = mount != NULL ? block_named(mount->devno, mount->source) : NULL;

  if (name != NULL)
    pci_of_block(mounts, name, depth + 1, found);
}

static void pci_of_block(const GPtrArray *mounts, const char *name, guint depth, GHashTable *found)
{
  g_autofree char *path = hd_path_class("block", name, NULL);
  g_autofree char *resolved = realpath(path, NULL);
  g_autofree char *pci = resolved != NULL ? pci_in_path(resolved) : NULL;
  g_autofree char *backing_path = hd_path_class("block", name, "loop/backing_file");
  g_autofree char *backing = hd_sysfs_read_optional(backing_path, NULL);

  if (depth > MAX_DEPTH)
    return;
  if (pci != NULL) {
    g_hash_table_add(found, g_steal_pointer(&pci));
    return;
  }
  g_autoptr(GPtrArray) paths = hd_nvme_head_paths(name);
  pci_of_links(mounts, name, "slaves", depth, found);
  for (guint i = 0; i < paths->len; i++)
    pci_of_block(mounts, g_ptr_array_index(paths, i), depth + 1, found);
  if (backing != NULL)
    pci_of_file(mounts, backing, depth, found);
}

/* One default rule per PCI device below the block device NAME. */
static void add_rules(const GPtrArray *mounts, const char *name, HdDenySource source, const char *why,
                      GPtrArray *rules)
{
  g_autoptr(GHashTable) found = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

  pci_of_block(mounts, name, 0, found);
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
  const HdMount *root = NULL;

  if (swaps == NULL)
    return FALSE;
  for (guint i = 0; i < mounts->len; i++) {
    const HdMount *mount = g_ptr_array_index(mounts, i);
    if (g_str_equal(mount->target, "/"))
      root = mount; /* the last one: a mount over / hides the ones before */
  }
  g_autofree char *root_block = root != NULL ? block_named(root->devno, root->source) : NULL;
  if (root_block != NULL)
    add_rules(mounts, root_block, HD_DENY_ROOT, "the root filesystem is on it", rules);
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
