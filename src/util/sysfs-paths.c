// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/sysfs-paths.h"

char *hd_path_pci_devices(void)
{
  return g_strdup("/sys/bus/pci/devices");
}

char *hd_path_pci_device(const char *address, const char *attr)
{
  return g_build_filename("/sys/bus/pci/devices", address, attr, NULL);
}

char *hd_path_pci_driver(const char *driver, const char *attr)
{
  return g_build_filename("/sys/bus/pci/drivers", driver, attr, NULL);
}

char *hd_path_pci_drivers_probe(void)
{
  return g_strdup("/sys/bus/pci/drivers_probe");
}

char *hd_path_iommu_groups(void)
{
  return g_strdup("/sys/kernel/iommu_groups");
}

char *hd_path_iommu_group_devices(gint64 group)
{
  return g_strdup_printf("/sys/kernel/iommu_groups/%" G_GINT64_FORMAT "/devices", group);
}

char *hd_path_vfio_group_node(gint64 group)
{
  return g_strdup_printf("/dev/vfio/%" G_GINT64_FORMAT, group);
}

char *hd_path_vfio_cdev(const char *vfio_device)
{
  return g_build_filename("/dev/vfio/devices", vfio_device, NULL);
}

char *hd_path_module(const char *module, const char *sub)
{
  return g_build_filename("/sys/module", module, sub, NULL);
}

char *hd_path_class(const char *cls, const char *name, const char *attr)
{
  return g_build_filename("/sys/class", cls, name, attr, NULL);
}

char *hd_path_state_dir(void)
{
  return g_strdup("/run/vfio-hostdev");
}

char *hd_path_state_file(const char *name)
{
  return g_build_filename("/run/vfio-hostdev", name, NULL);
}

char *hd_path_deny_list(void)
{
  return g_strdup("/etc/vfio-hostdev/deny.conf");
}

char *hd_path_persist_dir(void)
{
  return g_strdup("/etc/vfio-hostdev/devices");
}

char *hd_path_mountinfo(void)
{
  return g_strdup("/proc/self/mountinfo");
}

char *hd_path_proc_net(const char *file)
{
  return g_build_filename("/proc/net", file, NULL);
}
