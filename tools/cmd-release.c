// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "commands.h"
#include "owner-json.h"

static int run_release(int argc, char **argv);

const CliCommand cmd_release = {
  "release", "--owner NAME", "Give back the devices of one VM: managed ones to their original drivers.", run_release,
};

static const char release_description[] =
  "Managed devices go back to exactly the driver, driver_override and VF count they had before\n"
  "prepare; unmanaged ones (and ones that were on VFIO before) stay on their VFIO driver; devices\n"
  "that have disappeared are dropped with a warning; group nodes and cdevs get their previous owner\n"
  "and mode back. Only NAME's devices are touched. Refused while a process (the VM) still holds a\n"
  "device's group node or cdev open. Releasing an owner that holds nothing succeeds.";

#define DEFAULT_UNBIND_TIMEOUT_S 10.0

static void print_json(const char *owner, const GPtrArray *results)
{
  JsonObject *object = json_object_new();
  JsonArray *devices = json_array_new();
  JsonNode *root = json_node_new(JSON_NODE_OBJECT);

  for (guint i = 0; i < results->len; i++)
    json_array_add_element(devices, owner_json_release_result(g_ptr_array_index(results, i)));
  json_object_set_string_member(object, "owner", owner);
  json_object_set_array_member(object, "devices", devices);
  json_node_take_object(root, object);
  cli_print_json(root);
}

static void print_plain(const char *owner, const GPtrArray *results)
{
  guint shown = 0;

  for (guint i = 0; i < results->len; i++) {
    const VhReleaseResult *result = g_ptr_array_index(results, i);
    VhReleaseOutcome outcome = vh_release_result_get_outcome(result);
    if (outcome == VH_RELEASE_NOT_OWNED || outcome == VH_RELEASE_STUCK)
      continue; /* not the owner's; the error line says what is stuck */
    g_autofree char *line = owner_text_release_result(result);
    puts(line);
    shown++;
  }
  if (shown == 0 && results->len == 0)
    printf("owner %s holds no devices; nothing to do\n", owner);
}

static void warn_gone(const GPtrArray *results)
{
  for (guint i = 0; i < results->len; i++) {
    const VhReleaseResult *result = g_ptr_array_index(results, i);
    if (vh_release_result_get_outcome(result) == VH_RELEASE_GONE)
      fprintf(stderr, "vfio-hostdev: warning: %s has disappeared (hot-unplugged?); its record was dropped\n",
              vh_release_result_get_address(result));
  }
}

/* The devices that could not be given back, as one error. */
static GError *release_error(const char *owner, const GPtrArray *results)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new();

  for (guint i = 0; i < results->len; i++)
    g_ptr_array_add(errors, (gpointer)vh_release_result_get_error(g_ptr_array_index(results, i)));
  GError *error = cli_results_error(errors);
  if (error != NULL) {
    g_prefix_error(&error, "owner %s: ", owner);
    g_autofree char *message = g_strdup_printf("%s; `vfio-hostdev status` shows what is left, `vfio-hostdev "
                                               "recover` tries again", error->message);
    g_free(error->message);
    error->message = g_steal_pointer(&message);
  }
  return error;
}

static int run_release(int argc, char **argv)
{
  g_autofree char *owner = NULL;
  gboolean json = FALSE;
  double timeout = DEFAULT_UNBIND_TIMEOUT_S;
  const GOptionEntry entries[] = {
    {"owner", 0, 0, G_OPTION_ARG_STRING, &owner, "The VM whose devices to give back", "NAME"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON object", NULL},
    {"unbind-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, "Seconds an unbind may block before the device is reported stuck (default 10)", "SECONDS"},
    {NULL},
  };
  g_autoptr(GError) error = NULL;

  if (!cli_parse(&cmd_release, entries, release_description, &argc, &argv))
    return VH_ERROR_INVALID;
  if (owner == NULL)
    return cli_usage_error(&cmd_release, "--owner NAME is required");
  if (argc > 1)
    return cli_usage_error(&cmd_release, "unexpected argument \"%s\"", argv[1]);
  if (timeout <= 0 || timeout > 3600)
    return cli_usage_error(&cmd_release, "--unbind-timeout must be between 0 and 3600 seconds");
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  vh_manager_set_unbind_timeout(manager, (guint)(timeout * 1000));
  vh_manager_recover_interrupted(manager);
  g_autoptr(GPtrArray) results = vh_release(manager, owner, &error);
  if (results != NULL)
    error = release_error(owner, results);
  cli_print_warnings(manager);
  if (results != NULL) {
    warn_gone(results);
    if (json)
      print_json(owner, results);
    else
      print_plain(owner, results);
  }
  return error != NULL ? cli_fail(error) : 0;
}
