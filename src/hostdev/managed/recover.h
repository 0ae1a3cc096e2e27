/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finishing or rolling back what a crashed or killed invocation left
 * half done, from the state directory alone:
 * - an owner journal whose prepare is still marked running: rolled back
 *   (pending nodes get their owners back, pending devices are released,
 *   owner-release.h), so every device that prepare touched ends where it
 *   was; devices the owner held before it stay the owner's;
 * - an owner journal whose release is still marked running: finished;
 * - a record of a plain `bind` still in state binding: rolled back to its
 *   original driver, as that bind would have done on failure;
 * - the journal of a killed `run`: its devices and hugepages given back
 *   (run-journal.h);
 * - temporary files of state writes cut short: removed.
 * An operation that is merely in progress holds its owner or group lock:
 * it is left alone (reported as busy). Running recovery twice is harmless:
 * the second finds nothing to do. */
#pragma once

#include "hostdev/device/manager.h"

typedef enum {
  HD_RECOVER_ROLLED_BACK, /* an interrupted prepare or bind, undone */
  HD_RECOVER_FINISHED,    /* an interrupted release, completed */
  HD_RECOVER_BUSY,        /* another invocation is working on it now */
  HD_RECOVER_FAILED,      /* could not be finished; ERROR says why */
} HdRecoverAction;

/* The public VhRecoverEntry is this struct, opaque. */
typedef struct _VhRecoverEntry {
  char *owner;         /* NULL for a plain bind */
  const char *operation; /* "prepare", "release", "bind" or "run" */
  HdRecoverAction action;
  GPtrArray *devices;  /* HdReleaseResult* (owner-release.h) */
  GError *error;
} HdRecoverEntry;

void hd_recover_entry_free(HdRecoverEntry *entry);

/* "rolled-back", "finished", "busy", "failed". */
const char *hd_recover_action_name(HdRecoverAction action);

/* Recovers everything interrupted (rules above); HdRecoverEntry* per
 * operation found. NULL with ERROR only when the state directory cannot
 * be read. */
GPtrArray *hd_recover(HdManager *manager, guint unbind_timeout_ms, GError **error);

/* Recovers OWNER's interrupted operation, if any; the caller holds the
 * owner lock (and no group lock). Appends an entry when there was one. */
void hd_recover_owner_locked(HdManager *manager, const char *owner, guint unbind_timeout_ms, GPtrArray *entries);

/* hd_recover() for commands that touch devices, before they do: what was
 * recovered (or could not be) becomes manager warnings; busy operations
 * are not mentioned. */
void hd_recover_interrupted(HdManager *manager);

/* One line describing ENTRY, for warnings and plain output. */
char *hd_recover_entry_describe(const HdRecoverEntry *entry);
