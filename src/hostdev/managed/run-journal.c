// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/run-journal.h"

#include <string.h>
#include <unistd.h>

#include "hostdev/managed/owner-release.h"
#include "hostdev/shared/device-record.h"
#include "hostdev/shared/driver-switch.h"
#include "util/atomic-file.h"
#include "util/file-lock.h"
#include "util/hugepage-pool.h"
#include "util/sysfs-paths.h"

#define FILE_PREFIX "run-"
#define FILE_SUFFIX ".journal"
#define GROUP_RUN "run"
#define GROUP_POOL_PREFIX "hugepages "
/* Group locks of a killed run's devices: a bind by hand may hold one. */
#define LOCK_TIMEOUT_MS (120 * 1000)

struct _HdRunJournal {
  GKeyFile *file;
  char *path;
  char *lock_path;
  HdFileLock *lock;
};

static char *state_file(gint64 pid, const char *suffix)
{
  g_autofree char *name = g_strdup_printf(FILE_PREFIX "%" G_GINT64_FORMAT "%s", pid, suffix);

  return hd_path_state_file(name);
}

static gboolean save(HdRunJournal *journal, GError **error)
{
  gsize length = 0;
  g_autofree char *data = g_key_file_to_data(journal->file, &length, NULL);

  return hd_atomic_write(journal->path, data, length, 0644, error);
}

HdRunJournal *hd_run_journal_begin(GError **error)
{
  gint64 pid = getpid();
  HdRunJournal *journal = g_new0(HdRunJournal, 1);

  journal->path = state_file(pid, FILE_SUFFIX);
  journal->lock_path = state_file(pid, ".lock");
  journal->file = g_key_file_new();
  g_key_file_set_int64(journal->file, GROUP_RUN, "pid", pid);
  g_key_file_set_int64(journal->file, GROUP_RUN, "started", g_get_real_time() / G_USEC_PER_SEC);
  if (!hd_record_ensure_dir(error) || (journal->lock = hd_file_lock_acquire(journal->lock_path, 0, error)) == NULL ||
      !save(journal, error)) {
    hd_run_journal_end(journal);
    return NULL;
  }
  return journal;
}

gboolean hd_run_journal_binding(HdRunJournal *journal, const char *const *addresses, GError **error)
{
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func(g_free);

  /* a device with a record already was bound before this run: not ours */
  for (; *addresses != NULL; addresses++) {
    g_autoptr(HdDeviceRecord) record = hd_record_load(*addresses, NULL);
    if (record == NULL)
      g_ptr_array_add(fresh, g_strdup(*addresses));
  }
  g_key_file_set_string_list(journal->file, GROUP_RUN, "binding", (const char *const *)fresh->pdata, fresh->len);
  return save(journal, error);
}

gboolean hd_run_journal_bound(HdRunJournal *journal, const GPtrArray *bound, GError **error)
{
  g_key_file_set_string_list(journal->file, GROUP_RUN, "bound", (const char *const *)bound->pdata, bound->len);
  return save(journal, error);
}

/* "hugepages 2048", or "hugepages 2048 node1" for a NUMA node's pool */
static char *pool_group(guint64 size_kb, gint64 node)
{
  if (node < 0)
    return g_strdup_printf(GROUP_POOL_PREFIX "%" G_GUINT64_FORMAT, size_kb);
  return g_strdup_printf(GROUP_POOL_PREFIX "%" G_GUINT64_FORMAT " node%" G_GINT64_FORMAT, size_kb, node);
}

gboolean hd_run_journal_grow(guint64 size_kb, gint64 node, guint64 nr_before, guint64 adding, gpointer data,
                             GError **error)
{
  HdRunJournal *journal = data;
  g_autofree char *group = pool_group(size_kb, node);

  /* a second growth of the same pool adds to the first */
  if (g_key_file_has_group(journal->file, group))
    adding += g_key_file_get_uint64(journal->file, group, "adding", NULL);
  else
    g_key_file_set_uint64(journal->file, group, "nr_before", nr_before);
  g_key_file_set_uint64(journal->file, group, "adding", adding);
  return save(journal, error);
}

void hd_run_journal_end(HdRunJournal *journal)
{
  if (journal == NULL)
    return;
  if (journal->lock != NULL) {
    hd_atomic_remove(journal->path, NULL);
    unlink(journal->lock_path);
    hd_file_lock_release(journal->lock);
  }
  g_key_file_unref(journal->file);
  g_free(journal->path);
  g_free(journal->lock_path);
  g_free(journal);
}

/* ---- recovery ---- */

void hd_run_recovery_free(HdRunRecovery *recovery)
{
  if (recovery == NULL)
    return;
  g_ptr_array_unref(recovery->devices);
  g_ptr_array_unref(recovery->problems);
  g_free(recovery);
}

/* One device back from a killed run, the caller holding its group lock. */
static void restore_device(const char *address, guint unbind_timeout_ms, HdRunRecovery *recovery)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdDeviceRecord) record = hd_record_load(address, NULL);

  /* no record: the bind never got to it; an owner's: prepare's business */
  if (record == NULL || record->owner != NULL)
    return;
  HdReleaseResult *result = g_new0(HdReleaseResult, 1);
  result->address = g_strdup(address);
  result->managed = TRUE;
  result->original_driver = g_strdup(record->original_driver);
  result->outcome = HD_RELEASE_RESTORED;
  if (!hd_switch_restore(record, unbind_timeout_ms, &error) || !hd_record_remove(address, &error)) {
    result->outcome = HD_RELEASE_STUCK;
    result->error = g_error_copy(error);
    g_ptr_array_add(recovery->problems, g_strdup_printf("%s: %s", address, error->message));
  }
  result->driver = hd_switch_current_driver(address);
  g_ptr_array_add(recovery->devices, result);
}

static void restore_devices(GKeyFile *file, guint unbind_timeout_ms, HdRunRecovery *recovery)
{
  const char *key = g_key_file_has_key(file, GROUP_RUN, "bound", NULL) ? "bound" : "binding";
  g_auto(GStrv) addresses = g_key_file_get_string_list(file, GROUP_RUN, key, NULL, NULL);
  g_autoptr(GPtrArray) list = g_ptr_array_new();
  g_autoptr(GError) error = NULL;

  for (char **a = addresses; a != NULL && *a != NULL; a++)
    g_ptr_array_add(list, *a);
  if (list->len == 0)
    return;
  g_autoptr(GPtrArray) locks = hd_owner_lock_addresses(list, LOCK_TIMEOUT_MS, &error);
  if (locks == NULL) {
    g_ptr_array_add(recovery->problems, g_strdup(error->message));
    return;
  }
  for (guint i = 0; i < list->len; i++)
    restore_device(g_ptr_array_index(list, i), unbind_timeout_ms, recovery);
}

static void restore_pool(GKeyFile *file, const char *group, HdRunRecovery *recovery)
{
  char *rest = NULL;
  guint64 size_kb = g_ascii_strtoull(group + strlen(GROUP_POOL_PREFIX), &rest, 10);
  gint64 node = g_str_has_prefix(rest, " node") ? g_ascii_strtoll(rest + strlen(" node"), NULL, 10) : -1;
  guint64 nr_before = g_key_file_get_uint64(file, group, "nr_before", NULL);
  guint64 adding = g_key_file_get_uint64(file, group, "adding", NULL);
  g_autoptr(GError) error = NULL;
  HdHugepagePool pool;
  guint64 given = 0;

  if (!hd_hugepage_pool_read(size_kb, node, &pool, &error)) {
    g_ptr_array_add(recovery->problems, g_strdup(error->message));
    return;
  }
  /* killed before the pool grew, or after part of the growth: never more
   * than it grew */
  guint64 added = MIN(adding, pool.nr > nr_before ? pool.nr - nr_before : 0);
  if (!hd_hugepage_pool_shrink(size_kb, node, added, &given, &error))
    g_ptr_array_add(recovery->problems, g_strdup(error->message));
  else if (given < added)
    g_ptr_array_add(recovery->problems,
                    g_strdup_printf("the %" G_GUINT64_FORMAT "kB hugepage pool keeps %" G_GUINT64_FORMAT
                                    " pages the run added (in use or reserved)", size_kb, added - given));
}

static HdRunRecovery *recover_one(gint64 pid, guint unbind_timeout_ms)
{
  g_autofree char *path = state_file(pid, FILE_SUFFIX);
  g_autofree char *lock_path = state_file(pid, ".lock");
  g_autoptr(HdFileLock) lock = hd_file_lock_acquire(lock_path, 0, NULL);
  g_autoptr(GKeyFile) file = g_key_file_new();
  g_auto(GStrv) groups = NULL;

  if (lock == NULL) /* alive (or not ours to judge): left alone */
    return NULL;
  HdRunRecovery *recovery = g_new0(HdRunRecovery, 1);
  recovery->pid = pid;
  recovery->devices = g_ptr_array_new_with_free_func((GDestroyNotify)hd_release_result_free);
  recovery->problems = g_ptr_array_new_with_free_func(g_free);
  if (!g_key_file_load_from_file(file, path, G_KEY_FILE_NONE, NULL)) {
    /* killed before its first journal: nothing was changed yet */
    unlink(lock_path);
    return recovery;
  }
  restore_devices(file, unbind_timeout_ms, recovery);
  groups = g_key_file_get_groups(file, NULL);
  for (char **g = groups; *g != NULL; g++)
    if (g_str_has_prefix(*g, GROUP_POOL_PREFIX))
      restore_pool(file, *g, recovery);
  if (recovery->problems->len == 0) {
    hd_atomic_remove(path, NULL);
    unlink(lock_path);
  }
  return recovery;
}

/* Pids of the run journals (and of lone lock files: a run killed before
 * its first journal). */
static GArray *list_runs(void)
{
  g_autofree char *dir_path = hd_path_state_dir();
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
  GArray *pids = g_array_new(FALSE, FALSE, sizeof(gint64));
  const char *name;

  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
    char *end = NULL;
    if (!g_str_has_prefix(name, FILE_PREFIX))
      continue;
    gint64 pid = g_ascii_strtoll(name + strlen(FILE_PREFIX), &end, 10);
    if (pid > 0 && end != NULL && (g_str_equal(end, FILE_SUFFIX) || g_str_equal(end, ".lock"))) {
      gboolean seen = FALSE;
      for (guint i = 0; i < pids->len && !seen; i++)
        seen = g_array_index(pids, gint64, i) == pid;
      if (!seen)
        g_array_append_val(pids, pid);
    }
  }
  return pids;
}

GPtrArray *hd_run_journal_recover_all(guint unbind_timeout_ms)
{
  g_autoptr(GArray) pids = list_runs();
  GPtrArray *recoveries = g_ptr_array_new_with_free_func((GDestroyNotify)hd_run_recovery_free);

  for (guint i = 0; i < pids->len; i++) {
    HdRunRecovery *recovery = recover_one(g_array_index(pids, gint64, i), unbind_timeout_ms);
    if (recovery != NULL)
      g_ptr_array_add(recoveries, recovery);
  }
  return recoveries;
}
