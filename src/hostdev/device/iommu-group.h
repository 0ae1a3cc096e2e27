/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IOMMU groups: whether the host has any, who shares one, and the groups
 * vfio makes for devices without an IOMMU (no-IOMMU mode). */
#pragma once

#include <glib.h>

/* TRUE when /sys/kernel/iommu_groups holds at least one group other than
 * vfio's no-IOMMU ones, i.e. an IOMMU is enabled. */
gboolean hd_iommu_groups_present(void);

/* Canonical addresses of the PCI devices in GROUP, sorted. */
GPtrArray *hd_iommu_group_members(gint64 group, GError **error);

/* The group of the PCI device at ADDRESS (its iommu_group link), or -1. */
gint64 hd_iommu_group_of(const char *address);

/* One line telling the user how to turn the IOMMU on. */
const char *hd_iommu_enable_hint(void);

/* TRUE when vfio's enable_unsafe_noiommu_mode is on: a VFIO driver's probe
 * then gives a device without an IOMMU group a group of its own (vfio's
 * vfio_noiommu_group_alloc()), with no DMA isolation at all. */
gboolean hd_vfio_noiommu_enabled(void);

/* TRUE when GROUP is such a no-IOMMU group (the kernel names it
 * "vfio-noiommu"; it lives only while its one device is on VFIO). */
gboolean hd_iommu_group_is_noiommu(gint64 group);

/* GROUP's VFIO group node: "/dev/vfio/N", or "/dev/vfio/noiommu-N" for a
 * no-IOMMU group. */
char *hd_vfio_group_node_path(gint64 group);

/* One line on what a no-IOMMU group means, for refusals and `show`. */
const char *hd_noiommu_danger(void);
