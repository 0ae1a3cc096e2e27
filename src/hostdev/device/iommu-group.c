// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/device/iommu-group.h"

#include "util/sysfs-paths.h"
#include "util/sysfs.h"

gboolean hd_iommu_groups_present(void)
{
  g_autofree char *path = hd_path_iommu_groups();
  g_autoptr(GPtrArray) groups = hd_sysfs_list_dir(path, NULL);
  gint64 group = -1;

  /* vfio's no-IOMMU groups say nothing of an IOMMU */
  for (guint i = 0; groups != NULL && i < groups->len; i++)
    if (!g_ascii_string_to_signed(g_ptr_array_index(groups, i), 10, 0, G_MAXINT32, &group, NULL) ||
        !hd_iommu_group_is_noiommu(group))
      return TRUE;
  return FALSE;
}

GPtrArray *hd_iommu_group_members(gint64 group, GError **error)
{
  g_autofree char *path = hd_path_iommu_group_devices(group);

  return hd_sysfs_list_dir(path, error);
}

gint64 hd_iommu_group_of(const char *address)
{
  g_autofree char *link = hd_path_pci_device(address, "iommu_group");
  g_autofree char *group = hd_sysfs_link_basename(link, NULL);
  gint64 number = -1;

  if (group == NULL || !g_ascii_string_to_signed(group, 10, 0, G_MAXINT32, &number, NULL))
    return -1;
  return number;
}

const char *hd_iommu_enable_hint(void)
{
  /* no amd_iommu=on: AMD's IOMMU is on by default and the kernel rejects
   * that value ("AMD-Vi: Unknown option") */
  return "no IOMMU groups: the IOMMU is off; `vfio-hostdev doctor` says why (firmware setting, "
         "intel_iommu=on missing, amd_iommu=off or iommu=off given, or a VM without a virtual IOMMU)";
}

gboolean hd_vfio_noiommu_enabled(void)
{
  g_autofree char *path = hd_path_module("vfio", "parameters/enable_unsafe_noiommu_mode");
  g_autofree char *value = hd_sysfs_read(path, NULL);

  return g_strcmp0(value, "Y") == 0;
}

gboolean hd_iommu_group_is_noiommu(gint64 group)
{
  if (group < 0)
    return FALSE;
  g_autofree char *groups = hd_path_iommu_groups();
  g_autofree char *number = g_strdup_printf("%" G_GINT64_FORMAT, group);
  g_autofree char *path = g_build_filename(groups, number, "name", NULL);
  g_autofree char *name = hd_sysfs_read(path, NULL);

  return g_strcmp0(name, "vfio-noiommu") == 0;
}

char *hd_vfio_group_node_path(gint64 group)
{
  if (hd_iommu_group_is_noiommu(group))
    return g_strdup_printf("/dev/vfio/noiommu-%" G_GINT64_FORMAT, group);
  return hd_path_vfio_group_node(group);
}

const char *hd_noiommu_danger(void)
{
  return "no DMA isolation: the device can read and write any host memory, and the kernel is tainted";
}
