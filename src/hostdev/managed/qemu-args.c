// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/qemu-args.h"

#include "util/host-paths.h"
#include "util/sysfs.h"

gboolean hd_qemu_use_iommufd(const GPtrArray *results)
{
  g_autofree char *iommufd = hd_path_iommufd();

  if (results->len == 0 || !hd_sysfs_exists(iommufd))
    return FALSE;
  for (guint i = 0; i < results->len; i++)
    if (((const HdPrepareResult *)g_ptr_array_index(results, i))->cdev == NULL)
      return FALSE;
  return TRUE;
}

GPtrArray *hd_qemu_device_args(const HdPrepareResult *result, gboolean iommufd)
{
  GPtrArray *args = g_ptr_array_new_with_free_func(g_free);

  g_ptr_array_add(args, g_strdup("-device"));
  g_ptr_array_add(args, g_strdup_printf("vfio-pci,host=%s%s", result->address,
                                        iommufd ? ",iommufd=" HD_QEMU_IOMMUFD_ID : ""));
  return args;
}

GPtrArray *hd_qemu_args(const GPtrArray *results)
{
  gboolean iommufd = hd_qemu_use_iommufd(results);
  GPtrArray *args = g_ptr_array_new_with_free_func(g_free);

  if (iommufd) {
    g_ptr_array_add(args, g_strdup("-object"));
    g_ptr_array_add(args, g_strdup("iommufd,id=" HD_QEMU_IOMMUFD_ID));
  }
  for (guint i = 0; i < results->len; i++) {
    g_autoptr(GPtrArray) device = hd_qemu_device_args(g_ptr_array_index(results, i), iommufd);
    for (guint j = 0; j < device->len; j++)
      g_ptr_array_add(args, g_strdup(g_ptr_array_index(device, j)));
  }
  return args;
}
