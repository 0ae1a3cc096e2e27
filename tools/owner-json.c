// SPDX-License-Identifier: LGPL-2.1-or-later
#include "owner-json.h"

#include "cli.h"

static const char *error_message(const VhReleaseResult *result)
{
  const GError *error = vh_release_result_get_error(result);

  return error != NULL ? error->message : NULL;
}

JsonNode *owner_json_release_result(const VhReleaseResult *result)
{
  JsonObject *object = json_object_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);

  json_object_set_string_member(object, "address", vh_release_result_get_address(result));
  json_object_set_boolean_member(object, "managed", vh_release_result_is_managed(result));
  json_object_set_string_member(object, "outcome", vh_release_outcome_name(vh_release_result_get_outcome(result)));
  json_object_set_member(object, "original_driver", cli_json_string(vh_release_result_get_original_driver(result)));
  json_object_set_member(object, "driver", cli_json_string(vh_release_result_get_driver(result)));
  json_object_set_member(object, "error", cli_json_string(error_message(result)));
  json_node_take_object(node, object);
  return node;
}

char *owner_text_release_result(const VhReleaseResult *result)
{
  const char *address = vh_release_result_get_address(result);
  const char *driver = vh_release_result_get_driver(result);
  const char *original = vh_release_result_get_original_driver(result);
  const char *now = driver != NULL ? driver : "no driver";
  const char *error = error_message(result);

  switch (vh_release_result_get_outcome(result)) {
  case VH_RELEASE_RESTORED:
    if (original == NULL)
      return g_strdup_printf("%s: unbound again, as before", address);
    return g_strdup_printf("%s: back on %s", address, original);
  case VH_RELEASE_KEPT:
    return g_strdup_printf("%s: stays on %s (%s)", address, now,
                           vh_release_result_is_managed(result) ? "it was on it before" : "unmanaged");
  case VH_RELEASE_GONE:
    return g_strdup_printf("%s: has disappeared; its record was dropped", address);
  case VH_RELEASE_NOT_OWNED:
    return g_strdup_printf("%s: not held by this owner; untouched (on %s)", address, now);
  case VH_RELEASE_STUCK:
    break;
  }
  return g_strdup_printf("%s: unfinished: %s", address, error != NULL ? error : "unknown");
}
