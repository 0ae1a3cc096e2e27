/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON shapes of devices and driver choices. Key names are a stable
 * interface (docs/json.md); add keys, never rename them. */
#pragma once

#include <json-glib/json-glib.h>

#include "vfio-hostdev.h"

/* SUMMARY: what `list` prints; DETAIL (show) adds group members, SR-IOV,
 * reset methods and the reasoning behind the driver choice. */
typedef enum {
  DEVICE_JSON_SUMMARY,
  DEVICE_JSON_DETAIL,
} DeviceJsonLevel;

/* GROUP_MEMBERS: VhDevice* of the device's IOMMU group (DETAIL only, may be NULL). */
JsonNode *device_to_json(const VhDevice *device, const VhVfioChoice *choice, const GPtrArray *group_members,
                         DeviceJsonLevel level);

JsonNode *choice_to_json(const VhVfioChoice *choice);

/* {"supported": true|false|null, "flags": ["stop_copy", "p2p", "pre_copy"]
 * or null, "dirty_tracking": true|false|null, "source": "debugfs"|"probe",
 * "reason": null or why supported is unknown}. */
JsonNode *migration_to_json(const VhMigration *migration);

/* The names of VhMigrationFlags FLAGS ("stop_copy", "p2p", "pre_copy"),
 * NULL-terminated; free the array only (g_free). */
char **migration_flag_names(guint flags);
