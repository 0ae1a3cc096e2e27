// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/device/iommu-group.h"

#include "util/sysfs-paths.h"
#include "util/sysfs.h"

gboolean hd_iommu_groups_present(void)
{
  g_autofree char *path = hd_path_iommu_groups();
  g_autoptr(GPtrArray) groups = hd_sysfs_list_dir(path, NULL);

  return groups != NULL && groups->len > 0;
}

GPtrArray *hd_iommu_group_members(gint64 group, GError **error)
{
  g_autofree char *path = hd_path_iommu_group_devices(group);

  return hd_sysfs_list_dir(path, error);
}

const char *hd_iommu_enable_hint(void)
{
  /* no amd_iommu=on: AMD's IOMMU is on by default and the kernel rejects
   * that value ("AMD-Vi: Unknown option") */
  return "no IOMMU groups: the IOMMU is off; `vfio-hostdev doctor` says why (firmware setting, "
         "intel_iommu=on missing, amd_iommu=off or iommu=off given, or a VM without a virtual IOMMU)";
}
