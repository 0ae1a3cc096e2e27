// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/device/group-viability.h"

#include "hostdev/device/iommu-group.h"

/* Drivers that bind without taking over the device's DMA. */
static const char *const dma_neutral_drivers[] = {"pci-stub", "pcieport", NULL};

gboolean hd_group_member_harmless(const HdDevice *member)
{
  return member->vfio.bound || member->driver == NULL || member->is_bridge ||
         g_strv_contains(dma_neutral_drivers, member->driver);
}

GPtrArray *hd_group_blockers(HdManager *manager, const HdDevice *device, GHashTable *binding, GError **error)
{
  g_autoptr(GPtrArray) names = hd_iommu_group_members(device->iommu_group, error);

  if (names == NULL)
    return NULL;
  GPtrArray *blockers = g_ptr_array_new_with_free_func((GDestroyNotify)hd_device_free);
  for (guint i = 0; i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    if (g_str_equal(name, device->address) || (binding != NULL && g_hash_table_contains(binding, name)))
      continue;
    /* a member that vanishes meanwhile (a VF being removed) blocks nothing */
    HdDevice *member = hd_device_load_by_name(manager, name, NULL);
    if (member == NULL)
      continue;
    if (hd_group_member_harmless(member))
      hd_device_free(member);
    else
      g_ptr_array_add(blockers, member);
  }
  return blockers;
}
