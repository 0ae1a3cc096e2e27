/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* status: the devices this tool has bound, from their records, with what
 * the kernel says about them now. */
#pragma once

#include <glib.h>

#include "hostdev/shared/device-record.h"
#include "hostdev/persist/persist-config.h"

/* The public VhStatusEntry is this struct, opaque. */
typedef struct _VhStatusEntry {
  HdDeviceRecord *record;
  char *current_driver; /* NULL: unbound */
  gboolean present;     /* the device still exists */
  gboolean persisted;   /* bound again at boot (bind --persist) */
  char *pending_write;  /* the kernel write still in flight for it (util/kernel-write.h), or NULL */
} HdStatusEntry;

void hd_status_entry_free(HdStatusEntry *entry);

/* HdStatusEntry* by address; damaged records go to PROBLEMS (strings). */
GPtrArray *hd_status(GPtrArray *problems, GError **error);

/* A persisted device that has no record: vfio-hostdev has not bound it
 * since boot, or it was reattached since (bind --persist, then reattach
 * without unpersist), or it disappeared or changed IDs and was skipped, or
 * its bind at boot failed. */
/* The public VhPersistStatus is this struct, opaque. */
typedef struct _VhPersistStatus {
  HdPersistConfig *config;
  gboolean present;     /* a device is at its address */
  char *current_driver; /* NULL: unbound */
  char *found_ids;      /* the IDs at its address when they differ from the persisted ones */
} HdStatusPersisted;

void hd_status_persisted_free(HdStatusPersisted *persisted);

/* HdStatusPersisted* by address for the persisted devices that have no
 * record (hd_status() does not list them); damaged configurations go to
 * PROBLEMS. */
GPtrArray *hd_status_persisted(GPtrArray *problems, GError **error);
