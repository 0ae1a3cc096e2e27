/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host-wide paths read by the readiness checks (`doctor`): the kernel
 * command line, firmware tables, huge pages and the VFIO/iommufd device
 * nodes. Per-device and per-driver paths are in sysfs-paths.h. All
 * functions return newly allocated strings. */
#pragma once

#include <glib.h>

/* "/proc/cmdline" */
char *hd_path_kernel_cmdline(void);

/* "/sys/firmware/acpi/tables", or ".../<signature>" ("DMAR", "IVRS"). */
char *hd_path_acpi_table(const char *signature);

/* "/sys/kernel/mm/hugepages", ".../<size_dir>" or ".../<size_dir>/<attr>"
 * (SIZE_DIR like "hugepages-2048kB"; SIZE_DIR and ATTR may be NULL). */
char *hd_path_hugepages(const char *size_dir, const char *attr);
/* /sys/devices/system/node/node<NODE>/hugepages/SIZE_DIR/ATTR: one NUMA node's share of a pool. */
char *hd_path_node_hugepages(gint64 node, const char *size_dir, const char *attr);

/* "/dev/vfio/vfio": the legacy VFIO container. */
char *hd_path_vfio_container(void);

/* "/dev/vfio/devices": where VFIO device cdevs appear. */
char *hd_path_vfio_cdev_dir(void);

/* "/dev/iommu": iommufd. */
char *hd_path_iommufd(void);

/* "/sys/kernel/irq", ".../<irq>" or ".../<irq>/<attr>" (IRQ and ATTR may be NULL). */
char *hd_path_kernel_irq(const char *irq, const char *attr);

/* "/boot/config-<release>": the kernel's configuration as Debian, Fedora
 * and most distributions install it. */
char *hd_path_boot_config(const char *release);

/* "/proc/config.gz": the configuration built into a kernel with
 * CONFIG_IKCONFIG_PROC. */
char *hd_path_proc_config(void);

/* "/proc/cpuinfo" */
char *hd_path_cpuinfo(void);

/* "/sys/class/dmi/id" or ".../<attr>" ("sys_vendor", "product_name"). */
char *hd_path_dmi_id(const char *attr);

/* "/dev/vfio": the group nodes (N, noiommu-N), the container, devices/. */
char *hd_path_vfio_dir(void);

/* "/proc/iomem": the physical address map, with real addresses for root. */
char *hd_path_iomem(void);

/* "/proc/consoles": the kernel's registered consoles. */
char *hd_path_consoles(void);

/* "/sys/kernel/config/netconsole", or ".../<target>/<attr>": netconsole's
 * dynamic targets (configfs). */
char *hd_path_netconsole(const char *target, const char *attr);

/* "/dev/<devname>", DEVNAME as a uevent names it ("dri/card0"). */
char *hd_path_dev_node(const char *devname);
