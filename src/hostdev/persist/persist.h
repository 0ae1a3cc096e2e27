/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Persistence across reboots: `bind --persist` writes one configuration
 * per device it left on a VFIO driver (persist-config.h), and at boot
 * `persist-apply` (vfio-hostdev-persist.service) binds them again, as
 * `bind` does, but only a device that is still the same device:
 * - no device at the address: skipped with a warning;
 * - a device with other IDs at the address (another card in the slot, a
 *   renumbered bus): skipped with a warning, never bound;
 * - everything else goes through bind's checks, without --force and
 *   without --group: a group member that changed or a new host-driven
 *   member makes the group refused, not bound blindly.
 * Each IOMMU group is bound by its own bind call, so one bad device does
 * not keep the others from their VFIO driver. Nothing is retried: a
 * device that fails stays as it is until someone looks. */
#pragma once

#include "hostdev/bind/bind.h"
#include "hostdev/device/device.h"
#include "hostdev/persist/persist-config.h"

typedef enum {
  HD_PERSIST_PLANNED, /* dry run: would be bound */
  HD_PERSIST_ALREADY, /* on a VFIO driver already; untouched */
  HD_PERSIST_BOUND,   /* bound and verified */
  HD_PERSIST_GONE,    /* no device at its address: skipped */
  HD_PERSIST_CHANGED, /* another device at its address: skipped */
  HD_PERSIST_FAILED,  /* bind refused it, failed, or left it stuck (ERROR's code) */
  /* a PF's persisted VF count (persist-sriov.h) */
  HD_PERSIST_VFS_PLANNED, /* dry run: would get its VFs */
  HD_PERSIST_VFS_CREATED, /* got its VFs */
  HD_PERSIST_VFS_PRESENT, /* had that count already; untouched */
  HD_PERSIST_VFS_OTHER,   /* had another count: left alone (ERROR is the warning) */
} HdPersistOutcome;

/* The public VhPersistApplyResult is this struct, opaque. */
typedef struct _VhPersistApplyResult {
  HdPersistConfig *config;
  HdPersistOutcome outcome;
  char *driver;      /* the VFIO driver it is on (or would be) */
  char *vfio_device; /* "vfioN" once bound */
  char *found_ids;   /* changed: the IDs at its address now */
  char *original_driver; /* bound: the host driver it was taken from (early binding missed it) */
  GError *error;     /* gone, changed: the warning; failed: why */
} HdPersistApplyResult;

HdPersistApplyResult *hd_persist_apply_result_new(HdPersistConfig *config);
void hd_persist_apply_result_free(HdPersistApplyResult *result);

/* Whether the device at RESULT's address is still the persisted one:
 * DEVICE set; or RESULT gone or changed (ERROR the warning), or failed. */
gboolean hd_persist_check_device(HdManager *manager, HdPersistApplyResult *result, HdDevice **device);

/* "planned", "already-bound", "bound", "gone", "changed", "failed",
 * "vfs-planned", "vfs-created", "vfs-present", "vfs-other-count". */
const char *hd_persist_outcome_name(HdPersistOutcome outcome);

typedef struct {
  gboolean dry_run;
  guint unbind_timeout_ms;
} HdPersistApplyOptions;

/* Gives every persisted PF its VFs (persist-sriov.h), then binds every
 * persisted device that is present with its persisted IDs. Returns the
 * PFs' results, then the devices', each in address order; damaged configuration files go to
 * PROBLEMS. ERROR is set when the configuration cannot be listed (NULL
 * returned), or with the worst code of the failed devices (1, 4 or 5), or
 * HD_ERROR_FAILED when a file was damaged; skipped devices are no error. */
GPtrArray *hd_persist_apply(HdManager *manager, const HdPersistApplyOptions *options, GPtrArray *problems,
                            GError **error);

/* The device's IDs as hd_persist_config_ids() spells them. */
char *hd_persist_device_ids(const HdDevice *device);

/* TRUE when DEVICE has CONFIG's IDs (the subsystem's when recorded). */
gboolean hd_persist_matches(const HdPersistConfig *config, const HdDevice *device);

/* Persists the devices of RESULTS (a bind with OPTIONS) that are on a VFIO
 * driver (bound, already bound; planned in a dry run, which writes
 * nothing). Returns the configurations written or, dry run, that would be;
 * NULL with ERROR when one could not be written (those before it stay). */
GPtrArray *hd_persist_bound(HdManager *manager, const GPtrArray *results, const HdBindOptions *options,
                            GError **error);

/* Forgets ADDRESSES (canonical; NULL-terminated): a device's binding,
 * a PF's VF count with its VFs' bindings; an address without either is
 * noted as a warning on MANAGER. */
gboolean hd_unpersist(HdManager *manager, const char *const *addresses, GError **error);
