// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/shared/vfio-holders.h"

#include "hostdev/device/iommu-group.h"
#include "util/fd-holders.h"
#include "util/sysfs-paths.h"

void hd_vfio_holders_refusals(HdManager *manager, const HdDevice *device, GPtrArray *refusals)
{
  g_autofree char *node = device->iommu_group >= 0 ? hd_vfio_group_node_path(device->iommu_group) : NULL;
  g_autofree char *cdev = device->vfio.device != NULL ? hd_path_vfio_cdev(device->vfio.device) : NULL;
  const char *paths[3] = {NULL};
  guint n = 0;

  if (node != NULL)
    paths[n++] = node;
  if (cdev != NULL)
    paths[n++] = cdev;
  g_autoptr(GPtrArray) holders = hd_fd_scan_holders(hd_manager_fd_scan(manager), paths);
  for (guint i = 0; i < holders->len; i++) {
    const HdFdHolder *holder = g_ptr_array_index(holders, i);
    g_ptr_array_add(refusals, g_strdup_printf("%s is in use: process %d (%s) has %s open; stop it first",
                                              device->address, holder->pid, holder->comm, holder->path));
  }
}
