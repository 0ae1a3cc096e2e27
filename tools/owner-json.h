/* JSON and text shared by the managed-mode commands (prepare, release,
 * recover): how a device given back by an owner is shown. */
#pragma once

#include <json-glib/json-glib.h>

#include "owner-release.h"

/* {"address","managed","outcome","original_driver","driver","error"} */
JsonNode *owner_json_release_result(const HdReleaseResult *result);

/* A JSON string, or null for NULL. */
JsonNode *owner_json_string(const char *text);

/* One line for RESULT ("0000:01:00.0: back on e1000e"). */
char *owner_text_release_result(const HdReleaseResult *result);
