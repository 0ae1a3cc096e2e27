// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/qemu-args.h"

#include "util/host-paths.h"
#include "util/sysfs.h"

static gboolean all_have_cdev(const GPtrArray *results)
{
  for (guint i = 0; i < results->len; i++)
    if (((const HdPrepareResult *)g_ptr_array_index(results, i))->cdev == NULL)
      return FALSE;
  return TRUE;
}

static gboolean all_have_group_node(const GPtrArray *results)
{
  for (guint i = 0; i < results->len; i++)
    if (((const HdPrepareResult *)g_ptr_array_index(results, i))->group_node == NULL)
      return FALSE;
  return TRUE;
}

gboolean hd_qemu_use_iommufd(const GPtrArray *results, const HdQemuVersion *version)
{
  g_autofree char *iommufd = hd_path_iommufd();

  if (results->len == 0 || !hd_sysfs_exists(iommufd) || !all_have_cdev(results))
    return FALSE;
  if (version == NULL || !hd_qemu_version_known(version))
    return !all_have_group_node(results);
  return hd_qemu_version_at_least(version, HD_QEMU_IOMMUFD_MAJOR, HD_QEMU_IOMMUFD_MINOR);
}

/* host= parses a 16-bit domain (DDDD:BB:DD.F); wider ones need sysfsdev=. */
static gboolean host_can_name(const char *address)
{
  return g_ascii_strtoull(address, NULL, 16) <= 0xffff;
}

GPtrArray *hd_qemu_device_args(const HdPrepareResult *result, gboolean iommufd)
{
  GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
  const char *iommufd_option = iommufd ? ",iommufd=" HD_QEMU_IOMMUFD_ID : "";

  g_ptr_array_add(args, g_strdup("-device"));
  if (host_can_name(result->address))
    g_ptr_array_add(args, g_strdup_printf("vfio-pci,host=%s%s", result->address, iommufd_option));
  else
    g_ptr_array_add(args, g_strdup_printf("vfio-pci,sysfsdev=/sys/bus/pci/devices/%s%s", result->address,
                                          iommufd_option));
  return args;
}

GPtrArray *hd_qemu_args(const GPtrArray *results, gboolean iommufd)
{
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
