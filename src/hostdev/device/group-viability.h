/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Group viability: VFIO hands a whole IOMMU group to one owner, so the
 * kernel refuses a group in which another member is driven by a host driver
 * that does DMA. A member is harmless when it is VFIO-bound, unbound, bound
 * to a driver that leaves DMA to the owner (pci-stub, pcieport), or a
 * PCI-to-PCI bridge (header type 1). */
#pragma once

#include "hostdev/device/device.h"

/* TRUE when MEMBER, as it is now, does not keep its group from VFIO. */
gboolean hd_group_member_harmless(const HdDevice *member);

/* HdDevice* of the members of DEVICE's group (DEVICE excluded) that are not
 * harmless and not named in BINDING (a set of addresses bound in the same
 * operation; may be NULL), sorted by address. */
GPtrArray *hd_group_blockers(HdManager *manager, const HdDevice *device, GHashTable *binding, GError **error);
