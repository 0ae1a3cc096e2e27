/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run: the kernel developer's bind-run-restore loop in one command. Binds
 * the devices (bind.h), reserves hugepages, runs one command with the
 * devices named in its environment, then puts back exactly what this run
 * changed: devices it bound are reattached (reattach.h), devices that were
 * on a VFIO driver already stay there, grown hugepage pools shrink back.
 * Restoring happens whatever the command did, also when the tool gets
 * SIGINT, SIGTERM, SIGHUP or SIGQUIT (held for the whole run, forwarded to
 * the command's process group: run-signals.h, run-child.h). SIGKILL skips
 * it: a guardian then kills the command's process group (run-guardian.h)
 * and `recover` undoes the run from its journal (managed/run-journal.h). */
#pragma once

#include "hostdev/device/manager.h"
#include "vfio-hostdev.h" /* the environment's names: VH_RUN_ENV_BDFS, VH_RUN_ENV_SELFTESTS_BDF */

typedef struct {
  const char *const *addresses; /* NULL-terminated, at least one, as the user wrote them */
  const char *driver;           /* as bind --driver; NULL: the variant rule */
  gboolean group;               /* as bind --group */
  gboolean force;               /* as bind --force */
  gboolean noiommu;             /* as bind --noiommu */
  guint unbind_timeout_ms;      /* for binding and for restoring */
  const GArray *hugepages;      /* HdHugepageRequest (hugepage-spec.h): pages free during the run; may be NULL */
} HdRunOptions;

/* The public VhRun is this struct, opaque. */
typedef struct _VhRun HdRun;

/* Starts a run: holds the signals. Call it first, before anything starts
 * threads (run-signals.h says why). */
HdRun *hd_run_new(GError **error);
/* Frees; restores nothing (call hd_run_restore() first). */
void hd_run_free(HdRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdRun, hd_run_free)

/* Reserves the hugepages, then binds the devices. FALSE with ERROR when
 * the command must not run: HD_ERROR_INVALID for a malformed address,
 * HD_ERROR_FAILED when the pages cannot be had, or bind's own error (its
 * exit code). What was done before the failure is undone by
 * hd_run_restore(), which must be called either way. */
gboolean hd_run_setup(HdRun *run, HdManager *manager, const HdRunOptions *options, GError **error);

/* The canonical addresses asked for (NULL-terminated). After setup. */
const char *const *hd_run_addresses(const HdRun *run);

/* Runs ARGV (looked up in PATH) and waits for it, forwarding signals.
 * Returns its status as a shell reports it (exit code, or 128 + the
 * signal that killed it). When it did not run, ERROR says why and the
 * status is 127 (not found), 126 (cannot be executed), 128 + the signal
 * that arrived during the setup, or 1. */
int hd_run_command(HdRun *run, const char *const *argv, GError **error);

/* Puts back what the run changed: reattaches the devices it bound, then
 * gives back the hugepages it added; then drops the run's journal. Returns the problems, one line each,
 * saying what was left where and how to finish (empty: all restored).
 * Calling it again does nothing. */
GPtrArray *hd_run_restore(HdRun *run, HdManager *manager);
