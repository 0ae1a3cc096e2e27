// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/host-paths.h"

char *hd_path_kernel_cmdline(void)
{
  return g_strdup("/proc/cmdline");
}

char *hd_path_acpi_table(const char *signature)
{
  return g_build_filename("/sys/firmware/acpi/tables", signature, NULL);
}

char *hd_path_hugepages(const char *size_dir, const char *attr)
{
  return g_build_filename("/sys/kernel/mm/hugepages", size_dir, attr, NULL);
}

char *hd_path_node_hugepages(gint64 node, const char *size_dir, const char *attr)
{
  g_autofree char *node_dir = g_strdup_printf("node%" G_GINT64_FORMAT, node);

  return g_build_filename("/sys/devices/system/node", node_dir, "hugepages", size_dir, attr, NULL);
}

char *hd_path_vfio_container(void)
{
  return g_strdup("/dev/vfio/vfio");
}

char *hd_path_vfio_cdev_dir(void)
{
  return g_strdup("/dev/vfio/devices");
}

char *hd_path_iommufd(void)
{
  return g_strdup("/dev/iommu");
}

char *hd_path_kernel_irq(const char *irq, const char *attr)
{
  return g_build_filename("/sys/kernel/irq", irq, attr, NULL);
}

char *hd_path_boot_config(const char *release)
{
  return g_strdup_printf("/boot/config-%s", release);
}

char *hd_path_proc_config(void)
{
  return g_strdup("/proc/config.gz");
}

char *hd_path_cpuinfo(void)
{
  return g_strdup("/proc/cpuinfo");
}

char *hd_path_dmi_id(const char *attr)
{
  return g_build_filename("/sys/class/dmi/id", attr, NULL);
}

char *hd_path_vfio_dir(void)
{
  return g_strdup("/dev/vfio");
}

char *hd_path_iomem(void)
{
  return g_strdup("/proc/iomem");
}

char *hd_path_consoles(void)
{
  return g_strdup("/proc/consoles");
}

char *hd_path_netconsole(const char *target, const char *attr)
{
  return g_build_filename("/sys/kernel/config/netconsole", target, attr, NULL);
}

char *hd_path_dev_node(const char *devname)
{
  return g_build_filename("/dev", devname, NULL);
}
