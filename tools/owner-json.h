/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON and text shared by the managed-mode commands (prepare, release,
 * recover): how a device given back by an owner is shown. */
#pragma once

#include <json-glib/json-glib.h>

#include "vfio-hostdev.h"

/* {"address","managed","outcome","original_driver","driver","error"} */
JsonNode *owner_json_release_result(const VhReleaseResult *result);

/* One line for RESULT ("0000:01:00.0: back on e1000e"). */
char *owner_text_release_result(const VhReleaseResult *result);
