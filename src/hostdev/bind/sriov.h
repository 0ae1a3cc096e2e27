/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `sriov`: giving a PF, which stays on its own driver, N VFs, and with
 * --bind putting each on its VFIO driver.
 *
 * sriov_drivers_autoprobe is 0 while the VFs are created, so that no host
 * VF driver probes them (the kernel reads it when it adds each VF; with 0
 * a VF probes only through a driver_override), and is put back as it was
 * afterwards, also after a failure. The kernel refuses to change a
 * non-zero count to another (EBUSY), so the VFs there are removed first,
 * which is refused while one is in use (vf-check.h). What the PF had (its
 * VF count, each VF's driver and override, autoprobe) goes into the PF's
 * state record before anything changes, marked sriov_provisioned
 * (device-record.h), so that `reattach` and `recover` of the PF give it
 * back: the VFs made here removed, the recorded ones recreated. A later
 * `sriov` keeps that first record; going back to no VFs from none drops
 * it. With --bind, the VFs are bound as `bind` binds them (the variant
 * rule per VF, in parallel, verified, all or nothing), each with its own
 * record; a bind that fails undoes the VFs too. */
#pragma once

#include "hostdev/bind/bind.h"
#include "hostdev/device/manager.h"

typedef struct {
  guint numvfs;            /* --vfs */
  gboolean bind;           /* --bind */
  guint unbind_timeout_ms; /* how long an unbind may block */
} HdSriovOptions;

/* The public VhSriovResult is this struct, opaque. */
typedef struct _VhSriovResult {
  char *address;
  guint numvfs;          /* VFs now */
  guint previous_numvfs; /* before this call */
  guint original_numvfs; /* what reattach gives back: the record's */
  int autoprobe;         /* sriov_drivers_autoprobe, as it was and is again; -1: none */
  gboolean recorded;     /* a state record keeps what reattach restores */
  GPtrArray *vfs;        /* the VFs' addresses now, by index */
  GPtrArray *bound;      /* with bind: HdBindResult* of the VFs; else NULL */
} HdSriovResult;

void hd_sriov_result_free(HdSriovResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdSriovResult, hd_sriov_result_free)

/* Gives the PF at ADDRESS OPTIONS->numvfs VFs. NULL with ERROR:
 * HD_ERROR_INVALID (a malformed address, not an SR-IOV PF, more VFs than
 * sriov_totalvfs), HD_ERROR_NO_DEVICE, HD_ERROR_REFUSED (a VF that would
 * go is in use; the PF bound by vfio-hostdev) and HD_ERROR_FAILED (the PF
 * has no driver, its driver cannot make VFs, a VF did not bind) with
 * nothing changed (after an earlier `sriov`, a failure rolls the PF back
 * to its record: what it had before the first), HD_ERROR_UNFINISHED when
 * it could not be undone (the record says what is left). */
HdSriovResult *hd_sriov(HdManager *manager, const char *address, const HdSriovOptions *options, GError **error);
