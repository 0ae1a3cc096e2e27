/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IOMMU groups: whether the host has any, and who shares one. */
#pragma once

#include <glib.h>

/* TRUE when /sys/kernel/iommu_groups holds at least one group, i.e. an IOMMU
 * is enabled. */
gboolean hd_iommu_groups_present(void);

/* Canonical addresses of the PCI devices in GROUP, sorted. */
GPtrArray *hd_iommu_group_members(gint64 group, GError **error);

/* One line telling the user how to turn the IOMMU on. */
const char *hd_iommu_enable_hint(void);
