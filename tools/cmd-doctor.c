// SPDX-License-Identifier: LGPL-2.1-or-later
/* doctor: prints the host readiness checks (vh_doctor()). */
#include <stdio.h>

#include "commands.h"

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
  json_builder_add_string_value(builder, vh_check_status_name(vh_doctor_worst(checks)));
  json_builder_set_member_name(builder, "checks");
  json_builder_begin_array(builder);
  for (guint i = 0; i < checks->len; i++) {
    const VhCheck *check = g_ptr_array_index(checks, i);
    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "id");
    json_builder_add_string_value(builder, vh_check_get_id(check));
    json_builder_set_member_name(builder, "title");
    json_builder_add_string_value(builder, vh_check_get_title(check));
    json_builder_set_member_name(builder, "status");
    json_builder_add_string_value(builder, vh_check_status_name(vh_check_get_status(check)));
    json_builder_set_member_name(builder, "message");
    json_builder_add_string_value(builder, vh_check_get_message(check));
    json_builder_set_member_name(builder, "fix");
    if (vh_check_get_fix(check) != NULL)
      json_builder_add_string_value(builder, vh_check_get_fix(check));
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
  guint counts[VH_CHECK_FAIL + 1] = {0};

  for (guint i = 0; i < checks->len; i++) {
    const VhCheck *check = g_ptr_array_index(checks, i);
    VhCheckStatus status = vh_check_get_status(check);
    g_autofree char *status_text = g_ascii_strup(vh_check_status_name(status), -1);
    counts[status]++;
    printf("%-4s  %-20s %s\n", status_text, vh_check_get_title(check), vh_check_get_message(check));
    if (vh_check_get_fix(check) != NULL)
      printf("%-4s  %-20s fix: %s\n", "", "", vh_check_get_fix(check));
  }
  printf("\n%s: %u failed, %u with warnings, %u passed\n", vh_check_status_name(vh_doctor_worst(checks)),
         counts[VH_CHECK_FAIL], counts[VH_CHECK_WARN], counts[VH_CHECK_PASS]);
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
    return VH_ERROR_INVALID;
  if (argc > 1)
    return cli_usage_error(&cmd_doctor, "unexpected argument \"%s\"", argv[1]);
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  g_autoptr(GPtrArray) checks = vh_doctor(manager);
  if (json)
    cli_print_json(checks_to_json(checks));
  else
    print_checks(checks);
  return vh_doctor_worst(checks) == VH_CHECK_FAIL ? VH_ERROR_FAILED : 0;
}
