/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bind: from a host driver to a VFIO driver, group-aware, safe, verified
 * and exactly restorable.
 *
 * Order of work: validate every device (existence, IOMMU, group viability,
 * host use, SR-IOV) before changing anything, so that a refusal changes
 * nothing; take the per-group locks; load the driver modules; then for each
 * IOMMU group, in parallel threads: write the record, disable VFs,
 * driver_override, unbind, drivers_probe, verify. A failure rolls the group
 * back, and then every other group of the invocation, so the invocation is
 * all or nothing; an unbind that does not return leaves the device stuck
 * (its record says so) and is reported as unfinished. */
#pragma once

#include "hostdev/device/manager.h"

typedef struct {
  const char *driver;      /* --driver; NULL: the variant rule */
  gboolean group;          /* --group: bind the group's host-driven members too */
  gboolean force;          /* --force: override the host-use and VF-in-use refusals */
  gboolean dry_run;        /* plan only */
  guint unbind_timeout_ms; /* how long an unbind may block */
  const char *owner;       /* prepare: written into the records as their owner; NULL for bind */
  gboolean locked;         /* the caller holds the group locks (prepare): take none */
  gboolean noiommu;        /* --noiommu: also a device that gets a no-IOMMU group */
  gboolean functions;      /* --functions: every function of each device too (whole-device.h) */
} HdBindOptions;

/* One device to bind and, for it alone, the VFIO driver (a driver or module
 * name, as <driver model=...> names it); NULL: HdBindOptions.driver, and
 * without that the variant rule. */
typedef struct {
  const char *address;
  const char *driver;
  gboolean group_member; /* recorded as bound with its group (bind --group), so
                            that reattach brings it back with the group */
  gboolean function_member; /* likewise for a function of a named device (--functions) */
} HdBindRequest;

typedef enum {
  HD_BIND_PLANNED,     /* dry run */
  HD_BIND_ALREADY,     /* was VFIO-bound already; untouched */
  HD_BIND_BOUND,       /* done and verified */
  HD_BIND_ROLLED_BACK, /* failed, or undone because another device failed */
  HD_BIND_STUCK,       /* left unfinished; the record says so */
} HdBindOutcome;

/* The public VhBindResult is this struct, opaque. */
typedef struct _VhBindResult {
  char *address;
  gint64 group;
  gboolean group_member;   /* added by --group */
  gboolean function_member; /* added by --functions */
  gboolean whole_device;    /* bound by --functions (named or added): its record says so,
                               and reattach of any function brings back the others */
  char *original_driver;   /* NULL: unbound */
  char *original_override;
  guint disable_vfs;       /* VFs disabled (and restored on reattach) */
  GPtrArray *vfs;          /* with disable_vfs: each VF's state (HdVfRecord*), for the record */
  int vf_autoprobe;        /* with disable_vfs: the PF's sriov_drivers_autoprobe (-1: none) */
  char *module;            /* module loaded for the driver, NULL if none */
  char *driver;            /* the VFIO driver (NULL in a dry run when not loaded yet) */
  char *requested;         /* what was asked for or chosen */
  char *vfio_device;       /* "vfioN" once bound; NULL on kernels before 6.1 (no vfio-dev) */
  char *group_node;        /* "/dev/vfio/N" once bound by this call; NULL on a kernel without VFIO groups */
  GPtrArray *forced;       /* host uses overridden by --force */
  HdBindOutcome outcome;
  GError *error;           /* why it was rolled back or is stuck */
} HdBindResult;

void hd_bind_result_free(HdBindResult *result);

/* "planned", "already-bound", "bound", "rolled-back", "stuck". */
const char *hd_bind_outcome_name(HdBindOutcome outcome);

/* Binds ADDRESSES (NULL-terminated). Returns the per-device results (also
 * for refusals' absence: NULL means nothing was attempted), with ERROR set
 * when the invocation did not fully succeed: HD_ERROR_INVALID,
 * HD_ERROR_NO_DEVICE or HD_ERROR_REFUSED before any change (NULL returned),
 * HD_ERROR_FAILED when everything was rolled back, HD_ERROR_UNFINISHED when a
 * device is stuck. */
GPtrArray *hd_bind(HdManager *manager, const char *const *addresses, const HdBindOptions *options, GError **error);

/* The same for N_REQUESTS requests, each with its own driver. */
GPtrArray *hd_bind_requests(HdManager *manager, const HdBindRequest *requests, guint n_requests,
                            const HdBindOptions *options, GError **error);
