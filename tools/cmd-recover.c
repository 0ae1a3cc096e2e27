// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "commands.h"
#include "owner-json.h"

static int run_recover(int argc, char **argv);

const CliCommand cmd_recover = {
  "recover", "", "Finish or roll back what an interrupted prepare, release or bind left half done.", run_recover,
};

static const char recover_description[] =
  "Reads /run/vfio-hostdev/: an interrupted prepare is rolled back (every device it touched back\n"
  "where it was), an interrupted release is finished, a bind killed half way is rolled back.\n"
  "Operations still running in another process are left alone. Commands that change devices do\n"
  "this first on their own; running it twice is harmless.";

#define DEFAULT_UNBIND_TIMEOUT_S 10.0

static JsonNode *entry_to_json(const VhRecoverEntry *entry)
{
  JsonObject *object = json_object_new();
  JsonArray *devices = json_array_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  const GPtrArray *results = vh_recover_entry_get_devices(entry);
  const GError *error = vh_recover_entry_get_error(entry);

  for (guint i = 0; i < results->len; i++)
    json_array_add_element(devices, owner_json_release_result(g_ptr_array_index(results, i)));
  json_object_set_member(object, "owner", cli_json_string(vh_recover_entry_get_owner(entry)));
  json_object_set_string_member(object, "operation", vh_recover_entry_get_operation(entry));
  json_object_set_string_member(object, "action", vh_recover_action_name(vh_recover_entry_get_action(entry)));
  json_object_set_array_member(object, "devices", devices);
  json_object_set_member(object, "error", cli_json_string(error != NULL ? error->message : NULL));
  json_node_take_object(node, object);
  return node;
}

/* The worst failure decides the exit code; a busy operation is not one. */
static int exit_code(const GPtrArray *entries)
{
  int code = 0;

  for (guint i = 0; i < entries->len; i++) {
    const GError *error = vh_recover_entry_get_error(g_ptr_array_index(entries, i));
    if (error != NULL)
      code = MAX(code, vh_error_exit_code(error));
  }
  return code;
}

static int run_recover(int argc, char **argv)
{
  gboolean json = FALSE;
  double timeout = DEFAULT_UNBIND_TIMEOUT_S;
  const GOptionEntry entries[] = {
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON array", NULL},
    {"unbind-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, "Seconds an unbind may block before the device is reported stuck (default 10)", "SECONDS"},
    {NULL},
  };
  g_autoptr(GError) error = NULL;

  if (!cli_parse(&cmd_recover, entries, recover_description, &argc, &argv))
    return VH_ERROR_INVALID;
  if (argc > 1)
    return cli_usage_error(&cmd_recover, "unexpected argument \"%s\"", argv[1]);
  if (timeout <= 0 || timeout > 3600)
    return cli_usage_error(&cmd_recover, "--unbind-timeout must be between 0 and 3600 seconds");
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  vh_manager_set_unbind_timeout(manager, (guint)(timeout * 1000));
  g_autoptr(GPtrArray) found = vh_recover(manager, &error);
  if (found == NULL)
    return cli_fail(error);
  if (json) {
    JsonArray *array = json_array_new();
    JsonNode *root = json_node_new(JSON_NODE_ARRAY);
    for (guint i = 0; i < found->len; i++)
      json_array_add_element(array, entry_to_json(g_ptr_array_index(found, i)));
    json_node_take_array(root, array);
    cli_print_json(root);
  } else if (found->len == 0) {
    printf("nothing to recover\n");
  }
  for (guint i = 0; !json && i < found->len; i++) {
    const VhRecoverEntry *entry = g_ptr_array_index(found, i);
    g_autofree char *text = vh_recover_entry_describe(entry);
    if (vh_recover_entry_get_action(entry) == VH_RECOVER_FAILED)
      fprintf(stderr, "vfio-hostdev: %s\n", text);
    else
      puts(text);
  }
  return exit_code(found);
}
