// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/release.h"

#include "hostdev/shared/device-record.h"
#include "hostdev/device/device.h"
#include "util/hd-error.h"
#include "hostdev/managed/cdi-spec.h"
#include "hostdev/managed/owner-journal.h"
#include "hostdev/managed/owner-release.h"
#include "hostdev/managed/recover.h"
#include "hostdev/shared/vfio-holders.h"
#include "util/string-list.h"

#define LOCK_TIMEOUT_MS (120 * 1000)

/* The journal is the list of the owner's devices; records naming the
 * owner are added in case a journal was lost, so that nothing of the
 * owner's stays behind. */
static gboolean add_recorded_devices(HdJournal *journal, GError **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) records = hd_record_list(problems, error);

  if (records == NULL)
    return FALSE;
  for (guint i = 0; i < records->len; i++) {
    const HdDeviceRecord *record = g_ptr_array_index(records, i);
    if (g_strcmp0(record->owner, journal->owner) == 0 && hd_journal_find_device(journal, record->address) == NULL)
      hd_journal_add_device(journal, record->address, record->managed)->pending = FALSE;
  }
  return TRUE;
}

static gboolean refuse_held(HdManager *manager, const HdJournal *journal, GError **error)
{
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < journal->devices->len; i++) {
    const HdJournalDevice *entry = g_ptr_array_index(journal->devices, i);
    g_autoptr(HdDevice) device = hd_device_load_by_name(manager, entry->address, NULL);
    if (device != NULL && device->vfio.bound)
      hd_vfio_holders_refusals(manager, device, refusals);
  }
  if (refusals->len == 0)
    return TRUE;
  g_autofree char *text = hd_string_list_join(refusals, "; ");
  g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "refusing to release owner %s, nothing changed: %s", journal->owner,
              text);
  return FALSE;
}

static GPtrArray *release_locked(HdManager *manager, const char *owner, guint unbind_timeout_ms, GError **error)
{
  GError *local = NULL;
  g_autoptr(HdJournal) journal = hd_journal_load(owner, &local);
  GPtrArray *results = g_ptr_array_new_with_free_func((GDestroyNotify)hd_release_result_free);

  if (local == NULL && journal == NULL)
    journal = hd_journal_new(owner);
  if (local != NULL || !add_recorded_devices(journal, &local)) {
    g_propagate_error(error, local);
    g_ptr_array_unref(results);
    return NULL;
  }
  if (journal->devices->len == 0 && journal->nodes->len == 0) {
    hd_journal_remove(owner, NULL);
    return results;
  }
  g_autoptr(GPtrArray) addresses = hd_owner_journal_addresses(journal, FALSE);
  g_autoptr(GPtrArray) locks = hd_owner_lock_addresses(addresses, LOCK_TIMEOUT_MS, error);
  if (locks == NULL || !refuse_held(manager, journal, error)) {
    g_ptr_array_unref(results);
    return NULL;
  }
  hd_journal_begin(journal, HD_JOURNAL_RELEASE);
  if (!hd_journal_save(journal, error)) {
    g_ptr_array_unref(results);
    return NULL;
  }
  gboolean owner_problem = FALSE;
  if (!hd_owner_give_back(journal, FALSE, unbind_timeout_ms, results, &owner_problem, &local) && owner_problem) {
    /* no device result would tell of it: the call fails as a whole */
    g_propagate_error(error, local);
    g_ptr_array_unref(results);
    return NULL;
  }
  /* what is left is a stuck device's, and its result says so */
  g_clear_error(&local);
  return results;
}

/* The owner's CDI spec goes once nothing of the owner's is left, so that
 * no container runtime hands out devices the owner gave back. */
static GPtrArray *forget_cdi_spec(HdManager *manager, const char *owner, GPtrArray *results)
{
  if (results == NULL)
    return NULL;
  for (guint i = 0; i < results->len; i++)
    if (((const HdReleaseResult *)g_ptr_array_index(results, i))->outcome == HD_RELEASE_STUCK)
      return results;
  hd_cdi_spec_drop(manager, owner);
  return results;
}

GPtrArray *hd_release(HdManager *manager, const char *owner, guint unbind_timeout_ms, GError **error)
{
  g_autoptr(GPtrArray) recovered = g_ptr_array_new_with_free_func((GDestroyNotify)hd_recover_entry_free);

  if (!hd_owner_name_check(owner, error))
    return NULL;
  g_autoptr(HdFileLock) lock = hd_journal_lock(owner, LOCK_TIMEOUT_MS, error);
  if (lock == NULL)
    return NULL;
  /* an interrupted prepare of this owner is undone first: what it had not
   * finished was never the owner's to release */
  hd_recover_owner_locked(manager, owner, unbind_timeout_ms, recovered);
  for (guint i = 0; i < recovered->len; i++) {
    g_autofree char *text = hd_recover_entry_describe(g_ptr_array_index(recovered, i));
    hd_manager_warn(manager, "%s", text);
  }
  return forget_cdi_spec(manager, owner, release_locked(manager, owner, unbind_timeout_ms, error));
}
