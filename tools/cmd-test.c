// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "commands.h"
#include "ktap.h"

static int run_test(int argc, char **argv);

const CliCommand cmd_test = {
  "test", "BDF", "Check that a VFIO-bound device works through VFIO: config space, BARs, IRQs, DMA (KTAP output).",
  run_test,
};

typedef struct {
  VhSelftest *run;
  gboolean json;
  JsonArray *results; /* --json: gathered until the end */
  guint pass, fail, skip;
} Printer;

static const char *status_name(VhCaseStatus status)
{
  return status == VH_CASE_PASS ? "pass" : status == VH_CASE_FAIL ? "fail" : "skip";
}

static JsonNode *result_to_json(const VhSelftestResult *result)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();
  const char *reason = vh_selftest_result_get_reason(result);
  const GPtrArray *diagnostics = vh_selftest_result_get_diagnostics(result);

  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "number");
  json_builder_add_int_value(builder, vh_selftest_result_get_number(result));
  json_builder_set_member_name(builder, "name");
  json_builder_add_string_value(builder, vh_selftest_result_get_name(result));
  json_builder_set_member_name(builder, "status");
  json_builder_add_string_value(builder, status_name(vh_selftest_result_get_status(result)));
  json_builder_set_member_name(builder, "reason");
  if (reason != NULL)
    json_builder_add_string_value(builder, reason);
  else
    json_builder_add_null_value(builder);
  json_builder_set_member_name(builder, "diagnostics");
  json_builder_begin_array(builder);
  for (guint i = 0; i < diagnostics->len; i++)
    json_builder_add_string_value(builder, g_ptr_array_index(diagnostics, i));
  json_builder_end_array(builder);
  json_builder_end_object(builder);
  return json_builder_get_root(builder);
}

/* KTAP goes out case by case, so a slow or hanging case shows where it is. */
static void print_result(const VhSelftestResult *result, gpointer user_data)
{
  Printer *printer = user_data;
  VhCaseStatus status = vh_selftest_result_get_status(result);

  printer->pass += status == VH_CASE_PASS;
  printer->fail += status == VH_CASE_FAIL;
  printer->skip += status == VH_CASE_SKIP;
  if (printer->json) {
    json_array_add_element(printer->results, result_to_json(result));
    return;
  }
  g_autoptr(GString) out = g_string_new(NULL);
  /* Once a signal stopped the run, the skips are the cases that never ran. */
  if (vh_selftest_get_interrupted(printer->run) != 0 && status == VH_CASE_SKIP)
    ktap_not_run(out, result);
  else
    ktap_result(out, result);
  fputs(out->str, stdout);
  fflush(stdout);
}

static void add_string(JsonObject *object, const char *member, const char *value)
{
  json_object_set_string_member(object, member, value);
}

static JsonNode *run_to_json(VhSelftest *run, Printer *printer)
{
  JsonObject *object = json_object_new();
  JsonObject *totals = json_object_new();
  JsonArray *problems = json_array_new();
  g_autofree char *description = vh_selftest_describe(run);
  const GPtrArray *cleanup = vh_selftest_get_cleanup_problems(run);

  add_string(object, "address", vh_selftest_get_address(run));
  add_string(object, "backend", vh_selftest_get_backend(run));
  add_string(object, "description", description);
  json_object_set_int_member(object, "plan", vh_selftest_get_plan(run));
  json_object_set_array_member(object, "results", json_array_ref(printer->results));
  json_object_set_int_member(totals, "pass", printer->pass);
  json_object_set_int_member(totals, "fail", printer->fail);
  json_object_set_int_member(totals, "skip", printer->skip);
  json_object_set_object_member(object, "totals", totals);
  for (guint i = 0; i < cleanup->len; i++)
    json_array_add_string_element(problems, g_ptr_array_index(cleanup, i));
  json_object_set_array_member(object, "cleanup_problems", problems);
  if (vh_selftest_get_interrupted(run))
    json_object_set_int_member(object, "interrupted_by_signal", vh_selftest_get_interrupted(run));
  else
    json_object_set_null_member(object, "interrupted_by_signal");
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, object);
  return node;
}

static int list_cases(const char *filter, gboolean json)
{
  g_autoptr(GPtrArray) cases = vh_selftest_list_cases(filter);
  g_autoptr(JsonBuilder) builder = json_builder_new();

  if (cases->len == 0)
    return cli_usage_error(&cmd_test, "--filter '%s' selects no case", filter);
  json_builder_begin_array(builder);
  for (guint i = 0; i < cases->len; i++) {
    const VhSelftestCase *test_case = g_ptr_array_index(cases, i);
    if (!json) {
      printf("%-36s %s\n", vh_selftest_case_get_name(test_case), vh_selftest_case_get_summary(test_case));
      continue;
    }
    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "name");
    json_builder_add_string_value(builder, vh_selftest_case_get_name(test_case));
    json_builder_set_member_name(builder, "summary");
    json_builder_add_string_value(builder, vh_selftest_case_get_summary(test_case));
    json_builder_end_object(builder);
  }
  json_builder_end_array(builder);
  if (json)
    cli_print_json(json_builder_get_root(builder));
  return 0;
}

static void print_epilogue(VhSelftest *run, const Printer *printer)
{
  g_autoptr(GString) out = g_string_new(NULL);
  const GPtrArray *cleanup = vh_selftest_get_cleanup_problems(run);

  ktap_totals(out, printer->pass, printer->fail, printer->skip);
  if (vh_selftest_get_interrupted(run)) {
    g_autofree char *text = g_strdup_printf("interrupted by signal %d: the remaining cases did not run; "
                                            "everything the run changed was undone",
                                            vh_selftest_get_interrupted(run));
    ktap_bail_out(out, text);
  }
  fputs(out->str, stdout);
  for (guint i = 0; i < cleanup->len; i++)
    fprintf(stderr, "vfio-hostdev: %s\n", (const char *)g_ptr_array_index(cleanup, i));
}

/* Everything is out before the caller frees the run: a signal held back
 * during the run is delivered then and may end the process. */
static int run_cases(VhSelftest *run, gboolean json)
{
  Printer printer = {.run = run, .json = json, .results = json_array_new()};
  gboolean passed;

  if (!json) {
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *description = vh_selftest_describe(run);
    g_autofree char *header = g_strdup_printf("vfio-hostdev test %s", description);
    ktap_begin(out, vh_selftest_get_plan(run), header);
    fputs(out->str, stdout);
    fflush(stdout);
  }
  passed = vh_selftest_execute(run, print_result, &printer);
  if (json)
    cli_print_json(run_to_json(run, &printer));
  else
    print_epilogue(run, &printer);
  json_array_unref(printer.results);
  fflush(stdout);
  fflush(stderr);
  return passed && vh_selftest_get_cleanup_problems(run)->len == 0 ? 0 : VH_ERROR_FAILED;
}

/* --iommu's words, in VhSelftestIommu's order. */
static gboolean parse_iommu(const char *text, VhSelftestIommu *iommu)
{
  static const char *const names[] = {"auto", "type1", "iommufd", "type1-legacy"};

  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    if (g_str_equal(text, names[i])) {
      *iommu = (VhSelftestIommu)i;
      return TRUE;
    }
  return FALSE;
}

static int run_test(int argc, char **argv)
{
  gboolean json = FALSE, list = FALSE;
  g_autofree char *iommu = NULL, *filter = NULL;
  const GOptionEntry entries[] = {
    {"iommu", 0, 0, G_OPTION_ARG_STRING, &iommu,
     "auto (default: iommufd when /dev/iommu and the device's cdev exist), type1, type1-legacy or iommufd", "BACKEND"},
    {"list", 0, 0, G_OPTION_ARG_NONE, &list, "List the cases (with --filter: the selected ones); open nothing", NULL},
    {"filter", 0, 0, G_OPTION_ARG_STRING, &filter, "Run only the cases whose name matches GLOB", "GLOB"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object at the end instead of KTAP", NULL},
    {NULL},
  };
  g_autoptr(GError) error = NULL;
  VhSelftestIommu kind = VH_SELFTEST_IOMMU_AUTO;

  if (!cli_parse(&cmd_test, entries,
                 "The device must be bound to a VFIO driver (any: vfio-pci or a variant driver).\n"
                 "Output is KTAP: one result per case, '# SKIP reason' where a case does not apply.\n"
                 "Hugepages a case needs are reserved for the run and the pools restored afterwards.\n"
                 "Exit status 0 when no case failed (skips included), 1 when one did.",
                 &argc, &argv))
    return VH_ERROR_INVALID;
  if (iommu != NULL && !parse_iommu(iommu, &kind))
    return cli_usage_error(&cmd_test, "--iommu %s: expected auto, type1, type1-legacy or iommufd", iommu);
  if (list && argc <= 2)
    return list_cases(filter, json);
  if (argc != 2)
    return cli_usage_error(&cmd_test, argc < 2 ? "missing BDF" : "expected one BDF, got %d arguments", argc - 1);
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  g_autoptr(VhSelftest) run = vh_selftest_new(manager, argv[1], kind, filter, &error);
  if (run == NULL)
    return cli_fail(error);
  cli_print_warnings(manager);
  /* Each KTAP line reaches a pipe or a file as it is written. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  return run_cases(run, json);
}
