// SPDX-License-Identifier: LGPL-2.1-or-later
/* Where a device's block devices start. Disks below the device (SATA/SCSI
 * disks of an HBA, client NVMe namespaces nvmeXnY) are walked from there.
 * With NVMe native multipath (nvme_core.multipath=Y, a controller in a
 * multi-controller subsystem) only the hidden path device nvmeXcYnZ is below
 * the controller; the namespace's block device, the head nvmeSnZ, lives
 * under /sys/devices/virtual/nvme-subsystem/ (Linux 6.12 has no links
 * between them: the kernel names the head nvme<S>n<N> and its paths
 * nvme<S>c<C>n<N>, S the subsystem's instance, C the controller's). A head
 * is walked through the path devices below the device, and the chain says
 * whether another live path to it remains. The
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

GPtrArray *hd_nvme_head_paths(const char *head)
{
  g_autofree char *dir = hd_path_class("block", NULL, NULL);
  g_autoptr(GPtrArray) names = hd_sysfs_list_dir(dir, NULL);
  GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
  unsigned subsys = 0, ns = 0, s = 0, c = 0, n = 0;
  char end;

  if (sscanf(head, "nvme%un%u%c", &subsys, &ns, &end) != 2)
    return paths;
  for (guint i = 0; names != NULL && i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    if (sscanf(name, "nvme%uc%un%u%c", &s, &c, &n, &end) == 3 && s == subsys && n == ns)
      g_ptr_array_add(paths, g_strdup(name));
  }
  return paths;
}

/* The head of path device PATH (nvme<S>c<C>n<N> -> nvme<S>n<N>), NULL when
 * PATH is no path device. */
static char *head_of(const char *path)
{
  unsigned subsys = 0, ctrl = 0, ns = 0;
  char end;

  if (sscanf(path, "nvme%uc%un%u%c", &subsys, &ctrl, &ns, &end) != 3)
    return NULL;
  return g_strdup_printf("nvme%un%u", subsys, ns);
}

/* The controllers other than the device's through which HEAD has a live
 * path ("nvme1, nvme2"), NULL when none: a path nvme<S>c<C>n<N> goes through
 * controller nvme<C>, live when its state is "live". */
static char *other_live_paths(const char *head, const GPtrArray *ours)
{
  g_autoptr(GPtrArray) paths = hd_nvme_head_paths(head);
  g_autoptr(GPtrArray) live = g_ptr_array_new_with_free_func(g_free);
  unsigned subsys = 0, ctrl = 0, ns = 0;

  for (guint i = 0; i < paths->len; i++) {
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

/* Walks HEAD from path device PATH (after PREFIX, or NULL); each use it
 * finds says whether the host keeps the namespace through another
 * controller. */
static void walk_head(HdBlockWalk *walk, const char *head, const char *path, const char *prefix,
                      const GPtrArray *ours, GPtrArray *users)
{
  guint first = users->len;
  g_autofree char *others = other_live_paths(head, ours);
  g_autofree char *chain = prefix != NULL ? g_strconcat(prefix, " \xe2\x86\x92 ", path, NULL) : g_strdup(path);

  if (hd_block_walk(walk, head, chain, users) == 0)
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

void hd_nvme_walk(HdBlockWalk *walk, const GPtrArray *blocks, const char *prefix, GPtrArray *users)
{
  for (guint i = 0; i < blocks->len; i++) {
    const char *name = g_ptr_array_index(blocks, i);
    g_autofree char *head = head_of(name);
    g_autofree char *head_dir = head != NULL ? hd_path_class("block", head, NULL) : NULL;
    if (head_dir != NULL && hd_sysfs_exists(head_dir))
      walk_head(walk, head, name, prefix, blocks, users);
    else if (head == NULL && !is_partition(name))
      hd_block_walk(walk, name, prefix, users);
  }
}

void hd_host_use_block(HdManager *manager, const HdDevice *device, GPtrArray *users)
{
  g_autoptr(GPtrArray) blocks = hd_host_use_class_entries(device, "block");
  g_autoptr(GPtrArray) controllers = hd_host_use_class_entries(device, "nvme");
  g_autoptr(GPtrArray) generics = hd_host_use_class_entries(device, "nvme-generic");
  HdBlockWalk walk;

  for (guint i = 0; i < controllers->len; i++)
    hd_block_char_node_users(manager, "nvme", g_ptr_array_index(controllers, i), users);
  for (guint i = 0; i < generics->len; i++)
    hd_block_char_node_users(manager, "nvme-generic", g_ptr_array_index(generics, i), users);
  if (blocks->len == 0 || !hd_block_walk_init(&walk, manager, users))
    return;
  hd_nvme_walk(&walk, blocks, NULL, users);
  hd_block_walk_clear(&walk);
}
