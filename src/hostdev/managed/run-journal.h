/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The run journal: what one `vfio-hostdev run` changed, so that `recover`
 * can undo it when the run was killed (SIGKILL: none of the tool's own
 * restoring ran; its guardian killed the command, run-guardian.h).
 * /run/vfio-hostdev/run-<pid>.journal, a GKeyFile replaced atomically
 * before each change it covers, next to run-<pid>.lock, which the run
 * holds for its whole life: pids are reused, a lock goes with its holder.
 *
 *   [run]
 *   pid=4242
 *   started=1763769600
 *   binding=0000:01:00.0;          (before bind: the addresses it is asked
 *                                   to bind that have no record yet)
 *   bound=0000:01:00.0;            (once bind returned: what it bound, group
 *                                   members included)
 *
 *   [hugepages 2048]               (before a pool grows, one per page size;
 *   nr_before=1                     "hugepages 2048 node1" for NUMA node 1's
 *   adding=2                        own pool, the devices' node: its
 *                                   nr_hugepages, nr_before and growth)
 *                                  (adding: pages asked for: at most these go back)
 *
 * Recovery (of a journal whose lock is free): the devices of `bound`, else
 * of `binding`, that have a plain bind record (no owner) go back to their
 * recorded drivers; each pool gives back what the run added (at most
 * `adding`, at most its growth over `nr_before`, never a page in use or
 * reserved); then the files go. A group member bound by `run --group`
 * whose bind finished just before the kill keeps its record: `status`
 * shows it, `reattach` gives it back. */
#pragma once

#include <glib.h>

typedef struct _HdRunJournal HdRunJournal;

/* Takes this process's run lock and writes the journal's first version. */
HdRunJournal *hd_run_journal_begin(GError **error);

/* Before bind: ADDRESSES (NULL-terminated) it will bind. */
gboolean hd_run_journal_binding(HdRunJournal *journal, const char *const *addresses, GError **error);

/* After bind: the addresses it bound (strings). */
gboolean hd_run_journal_bound(HdRunJournal *journal, const GPtrArray *bound, GError **error);

/* Before a pool grows; an HdHugepageGrowHook (hugepage-reservations.h)
 * whose data is the journal. */
gboolean hd_run_journal_grow(guint64 size_kb, gint64 node, guint64 nr_before, guint64 adding, gpointer journal,
                             GError **error);

/* Everything restored (or reported): removes the files and the lock. */
void hd_run_journal_end(HdRunJournal *journal);

typedef struct {
  gint64 pid;         /* the run that was killed */
  GPtrArray *devices; /* HdReleaseResult* (owner-release.h) */
  GPtrArray *problems; /* strings: what could not be undone */
} HdRunRecovery;

void hd_run_recovery_free(HdRunRecovery *recovery);

/* Undoes every killed run (rules above): one HdRunRecovery* each; runs
 * still alive are left alone. */
GPtrArray *hd_run_journal_recover_all(guint unbind_timeout_ms);
