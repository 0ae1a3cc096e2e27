// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/bind/bind.h"

#include <gio/gio.h>

#include "hostdev/shared/device-record.h"
#include "hostdev/device/device.h"
#include "hostdev/shared/driver-switch.h"
#include "hostdev/bind/driver-target.h"
#include "hostdev/bind/vf-check.h"
#include "hostdev/bind/whole-device.h"
#include "hostdev/shared/vf-record.h"
#include "hostdev/shared/group-lock.h"
#include "hostdev/device/group-viability.h"
#include "util/hd-error.h"
#include "util/kernel-write.h"
#include "hostdev/shared/host-use.h"
#include "hostdev/device/iommu-group.h"
#include "util/parallel.h"
#include "util/sysfs-paths.h"
#include "util/string-list.h"

/* Waiting for another invocation working on the same group: longer than
 * its unbind timeout, so that a slow but healthy one is waited for. */
#define LOCK_TIMEOUT_MS (120 * 1000)

static const char *const outcome_names[] = {"planned", "already-bound", "bound", "rolled-back", "stuck"};

const char *hd_bind_outcome_name(HdBindOutcome outcome)
{
  return outcome_names[outcome];
}

void hd_bind_result_free(HdBindResult *result)
{
  if (result == NULL)
    return;
  g_free(result->address);
  g_free(result->original_driver);
  g_free(result->original_override);
  g_free(result->module);
  g_free(result->driver);
  g_free(result->requested);
  g_free(result->vfio_device);
  g_free(result->group_node);
  g_ptr_array_unref(result->forced);
  g_clear_pointer(&result->vfs, g_ptr_array_unref);
  g_clear_error(&result->error);
  g_free(result);
}

/* One device's work: its public result and its record while in flight. */
typedef struct {
  HdBindResult *result;
  HdDeviceRecord *record;
} Job;

static void job_free(Job *job)
{
  hd_record_free(job->record);
  g_free(job);
}

/* ---- validation: before anything changes --------------------------------- */

typedef struct {
  HdManager *manager;
  const HdBindOptions *options;
  GPtrArray *results;  /* HdBindResult*, in the order devices were named */
  GHashTable *binding; /* addresses being bound (owned by results) */
  GPtrArray *refusals; /* one sentence each */
  GPtrArray *unfinished; /* devices an earlier run left unfinished: one sentence each */
} Plan;

/* Host use of the device (hostdev/shared/host-use.h): refused, or noted
 * when --force and nothing denied is among the uses. */
static void check_host_use(Plan *plan, const HdDevice *device, HdBindResult *result)
{
  g_autoptr(GPtrArray) users = hd_host_use(plan->manager, device);

  if (users->len == 0)
    return;
  char *refusal = hd_host_use_refusal(device, users, plan->options->force, result->forced);
  if (refusal != NULL)
    g_ptr_array_add(plan->refusals, refusal);
}

/* A PF with VFs cannot be bound to a VFIO driver: its VFs are disabled
 * first when none is in use, each VF's state recorded before (vf-check.h). */
static void check_sriov(Plan *plan, const HdDevice *device, HdBindResult *result)
{
  if (device->sriov_numvfs == 0 ||
      !hd_vf_check(plan->manager, device, plan->options->force, result->forced, plan->refusals))
    return;
  result->disable_vfs = device->sriov_numvfs;
  result->vfs = hd_vf_records_capture(device->address);
  result->vf_autoprobe = hd_vf_autoprobe_read(device->address);
}

static HdBindResult *result_new(const HdDevice *device)
{
  HdBindResult *result = g_new0(HdBindResult, 1);

  result->address = g_strdup(device->address);
  result->group = device->iommu_group;
  result->original_driver = g_strdup(device->driver);
  result->original_override = g_strdup(device->driver_override);
  result->forced = g_ptr_array_new_with_free_func(g_free);
  result->outcome = HD_BIND_PLANNED;
  result->vf_autoprobe = -1;
  return result;
}

/* Whether DEVICE may be planned: a kernel write in flight, or a record in
 * any state but bound by this same kind of request (plain bind, or the
 * same owner), is unfinished work whose record must never be overwritten:
 * it holds the only copy of the original driver. */
static gboolean check_unfinished(Plan *plan, const HdDevice *device)
{
  g_autofree char *pending = hd_kernel_write_pending(device->address);
  g_autoptr(GError) error = NULL;

  if (pending != NULL) {
    g_ptr_array_add(plan->unfinished, g_strdup_printf("a kernel write for %s has not returned (%s); `vfio-hostdev "
                                                      "status` shows it, `vfio-hostdev reattach %s` finishes once "
                                                      "it has", device->address, pending, device->address));
    return FALSE;
  }
  g_autoptr(HdDeviceRecord) record = hd_record_load(device->address, &error);
  if (error != NULL) {
    g_ptr_array_add(plan->unfinished, g_strdup_printf("%s; it is kept as it is: `vfio-hostdev status` shows it",
                                                      error->message));
    return FALSE;
  }
  if (record == NULL ||
      (record->state == HD_RECORD_BOUND && device->vfio.bound && g_strcmp0(record->owner, plan->options->owner) == 0))
    return TRUE;
  if (record->state == HD_RECORD_BOUND && record->sriov_provisioned >= 0) {
    g_ptr_array_add(plan->refusals, g_strdup_printf("%s has the VFs `vfio-hostdev sriov` gave it; `vfio-hostdev "
                                                    "reattach %s` gives back what it had first", device->address,
                                                    device->address));
    return FALSE;
  }
  g_autofree char *by = record->owner != NULL ? g_strdup_printf("prepare --owner %s", record->owner) : g_strdup("bind");
  g_autofree char *finish = record->owner != NULL ? g_strdup_printf("release --owner %s", record->owner)
                                                  : g_strdup_printf("reattach %s", device->address);
  g_ptr_array_add(plan->unfinished,
                  g_strdup_printf("%s was left %s by an earlier %s%s%s (original driver %s); its record is kept: "
                                  "`vfio-hostdev status` shows it, `vfio-hostdev %s` (or `recover`) finishes it",
                                  device->address, hd_record_state_name(record->state), by,
                                  record->problem != NULL ? ": " : "", record->problem != NULL ? record->problem : "",
                                  record->original_driver != NULL ? record->original_driver : "none", finish));
  return FALSE;
}

/* A device without an IOMMU that vfio's no-IOMMU mode would take anyway:
 * only ever on request (prepare refuses it before asking bind). */
static void refuse_noiommu(Plan *plan, const HdDevice *device)
{
  g_ptr_array_add(plan->refusals,
                  g_strdup_printf("%s has no IOMMU and vfio's enable_unsafe_noiommu_mode is on: on VFIO it gets a "
                                  "no-IOMMU group (/dev/vfio/noiommu-N) with %s; --noiommu binds it anyway, for a "
                                  "userspace driver such as DPDK",
                                  device->address, hd_noiommu_danger()));
}

/* Adds DEVICE to the plan after the checks that concern it alone; DRIVER
 * is what was asked for it (NULL: the variant rule). */
static HdBindResult *plan_device(Plan *plan, const HdDevice *device, const char *driver, gboolean group_member,
                                  gboolean function_member)
{
  HdBindResult *result = result_new(device);

  result->group_member = group_member;
  result->function_member = function_member;
  result->whole_device = plan->options->functions && !group_member;
  g_ptr_array_add(plan->results, result);
  g_hash_table_add(plan->binding, result->address);
  if (!check_unfinished(plan, device))
    return result;
  if (device->vfio.bound) {
    result->outcome = HD_BIND_ALREADY;
    result->driver = g_strdup(device->driver);
    result->vfio_device = g_strdup(device->vfio.device);
    return result;
  }
  if (device->noiommu && !plan->options->noiommu) {
    refuse_noiommu(plan, device);
    return result;
  }
  if (device->iommu_group < 0 && !device->noiommu) {
    g_ptr_array_add(plan->refusals, g_strdup_printf("%s has no IOMMU group; VFIO cannot use it", device->address));
    return result;
  }
  g_autoptr(HdDriverTarget) target = hd_driver_target_resolve(plan->manager, device, driver);
  result->requested = g_strdup(target->requested);
  result->module = g_strdup(target->module);
  result->driver = g_strdup(target->driver);
  check_host_use(plan, device, result);
  check_sriov(plan, device, result);
  return result;
}

/* The group must end viable: members on host drivers either join (--group)
 * or make a refusal that names each of them. */
static void plan_group(Plan *plan, const HdDevice *device)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blockers = hd_group_blockers(plan->manager, device, plan->binding, &error);

  if (blockers == NULL) {
    g_ptr_array_add(plan->refusals, g_strdup_printf("cannot read the IOMMU group of %s: %s", device->address,
                                                    error->message));
    return;
  }
  if (blockers->len == 0)
    return;
  if (plan->options->group) {
    for (guint i = 0; i < blockers->len; i++)
      plan_device(plan, g_ptr_array_index(blockers, i), plan->options->driver, TRUE, FALSE);
    return;
  }
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < blockers->len; i++) {
    const HdDevice *member = g_ptr_array_index(blockers, i);
    g_ptr_array_add(names, g_strdup_printf("%s (bound to %s)", member->address, member->driver));
  }
  g_autofree char *list = hd_string_list_join(names, ", ");
  g_ptr_array_add(plan->refusals,
                  g_strdup_printf("IOMMU group %" G_GINT64_FORMAT " of %s would not be viable: %s also in it; "
                                  "bind them too with --group, or unbind them first",
                                  device->iommu_group, device->address, list));
}

static GPtrArray *load_devices(HdManager *manager, const HdBindRequest *requests, guint n_requests, GError **error)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func((GDestroyNotify)hd_device_free);

  for (guint i = 0; i < n_requests; i++) {
    HdDevice *device = hd_device_load_by_name(manager, requests[i].address, error);
    if (device == NULL)
      return NULL;
    g_ptr_array_add(devices, device);
  }
  return g_steal_pointer(&devices);
}

/* Validates everything; on refusal sets ERROR (HD_ERROR_REFUSED, every
 * reason in one line) and returns NULL. DEVICES[i] is REQUESTS[i]'s device. */
static GPtrArray *make_plan(HdManager *manager, const GPtrArray *devices, const HdBindRequest *requests,
                            const HdBindOptions *options, GError **error)
{
  g_autoptr(GHashTable) binding = g_hash_table_new(g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func((GDestroyNotify)hd_bind_result_free);
  g_autoptr(GPtrArray) unfinished = g_ptr_array_new_with_free_func(g_free);
  Plan plan = {manager, options, results, binding, refusals, unfinished};

  if (!hd_iommu_groups_present() && !hd_vfio_noiommu_enabled()) {
    g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "cannot bind: %s", hd_iommu_enable_hint());
    return NULL;
  }
  for (guint i = 0; i < devices->len; i++) {
    const HdDevice *device = g_ptr_array_index(devices, i);
    const char *driver = requests[i].driver != NULL ? requests[i].driver : options->driver;
    if (!g_hash_table_contains(binding, device->address))
      plan_device(&plan, device, driver, requests[i].group_member, requests[i].function_member);
  }
  /* viability once every named device is in BINDING, so that naming all of
   * a group's members works without --group; once per group (whole devices
   * often name several members of one) */
  g_autoptr(GHashTable) checked = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (guint i = 0; i < devices->len; i++) {
    const HdDevice *device = g_ptr_array_index(devices, i);
    if (!device->vfio.bound && device->iommu_group >= 0 && g_hash_table_add(checked, (gpointer)&device->iommu_group))
      plan_group(&plan, device);
  }
  if (unfinished->len > 0) {
    g_ptr_array_extend(unfinished, refusals, (GCopyFunc)(void (*)(void))g_strdup, NULL);
    g_autofree char *why = hd_string_list_join(unfinished, "; ");
    g_set_error(error, HD_ERROR, HD_ERROR_UNFINISHED, "refusing to bind, nothing changed: %s", why);
    return NULL;
  }
  if (refusals->len > 0) {
    g_autofree char *why = hd_string_list_join(refusals, "; ");
    g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "refusing to bind, nothing changed: %s", why);
    return NULL;
  }
  return g_steal_pointer(&results);
}

/* ---- doing it ------------------------------------------------------------ */

/* Loads each module once; fills every result's driver. */
static gboolean load_modules(GPtrArray *results, GError **error)
{
  g_autoptr(GHashTable) loaded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < results->len; i++) {
    HdBindResult *result = g_ptr_array_index(results, i);
    if (result->outcome != HD_BIND_PLANNED || result->module == NULL)
      continue;
    const char *driver = g_hash_table_lookup(loaded, result->module);
    if (driver == NULL) {
      HdDriverTarget target = {result->requested, result->module, NULL};
      gboolean ok = hd_driver_target_load(&target, error);
      if (!ok) {
        g_prefix_error(error, "cannot bind %s, nothing changed: ", result->address);
        return FALSE;
      }
      g_hash_table_insert(loaded, g_strdup(result->module), target.driver);
      driver = target.driver;
    }
    g_free(result->driver);
    result->driver = g_strdup(driver);
  }
  return TRUE;
}

static void mark_stuck(Job *job, char *problem)
{
  g_autoptr(GError) save_error = NULL;

  job->record->state = HD_RECORD_STUCK;
  g_free(job->record->problem);
  job->record->problem = problem;
  hd_record_save(job->record, &save_error);
  job->result->outcome = HD_BIND_STUCK;
  g_clear_error(&job->result->error);
  job->result->error = g_error_new(HD_ERROR, HD_ERROR_UNFINISHED,
                                   "%s is stuck: %s%s%s; `vfio-hostdev status` shows it, `vfio-hostdev reattach %s` "
                                   "finishes the job once the kernel lets go",
                                   job->result->address, problem, save_error != NULL ? "; and its record: " : "",
                                   save_error != NULL ? save_error->message : "", job->result->address);
}

/* Puts the device back as its record says; CAUSE says why. */
static void roll_back(Job *job, const char *cause, guint timeout_ms)
{
  g_autoptr(GError) error = NULL;

  if (hd_switch_restore(job->record, timeout_ms, &error) && hd_record_remove(job->result->address, &error)) {
    const char *original = job->result->original_driver;
    job->result->outcome = HD_BIND_ROLLED_BACK;
    g_clear_error(&job->result->error);
    job->result->error = g_error_new(HD_ERROR, HD_ERROR_FAILED, "%s: %s; rolled back: %s%s", job->result->address,
                                     cause, original != NULL ? "back on " : "unbound as before",
                                     original != NULL ? original : "");
    return;
  }
  mark_stuck(job, g_strdup_printf("%s, and rolling back failed: %s", cause, error->message));
}

static gboolean is_timeout(const GError *error)
{
  return g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

/* The kernel steps after the record is on disk. */
static gboolean switch_to_vfio(Job *job, guint timeout_ms, GError **error)
{
  HdBindResult *result = job->result;

  if (result->disable_vfs > 0 && !hd_switch_set_numvfs(result->address, 0, timeout_ms, error))
    return FALSE;
  if (!hd_switch_set_override(result->address, result->driver, error))
    return FALSE;
  if (result->original_driver != NULL && !hd_switch_unbind(result->address, result->original_driver, timeout_ms, error))
    return FALSE;
  if (!hd_switch_probe(result->address, result->driver, timeout_ms, error))
    return FALSE;
  if (!hd_switch_wait_vfio(result->address, result->group, &result->vfio_device, &result->group_node, error))
    return FALSE;
  /* a no-IOMMU group is made by the VFIO driver's probe, before vfio-dev/ */
  if (result->group < 0 && (result->group = hd_iommu_group_of(result->address)) >= 0)
    result->group_node = hd_vfio_group_node_path(result->group);
  job->record->state = HD_RECORD_BOUND;
  return hd_record_save(job->record, error);
}

static HdDeviceRecord *record_for(const HdBindResult *result, const char *owner)
{
  HdDeviceRecord *record = hd_record_new(result->address);

  record->owner = g_strdup(owner);
  record->managed = owner != NULL;
  record->original_driver = g_strdup(result->original_driver);
  record->original_override = g_strdup(result->original_override);
  record->sriov_numvfs = result->disable_vfs;
  record->sriov_autoprobe = result->vf_autoprobe;
  record->vfs = result->vfs != NULL ? g_ptr_array_ref(result->vfs) : NULL;
  record->target_driver = g_strdup(result->driver);
  record->group = result->group_member;
  record->functions = result->whole_device;
  return record;
}

/* One device; FALSE when it did not end bound. */
static gboolean bind_one(Job *job, guint timeout_ms, const char *owner)
{
  g_autoptr(GError) error = NULL;

  job->record = record_for(job->result, owner);
  if (!hd_record_save(job->record, &error)) {
    job->result->outcome = HD_BIND_ROLLED_BACK;
    job->result->error = g_error_new(HD_ERROR, HD_ERROR_FAILED, "cannot bind %s, nothing changed: %s",
                                     job->result->address, error->message);
    return FALSE;
  }
  if (switch_to_vfio(job, timeout_ms, &error)) {
    job->result->outcome = HD_BIND_BOUND;
    return TRUE;
  }
  /* an unbind that did not return cannot be undone: the kernel holds the device */
  if (is_timeout(error))
    mark_stuck(job, g_strdup_printf("unbinding it from %s did not return within %u ms", job->result->original_driver,
                                    timeout_ms));
  else
    roll_back(job, error->message, timeout_ms);
  return FALSE;
}

typedef struct {
  GPtrArray *jobs; /* Job* of one IOMMU group, in address order */
  guint timeout_ms;
  const char *owner; /* for the records */
  gboolean failed;
} GroupWork;

/* A group is bound as a unit: when one member fails, the members bound
 * before it are rolled back, since the group is unusable half-bound. */
static void run_group(gpointer data, gpointer user_data)
{
  GroupWork *work = data;
  guint done = 0;

  for (; done < work->jobs->len; done++)
    if (!bind_one(g_ptr_array_index(work->jobs, done), work->timeout_ms, work->owner))
      break;
  if (done == work->jobs->len)
    return;
  work->failed = TRUE;
  const Job *failed = g_ptr_array_index(work->jobs, done);
  g_autofree char *cause = g_strdup_printf("undone because %s of its IOMMU group failed", failed->result->address);
  while (done-- > 0)
    roll_back(g_ptr_array_index(work->jobs, done), cause, work->timeout_ms);
}

static void group_work_free(GroupWork *work)
{
  g_ptr_array_unref(work->jobs);
  g_free(work);
}

/* Jobs grouped by IOMMU group, each group's work ready for a thread. */
static GPtrArray *make_group_work(GPtrArray *jobs, const HdBindOptions *options)
{
  g_autoptr(GHashTable) by_group = g_hash_table_new(g_int64_hash, g_int64_equal);
  GPtrArray *works = g_ptr_array_new_with_free_func((GDestroyNotify)group_work_free);

  for (guint i = 0; i < jobs->len; i++) {
    Job *job = g_ptr_array_index(jobs, i);
    GroupWork *work = g_hash_table_lookup(by_group, &job->result->group);
    if (work == NULL) {
      work = g_new0(GroupWork, 1);
      work->jobs = g_ptr_array_new();
      work->timeout_ms = options->unbind_timeout_ms;
      work->owner = options->owner;
      g_hash_table_insert(by_group, &job->result->group, work);
      g_ptr_array_add(works, work);
    }
    g_ptr_array_add(work->jobs, job);
  }
  return works;
}

/* All or nothing: when some group failed, the groups that succeeded are
 * undone too. */
static void undo_succeeded(GPtrArray *jobs, guint timeout_ms)
{
  for (guint i = 0; i < jobs->len; i++) {
    Job *job = g_ptr_array_index(jobs, i);
    if (job->result->outcome == HD_BIND_BOUND)
      roll_back(job, "undone because another device of this bind failed", timeout_ms);
  }
}

/* One error for the invocation: the worst outcome decides the code, and
 * every device's message is kept, in order. */
static void summarise(GPtrArray *results, GError **error)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new();
  HdErrorCode code = 0;

  for (guint i = 0; i < results->len; i++) {
    HdBindResult *result = g_ptr_array_index(results, i);
    if (result->error == NULL)
      continue;
    g_ptr_array_add(messages, result->error->message);
    code = MAX(code, result->outcome == HD_BIND_STUCK ? HD_ERROR_UNFINISHED : HD_ERROR_FAILED);
  }
  if (code != 0) {
    g_autofree char *text = hd_string_list_join(messages, "; ");
    g_set_error_literal(error, HD_ERROR, code, text);
  }
}

static gboolean execute(GPtrArray *results, const HdBindOptions *options, GError **error)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func((GDestroyNotify)job_free);

  if (!load_modules(results, error))
    return FALSE;
  for (guint i = 0; i < results->len; i++) {
    HdBindResult *result = g_ptr_array_index(results, i);
    if (result->outcome != HD_BIND_PLANNED)
      continue;
    Job *job = g_new0(Job, 1);
    job->result = result;
    g_ptr_array_add(jobs, job);
  }
  g_autoptr(GPtrArray) works = make_group_work(jobs, options);
  /* the kernel's unbind and probe take long; different groups do not interfere */
  hd_parallel_for_each(works, run_group, NULL, HD_PARALLEL_MAX_THREADS);
  for (guint i = 0; i < works->len; i++)
    if (((GroupWork *)g_ptr_array_index(works, i))->failed) {
      undo_succeeded(jobs, options->unbind_timeout_ms);
      break;
    }
  summarise(results, error);
  return TRUE;
}

static GPtrArray *lock_devices(const GPtrArray *devices, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < devices->len; i++) {
    const HdDevice *device = g_ptr_array_index(devices, i);
    hd_group_lock_names_add(names, device->address, device->iommu_group);
  }
  return hd_group_locks_acquire(names, LOCK_TIMEOUT_MS, error);
}

GPtrArray *hd_bind_requests(HdManager *manager, const HdBindRequest *requests, guint n_requests,
                            const HdBindOptions *options, GError **error)
{
  g_autoptr(GPtrArray) member_names = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GArray) whole = NULL;

  if (options->functions) {
    whole = hd_bind_requests_whole_devices(requests, n_requests, member_names);
    requests = (const HdBindRequest *)(void *)whole->data;
    n_requests = whole->len;
  }
  g_autoptr(GPtrArray) devices = load_devices(manager, requests, n_requests, error);
  g_autoptr(GPtrArray) locks = NULL;

  if (devices == NULL)
    return NULL;
  /* a dry run must not even create lock files */
  if (!options->dry_run && !options->locked) {
    locks = lock_devices(devices, error);
    if (locks == NULL)
      return NULL;
    /* another invocation may have changed them while we waited */
    g_clear_pointer(&devices, g_ptr_array_unref);
    devices = load_devices(manager, requests, n_requests, error);
    if (devices == NULL)
      return NULL;
  }
  g_autoptr(GPtrArray) results = make_plan(manager, devices, requests, options, error);
  if (results == NULL)
    return NULL;
  if (!options->dry_run && !execute(results, options, error))
    return NULL;
  return g_steal_pointer(&results);
}

GPtrArray *hd_bind(HdManager *manager, const char *const *addresses, const HdBindOptions *options, GError **error)
{
  g_autoptr(GArray) requests = g_array_new(FALSE, TRUE, sizeof(HdBindRequest));

  for (; *addresses != NULL; addresses++) {
    HdBindRequest request = {.address = *addresses};
    g_array_append_val(requests, request);
  }
  return hd_bind_requests(manager, (const HdBindRequest *)(void *)requests->data, requests->len, options, error);
}
