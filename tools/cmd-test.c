#include <stdio.h>

#include "commands.h"
#include "hd-error.h"
#include "selftest-ktap.h"
#include "selftest.h"

static int run_test(int argc, char **argv);

const CliCommand cmd_test = {
  "test", "BDF", "Check that a VFIO-bound device works through VFIO: config space, BARs, IRQs, DMA (KTAP output).",
  run_test,
};

typedef struct {
  gboolean json;
  JsonArray *results; /* --json: gathered until the end */
  guint pass, fail, skip;
} Printer;

static const char *status_name(HdCaseStatus status)
{
  return status == HD_CASE_PASS ? "pass" : status == HD_CASE_FAIL ? "fail" : "skip";
}

static JsonNode *result_to_json(const HdSelftestResult *result)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();

  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "number");
  json_builder_add_int_value(builder, result->number);
  json_builder_set_member_name(builder, "name");
  json_builder_add_string_value(builder, result->name);
  json_builder_set_member_name(builder, "status");
  json_builder_add_string_value(builder, status_name(result->status));
  json_builder_set_member_name(builder, "reason");
  if (result->reason != NULL)
    json_builder_add_string_value(builder, result->reason);
  else
    json_builder_add_null_value(builder);
  json_builder_set_member_name(builder, "diagnostics");
  json_builder_begin_array(builder);
  for (guint i = 0; i < result->diagnostics->len; i++)
    json_builder_add_string_value(builder, g_ptr_array_index(result->diagnostics, i));
  json_builder_end_array(builder);
  json_builder_end_object(builder);
  return json_builder_get_root(builder);
}

/* KTAP goes out case by case, so a slow or hanging case shows where it is. */
static void print_result(const HdSelftestResult *result, gpointer user_data)
{
  Printer *printer = user_data;

  printer->pass += result->status == HD_CASE_PASS;
  printer->fail += result->status == HD_CASE_FAIL;
  printer->skip += result->status == HD_CASE_SKIP;
  if (printer->json) {
    json_array_add_element(printer->results, result_to_json(result));
    return;
  }
  g_autoptr(GString) out = g_string_new(NULL);
  hd_ktap_result(out, result);
  fputs(out->str, stdout);
  fflush(stdout);
}

static void add_string(JsonObject *object, const char *member, const char *value)
{
  json_object_set_string_member(object, member, value);
}

static JsonNode *run_to_json(HdSelftestRun *run, Printer *printer)
{
  JsonObject *object = json_object_new();
  JsonObject *totals = json_object_new();
  JsonArray *problems = json_array_new();
  g_autofree char *description = hd_selftest_describe(run);
  const GPtrArray *cleanup = hd_selftest_cleanup_problems(run);

  add_string(object, "address", hd_selftest_address(run));
  add_string(object, "backend", hd_selftest_backend_name(run));
  add_string(object, "description", description);
  json_object_set_int_member(object, "plan", hd_selftest_plan(run));
  json_object_set_array_member(object, "results", json_array_ref(printer->results));
  json_object_set_int_member(totals, "pass", printer->pass);
  json_object_set_int_member(totals, "fail", printer->fail);
  json_object_set_int_member(totals, "skip", printer->skip);
  json_object_set_object_member(object, "totals", totals);
  for (guint i = 0; i < cleanup->len; i++)
    json_array_add_string_element(problems, g_ptr_array_index(cleanup, i));
  json_object_set_array_member(object, "cleanup_problems", problems);
  if (hd_selftest_interrupted(run))
    json_object_set_int_member(object, "interrupted_by_signal", hd_selftest_interrupted(run));
  else
    json_object_set_null_member(object, "interrupted_by_signal");
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, object);
  return node;
}

static int list_cases(const char *filter, gboolean json)
{
  g_autoptr(GPtrArray) cases = hd_selftest_cases(filter);
  g_autoptr(JsonBuilder) builder = json_builder_new();

  if (cases->len == 0)
    return cli_usage_error(&cmd_test, "--filter '%s' selects no case", filter);
  g_ptr_array_insert(cases, 0, (gpointer)hd_selftest_open_case());
  json_builder_begin_array(builder);
  for (guint i = 0; i < cases->len; i++) {
    const HdSelftestCaseInfo *info = g_ptr_array_index(cases, i);
    if (!json) {
      printf("%-20s %s\n", info->name, info->summary);
      continue;
    }
    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "name");
    json_builder_add_string_value(builder, info->name);
    json_builder_set_member_name(builder, "summary");
    json_builder_add_string_value(builder, info->summary);
    json_builder_end_object(builder);
  }
  json_builder_end_array(builder);
  if (json)
    cli_print_json(json_builder_get_root(builder));
  return 0;
}

static void print_epilogue(HdSelftestRun *run, const Printer *printer)
{
  g_autoptr(GString) out = g_string_new(NULL);
  const GPtrArray *cleanup = hd_selftest_cleanup_problems(run);

  if (hd_selftest_interrupted(run)) {
    g_autofree char *text = g_strdup_printf("interrupted by signal %d: the remaining cases did not run; "
                                            "everything the run changed was undone",
                                            hd_selftest_interrupted(run));
    hd_ktap_diag(out, text);
  }
  hd_ktap_totals(out, printer->pass, printer->fail, printer->skip);
  fputs(out->str, stdout);
  for (guint i = 0; i < cleanup->len; i++)
    fprintf(stderr, "vfio-hostdev: %s\n", (const char *)g_ptr_array_index(cleanup, i));
}

static int run_cases(HdSelftestRun *run, gboolean json)
{
  Printer printer = {.json = json, .results = json_array_new()};
  gboolean passed;

  if (!json) {
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *description = hd_selftest_describe(run);
    g_autofree char *header = g_strdup_printf("vfio-hostdev test %s", description);
    hd_ktap_begin(out, hd_selftest_plan(run), header);
    fputs(out->str, stdout);
    fflush(stdout);
  }
  passed = hd_selftest_execute(run, print_result, &printer);
  if (json)
    cli_print_json(run_to_json(run, &printer));
  else
    print_epilogue(run, &printer);
  json_array_unref(printer.results);
  return passed && hd_selftest_cleanup_problems(run)->len == 0 ? 0 : HD_ERROR_FAILED;
}

static int run_test(int argc, char **argv)
{
  gboolean json = FALSE, list = FALSE;
  g_autofree char *iommu = NULL, *filter = NULL;
  const GOptionEntry entries[] = {
    {"iommu", 0, 0, G_OPTION_ARG_STRING, &iommu,
     "auto (default: iommufd when /dev/iommu and the device's cdev exist), type1 or iommufd", "BACKEND"},
    {"list", 0, 0, G_OPTION_ARG_NONE, &list, "List the cases (with --filter: the selected ones); open nothing", NULL},
    {"filter", 0, 0, G_OPTION_ARG_STRING, &filter, "Run only the cases whose name matches GLOB", "GLOB"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object at the end instead of KTAP", NULL},
    {NULL},
  };
  g_autoptr(GError) error = NULL;
  HdSelftestIommuKind kind = HD_SELFTEST_IOMMU_AUTO;

  if (!cli_parse(&cmd_test, entries,
                 "The device must be bound to a VFIO driver (any: vfio-pci or a variant driver).\n"
                 "Output is KTAP: one result per case, '# SKIP reason' where a case does not apply.\n"
                 "Hugepages a case needs are reserved for the run and the pools restored afterwards.\n"
                 "Exit status 0 when no case failed (skips included), 1 when one did.",
                 &argc, &argv))
    return HD_ERROR_INVALID;
  if (iommu != NULL && !hd_selftest_iommu_kind_parse(iommu, &kind))
    return cli_usage_error(&cmd_test, "--iommu %s: expected auto, type1 or iommufd", iommu);
  if (list && argc <= 2)
    return list_cases(filter, json);
  if (argc != 2)
    return cli_usage_error(&cmd_test, argc < 2 ? "missing BDF" : "expected one BDF, got %d arguments", argc - 1);
  g_autoptr(HdManager) manager = hd_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  g_autoptr(HdSelftestRun) run = hd_selftest_prepare(manager, argv[1], kind, filter, &error);
  if (run == NULL)
    return cli_fail(error);
  cli_print_warnings(manager);
  return run_cases(run, json);
}
