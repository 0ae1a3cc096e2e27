// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "commands.h"

static int run_reattach(int argc, char **argv);
static int run_unbind(int argc, char **argv);

const CliCommand cmd_reattach = {
  "reattach", "BDF...", "Give devices back to the driver they had before bind, with their override and VFs.",
  run_reattach,
};

const CliCommand cmd_unbind = {
  "unbind", "BDF...", "Same as reattach.", run_unbind,
};

static const char reattach_description[] =
  "Restores what /run/vfio-hostdev/ recorded at bind: the original driver (not merely the kernel's\n"
  "default), driver_override and VF count; members bound with `bind --group` come back with the\n"
  "group. Without a record the override is cleared and the kernel chooses. Refused while a process\n"
  "(a VM) holds the device's VFIO group node or cdev open.";

#define DEFAULT_UNBIND_TIMEOUT_S 10.0

static void print_result(const VhReattachResult *result)
{
  const char *address = vh_reattach_result_get_address(result);
  const char *driver = vh_reattach_result_get_driver(result);
  const char *original = vh_reattach_result_get_original_driver(result);
  const char *now = driver != NULL ? driver : "no driver";

  switch (vh_reattach_result_get_outcome(result)) {
  case VH_REATTACH_RESTORED:
    printf("%s: back on %s%s%s", address, original != NULL ? original : "no driver, as before",
           vh_reattach_result_is_group_member(result) ? " (member of its IOMMU group)" : "",
           vh_reattach_result_is_function_member(result) ? " (function of its device)" : "");
    if (vh_reattach_result_get_restored_vfs(result) > 0)
      printf(", %u VFs re-enabled", vh_reattach_result_get_restored_vfs(result));
    printf("\n");
    break;
  case VH_REATTACH_REPROBED:
    printf("%s: original driver unknown (no record); override cleared, the kernel chose %s\n", address, now);
    break;
  case VH_REATTACH_UNTOUCHED:
    printf("%s: not bound by vfio-hostdev and not on a VFIO driver (on %s); nothing changed\n", address, now);
    break;
  case VH_REATTACH_STUCK:
    break; /* the error line says it */
  }
}

static JsonNode *result_to_json(const VhReattachResult *result)
{
  JsonObject *object = json_object_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  const GError *error = vh_reattach_result_get_error(result);

  json_object_set_string_member(object, "address", vh_reattach_result_get_address(result));
  json_object_set_string_member(object, "outcome", vh_reattach_outcome_name(vh_reattach_result_get_outcome(result)));
  json_object_set_boolean_member(object, "group_member", vh_reattach_result_is_group_member(result));
  json_object_set_boolean_member(object, "function_member", vh_reattach_result_is_function_member(result));
  json_object_set_member(object, "original_driver", cli_json_string(vh_reattach_result_get_original_driver(result)));
  json_object_set_member(object, "driver", cli_json_string(vh_reattach_result_get_driver(result)));
  json_object_set_int_member(object, "restored_vfs", vh_reattach_result_get_restored_vfs(result));
  json_object_set_member(object, "error", cli_json_string(error != NULL ? error->message : NULL));
  json_node_take_object(node, object);
  return node;
}

/* The devices that could not be finished, as one error. */
static GError *reattach_error(const GPtrArray *results)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new();

  for (guint i = 0; i < results->len; i++)
    g_ptr_array_add(errors, (gpointer)vh_reattach_result_get_error(g_ptr_array_index(results, i)));
  return cli_results_error(errors);
}

static int reattach_as(const CliCommand *command, int argc, char **argv)
{
  gboolean json = FALSE;
  double timeout = DEFAULT_UNBIND_TIMEOUT_S;
  const GOptionEntry entries[] = {
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON array", NULL},
    {"unbind-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, "Seconds an unbind may block before the device is reported stuck (default 10)", "SECONDS"},
    {NULL},
  };
  g_autoptr(GError) error = NULL;

  if (!cli_parse(command, entries, reattach_description, &argc, &argv))
    return VH_ERROR_INVALID;
  if (argc < 2)
    return cli_usage_error(command, "missing BDF");
  if (timeout <= 0 || timeout > 3600)
    return cli_usage_error(command, "--unbind-timeout must be between 0 and 3600 seconds");
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  vh_manager_set_unbind_timeout(manager, (guint)(timeout * 1000));
  vh_manager_recover_interrupted(manager);
  g_autoptr(GPtrArray) results = vh_reattach(manager, (const char *const *)argv + 1, &error);
  if (results != NULL)
    error = reattach_error(results);
  cli_print_warnings(manager);
  if (results != NULL && json) {
    JsonArray *array = json_array_new();
    JsonNode *root = json_node_new(JSON_NODE_ARRAY);
    for (guint i = 0; i < results->len; i++)
      json_array_add_element(array, result_to_json(g_ptr_array_index(results, i)));
    json_node_take_array(root, array);
    cli_print_json(root);
  } else if (results != NULL) {
    for (guint i = 0; i < results->len; i++)
      print_result(g_ptr_array_index(results, i));
  }
  return error != NULL ? cli_fail(error) : 0;
}

static int run_reattach(int argc, char **argv)
{
  return reattach_as(&cmd_reattach, argc, argv);
}

static int run_unbind(int argc, char **argv)
{
  return reattach_as(&cmd_unbind, argc, argv);
}
