// SPDX-License-Identifier: LGPL-2.1-or-later
#include "doctor-test-util.h"

char *root_path(MockHost *host, const char *path)
{
  return g_build_filename(mock_host_root(host), path, NULL);
}

JsonNode *doctor_json(MockHost *host, int expected_status)
{
  g_auto(CliResult) result = {0};
  JsonNode *root;

  cli_run(host, &result, "doctor", "--json", NULL);
  g_assert_cmpint(result.status, ==, expected_status);
  root = cli_parse_json(&result);
  g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
  return root;
}

JsonObject *find_check(JsonNode *root, const char *id)
{
  JsonArray *checks = json_object_get_array_member(json_node_get_object(root), "checks");

  for (guint i = 0; i < json_array_get_length(checks); i++) {
    JsonObject *check = json_array_get_object_element(checks, i);
    if (g_strcmp0(json_object_get_string_member(check, "id"), id) == 0)
      return check;
  }
  g_error("no check \"%s\" in the output", id);
}

void assert_check(JsonNode *root, const char *id, const char *status)
{
  JsonObject *check = find_check(root, id);

  g_test_message("%s: %s: %s", id, json_object_get_string_member(check, "status"),
                 json_object_get_string_member(check, "message"));
  g_assert_cmpstr(json_object_get_string_member(check, "status"), ==, status);
}

const char *check_fix(JsonNode *root, const char *id)
{
  JsonNode *fix = json_object_get_member(find_check(root, id), "fix");

  return JSON_NODE_HOLDS_NULL(fix) ? "" : json_node_get_string(fix);
}

const char *check_message(JsonNode *root, const char *id)
{
  return json_object_get_string_member(find_check(root, id), "message");
}
