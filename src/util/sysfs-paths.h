/* Where the kernel publishes what: every sysfs and /dev path the tool uses is
 * built here, so that policy code never assembles one by hand. All functions
 * return newly allocated strings. */
#pragma once

#include <glib.h>

/* "/sys/bus/pci/devices" */
char *hd_path_pci_devices(void);

/* "/sys/bus/pci/devices/<address>" or ".../<address>/<attr>" when ATTR is not NULL. */
char *hd_path_pci_device(const char *address, const char *attr);

/* "/sys/bus/pci/drivers/<driver>" or ".../<driver>/<attr>". */
char *hd_path_pci_driver(const char *driver, const char *attr);

/* "/sys/bus/pci/drivers_probe" */
char *hd_path_pci_drivers_probe(void);

/* "/sys/kernel/iommu_groups" */
char *hd_path_iommu_groups(void);

/* "/sys/kernel/iommu_groups/<group>/devices" */
char *hd_path_iommu_group_devices(gint64 group);

/* "/dev/vfio/<group>": the legacy VFIO group node. */
char *hd_path_vfio_group_node(gint64 group);

/* "/dev/vfio/devices/<vfio_device>": the VFIO cdev (kernel >= 6.6 with CONFIG_VFIO_DEVICE_CDEV). */
char *hd_path_vfio_cdev(const char *vfio_device);

/* "/sys/module/<module>" or ".../<module>/<sub>". */
char *hd_path_module(const char *module, const char *sub);
