// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/owner-release.h"

#include <gio/gio.h>

#include "hostdev/device/iommu-group.h"
#include "hostdev/shared/device-record.h"
#include "hostdev/shared/driver-switch.h"
#include "hostdev/shared/group-lock.h"
#include "hostdev/managed/iommu-acl.h"
#include "util/hd-error.h"
#include "util/node-owner.h"
#include "util/parallel.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"
#include "util/string-list.h"


static const char *const outcome_names[] = {"restored", "kept", "gone", "not-owned", "stuck"};

const char *hd_release_outcome_name(HdReleaseOutcome outcome)
{
  return outcome_names[outcome];
}

void hd_release_result_free(HdReleaseResult *result)
{
  if (result == NULL)
    return;
  g_free(result->address);
  g_free(result->original_driver);
  g_free(result->driver);
  g_clear_error(&result->error);
  g_free(result);
}

/* The record stays, marked stuck and still owned, so that status shows it
 * and the next release or recovery tries again. */
static void mark_stuck(HdReleaseResult *result, HdDeviceRecord *record, const GError *cause)
{
  g_autoptr(GError) save_error = NULL;

  record->state = HD_RECORD_STUCK;
  g_free(record->problem);
  record->problem = g_strdup_printf("release: %s", cause->message);
  hd_record_save(record, &save_error);
  result->outcome = HD_RELEASE_STUCK;
  result->error = g_error_new(HD_ERROR, HD_ERROR_UNFINISHED, "%s could not be given back: %s%s%s", result->address,
                              cause->message, save_error != NULL ? "; and its record: " : "",
                              save_error != NULL ? save_error->message : "");
}

/* What the record says to do, once we know the record is OWNER's. */
static void give_back(HdReleaseResult *result, HdDeviceRecord *record, guint timeout_ms)
{
  g_autofree char *dir = hd_path_pci_device(record->address, NULL);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!hd_sysfs_exists(dir)) {
    result->outcome = HD_RELEASE_GONE;
    ok = hd_record_remove(record->address, &error);
  } else if (record->adopted) {
    result->outcome = HD_RELEASE_KEPT;
    g_clear_pointer(&record->owner, g_free);
    record->managed = record->adopted = FALSE;
    ok = hd_record_save(record, &error);
  } else if (!record->managed) {
    result->outcome = HD_RELEASE_KEPT;
    ok = hd_record_remove(record->address, &error);
  } else {
    result->outcome = HD_RELEASE_RESTORED;
    ok = hd_switch_restore(record, timeout_ms, &error) && hd_record_remove(record->address, &error);
  }
  if (!ok)
    mark_stuck(result, record, error);
}

HdReleaseResult *hd_release_device(const char *address, const char *owner, guint timeout_ms)
{
  HdReleaseResult *result = g_new0(HdReleaseResult, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(HdDeviceRecord) record = hd_record_load(address, &error);

  result->address = g_strdup(address);
  result->outcome = HD_RELEASE_NOT_OWNED;
  if (error != NULL) {
    result->outcome = HD_RELEASE_STUCK;
    result->error = g_error_new_literal(HD_ERROR, HD_ERROR_UNFINISHED, error->message);
  } else if (record != NULL && g_strcmp0(record->owner, owner) == 0) {
    result->managed = record->managed;
    result->original_driver = g_strdup(record->original_driver);
    give_back(result, record, timeout_ms);
  }
  result->driver = hd_switch_current_driver(address);
  return result;
}

GPtrArray *hd_owner_lock_addresses(const GPtrArray *addresses, guint timeout_ms, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < addresses->len; i++) {
    const char *address = g_ptr_array_index(addresses, i);
    hd_group_lock_names_add(names, address, hd_iommu_group_of(address));
  }
  return hd_group_locks_acquire(names, timeout_ms, error);
}

GPtrArray *hd_owner_journal_addresses(const HdJournal *journal, gboolean pending_only)
{
  GPtrArray *addresses = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < journal->devices->len; i++) {
    const HdJournalDevice *device = g_ptr_array_index(journal->devices, i);
    if (device->pending || !pending_only)
      g_ptr_array_add(addresses, g_strdup(device->address));
  }
  return addresses;
}

/* Nodes first: once a device leaves VFIO its nodes disappear, and the
 * kernel makes new ones root-owned anyway. A node that is gone is done.
 * Then the user's count on /dev/iommu's ACL entry. */
static void give_back_nodes(HdJournal *journal, gboolean pending_only, GPtrArray *messages)
{
  for (guint i = journal->nodes->len; i-- > 0;) {
    const HdJournalNode *node = g_ptr_array_index(journal->nodes, i);
    HdNodeOwner before = {node->uid, node->gid, node->mode};
    g_autoptr(GError) error = NULL;
    if (pending_only && !node->pending)
      continue;
    if (hd_sysfs_exists(node->path) && !hd_node_owner_set(node->path, &before, &error)) {
      g_ptr_array_add(messages, g_strdup(error->message));
      continue;
    }
    g_ptr_array_remove_index(journal->nodes, i);
  }
  g_autoptr(GError) error = NULL;
  if (!hd_iommu_acl_revoke(journal, pending_only, &error))
    g_ptr_array_add(messages, g_strdup(error->message));
}

typedef struct {
  const char *owner;
  guint timeout_ms;
} GiveBack;

typedef struct {
  const char *address;
  HdReleaseResult *result;
} Job;

static void run_job(gpointer data, gpointer user_data)
{
  Job *job = data;
  const GiveBack *how = user_data;

  job->result = hd_release_device(job->address, how->owner, how->timeout_ms);
}

/* Releases the selected devices in parallel; drops them from the journal
 * unless they are stuck. */
static void give_back_devices(HdJournal *journal, gboolean pending_only, guint timeout_ms, GPtrArray *results,
                              GPtrArray *messages)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func(g_free);
  GiveBack how = {journal->owner, timeout_ms};

  for (guint i = 0; i < journal->devices->len; i++) {
    HdJournalDevice *device = g_ptr_array_index(journal->devices, i);
    if (!device->pending && pending_only)
      continue;
    Job *job = g_new0(Job, 1);
    job->address = device->address;
    g_ptr_array_add(jobs, job);
  }
  /* different devices' unbinds and probes overlap, as in bind */
  hd_parallel_for_each(jobs, run_job, &how, HD_PARALLEL_MAX_THREADS);
  for (guint i = 0; i < jobs->len; i++) {
    HdReleaseResult *result = ((Job *)g_ptr_array_index(jobs, i))->result;
    if (result->outcome == HD_RELEASE_STUCK)
      g_ptr_array_add(messages, g_strdup(result->error->message));
    else
      g_ptr_array_remove(journal->devices, hd_journal_find_device(journal, result->address));
    g_ptr_array_add(results, result);
  }
}

/* Writes down what is left after giving back. */
static gboolean settle_journal(HdJournal *journal, gboolean finished, GError **error)
{
  if (finished && journal->devices->len == 0 && journal->nodes->len == 0 && journal->iommu_acl == HD_JOURNAL_ACL_NONE)
    return hd_journal_remove(journal->owner, error);
  if (finished) {
    /* a rolled-back prepare leaves what the owner held before it */
    journal->operation = HD_JOURNAL_PREPARE;
    journal->running = FALSE;
  }
  return hd_journal_save(journal, error);
}

gboolean hd_owner_give_back(HdJournal *journal, gboolean pending_only, guint timeout_ms, GPtrArray *results,
                            gboolean *owner_problem, GError **error)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) journal_error = NULL;

  give_back_nodes(journal, pending_only, messages);
  guint node_problems = messages->len;
  give_back_devices(journal, pending_only, timeout_ms, results, messages);
  gboolean settled = settle_journal(journal, messages->len == 0, &journal_error);
  if (!settled)
    g_ptr_array_add(messages, g_strdup(journal_error->message));
  if (owner_problem != NULL)
    *owner_problem = node_problems > 0 || !settled;
  if (messages->len == 0)
    return TRUE;
  g_autofree char *text = hd_string_list_join(messages, "; ");
  g_set_error(error, HD_ERROR, HD_ERROR_UNFINISHED,
              "owner %s: %s; `vfio-hostdev status` shows what is left, `vfio-hostdev recover` tries again",
              journal->owner, text);
  return FALSE;
}
