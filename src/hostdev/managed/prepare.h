/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* prepare: the devices of one VM (an owner), from libvirt <hostdev>
 * specs, made ready for the VM, all or nothing.
 *
 * - managed devices not on a VFIO driver are bound as `bind` binds them
 *   (variant rule or the spec's model, group viability, host-use and SR-IOV
 *   checks, records written first, groups in parallel);
 * - devices already on a VFIO driver (any: detected by vfio-dev) are left
 *   there and only recorded as the owner's; no host-side reset is done,
 *   the VFIO driver resets on open and close;
 * - unmanaged devices must already be on a VFIO driver, or prepare is
 *   refused naming them;
 * - a device belongs to at most one owner: another owner's device (or a
 *   device sharing an IOMMU group with one) is refused naming that owner;
 *   the same owner preparing it again is a no-op for it;
 * - with a user, the group nodes and cdevs are handed to that user (mode
 *   0600), their previous owner and mode kept in the journal for release.
 *
 * Everything is checked before anything changes (a refusal changes
 * nothing); the owner journal is written before each step, and a failure
 * rolls back every device and node this call touched. */
#pragma once

#include "hostdev/device/manager.h"

typedef enum {
  HD_PREPARE_BOUND,   /* managed: bound to its VFIO driver by this call */
  HD_PREPARE_ON_VFIO, /* was on a VFIO driver already; left there */
  HD_PREPARE_OWNED,   /* this owner held it already (prepare repeated) */
} HdPrepareOutcome;

typedef struct {
  char *address;
  gboolean managed;
  HdPrepareOutcome outcome;
  char *driver;          /* the VFIO driver it is on */
  char *original_driver; /* the driver before the owner took it; NULL: unbound */
  gint64 group;          /* IOMMU group */
  char *vfio_device;     /* "vfioN" */
  char *group_node;      /* "/dev/vfio/N" */
  char *cdev;            /* "/dev/vfio/devices/vfioN", NULL without the cdev */
} HdPrepareResult;

void hd_prepare_result_free(HdPrepareResult *result);

/* "bound", "on-vfio", "owned". */
const char *hd_prepare_outcome_name(HdPrepareOutcome outcome);

typedef struct {
  const char *owner;       /* required; hd_owner_name_check() */
  const char *user;        /* a user name or numeric uid; NULL: nodes stay root's */
  guint unbind_timeout_ms;
  gboolean adopt_only;     /* bind nothing: a device not on VFIO yet is refused (re-adopting a running VM's) */
  guint64 memlock;         /* the guest RAM the VMM pins, kept in the journal (memlock.h); 0: not said */
} HdPrepareOptions;

/* Prepares SPECS (HdHostdevSpec*, domain-xml.h) for OPTIONS->owner.
 * Returns HdPrepareResult* in SPECS' order (duplicates once), or NULL with
 * ERROR: HD_ERROR_INVALID (owner name, user), HD_ERROR_NO_DEVICE,
 * HD_ERROR_REFUSED before any change, HD_ERROR_FAILED when everything was
 * rolled back, HD_ERROR_UNFINISHED when the rollback itself could not
 * finish (the journal keeps it for `recover`). */
GPtrArray *hd_prepare(HdManager *manager, const GPtrArray *specs, const HdPrepareOptions *options, GError **error);

