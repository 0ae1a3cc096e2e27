/* Where a device's block devices start. Disks below the device (SATA/SCSI
 * disks of an HBA, client NVMe namespaces nvmeXnY) are walked from there.
 * With NVMe native multipath (nvme_core.multipath=Y, a controller in a
 * multi-controller subsystem) only the hidden path device nvmeXcYnZ is below
 * the controller; the namespace's block device, the head nvmeSnZ, lives
 * under /sys/devices/virtual/nvme-subsystem/ and lists its paths in
 * multipath/. A head is walked through the path devices below the device,
 * and the chain says whether another live path to it remains. The
 * controller's character node (/dev/nvmeX) and the generic namespace nodes
 * (/dev/ngXnY) are checked for processes holding them. */
#include "hostdev/shared/host-use-block.h"
#include "hostdev/shared/host-use-checks.h"

#include <stdio.h>

#include "util/sysfs-paths.h"
#include "util/sysfs.h"

/* TRUE for a block device that is a partition of another. */
static gboolean is_partition(const char *name)
{
  g_autofree char *path = hd_path_class("block", name, "partition");

  return hd_sysfs_exists(path);
}

/* Heads (block devices with a multipath/ directory) that list one of
 * PATHS (names of path devices below the device): head -> the path. */
static GHashTable *heads_through(const GPtrArray *paths)
{
  g_autofree char *dir = hd_path_class("block", NULL, NULL);
  g_autoptr(GPtrArray) names = hd_sysfs_list_dir(dir, NULL);
  GHashTable *heads = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; names != NULL && i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    for (guint j = 0; j < paths->len; j++) {
      g_autofree char *rel = g_build_filename("multipath", g_ptr_array_index(paths, j), NULL);
      g_autofree char *link = hd_path_class("block", name, rel);
      if (hd_sysfs_exists(link)) {
        g_hash_table_insert(heads, g_strdup(name), g_strdup(g_ptr_array_index(paths, j)));
        break;
      }
    }
  }
  return heads;
}

/* The controllers other than the device's through which HEAD has a live
 * path ("nvme1, nvme2"), NULL when none: a path nvmeXcYnZ goes through
 * controller nvmeY, live when its state is "live". */
static char *other_live_paths(const char *head, const GPtrArray *ours)
{
  g_autofree char *rel = hd_path_class("block", head, "multipath");
  g_autoptr(GPtrArray) paths = hd_sysfs_list_dir(rel, NULL);
  g_autoptr(GPtrArray) live = g_ptr_array_new_with_free_func(g_free);
  unsigned subsys = 0, ctrl = 0, ns = 0;

  for (guint i = 0; paths != NULL && i < paths->len; i++) {
    const char *path = g_ptr_array_index(paths, i);
    if (g_ptr_array_find_with_equal_func((GPtrArray *)ours, path, g_str_equal, NULL) ||
        sscanf(path, "nvme%uc%un%u", &subsys, &ctrl, &ns) != 3)
      continue;
    g_autofree char *controller = g_strdup_printf("nvme%u", ctrl);
    g_autofree char *state_path = hd_path_class("nvme", controller, "state");
    g_autofree char *state = hd_sysfs_read_optional(state_path, NULL);
    if (g_strcmp0(state, "live") == 0)
      g_ptr_array_add(live, g_steal_pointer(&controller));
  }
  if (live->len == 0)
    return NULL;
  g_ptr_array_add(live, NULL);
  return g_strjoinv(", ", (char **)live->pdata);
}

/* Walks HEAD from path device PATH; each use it finds says whether the
 * host keeps the namespace through another controller. */
static void walk_head(HdBlockWalk *walk, const char *head, const char *path, const GPtrArray *ours, GPtrArray *users)
{
  guint first = users->len;
  g_autofree char *others = other_live_paths(head, ours);

  if (hd_block_walk(walk, head, path, users) == 0)
    return;
  for (guint i = first; i < users->len; i++) {
    HdHostUser *user = g_ptr_array_index(users, i);
    char *noted = others != NULL
                    ? g_strdup_printf("%s (multipath: another live path remains through %s; --force goes on without "
                                      "this one)",
                                      user->chain, others)
                    : g_strdup_printf("%s (multipath: %s holds the last live path)", user->chain, path);
    g_free(user->chain);
    user->chain = noted;
  }
}

void hd_host_use_block(HdManager *manager, const HdDevice *device, GPtrArray *users)
{
  g_autoptr(GPtrArray) blocks = hd_host_use_class_entries(device, "block", FALSE);
  g_autoptr(GPtrArray) controllers = hd_host_use_class_entries(device, "nvme", FALSE);
  g_autoptr(GPtrArray) generics = hd_host_use_class_entries(device, "nvme-generic", FALSE);
  HdBlockWalk walk;

  for (guint i = 0; i < controllers->len; i++)
    hd_block_char_node_users(manager, "nvme", g_ptr_array_index(controllers, i), users);
  for (guint i = 0; i < generics->len; i++)
    hd_block_char_node_users(manager, "nvme-generic", g_ptr_array_index(generics, i), users);
  if (blocks->len == 0 || !hd_block_walk_init(&walk, manager, users))
    return;
  g_autoptr(GHashTable) heads = heads_through(blocks);
  for (guint i = 0; i < blocks->len; i++) {
    const char *name = g_ptr_array_index(blocks, i);
    if (!is_partition(name))
      hd_block_walk(&walk, name, NULL, users);
  }
  GHashTableIter iter;
  gpointer head, path;
  g_hash_table_iter_init(&iter, heads);
  while (g_hash_table_iter_next(&iter, &head, &path))
    walk_head(&walk, head, path, blocks, users);
  hd_block_walk_clear(&walk);
}
