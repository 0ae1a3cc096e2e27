#include "owner-json.h"

JsonNode *owner_json_string(const char *text)
{
  JsonNode *node = json_node_new(text != NULL ? JSON_NODE_VALUE : JSON_NODE_NULL);

  if (text != NULL)
    json_node_set_string(node, text);
  return node;
}

JsonNode *owner_json_release_result(const HdReleaseResult *result)
{
  JsonObject *object = json_object_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);

  json_object_set_string_member(object, "address", result->address);
  json_object_set_boolean_member(object, "managed", result->managed);
  json_object_set_string_member(object, "outcome", hd_release_outcome_name(result->outcome));
  json_object_set_member(object, "original_driver", owner_json_string(result->original_driver));
  json_object_set_member(object, "driver", owner_json_string(result->driver));
  json_object_set_member(object, "error", owner_json_string(result->error != NULL ? result->error->message : NULL));
  json_node_take_object(node, object);
  return node;
}

char *owner_text_release_result(const HdReleaseResult *result)
{
  const char *now = result->driver != NULL ? result->driver : "no driver";

  switch (result->outcome) {
  case HD_RELEASE_RESTORED:
    if (result->original_driver == NULL)
      return g_strdup_printf("%s: unbound again, as before", result->address);
    return g_strdup_printf("%s: back on %s", result->address, result->original_driver);
  case HD_RELEASE_KEPT:
    return g_strdup_printf("%s: stays on %s (%s)", result->address, now,
                           result->managed ? "it was on it before" : "unmanaged");
  case HD_RELEASE_GONE:
    return g_strdup_printf("%s: has disappeared; its record was dropped", result->address);
  case HD_RELEASE_NOT_OWNED:
    return g_strdup_printf("%s: not held by this owner; untouched (on %s)", result->address, now);
  case HD_RELEASE_STUCK:
    break;
  }
  return g_strdup_printf("%s: unfinished: %s", result->address,
                         result->error != NULL ? result->error->message : "unknown");
}
