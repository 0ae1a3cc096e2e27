// SPDX-License-Identifier: LGPL-2.1-or-later
/* Does a process use a device through its own device nodes? A display
 * server on /dev/dri/card0, a sound server on /dev/snd nodes, a DPDK or RDMA
 * application on /dev/uioN or /dev/infiniband nodes, a VM on the device's
 * /dev/vfio nodes: unbinding the driver pulls the node from under it (or,
 * for VFIO, blocks until it lets go). */
#include "hostdev/shared/host-use-checks.h"

#include "hostdev/device/iommu-group.h"
#include "util/fd-holders.h"
#include "util/host-paths.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

/* Class devices below a PCI device whose nodes a process may hold:
 * <syspath>/<class>/<name>[/<name>]/uevent names the node (DEVNAME=). Sound
 * nodes sit one level deeper, below the card (sound/card0/pcmC0D0p). Block
 * devices and the NVMe char nodes are the block check's. */
static const char *const node_classes[] = {"uio", "drm", "sound", "infiniband_verbs", "infiniband_mad",
                                           "vfio-dev", NULL};
#define NODE_DEPTH 2

/* "/dev/<DEVNAME>" from the uevent file of class device DIR, or NULL. */
static char *node_of(const char *dir)
{
  g_autofree char *path = g_build_filename(dir, "uevent", NULL);
  g_autofree char *uevent = hd_sysfs_read_optional(path, NULL);
  g_auto(GStrv) lines = g_strsplit(uevent != NULL ? uevent : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    const char *name = lines[i] + strlen("DEVNAME=");
    /* a name that would leave /dev is no node of this device */
    if (g_str_has_prefix(lines[i], "DEVNAME=") && *name != '\0' && strstr(name, "..") == NULL)
      return hd_path_dev_node(name);
  }
  return NULL;
}

static void add_nodes_below(const char *dir, guint depth, GPtrArray *nodes)
{
  g_autoptr(GPtrArray) entries = hd_sysfs_list_dir(dir, NULL);

  for (guint i = 0; entries != NULL && i < entries->len; i++) {
    g_autofree char *child = g_build_filename(dir, g_ptr_array_index(entries, i), NULL);
    char *node;
    /* only real directories: "device" and "subsystem" links lead away */
    if (!g_file_test(child, G_FILE_TEST_IS_DIR) || g_file_test(child, G_FILE_TEST_IS_SYMLINK))
      continue;
    if ((node = node_of(child)) != NULL)
      g_ptr_array_add(nodes, node);
    if (depth > 1)
      add_nodes_below(child, depth - 1, nodes);
  }
}

/* The device nodes of DEVICE a process could hold, NULL-terminated. */
static GPtrArray *device_nodes(const HdDevice *device)
{
  GPtrArray *nodes = g_ptr_array_new_with_free_func(g_free);

  for (const char *const *cls = node_classes; device->syspath != NULL && *cls != NULL; cls++) {
    g_autofree char *dir = g_build_filename(device->syspath, *cls, NULL);
    add_nodes_below(dir, NODE_DEPTH, nodes);
  }
  /* the group node: holding it holds every member of the group */
  if (device->iommu_group >= 0) {
    g_autofree char *group_node = hd_vfio_group_node_path(device->iommu_group);
    if (!g_ptr_array_find_with_equal_func(nodes, group_node, g_str_equal, NULL))
      g_ptr_array_add(nodes, g_steal_pointer(&group_node));
  }
  g_ptr_array_add(nodes, NULL);
  return nodes;
}

void hd_host_use_nodes(HdManager *manager, const HdDevice *device, GPtrArray *users)
{
  g_autoptr(GPtrArray) nodes = device_nodes(device);
  g_autoptr(GPtrArray) holders = hd_fd_scan_holders(hd_manager_fd_scan(manager), (const char *const *)nodes->pdata);

  for (guint i = 0; i < holders->len; i++) {
    const HdFdHolder *holder = g_ptr_array_index(holders, i);
    hd_host_user_add(users, HD_HOST_USE_PROCESS, TRUE, "process %d (%s) has %s open", holder->pid, holder->comm,
                     holder->path);
  }
}
