// SPDX-License-Identifier: LGPL-2.1-or-later
/* `driver`: which VFIO driver bind would choose, and why. Alias files are
 * written per test into a temporary modules directory (--modules-dir) or
 * into the fake host's /lib/modules. */
#include "cli-test.h"

#include <glib/gstdio.h>

#define EDU_MODALIAS "pci:v00001234d000011E8sv00001AF4sd00001100bc00scFFi00"
#define GENERIC "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n"
#define EDU_VARIANT "alias vfio_pci:v00001234d000011E8sv*sd*bc*sc*i* qedu_mig\n"

typedef struct {
  MockHost *host;
  char *modules_dir;
} Fixture;

static void write_file(const char *dir, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true(g_file_set_contents(path, contents, -1, &error));
  g_assert_no_error(error);
}

static void fixture_set_up(Fixture *fixture, gconstpointer data)
{
  fixture->host = cli_host("q35-zoo");
  fixture->modules_dir = g_build_filename(mock_host_root(fixture->host), "test-modules", NULL);
  g_assert_cmpint(g_mkdir_with_parents(fixture->modules_dir, 0755), ==, 0);
}

static void fixture_tear_down(Fixture *fixture, gconstpointer data)
{
  g_free(fixture->modules_dir);
  mock_host_free(fixture->host);
}

/* Runs `driver --modalias MODALIAS --modules-dir DIR --json` and returns the choice. */
static JsonNode *choose(Fixture *fixture, const char *modalias, CliResult *result)
{
  cli_run(fixture->host, result, "driver", "--modalias", modalias, "--modules-dir", fixture->modules_dir, "--json",
          NULL);
  g_assert_cmpint(result->status, ==, 0);
  return cli_parse_json(result);
}

static const char *chosen(JsonNode *root)
{
  return json_object_get_string_member(json_node_get_object(root), "module");
}

static JsonObject *candidate(JsonNode *root, guint index)
{
  JsonArray *candidates = json_object_get_array_member(json_node_get_object(root), "candidates");

  g_assert_cmpuint(index, <, json_array_get_length(candidates));
  return json_array_get_object_element(candidates, index);
}

static guint n_candidates(JsonNode *root)
{
  return json_array_get_length(json_object_get_array_member(json_node_get_object(root), "candidates"));
}

static void test_variant_beats_generic(Fixture *fixture, gconstpointer data)
{
  g_auto(CliResult) result = {0};

  write_file(fixture->modules_dir, "modules.alias", GENERIC EDU_VARIANT);
  g_autoptr(JsonNode) root = choose(fixture, EDU_MODALIAS, &result);
  g_assert_cmpstr(chosen(root), ==, "qedu_mig");
  g_assert_cmpuint(n_candidates(root), ==, 2);
  g_assert_cmpstr(json_object_get_string_member(candidate(root, 0), "pattern"), ==,
                  "vfio_pci:v00001234d000011E8sv*sd*bc*sc*i*");
  g_assert_cmpint(json_object_get_int_member(candidate(root, 0), "wildcards"), ==, 5);
  g_assert_cmpstr(json_object_get_string_member(candidate(root, 1), "module"), ==, "vfio_pci");
  g_assert_cmpint(json_object_get_int_member(candidate(root, 1), "wildcards"), ==, 7);
  g_assert_cmpstr(json_object_get_string_member(json_node_get_object(root), "key"), ==, "vfio_" EDU_MODALIAS);
}

/* `?` and classes count as wildcards: the pattern with fewer of them wins. */
static void test_fewest_wildcards_counts_classes(Fixture *fixture, gconstpointer data)
{
  g_auto(CliResult) result = {0};

  write_file(fixture->modules_dir, "modules.alias",
             GENERIC "alias vfio_pci:v00001234d000011E?sv*sd*bc*sc*i* loose_variant\n"
                     "alias vfio_pci:v00001234d000011[Ee]8sv*sd*bc*sc*i* class_variant\n"
                     "alias vfio_pci:v00001234d000011E8sv00001AF4sd*bc*sc*i* exact_variant\n");
  g_autoptr(JsonNode) root = choose(fixture, EDU_MODALIAS, &result);
  g_assert_cmpstr(chosen(root), ==, "exact_variant");
  g_assert_cmpuint(n_candidates(root), ==, 4);
  g_assert_cmpint(json_object_get_int_member(candidate(root, 0), "wildcards"), ==, 4);
  /* ranked: fewest wildcards first, ties in file order */
  g_assert_cmpstr(json_object_get_string_member(candidate(root, 1), "module"), ==, "loose_variant");
  g_assert_cmpint(json_object_get_int_member(candidate(root, 1), "wildcards"), ==, 6);
  g_assert_cmpstr(json_object_get_string_member(candidate(root, 2), "module"), ==, "class_variant");
  g_assert_cmpint(json_object_get_int_member(candidate(root, 2), "wildcards"), ==, 6);
  g_assert_cmpstr(json_object_get_string_member(candidate(root, 3), "module"), ==, "vfio_pci");
  g_assert_cmpint(json_object_get_int_member(candidate(root, 3), "wildcards"), ==, 7);
}

static void test_tie_goes_to_earliest_line(Fixture *fixture, gconstpointer data)
{
  g_auto(CliResult) result = {0};

  write_file(fixture->modules_dir, "modules.alias",
             GENERIC "alias vfio_pci:v00001234d000011E8sv*sd*bc*sc*i* first_variant\n"
                     "alias vfio_pci:v00001234d*sv00001AF4sd*bc*sc*i* second_variant\n");
  g_autoptr(JsonNode) root = choose(fixture, EDU_MODALIAS, &result);
  g_assert_cmpstr(chosen(root), ==, "first_variant");
  g_assert_nonnull(strstr(json_object_get_string_member(json_node_get_object(root), "reason"), "tie"));
}

/* modules.alias before modules.builtin.alias on a tie; builtin-only matches count. */
static void test_builtin_aliases(Fixture *fixture, gconstpointer data)
{
  g_auto(CliResult) result = {0};
  g_auto(CliResult) result2 = {0};

  write_file(fixture->modules_dir, "modules.alias", GENERIC "alias vfio_pci:v00001234d000011E8sv*sd*bc*sc*i* loadable\n");
  write_file(fixture->modules_dir, "modules.builtin.alias", "alias vfio_pci:v00001234d000011E8sv*sd*bc*sc*i* builtin\n"
                                                          "alias vfio_pci:v00001AF4d00001041sv*sd*bc*sc*i* virtio_vfio_pci\n");
  g_autoptr(JsonNode) root = choose(fixture, EDU_MODALIAS, &result);
  g_assert_cmpstr(chosen(root), ==, "loadable");
  g_assert_true(g_str_has_suffix(json_object_get_string_member(candidate(root, 1), "file"), "modules.builtin.alias"));

  g_autoptr(JsonNode) root2 = choose(fixture, "pci:v00001AF4d00001041sv00001AF4sd00001100bc02sc00i00", &result2);
  g_assert_cmpstr(chosen(root2), ==, "virtio_vfio_pci");
}

/* CRLF line ends, malformed lines and a huge line do not disturb parsing. */
static void test_malformed_and_crlf(Fixture *fixture, gconstpointer data)
{
  g_auto(CliResult) result = {0};
  g_autoptr(GString) contents = g_string_new("# comment\r\n\r\nalias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\r\n");

  g_string_append(contents, "alias vfio_pci:v00001234d000011E8sv*sd*bc*sc*i*\r\n");              /* 2 fields */
  g_string_append(contents, "alias vfio_pci:v00001234d000011E8sv*sd*bc*sc*i* a b\r\n");          /* 4 fields */
  g_string_append(contents, "softdep vfio_pci:v00001234d000011E8sv*sd*bc*sc*i* other\r\n");     /* not alias */
  g_string_append(contents, "alias vfio_pci:v00001234d000011E8");
  for (int i = 0; i < 300000; i++)
    g_string_append(contents, "x");
  g_string_append(contents, " huge\r\n");
  g_string_append(contents, "alias\tvfio_pci:v00001234d000011E8sv*sd*bc*sc*i*\tqedu_mig\r\n");
  write_file(fixture->modules_dir, "modules.alias", contents->str);
  g_autoptr(JsonNode) root = choose(fixture, EDU_MODALIAS, &result);
  g_assert_cmpstr(chosen(root), ==, "qedu_mig");
  g_assert_cmpuint(n_candidates(root), ==, 2);
  g_assert_cmpint(json_object_get_int_member(candidate(root, 0), "line"), ==, 8);
}

static void test_no_candidate_falls_back(Fixture *fixture, gconstpointer data)
{
  g_auto(CliResult) result = {0};

  write_file(fixture->modules_dir, "modules.alias", "alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n");
  g_autoptr(JsonNode) root = choose(fixture, EDU_MODALIAS, &result);
  g_assert_cmpstr(chosen(root), ==, "vfio_pci");
  g_assert_true(json_object_get_boolean_member(json_node_get_object(root), "fallback"));
  g_assert_cmpuint(n_candidates(root), ==, 0);
  g_assert_nonnull(strstr(result.err, "warning"));
}

/* No modules.alias for the running kernel: vfio_pci with a warning, exit 0. */
static void test_missing_modules_alias(Fixture *fixture, gconstpointer data)
{
  g_auto(CliResult) result = {0};
  g_autofree char *release = NULL;
  g_auto(CliResult) uname_result = {0};
  const char *const uname_argv[] = {"/bin/uname", "-r", NULL};
  g_autoptr(GError) error = NULL;

  g_assert_true(mock_host_run(fixture->host, uname_argv, &uname_result.out, &uname_result.err, &uname_result.status,
                              &error));
  release = g_strstrip(g_strdup(uname_result.out));
  g_autofree char *alias_path = g_build_filename("/lib/modules", release, "modules.alias", NULL);
  g_assert_true(mock_host_exists(fixture->host, alias_path));
  mock_host_remove(fixture->host, alias_path);

  cli_run(fixture->host, &result, "driver", "0000:00:02.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_true(g_str_has_prefix(result.out, "vfio_pci\n"));
  g_assert_nonnull(strstr(result.err, "warning"));
  g_assert_nonnull(strstr(result.err, "modules.alias"));
}

/* The device's own modalias and the running kernel's aliases: plain output
 * puts the module alone on the first line. */
static void test_device_plain(Fixture *fixture, gconstpointer data)
{
  g_auto(CliResult) result = {0};

  cli_run(fixture->host, &result, "driver", "00:02.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_true(g_str_has_prefix(result.out, "qedu_mig\n"));
  g_assert_nonnull(strstr(result.out, "5 wildcards"));
  g_assert_nonnull(strstr(result.out, "7 wildcards"));

  cli_run(fixture->host, &result, "driver", "0000:01:00.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_true(g_str_has_prefix(result.out, "vfio_pci\n"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
#define ADD(path, func) g_test_add("/driver/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD("variant-beats-generic", test_variant_beats_generic);
  ADD("fewest-wildcards-counts-classes", test_fewest_wildcards_counts_classes);
  ADD("tie-goes-to-earliest-line", test_tie_goes_to_earliest_line);
  ADD("builtin-aliases", test_builtin_aliases);
  ADD("malformed-and-crlf", test_malformed_and_crlf);
  ADD("no-candidate-falls-back", test_no_candidate_falls_back);
  ADD("missing-modules-alias", test_missing_modules_alias);
  ADD("device-plain", test_device_plain);
#undef ADD
  return g_test_run();
}
