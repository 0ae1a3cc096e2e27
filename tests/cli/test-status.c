// SPDX-License-Identifier: LGPL-2.1-or-later
/* `status`: the devices bound by the tool, from their records, with their
 * original and current drivers and since when. */
#include "bind-test-util.h"

static void test_status_empty(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "status", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "no device"));
  cli_run(host, &result, "status", "--json", NULL);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  g_assert_cmpuint(json_array_get_length(json_node_get_array(root)), ==, 0);
}

static void test_status_lists_bound(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;

  cli_run(host, &result, "bind", "01:00.0", "00:02.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  cli_run(host, &result, "status", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonArray *array = json_node_get_array(root);
  g_assert_cmpuint(json_array_get_length(array), ==, 2);
  JsonObject *nic = cli_find_device(array, "0000:01:00.0");
  g_assert_cmpstr(json_object_get_string_member(nic, "original_driver"), ==, "e1000e");
  g_assert_cmpstr(json_object_get_string_member(nic, "current_driver"), ==, "vfio-pci");
  g_assert_cmpstr(json_object_get_string_member(nic, "state"), ==, "bound");
  g_assert_cmpint(json_object_get_int_member(nic, "since"), >=, now - 5);
  JsonObject *edu = cli_find_device(array, "0000:00:02.0");
  g_assert_true(JSON_NODE_HOLDS_NULL(json_object_get_member(edu, "original_driver")));
  g_assert_cmpstr(json_object_get_string_member(edu, "current_driver"), ==, "qedu-mig");

  cli_run(host, &result, "status", NULL);
  g_assert_nonnull(strstr(result.out, "e1000e"));
  g_assert_nonnull(strstr(result.out, "qedu-mig"));

  /* a damaged record is reported, not fatal */
  mock_host_write(host, "/run/vfio-hostdev/0000:00:06.0.record", "garbage");
  cli_run(host, &result, "status", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, "damaged"));
}

/* A record is its file's device's: a copy under another device's name (a
 * record naming 0000:00:02.0 in 0000:00:07.0.record) is reported damaged,
 * never taken for either device, and the real one still counts. */
static void test_status_record_of_another_device(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "00:02.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *record = mock_host_read(host, "/run/vfio-hostdev/0000:00:02.0.record");
  mock_host_write(host, "/run/vfio-hostdev/0000:00:07.0.record", record);
  cli_run(host, &result, "status", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, "0000:00:07.0.record is damaged (it names another device)"));
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonArray *array = json_node_get_array(root);
  g_assert_cmpuint(json_array_get_length(array), ==, 1);
  g_assert_nonnull(cli_find_device(array, "0000:00:02.0"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/status/empty", test_status_empty);
  g_test_add_func("/status/lists-bound", test_status_lists_bound);
  g_test_add_func("/status/record-of-another-device", test_status_record_of_another_device);
  return g_test_run();
}
