// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "commands.h"

static int run_reset(int argc, char **argv);

const CliCommand cmd_reset = {
  "reset", "BDF", "Reset a device through sysfs and say which method ran.", run_reset,
};

static const char reset_description[] =
  "Methods come from the device's reset_method, tried in the kernel's order unless --method names\n"
  "one. A bus reset is refused while another device behind the same bridge is driven by a host\n"
  "driver or open by a VFIO user. Refused while a process holds the device itself through VFIO.";

static int run_reset(int argc, char **argv)
{
  g_autofree char *method = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    {"method", 0, 0, G_OPTION_ARG_STRING, &method, "One method of reset_method (flr, pm, bus, ...)", "METHOD"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON object", NULL},
    {NULL},
  };
  g_autoptr(GError) error = NULL;

  if (!cli_parse(&cmd_reset, entries, reset_description, &argc, &argv))
    return VH_ERROR_INVALID;
  if (argc != 2)
    return cli_usage_error(&cmd_reset, argc < 2 ? "missing BDF" : "expected one BDF, got %d arguments", argc - 1);
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  vh_manager_recover_interrupted(manager);
  g_autoptr(VhResetResult) result = vh_reset(manager, argv[1], method, &error);
  cli_print_warnings(manager);
  if (result == NULL)
    return cli_fail(error);
  const GPtrArray *tried = vh_reset_result_get_failed_methods(result);
  if (json) {
    JsonObject *object = json_object_new();
    JsonNode *root = json_node_new(JSON_NODE_OBJECT);
    json_object_set_string_member(object, "address", vh_reset_result_get_address(result));
    json_object_set_string_member(object, "method", vh_reset_result_get_method(result));
    json_object_set_member(object, "failed_methods", cli_json_strings(tried));
    json_node_take_object(root, object);
    cli_print_json(root);
  } else {
    printf("%s: reset by %s\n", vh_reset_result_get_address(result), vh_reset_result_get_method(result));
    for (guint i = 0; i < tried->len; i++)
      printf("  tried first: %s\n", (const char *)g_ptr_array_index(tried, i));
  }
  return 0;
}
