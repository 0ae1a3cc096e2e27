/* doctor: prints the host readiness checks (src/hostdev/doctor.h). */
#include <stdio.h>

#include "commands.h"
#include "doctor.h"
#include "hd-error.h"

static int run_doctor(int argc, char **argv);

const CliCommand cmd_doctor = {
  "doctor", "", "Check that this host is ready for VFIO passthrough; each problem comes with its fix.",
  run_doctor,
};

static JsonNode *checks_to_json(const GPtrArray *checks)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();

  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "status");
  json_builder_add_string_value(builder, hd_check_status_name(hd_doctor_worst(checks)));
  json_builder_set_member_name(builder, "checks");
  json_builder_begin_array(builder);
  for (guint i = 0; i < checks->len; i++) {
    const HdCheck *check = g_ptr_array_index(checks, i);
    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "id");
    json_builder_add_string_value(builder, check->id);
    json_builder_set_member_name(builder, "title");
    json_builder_add_string_value(builder, check->title);
    json_builder_set_member_name(builder, "status");
    json_builder_add_string_value(builder, hd_check_status_name(check->status));
    json_builder_set_member_name(builder, "message");
    json_builder_add_string_value(builder, check->message);
    json_builder_set_member_name(builder, "fix");
    if (check->fix != NULL)
      json_builder_add_string_value(builder, check->fix);
    else
      json_builder_add_null_value(builder);
    json_builder_end_object(builder);
  }
  json_builder_end_array(builder);
  json_builder_end_object(builder);
  return json_builder_get_root(builder);
}

static void print_checks(const GPtrArray *checks)
{
  guint counts[HD_CHECK_FAIL + 1] = {0};

  for (guint i = 0; i < checks->len; i++) {
    const HdCheck *check = g_ptr_array_index(checks, i);
    g_autofree char *status = g_ascii_strup(hd_check_status_name(check->status), -1);
    counts[check->status]++;
    printf("%-4s  %-20s %s\n", status, check->title, check->message);
    if (check->fix != NULL)
      printf("%-4s  %-20s fix: %s\n", "", "", check->fix);
  }
  printf("\n%s: %u failed, %u with warnings, %u passed\n", hd_check_status_name(hd_doctor_worst(checks)),
         counts[HD_CHECK_FAIL], counts[HD_CHECK_WARN], counts[HD_CHECK_PASS]);
}

static int run_doctor(int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON object", NULL},
    {NULL},
  };
  g_autoptr(GError) error = NULL;

  if (!cli_parse(&cmd_doctor, entries,
                 "Reads only; works without privileges. Exits 1 when a check fails, 0 otherwise (warnings "
                 "included).",
                 &argc, &argv))
    return HD_ERROR_INVALID;
  if (argc > 1)
    return cli_usage_error(&cmd_doctor, "unexpected argument \"%s\"", argv[1]);
  g_autoptr(HdManager) manager = hd_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  g_autoptr(GPtrArray) checks = hd_doctor_run(manager);
  if (json)
    cli_print_json(checks_to_json(checks));
  else
    print_checks(checks);
  return hd_doctor_worst(checks) == HD_CHECK_FAIL ? HD_ERROR_FAILED : 0;
}
