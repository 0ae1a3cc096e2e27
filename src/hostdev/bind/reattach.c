// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/bind/reattach.h"

#include <gio/gio.h>

#include "hostdev/shared/device-record.h"
#include "hostdev/device/device.h"
#include "hostdev/shared/driver-switch.h"
#include "hostdev/shared/group-lock.h"
#include "util/hd-error.h"
#include "util/kernel-write.h"
#include "hostdev/device/functions.h"
#include "hostdev/device/iommu-group.h"
#include "util/parallel.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"
#include "hostdev/shared/vfio-holders.h"
#include "hostdev/bind/vf-check.h"
#include "util/string-list.h"

#define LOCK_TIMEOUT_MS (120 * 1000)

static const char *const outcome_names[] = {"restored", "reprobed", "untouched", "stuck"};

const char *hd_reattach_outcome_name(HdReattachOutcome outcome)
{
  return outcome_names[outcome];
}

void hd_reattach_result_free(HdReattachResult *result)
{
  if (result == NULL)
    return;
  g_free(result->address);
  g_free(result->original_driver);
  g_free(result->driver);
  g_clear_error(&result->error);
  g_free(result);
}

typedef struct {
  HdReattachResult *result;
  HdDevice *device;
  guint timeout_ms;
} Job;

static void job_free(Job *job)
{
  hd_reattach_result_free(job->result);
  hd_device_free(job->device);
  g_free(job);
}

static gboolean has_job(GPtrArray *jobs, const char *address)
{
  for (guint i = 0; i < jobs->len; i++)
    if (g_str_equal(((Job *)g_ptr_array_index(jobs, i))->device->address, address))
      return TRUE;
  return FALSE;
}

static Job *add_job(GPtrArray *jobs, HdDevice *device, gboolean group_member, guint timeout_ms)
{
  Job *job = g_new0(Job, 1);

  job->device = device;
  job->timeout_ms = timeout_ms;
  job->result = g_new0(HdReattachResult, 1);
  job->result->address = g_strdup(device->address);
  job->result->group_member = group_member;
  g_ptr_array_add(jobs, job);
  return job;
}

/* Members that `bind --group` brought along come back with the group. */
static void add_group_members(HdManager *manager, GPtrArray *jobs, const HdDevice *device, guint timeout_ms)
{
  g_autoptr(GPtrArray) names = device->iommu_group >= 0 ? hd_iommu_group_members(device->iommu_group, NULL) : NULL;

  for (guint i = 0; names != NULL && i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    g_autoptr(HdDeviceRecord) record = hd_record_load(name, NULL);
    if (record == NULL || !record->group || has_job(jobs, name))
      continue;
    HdDevice *member = hd_device_load_by_name(manager, name, NULL);
    if (member != NULL)
      add_job(jobs, member, TRUE, timeout_ms);
  }
}

/* The functions that `bind --functions` bound with DEVICE come back with it,
 * whichever of them is named. */
static void add_function_members(HdManager *manager, GPtrArray *jobs, const HdDevice *device, guint timeout_ms)
{
  g_autoptr(HdDeviceRecord) own = hd_record_load(device->address, NULL);
  g_autoptr(GPtrArray) names = own != NULL && own->functions ? hd_whole_device(device->address) : NULL;

  for (guint i = 0; names != NULL && i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    g_autoptr(HdDeviceRecord) record = hd_record_load(name, NULL);
    if (record == NULL || !record->functions || has_job(jobs, name))
      continue;
    HdDevice *member = hd_device_load_by_name(manager, name, NULL);
    if (member != NULL)
      add_job(jobs, member, FALSE, timeout_ms)->result->function_member = TRUE;
  }
}

static GPtrArray *load_jobs(HdManager *manager, const char *const *addresses, guint timeout_ms, GError **error)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func((GDestroyNotify)job_free);

  for (; *addresses != NULL; addresses++) {
    HdDevice *device = hd_device_load_by_name(manager, *addresses, error);
    if (device == NULL)
      return NULL;
    if (has_job(jobs, device->address))
      hd_device_free(device);
    else
      add_job(jobs, device, FALSE, timeout_ms);
  }
  for (guint i = 0, named = jobs->len; i < named; i++)
    add_function_members(manager, jobs, ((Job *)g_ptr_array_index(jobs, i))->device, timeout_ms);
  /* every function's group members, the added functions' too */
  for (guint i = 0, with_functions = jobs->len; i < with_functions; i++)
    add_group_members(manager, jobs, ((Job *)g_ptr_array_index(jobs, i))->device, timeout_ms);
  return g_steal_pointer(&jobs);
}

/* A device a VM holds through `prepare --owner` goes back with that VM's
 * release, which also gives back its nodes: reattach would strand them. */
static void check_owner(const HdDevice *device, GPtrArray *refusals)
{
  g_autoptr(HdDeviceRecord) record = hd_record_load(device->address, NULL);

  if (record != NULL && record->owner != NULL)
    g_ptr_array_add(refusals, g_strdup_printf("%s belongs to owner %s; `vfio-hostdev release --owner %s` gives it "
                                              "back", device->address, record->owner, record->owner));
}

/* Undoing `sriov` destroys the VFs it made: not while one is in use. */
static void check_provisioned(HdManager *manager, const HdDevice *device, GPtrArray *refusals)
{
  g_autoptr(HdDeviceRecord) record = hd_record_load(device->address, NULL);

  if (record != NULL && record->sriov_provisioned >= 0 && device->sriov_numvfs != record->sriov_numvfs)
    hd_vf_check_removal(manager, device, refusals);
}

static gboolean refuse_held(HdManager *manager, GPtrArray *jobs, GError **error)
{
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < jobs->len; i++) {
    const HdDevice *device = ((Job *)g_ptr_array_index(jobs, i))->device;
    check_owner(device, refusals);
    check_provisioned(manager, device, refusals);
    if (device->vfio.bound)
      hd_vfio_holders_refusals(manager, device, refusals);
  }
  if (refusals->len == 0)
    return TRUE;
  g_autofree char *why = hd_string_list_join(refusals, "; ");
  g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "refusing to reattach, nothing changed: %s", why);
  return FALSE;
}

/* The record stays, marked stuck, so that status shows it and a later
 * reattach can finish. */
static void mark_stuck(Job *job, HdDeviceRecord *record, const GError *cause)
{
  g_autoptr(GError) save_error = NULL;

  record->state = HD_RECORD_STUCK;
  g_free(record->problem);
  record->problem = g_strdup_printf("reattach: %s", cause->message);
  hd_record_save(record, &save_error);
  job->result->outcome = HD_REATTACH_STUCK;
  job->result->error = g_error_new(HD_ERROR, HD_ERROR_UNFINISHED,
                                   "%s could not be put back on %s: %s; `vfio-hostdev status` shows it, run "
                                   "`vfio-hostdev reattach %s` again to finish",
                                   job->device->address, record->original_driver != NULL ? record->original_driver : "no driver",
                                   cause->message, job->device->address);
}

static void restore_from_record(Job *job, HdDeviceRecord *record)
{
  g_autoptr(GError) error = NULL;

  job->result->original_driver = g_strdup(record->original_driver);
  if (!hd_switch_restore(record, job->timeout_ms, &error) || !hd_record_remove(record->address, &error)) {
    mark_stuck(job, record, error);
    return;
  }
  job->result->outcome = HD_REATTACH_RESTORED;
  job->result->vfs = record->sriov_numvfs;
}

/* No record: the original driver is unknown, so the kernel chooses. */
static void reprobe(Job *job)
{
  const HdDevice *device = job->device;
  g_autoptr(GError) error = NULL;

  if (!device->vfio.bound && device->driver_override == NULL) {
    job->result->outcome = HD_REATTACH_UNTOUCHED;
    return;
  }
  job->result->outcome = HD_REATTACH_REPROBED;
  if (!hd_switch_set_override(device->address, NULL, &error) ||
      (device->driver != NULL && !hd_switch_unbind(device->address, device->driver, job->timeout_ms, &error))) {
    job->result->outcome = HD_REATTACH_STUCK;
    job->result->error = g_error_new(HD_ERROR, HD_ERROR_UNFINISHED, "%s: %s", device->address, error->message);
    return;
  }
  g_autofree char *probe = hd_path_pci_drivers_probe();
  if (!hd_kernel_write(device->address, probe, device->address, job->timeout_ms, &error)) {
    job->result->outcome = HD_REATTACH_STUCK;
    job->result->error = g_error_new(HD_ERROR, HD_ERROR_UNFINISHED, "%s is unbound: %s", device->address,
                                     error->message);
    return;
  }
  g_autofree char *dead = hd_switch_unresponsive(device->address);
  if (dead != NULL) {
    job->result->outcome = HD_REATTACH_STUCK;
    job->result->error = g_error_new(HD_ERROR, HD_ERROR_UNFINISHED, "%s was reprobed but %s", device->address, dead);
  }
}

static void run_job(gpointer data, gpointer user_data)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdDeviceRecord) record = hd_record_load(job->device->address, &error);

  /* nothing is written, and the record stays as it is, while the kernel
   * still holds the device */
  if (error == NULL && !hd_kernel_write_check_idle(job->device->address, &error)) {
    job->result->outcome = HD_REATTACH_STUCK;
    job->result->error = g_steal_pointer(&error);
  } else if (error != NULL) {
    job->result->outcome = HD_REATTACH_STUCK;
    job->result->error = g_error_copy(error);
    job->result->error->code = HD_ERROR_UNFINISHED;
  } else if (record != NULL) {
    restore_from_record(job, record);
  } else {
    reprobe(job);
  }
  job->result->driver = hd_switch_current_driver(job->device->address);
}

static GPtrArray *lock_jobs(GPtrArray *jobs, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < jobs->len; i++) {
    const HdDevice *device = ((Job *)g_ptr_array_index(jobs, i))->device;
    hd_group_lock_names_add(names, device->address, device->iommu_group);
  }
  return hd_group_locks_acquire(names, LOCK_TIMEOUT_MS, error);
}

GPtrArray *hd_reattach(HdManager *manager, const char *const *addresses, guint unbind_timeout_ms, GError **error)
{
  g_autoptr(GPtrArray) jobs = load_jobs(manager, addresses, unbind_timeout_ms, error);

  if (jobs == NULL)
    return NULL;
  g_autoptr(GPtrArray) locks = lock_jobs(jobs, error);
  if (locks == NULL)
    return NULL;
  /* reload under the lock: another invocation may have changed them */
  g_autoptr(GPtrArray) fresh = load_jobs(manager, addresses, unbind_timeout_ms, error);
  if (fresh == NULL || !refuse_held(manager, fresh, error))
    return NULL;
  hd_parallel_for_each(fresh, run_job, NULL, HD_PARALLEL_MAX_THREADS);

  GPtrArray *results = g_ptr_array_new_with_free_func((GDestroyNotify)hd_reattach_result_free);
  g_autoptr(GPtrArray) messages = g_ptr_array_new();
  for (guint i = 0; i < fresh->len; i++) {
    Job *job = g_ptr_array_index(fresh, i);
    if (job->result->error != NULL)
      g_ptr_array_add(messages, job->result->error->message);
    g_ptr_array_add(results, g_steal_pointer(&job->result));
  }
  if (messages->len > 0) {
    g_autofree char *text = hd_string_list_join(messages, "; ");
    g_set_error_literal(error, HD_ERROR, HD_ERROR_UNFINISHED, text);
  }
  return results;
}
