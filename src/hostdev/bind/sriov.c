// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/bind/sriov.h"

#include <gio/gio.h>

#include "hostdev/bind/vf-check.h"
#include "hostdev/device/device.h"
#include "hostdev/device/iommu-group.h"
#include "hostdev/shared/device-record.h"
#include "hostdev/shared/driver-switch.h"
#include "hostdev/shared/group-lock.h"
#include "hostdev/shared/vf-record.h"
#include "util/hd-error.h"
#include "util/kernel-write.h"
#include "util/string-list.h"

#define LOCK_TIMEOUT_MS (120 * 1000)

void hd_sriov_result_free(HdSriovResult *result)
{
  if (result == NULL)
    return;
  g_free(result->address);
  g_clear_pointer(&result->vfs, g_ptr_array_unref);
  g_clear_pointer(&result->bound, g_ptr_array_unref);
  g_free(result);
}

/* ---- checks: before anything changes ------------------------------------- */

static gboolean check_pf(const HdDevice *pf, guint numvfs, GError **error)
{
  if (pf->physfn != NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s is a VF; its PF %s makes the VFs", pf->address, pf->physfn);
    return FALSE;
  }
  if (pf->sriov_totalvfs == 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s is not an SR-IOV PF (it has no sriov_totalvfs)", pf->address);
    return FALSE;
  }
  if (numvfs > pf->sriov_totalvfs) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s can have at most %u VFs (sriov_totalvfs), not %u", pf->address,
                pf->sriov_totalvfs, numvfs);
    return FALSE;
  }
  if (pf->driver == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s is on no driver, and only its driver can make VFs; nothing "
                "changed", pf->address);
    return FALSE;
  }
  return TRUE;
}

/* The PF's record: none, or an earlier `sriov`'s that finished. Anything
 * else (a bind's, an unfinished one) is another job's only copy of what
 * the PF was. */
static gboolean check_record(const HdDevice *pf, const HdDeviceRecord *record, GError **error)
{
  g_autofree char *pending = hd_kernel_write_pending(pf->address);

  if (pending != NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_UNFINISHED, "a kernel write for %s has not returned (%s); nothing changed: "
                "`vfio-hostdev status` shows it", pf->address, pending);
    return FALSE;
  }
  if (record == NULL || (record->sriov_provisioned >= 0 && record->state == HD_RECORD_BOUND))
    return TRUE;
  if (record->sriov_provisioned < 0 && record->state == HD_RECORD_BOUND) {
    g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "%s is bound to %s by vfio-hostdev; `vfio-hostdev reattach %s` "
                "gives it back to its driver first; nothing changed", pf->address,
                record->target_driver != NULL ? record->target_driver : "VFIO", pf->address);
    return FALSE;
  }
  g_set_error(error, HD_ERROR, HD_ERROR_UNFINISHED, "%s was left %s by an earlier vfio-hostdev command; its record is "
              "kept: `vfio-hostdev status` shows it, `vfio-hostdev reattach %s` (or `recover`) finishes it; nothing "
              "changed", pf->address, hd_record_state_name(record->state), pf->address);
  return FALSE;
}

/* Removing or replacing VFs destroys them. */
static gboolean check_vfs_may_go(HdManager *manager, const HdDevice *pf, guint numvfs, GError **error)
{
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);

  if (pf->sriov_numvfs == 0 || numvfs == pf->sriov_numvfs || hd_vf_check_removal(manager, pf, refusals))
    return TRUE;
  g_autofree char *why = hd_string_list_join(refusals, "; ");
  g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "refusing to change the VFs of %s, nothing changed: %s", pf->address,
              why);
  return FALSE;
}

/* ---- doing it ------------------------------------------------------------ */

/* What the PF is before the first `sriov`: reattach gives back exactly it. */
static HdDeviceRecord *record_of_pf(const HdDevice *pf)
{
  HdDeviceRecord *record = hd_record_new(pf->address);

  record->original_driver = g_strdup(pf->driver);
  record->original_override = g_strdup(pf->driver_override);
  record->sriov_numvfs = pf->sriov_numvfs;
  record->sriov_autoprobe = hd_vf_autoprobe_read(pf->address);
  if (pf->sriov_numvfs > 0)
    record->vfs = hd_vf_records_capture(pf->address);
  return record;
}

static GPtrArray *vf_addresses(const char *pf_address)
{
  GPtrArray *addresses = g_ptr_array_new_with_free_func(g_free);
  char *address;

  while ((address = hd_vf_address(pf_address, addresses->len)) != NULL)
    g_ptr_array_add(addresses, address);
  return addresses;
}

static gboolean has_name(const GPtrArray *names, const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_str_equal(g_ptr_array_index(names, i), name))
      return TRUE;
  return FALSE;
}

/* The VFs' group locks that HELD (the PF's and its VFs' then, which cover
 * the new VFs for every other invocation, group-lock.h) lacks: a new VF
 * may get the group number of one removed, and a lock file opened twice
 * in one process would wait for itself. */
static GPtrArray *lock_vfs(const GPtrArray *vfs, const GPtrArray *held, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < vfs->len; i++) {
    const char *vf = g_ptr_array_index(vfs, i);
    char *name = hd_group_lock_name(vf, hd_iommu_group_of(vf));
    if (has_name(held, name))
      g_free(name);
    else
      g_ptr_array_add(names, name);
  }
  return hd_group_locks_acquire(names, LOCK_TIMEOUT_MS, error);
}

/* Every VF to its VFIO driver, as bind does it: the variant rule per VF,
 * groups in parallel, all or nothing. */
static gboolean bind_vfs(HdManager *manager, HdSriovResult *result, const GPtrArray *held, guint timeout_ms,
                         GError **error)
{
  g_autoptr(GPtrArray) locks = lock_vfs(result->vfs, held, error);
  g_autoptr(GError) local = NULL;

  if (locks == NULL)
    return FALSE;
  g_ptr_array_add(result->vfs, NULL);
  const HdBindOptions options = {.unbind_timeout_ms = timeout_ms, .locked = TRUE};
  result->bound = hd_bind(manager, (const char *const *)result->vfs->pdata, &options, &local);
  g_ptr_array_remove_index(result->vfs, result->vfs->len - 1);
  if (local == NULL)
    return TRUE;
  g_propagate_error(error, g_steal_pointer(&local));
  return FALSE;
}

/* autoprobe off while the kernel adds VFs, so that no host VF driver takes
 * them; the count goes through 0 when it was another non-zero one. */
static gboolean change_vfs(const HdDevice *pf, guint numvfs, int autoprobe, guint timeout_ms, GError **error)
{
  if (numvfs > 0 && autoprobe == 1 && !hd_vf_autoprobe_write(pf->address, 0, error))
    return FALSE;
  if (pf->sriov_numvfs > 0 && !hd_vf_disable(pf->address, timeout_ms, error))
    return FALSE;
  if (numvfs == 0 || hd_switch_set_numvfs(pf->address, numvfs, timeout_ms, error))
    return TRUE;
  /* sriov_numvfs_store(): the PF's driver has no sriov_configure() */
  if (g_error_matches(*error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_prefix_error(error, "its driver %s cannot make VFs (no SR-IOV configuration through sysfs): ", pf->driver);
  return FALSE;
}

/* Put back even after a failure: VFs made later must not be probed behind
 * the user's back, nor stay unprobed when they expect the default. */
static gboolean restore_autoprobe(const char *pf_address, int autoprobe, GError **error)
{
  if (autoprobe < 0 || hd_vf_autoprobe_read(pf_address) == autoprobe ||
      hd_vf_autoprobe_write(pf_address, autoprobe, error))
    return TRUE;
  g_prefix_error(error, "cannot put sriov_drivers_autoprobe of %s back to %d: ", pf_address, autoprobe);
  return FALSE;
}

/* After a failure (CAUSE): the PF as its record says, record gone; or,
 * when that fails too, the record kept as stuck with both reasons. The
 * record is what the PF had before the FIRST `sriov`: after a later one,
 * that is not what this call found. */
static void roll_back(HdDeviceRecord *record, gboolean first, GError *cause, guint timeout_ms, GError **error)
{
  g_autoptr(GError) undo = NULL;

  if (hd_switch_restore(record, timeout_ms, &undo) && hd_record_remove(record->address, &undo)) {
    /* a refusal (of the VFs' bind) stays one */
    gboolean refused = g_error_matches(cause, HD_ERROR, HD_ERROR_REFUSED);
    g_autofree char *back = first ? g_strdup("nothing changed")
                                  : g_strdup_printf("the PF is as before the first `vfio-hostdev sriov` (%u VFs)",
                                                    record->sriov_numvfs);
    g_set_error(error, HD_ERROR, refused ? HD_ERROR_REFUSED : HD_ERROR_FAILED, "%s: %s; rolled back, %s",
                record->address, cause->message, back);
    return;
  }
  record->state = HD_RECORD_STUCK;
  record->problem = g_strdup_printf("sriov: %s; undoing it: %s", cause->message, undo->message);
  hd_record_save(record, NULL);
  g_set_error(error, HD_ERROR, HD_ERROR_UNFINISHED, "%s: %s, and undoing it failed: %s; `vfio-hostdev status` shows "
              "it, `vfio-hostdev reattach %s` finishes it", record->address, cause->message, undo->message,
              record->address);
}

/* The record stays while it has something to give back. */
static gboolean finish_record(HdDeviceRecord *record, HdSriovResult *result, GError **error)
{
  result->original_numvfs = record->sriov_numvfs;
  if (record->sriov_numvfs == 0 && result->numvfs == 0)
    return hd_record_remove(record->address, error);
  record->state = HD_RECORD_BOUND;
  result->recorded = TRUE;
  return hd_record_save(record, error);
}

static HdSriovResult *result_new(const HdDevice *pf, const HdDeviceRecord *record, guint numvfs)
{
  HdSriovResult *result = g_new0(HdSriovResult, 1);

  result->address = g_strdup(pf->address);
  result->previous_numvfs = pf->sriov_numvfs;
  result->numvfs = numvfs;
  result->original_numvfs = record != NULL ? record->sriov_numvfs : pf->sriov_numvfs;
  result->recorded = record != NULL;
  result->autoprobe = hd_vf_autoprobe_read(pf->address);
  return result;
}

/* A new count: recorded first, undone on any failure. */
static HdSriovResult *provision(HdManager *manager, const HdDevice *pf, HdDeviceRecord *record,
                                const HdSriovOptions *options, const GPtrArray *held, GError **error)
{
  g_autoptr(HdSriovResult) result = result_new(pf, record, options->numvfs);
  g_autoptr(GError) local = NULL;

  gboolean first = record->state != HD_RECORD_BOUND;
  record->sriov_provisioned = (int)options->numvfs;
  record->state = HD_RECORD_BINDING;
  if (!hd_record_save(record, error))
    return NULL;
  gboolean ok = change_vfs(pf, options->numvfs, result->autoprobe, options->unbind_timeout_ms, &local);
  if (ok) {
    result->vfs = vf_addresses(pf->address);
    ok = !options->bind || result->vfs->len == 0 ||
         bind_vfs(manager, result, held, options->unbind_timeout_ms, &local);
  }
  ok = restore_autoprobe(pf->address, result->autoprobe, ok ? &local : NULL) && ok;
  if (!ok) {
    roll_back(record, first, local, options->unbind_timeout_ms, error);
    return NULL;
  }
  if (!finish_record(record, result, error))
    return NULL;
  return g_steal_pointer(&result);
}

/* The same count: the VFs stay as they are, and with --bind go to VFIO,
 * each with its own record (`reattach VF` gives one back). */
static HdSriovResult *keep_count(HdManager *manager, const HdDevice *pf, const HdDeviceRecord *record,
                                 const HdSriovOptions *options, const GPtrArray *held, GError **error)
{
  g_autoptr(HdSriovResult) result = result_new(pf, record, pf->sriov_numvfs);

  result->vfs = vf_addresses(pf->address);
  if (options->bind && result->vfs->len > 0 && !bind_vfs(manager, result, held, options->unbind_timeout_ms, error))
    return NULL;
  return g_steal_pointer(&result);
}

HdSriovResult *hd_sriov(HdManager *manager, const char *address, const HdSriovOptions *options, GError **error)
{
  g_autoptr(HdDevice) named = hd_device_load_by_name(manager, address, error);

  if (named == NULL || !check_pf(named, options->numvfs, error))
    return NULL;
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func(g_free);
  hd_group_lock_names_add(held, named->address, named->iommu_group);
  g_autoptr(GPtrArray) locks = hd_group_locks_acquire(held, LOCK_TIMEOUT_MS, error);
  if (locks == NULL)
    return NULL;
  /* another invocation may have changed it while we waited */
  g_autoptr(HdDevice) pf = hd_device_load_by_name(manager, address, error);
  if (pf == NULL || !check_pf(pf, options->numvfs, error))
    return NULL;
  g_autoptr(GError) load_error = NULL;
  g_autoptr(HdDeviceRecord) record = hd_record_load(pf->address, &load_error);
  if (load_error != NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_UNFINISHED, "%s; nothing changed", load_error->message);
    return NULL;
  }
  if (!check_record(pf, record, error) || !check_vfs_may_go(manager, pf, options->numvfs, error))
    return NULL;
  if (options->numvfs == pf->sriov_numvfs)
    return keep_count(manager, pf, record, options, held, error);
  if (record == NULL)
    record = record_of_pf(pf);
  return provision(manager, pf, record, options, held, error);
}
