// SPDX-License-Identifier: LGPL-2.1-or-later
/* The VFs in sysfs (vf-record.h): capturing their state, recreating them as
 * recorded. */
#include "hostdev/shared/vf-record.h"

#include "hostdev/shared/device-record.h"
#include "hostdev/shared/driver-switch.h"
#include "util/hd-error.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

char *hd_vf_address(const char *pf_address, guint index)
{
  g_autofree char *name = g_strdup_printf("virtfn%u", index);
  g_autofree char *link = hd_path_pci_device(pf_address, name);

  return hd_sysfs_link_basename(link, NULL);
}

/* A VF that this tool bound has a record; an owner's record names it. */
static char *vf_owner(const char *address)
{
  g_autoptr(HdDeviceRecord) record = hd_record_load(address, NULL);

  return record != NULL ? g_strdup(record->owner) : NULL;
}

GPtrArray *hd_vf_records_capture(const char *pf_address)
{
  GPtrArray *vfs = g_ptr_array_new_with_free_func((GDestroyNotify)hd_vf_record_free);

  /* virtfnN are numbered densely from 0 */
  for (guint i = 0;; i++) {
    g_autofree char *address = hd_vf_address(pf_address, i);
    if (address == NULL)
      break;
    HdVfRecord *vf = g_new0(HdVfRecord, 1);
    vf->index = i;
    vf->driver = hd_switch_current_driver(address);
    vf->driver_override = hd_switch_current_override(address);
    vf->owner = vf_owner(address);
    vf->address = g_steal_pointer(&address);
    g_ptr_array_add(vfs, vf);
  }
  return vfs;
}

int hd_vf_autoprobe_read(const char *pf_address)
{
  g_autofree char *path = hd_path_pci_device(pf_address, "sriov_drivers_autoprobe");
  gint64 value = 0;

  if (!hd_sysfs_read_int(path, &value, NULL))
    return -1;
  return value != 0;
}

gboolean hd_vf_autoprobe_write(const char *pf_address, int value, GError **error)
{
  g_autofree char *path = hd_path_pci_device(pf_address, "sriov_drivers_autoprobe");

  return hd_sysfs_write(path, value != 0 ? "1" : "0", error);
}

/* The kernel refuses to change a non-zero count directly. */
static gboolean enable_vfs(const char *pf_address, guint now, guint numvfs, guint timeout_ms, GError **error)
{
  if (now != 0 && !hd_switch_set_numvfs(pf_address, 0, timeout_ms, error))
    return FALSE;
  return hd_switch_set_numvfs(pf_address, numvfs, timeout_ms, error);
}

/* One VF back to its driver and override, by the verified steps of any
 * device's restore. The VF is a new device: found by its index. */
static gboolean restore_vf(const char *pf_address, const HdVfRecord *vf, guint timeout_ms, GError **error)
{
  g_autofree char *address = hd_vf_address(pf_address, vf->index);

  if (address == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s has no VF %u (was %s) after its VFs were enabled", pf_address,
                vf->index, vf->address);
    return FALSE;
  }
  g_autoptr(HdDeviceRecord) state = hd_record_new(address);
  state->original_driver = g_strdup(vf->driver);
  state->original_override = g_strdup(vf->driver_override);
  return hd_switch_restore(state, timeout_ms, error);
}

static gboolean restore_each(const char *pf_address, const GPtrArray *vfs, guint timeout_ms, GError **error)
{
  for (guint i = 0; vfs != NULL && i < vfs->len; i++)
    if (!restore_vf(pf_address, g_ptr_array_index(vfs, i), timeout_ms, error))
      return FALSE;
  return TRUE;
}

gboolean hd_vf_records_restore(const char *pf_address, guint numvfs, const GPtrArray *vfs, int autoprobe,
                               guint timeout_ms, GError **error)
{
  g_autofree char *path = hd_path_pci_device(pf_address, "sriov_numvfs");
  gint64 now = 0;

  if (numvfs == 0)
    return TRUE;
  if (!hd_sysfs_read_int(path, &now, error))
    return FALSE;
  gboolean per_vf = vfs != NULL && vfs->len > 0;
  int current = hd_vf_autoprobe_read(pf_address);
  int wanted = autoprobe >= 0 ? autoprobe : current;
  gboolean ok = TRUE;
  if (now != numvfs) {
    /* autoprobe off: the new VFs come up on no driver, each then gets exactly its own */
    ok = (!per_vf || current != 1 || hd_vf_autoprobe_write(pf_address, 0, error)) &&
         enable_vfs(pf_address, (guint)now, numvfs, timeout_ms, error);
  }
  ok = ok && restore_each(pf_address, vfs, timeout_ms, error);
  /* put back even after a failure: later VFs must not be probed behind our back */
  if (per_vf && wanted >= 0 && hd_vf_autoprobe_read(pf_address) != wanted) {
    g_autoptr(GError) local = NULL;
    if (!hd_vf_autoprobe_write(pf_address, wanted, &local) && ok) {
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
  }
  return ok;
}

gboolean hd_vf_disable(const char *pf_address, guint timeout_ms, GError **error)
{
  g_autoptr(GPtrArray) vfs = hd_vf_records_capture(pf_address);

  if (vfs->len > 0 && !hd_switch_set_numvfs(pf_address, 0, timeout_ms, error))
    return FALSE;
  /* a record of a VF bound by vfio-hostdev describes a device that is gone */
  for (guint i = 0; i < vfs->len; i++) {
    const HdVfRecord *vf = g_ptr_array_index(vfs, i);
    g_autoptr(HdDeviceRecord) record = hd_record_load(vf->address, NULL);
    if (record != NULL && record->owner == NULL && !hd_record_remove(vf->address, error))
      return FALSE;
  }
  return TRUE;
}

gboolean hd_vf_provisioned_undo(const HdDeviceRecord *record, guint timeout_ms, GError **error)
{
  g_autofree char *path = hd_path_pci_device(record->address, "sriov_numvfs");
  gint64 now = 0;

  if (!hd_sysfs_read_int(path, &now, error))
    return FALSE;
  if (now != record->sriov_numvfs && !hd_vf_disable(record->address, timeout_ms, error))
    return FALSE;
  /* with VFs to recreate, hd_vf_records_restore() puts autoprobe back after them */
  if (record->sriov_numvfs == 0 && record->sriov_autoprobe >= 0 &&
      hd_vf_autoprobe_read(record->address) != record->sriov_autoprobe)
    return hd_vf_autoprobe_write(record->address, record->sriov_autoprobe, error);
  return TRUE;
}
