// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/recover.h"

#include <gio/gio.h>

#include "hostdev/managed/cdi-spec.h"
#include "util/atomic-file.h"
#include "hostdev/shared/device-record.h"
#include "hostdev/device/device.h"
#include "hostdev/shared/driver-switch.h"
#include "hostdev/shared/group-lock.h"
#include "util/hd-error.h"
#include "hostdev/managed/owner-journal.h"
#include "hostdev/managed/owner-release.h"
#include "hostdev/managed/run-journal.h"
#include "util/sysfs-paths.h"
#include "hostdev/shared/vfio-holders.h"
#include "util/string-list.h"

/* Waiting for the group locks of an owner whose lock we hold: a bind of
 * one of its devices by hand may be running; as long as bind waits. */
#define LOCK_TIMEOUT_MS (120 * 1000)
/* Default for the automatic recovery other commands run first. */
#define DEFAULT_UNBIND_TIMEOUT_MS (10 * 1000)

static const char *const action_names[] = {"rolled-back", "finished", "busy", "failed"};

const char *hd_recover_action_name(HdRecoverAction action)
{
  return action_names[action];
}

void hd_recover_entry_free(HdRecoverEntry *entry)
{
  if (entry == NULL)
    return;
  g_free(entry->owner);
  g_ptr_array_unref(entry->devices);
  g_clear_error(&entry->error);
  g_free(entry);
}

static HdRecoverEntry *entry_new(const char *owner, const char *operation, GPtrArray *entries)
{
  HdRecoverEntry *entry = g_new0(HdRecoverEntry, 1);

  entry->owner = g_strdup(owner);
  entry->operation = operation;
  entry->devices = g_ptr_array_new_with_free_func((GDestroyNotify)hd_release_result_free);
  g_ptr_array_add(entries, entry);
  return entry;
}

static void entry_fail(HdRecoverEntry *entry, GError *error)
{
  entry->action = HD_RECOVER_FAILED;
  entry->error = error;
}

/* A release must not pull a device from under a process that still has it
 * open (a VM started again by hand): that is left to the user. */
static gboolean refuse_held(HdManager *manager, const GPtrArray *addresses, GError **error)
{
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < addresses->len; i++) {
    g_autoptr(HdDevice) device = hd_device_load_by_name(manager, g_ptr_array_index(addresses, i), NULL);
    if (device != NULL && device->vfio.bound)
      hd_vfio_holders_refusals(manager, device, refusals);
  }
  if (refusals->len == 0)
    return TRUE;
  g_autofree char *text = hd_string_list_join(refusals, "; ");
  g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "%s", text);
  return FALSE;
}

void hd_recover_owner_locked(HdManager *manager, const char *owner, guint unbind_timeout_ms, GPtrArray *entries)
{
  GError *error = NULL;
  g_autoptr(HdJournal) journal = hd_journal_load(owner, &error);

  if (error != NULL) {
    entry_fail(entry_new(owner, "prepare", entries), error);
    return;
  }
  if (journal == NULL || !journal->running)
    return;
  gboolean rollback = journal->operation == HD_JOURNAL_PREPARE;
  HdRecoverEntry *entry = entry_new(owner, hd_journal_operation_name(journal->operation), entries);
  g_autoptr(GPtrArray) addresses = hd_owner_journal_addresses(journal, rollback);
  g_autoptr(GPtrArray) locks = hd_owner_lock_addresses(addresses, LOCK_TIMEOUT_MS, &error);
  if (locks == NULL || (!rollback && !refuse_held(manager, addresses, &error))) {
    entry_fail(entry, error);
    return;
  }
  entry->action = rollback ? HD_RECOVER_ROLLED_BACK : HD_RECOVER_FINISHED;
  if (!hd_owner_give_back(journal, rollback, unbind_timeout_ms, entry->devices, NULL, &error))
    entry_fail(entry, error);
  else if (!rollback)
    hd_cdi_spec_drop(manager, owner); /* a finished release, as release itself does */
}

static void recover_owner(HdManager *manager, const char *owner, guint unbind_timeout_ms, GPtrArray *entries)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdFileLock) lock = hd_journal_lock(owner, 0, &error);

  if (lock == NULL) {
    HdRecoverEntry *entry = entry_new(owner, "prepare", entries);
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_BUSY))
      entry->action = HD_RECOVER_BUSY;
    else
      entry_fail(entry, g_steal_pointer(&error));
    return;
  }
  hd_recover_owner_locked(manager, owner, unbind_timeout_ms, entries);
}

/* A plain bind killed after writing its record: undone as its own failure
 * path would have, unless a live bind holds the group. */
static void recover_bind(const HdDeviceRecord *listed, guint unbind_timeout_ms, GPtrArray *entries)
{
  g_autoptr(GPtrArray) addresses = g_ptr_array_new();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add(addresses, listed->address);
  g_autoptr(GPtrArray) locks = hd_owner_lock_addresses(addresses, 0, &error);
  HdRecoverEntry *entry = entry_new(NULL, "bind", entries);
  if (locks == NULL) {
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_BUSY))
      entry->action = HD_RECOVER_BUSY;
    else
      entry_fail(entry, g_steal_pointer(&error));
    return;
  }
  /* read again under the lock: it may have finished meanwhile */
  g_autoptr(HdDeviceRecord) record = hd_record_load(listed->address, &error);
  if (record == NULL || record->owner != NULL || record->state != HD_RECORD_BINDING) {
    g_ptr_array_remove(entries, entry);
    return;
  }
  HdReleaseResult *result = g_new0(HdReleaseResult, 1);
  result->address = g_strdup(record->address);
  result->managed = TRUE;
  result->original_driver = g_strdup(record->original_driver);
  result->outcome = HD_RELEASE_RESTORED;
  g_ptr_array_add(entry->devices, result);
  entry->action = HD_RECOVER_ROLLED_BACK;
  if (!hd_switch_restore(record, unbind_timeout_ms, &error) || !hd_record_remove(record->address, &error)) {
    result->outcome = HD_RELEASE_STUCK;
    result->error = g_error_new(HD_ERROR, HD_ERROR_UNFINISHED, "%s: %s", record->address, error->message);
    entry_fail(entry, g_error_copy(result->error));
  }
  result->driver = hd_switch_current_driver(record->address);
}

static void recover_binds(guint unbind_timeout_ms, GPtrArray *entries)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) records = hd_record_list(problems, NULL);

  for (guint i = 0; records != NULL && i < records->len; i++) {
    const HdDeviceRecord *record = g_ptr_array_index(records, i);
    if (record->owner == NULL && record->state == HD_RECORD_BINDING)
      recover_bind(record, unbind_timeout_ms, entries);
  }
}

/* A `run` that was killed: its devices and hugepages back (run-journal.h). */
static void recover_runs(guint unbind_timeout_ms, GPtrArray *entries)
{
  g_autoptr(GPtrArray) recoveries = hd_run_journal_recover_all(unbind_timeout_ms);

  for (guint i = 0; i < recoveries->len; i++) {
    HdRunRecovery *recovery = g_ptr_array_index(recoveries, i);
    HdRecoverEntry *entry = entry_new(NULL, "run", entries);
    g_ptr_array_extend_and_steal(entry->devices, g_steal_pointer(&recovery->devices));
    recovery->devices = g_ptr_array_new();
    entry->action = HD_RECOVER_ROLLED_BACK;
    if (recovery->problems->len > 0) {
      g_autofree char *text = hd_string_list_join(recovery->problems, "; ");
      entry_fail(entry, g_error_new(HD_ERROR, HD_ERROR_UNFINISHED, "%s", text));
    }
  }
}

GPtrArray *hd_recover(HdManager *manager, guint unbind_timeout_ms, GError **error)
{
  g_autofree char *state_dir = hd_path_state_dir();
  g_autoptr(GPtrArray) owners = hd_journal_list_owners(error);

  if (owners == NULL)
    return NULL;
  /* a write cut short leaves its temporary file; the old file still holds */
  hd_atomic_remove_stale(state_dir);
  GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)hd_recover_entry_free);
  for (guint i = 0; i < owners->len; i++)
    recover_owner(manager, g_ptr_array_index(owners, i), unbind_timeout_ms, entries);
  recover_binds(unbind_timeout_ms, entries);
  recover_runs(unbind_timeout_ms, entries);
  return entries;
}

static void describe_devices(GString *text, const GPtrArray *devices)
{
  const char *separator = ": ";

  for (guint i = 0; i < devices->len; i++) {
    const HdReleaseResult *result = g_ptr_array_index(devices, i);
    if (result->outcome == HD_RELEASE_NOT_OWNED)
      continue;
    g_string_append_printf(text, "%s%s %s (on %s)", separator, result->address,
                           hd_release_outcome_name(result->outcome),
                           result->driver != NULL ? result->driver : "no driver");
    separator = ", ";
  }
}

char *hd_recover_entry_describe(const HdRecoverEntry *entry)
{
  g_autoptr(GString) text = g_string_new(NULL);
  g_autofree char *what = entry->owner != NULL
                            ? g_strdup_printf("the interrupted %s of owner %s", entry->operation, entry->owner)
                            : g_strdup_printf("an interrupted %s", entry->operation);

  switch (entry->action) {
  case HD_RECOVER_ROLLED_BACK:
    g_string_append_printf(text, "rolled back %s", what);
    break;
  case HD_RECOVER_FINISHED:
    g_string_append_printf(text, "finished %s", what);
    break;
  case HD_RECOVER_BUSY:
    g_string_append_printf(text, "left %s%s alone: another vfio-hostdev is working on it",
                           entry->owner != NULL ? "" : "a ", entry->owner != NULL ? entry->owner : entry->operation);
    break;
  case HD_RECOVER_FAILED:
    g_string_append_printf(text, "could not recover %s", what);
    break;
  }
  describe_devices(text, entry->devices);
  if (entry->error != NULL)
    g_string_append_printf(text, "; %s", entry->error->message);
  return g_string_free(g_steal_pointer(&text), FALSE);
}

void hd_recover_interrupted(HdManager *manager)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = hd_recover(manager, DEFAULT_UNBIND_TIMEOUT_MS, &error);

  if (entries == NULL) {
    hd_manager_warn(manager, "cannot look for interrupted operations: %s", error->message);
    return;
  }
  for (guint i = 0; i < entries->len; i++) {
    const HdRecoverEntry *entry = g_ptr_array_index(entries, i);
    if (entry->action == HD_RECOVER_BUSY)
      continue;
    g_autofree char *text = hd_recover_entry_describe(entry);
    hd_manager_warn(manager, "%s", text);
  }
}
