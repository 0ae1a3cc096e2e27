// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/shared/group-lock.h"

#include "hostdev/shared/device-record.h"
#include "hostdev/device/iommu-group.h"
#include "hostdev/shared/vf-record.h"
#include "util/file-lock.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

char *hd_group_lock_name(const char *address, gint64 group)
{
  /* a no-IOMMU group holds one device and exists only while it is on
   * VFIO: its lock is the device's, before bind made the group and after */
  if (group >= 0 && !hd_iommu_group_is_noiommu(group))
    return g_strdup_printf("group-%" G_GINT64_FORMAT ".lock", group);
  return g_strdup_printf("device-%s.lock", address);
}

static void add_current(GPtrArray *names, const char *address)
{
  g_ptr_array_add(names, hd_group_lock_name(address, hd_iommu_group_of(address)));
}

void hd_group_lock_names_add(GPtrArray *names, const char *address, gint64 group)
{
  g_autofree char *physfn_link = hd_path_pci_device(address, "physfn");
  g_autofree char *physfn = hd_sysfs_link_basename(physfn_link, NULL);

  g_ptr_array_add(names, hd_group_lock_name(address, group));
  if (physfn != NULL)
    add_current(names, physfn);
  for (guint i = 0;; i++) {
    g_autofree char *vf = hd_vf_address(address, i);
    if (vf == NULL)
      break;
    add_current(names, vf);
  }
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *hd_group_locks_acquire(GPtrArray *names, guint timeout_ms, GError **error)
{
  g_autoptr(GPtrArray) locks = g_ptr_array_new_with_free_func((GDestroyNotify)hd_file_lock_release);
  const char *previous = NULL;

  if (!hd_record_ensure_dir(error))
    return NULL;
  g_ptr_array_sort(names, compare_names);
  for (guint i = 0; i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    if (g_strcmp0(name, previous) == 0)
      continue;
    previous = name;
    g_autofree char *path = hd_path_state_file(name);
    HdFileLock *lock = hd_file_lock_acquire(path, timeout_ms, error);
    if (lock == NULL)
      return NULL;
    g_ptr_array_add(locks, lock);
  }
  return g_steal_pointer(&locks);
}

GPtrArray *hd_group_locks_acquire_device(const char *address, gint64 group, guint timeout_ms, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

  hd_group_lock_names_add(names, address, group);
  return hd_group_locks_acquire(names, timeout_ms, error);
}
