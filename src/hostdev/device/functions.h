/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PCI functions that make up one physical device: the other functions
 * of its slot (a GPU's 01:00.0 with its HDA audio 01:00.1, USB 01:00.2 and
 * UCSI 01:00.3), which ACS may put in separate IOMMU groups, and the devices
 * the kernel ties to it by device links (quirk_gpu_hda, quirk_gpu_usb and
 * quirk_gpu_usb_typec_ucsi link those functions as consumers of function
 * 0): a link shows in the supplier's sysfs node as `consumer:<bus>:<name>`
 * and in the consumer's as `supplier:<bus>:<name>`, both pointing at the
 * link's own device in /sys/class/devlink/. SR-IOV VFs are not functions
 * of the device here: they belong to their PF's VF handling. */
#pragma once

#include <glib.h>

typedef enum {
  HD_LINK_CONSUMERS,
  HD_LINK_SUPPLIERS,
} HdLinkRole;

/* The other functions of ADDRESS's slot (same domain, bus and device
 * number), VFs left out, sorted; empty when it is alone or is a VF. */
GPtrArray *hd_slot_functions(const char *address);

/* The PCI devices linked to ADDRESS in ROLE, sorted; links to devices on
 * other buses (platform, ACPI) are not PCI functions and are left out. */
GPtrArray *hd_device_link_peers(const char *address, HdLinkRole role);

/* ADDRESS and everything reachable from it through slot functions and PCI
 * device links in either direction, sorted: the whole device, the same set
 * whichever of its members is named. PCI-to-PCI bridges are neither
 * members nor followed (a USB4 host's PCIe ports are consumers of its
 * NHI): VFIO cannot take them. */
GPtrArray *hd_whole_device(const char *address);
