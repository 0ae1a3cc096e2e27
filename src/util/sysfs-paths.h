/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

/* "/sys/class/<cls>", ".../<name>" or ".../<name>/<attr>" (NAME, ATTR may be NULL). */
char *hd_path_class(const char *cls, const char *name, const char *attr);

/* "/run/vfio-hostdev": runtime state (records, locks); bindings do not
 * survive a reboot, and neither should their records. */
char *hd_path_state_dir(void);

/* "/run/vfio-hostdev/<name>". */
char *hd_path_state_file(const char *name);

/* "/etc/vfio-hostdev/devices": the persisted bindings (persist-config.h).
 * Fixed like the state directory, whatever the install prefix: the boot
 * unit and every build of the tool must read the same configuration. */
char *hd_path_persist_dir(void);

/* "/etc/vfio-hostdev/deny.conf": devices never taken from the host
 * (hostdev/shared/deny-list.h). */
char *hd_path_deny_list(void);

/* "/proc/self/mountinfo" */
char *hd_path_mountinfo(void);

/* "/proc/net/<file>" (route, ipv6_route). */
char *hd_path_proc_net(const char *file);
