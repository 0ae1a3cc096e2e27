/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Giving an owner's devices back: the one code path behind `release`, the
 * rollback of a failed prepare and the recovery of an interrupted prepare
 * or release. Every step is idempotent (a device already back is left
 * alone), so running it again after a crash finishes the job.
 *
 * Per device, from its record (device-record.h):
 * - not this owner's (no record, or another owner's): nothing;
 * - the device has disappeared: the record is dropped (a warning);
 * - adopted (its record predates the owner, e.g. from `bind`): the owner
 *   is taken off the record; the device stays on its VFIO driver;
 * - unmanaged: the record is removed; the device stays on its VFIO driver;
 * - managed: back to the recorded original driver, override and VFs
 *   (hd_switch_restore), then the record is removed. */
#pragma once

#include "hostdev/device/manager.h"
#include "hostdev/managed/owner-journal.h"

typedef enum {
  HD_RELEASE_RESTORED,  /* managed: back as before the owner took it */
  HD_RELEASE_KEPT,      /* stays on its VFIO driver (unmanaged, or bound before the owner took it) */
  HD_RELEASE_GONE,      /* the device disappeared; its record was dropped */
  HD_RELEASE_NOT_OWNED, /* nothing of this owner's: untouched */
  HD_RELEASE_STUCK,     /* could not be finished; the record says why */
} HdReleaseOutcome;

/* The public VhReleaseResult is this struct, opaque. */
typedef struct _VhReleaseResult {
  char *address;
  gboolean managed;
  char *original_driver; /* where a managed device goes back to; NULL: unbound */
  char *driver;          /* the driver it is on now; NULL: unbound or gone */
  HdReleaseOutcome outcome;
  GError *error;         /* STUCK: why */
} HdReleaseResult;

void hd_release_result_free(HdReleaseResult *result);

/* "restored", "kept", "gone", "not-owned", "stuck". */
const char *hd_release_outcome_name(HdReleaseOutcome outcome);

/* Gives ADDRESS back from OWNER (rules above). The caller holds its group
 * lock. */
HdReleaseResult *hd_release_device(const char *address, const char *owner, guint timeout_ms);

/* Takes the group locks of ADDRESSES (strings; devices that have gone lock
 * by address), waiting at most TIMEOUT_MS for each. */
GPtrArray *hd_owner_lock_addresses(const GPtrArray *addresses, guint timeout_ms, GError **error);

/* Addresses of JOURNAL's devices (only the pending ones when PENDING_ONLY). */
GPtrArray *hd_owner_journal_addresses(const HdJournal *journal, gboolean pending_only);

/* Gives back JOURNAL's nodes (their recorded owner and mode) and then its
 * devices, in parallel, the pending ones only when PENDING_ONLY (rolling
 * back a prepare), else all (release). The caller holds the owner lock and
 * the devices' group locks. Appends an HdReleaseResult* per device to
 * RESULTS. Afterwards the journal lists what is left: none left, it is
 * removed; some devices held before a rolled-back prepare, it says the
 * owner holds them (not running). When something could not be given back
 * the journal stays running, so that recovery tries again, and ERROR is
 * HD_ERROR_UNFINISHED naming each. OWNER_PROBLEM (may be NULL): set when
 * something that is no device's failed (a node's owner, the journal), so
 * that no device result tells of it. */
gboolean hd_owner_give_back(HdJournal *journal, gboolean pending_only, guint timeout_ms, GPtrArray *results,
                            gboolean *owner_problem, GError **error);
