#include <stdio.h>

#include "bind.h"
#include "commands.h"
#include "hd-error.h"
#include "recover.h"
#include "sysfs-paths.h"

static int run_bind(int argc, char **argv);

const CliCommand cmd_bind = {
  "bind", "BDF...", "Bind devices to their VFIO driver: group-aware, safe, verified and exactly restorable.", run_bind,
};

static const char bind_description[] =
  "Checks first, changes nothing on refusal: the IOMMU group must be viable (--group binds its\n"
  "host-driven members too), the host must not be using the device (--force overrides), a PF's\n"
  "VFs are disabled when none is in use. The original driver, driver_override and VF count are\n"
  "recorded in /run/vfio-hostdev/ for `vfio-hostdev reattach`. A failure rolls everything back.";

/* Default of --unbind-timeout: a healthy unbind takes well under a second. */
#define DEFAULT_UNBIND_TIMEOUT_S 10.0

static void print_planned(const HdBindResult *result)
{
  g_autoptr(GString) plan = g_string_new(NULL);

  if (result->disable_vfs > 0)
    g_string_append_printf(plan, "disable its %u VFs, ", result->disable_vfs);
  if (result->original_driver != NULL)
    g_string_append_printf(plan, "unbind it from %s, ", result->original_driver);
  if (result->module != NULL)
    g_string_append_printf(plan, "load module %s, bind it to %s", result->module,
                           result->driver != NULL ? result->driver : "the PCI driver it registers");
  else
    g_string_append_printf(plan, "bind it to %s", result->driver);
  printf("%s: would %s%s\n", result->address, plan->str, result->group_member ? " (member of its IOMMU group)" : "");
}

static void print_result(const HdBindResult *result)
{
  switch (result->outcome) {
  case HD_BIND_PLANNED:
    print_planned(result);
    break;
  case HD_BIND_ALREADY:
    printf("%s: already bound to %s (%s); nothing changed\n", result->address,
           result->driver != NULL ? result->driver : "a VFIO driver",
           result->vfio_device != NULL ? result->vfio_device : "no vfio-dev");
    break;
  case HD_BIND_BOUND: {
    g_autofree char *node = hd_path_vfio_group_node(result->group);
    printf("%s: bound to %s (%s, %s); was %s%s%s\n", result->address, result->driver, result->vfio_device, node,
           result->original_driver != NULL ? "on " : "unbound",
           result->original_driver != NULL ? result->original_driver : "",
           result->disable_vfs > 0 ? ", its VFs disabled" : "");
    break;
  }
  case HD_BIND_ROLLED_BACK:
  case HD_BIND_STUCK:
    break; /* the error line says it */
  }
}

static JsonNode *string_or_null(const char *text)
{
  JsonNode *node = json_node_new(text != NULL ? JSON_NODE_VALUE : JSON_NODE_NULL);

  if (text != NULL)
    json_node_set_string(node, text);
  return node;
}

static JsonNode *result_to_json(const HdBindResult *result)
{
  JsonObject *object = json_object_new();
  JsonArray *forced = json_array_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);

  json_object_set_string_member(object, "address", result->address);
  json_object_set_string_member(object, "outcome", hd_bind_outcome_name(result->outcome));
  json_object_set_int_member(object, "iommu_group", result->group);
  json_object_set_boolean_member(object, "group_member", result->group_member);
  json_object_set_member(object, "original_driver", string_or_null(result->original_driver));
  json_object_set_member(object, "original_override", string_or_null(result->original_override));
  json_object_set_member(object, "driver", string_or_null(result->driver));
  json_object_set_member(object, "module", string_or_null(result->module));
  json_object_set_member(object, "vfio_device", string_or_null(result->vfio_device));
  json_object_set_int_member(object, "disabled_vfs", result->disable_vfs);
  for (guint i = 0; i < result->forced->len; i++)
    json_array_add_string_element(forced, g_ptr_array_index(result->forced, i));
  json_object_set_array_member(object, "forced", forced);
  json_object_set_member(object, "error", string_or_null(result->error != NULL ? result->error->message : NULL));
  json_node_take_object(node, object);
  return node;
}

static void print_results(const GPtrArray *results, gboolean json)
{
  JsonArray *array = json_array_new();
  JsonNode *root = json_node_new(JSON_NODE_ARRAY);

  for (guint i = 0; i < results->len; i++) {
    const HdBindResult *result = g_ptr_array_index(results, i);
    if (json)
      json_array_add_element(array, result_to_json(result));
    else
      print_result(result);
    for (guint j = 0; j < result->forced->len; j++)
      fprintf(stderr, "vfio-hostdev: warning: --force: %s: %s\n", result->address,
              (const char *)g_ptr_array_index(result->forced, j));
  }
  json_node_take_array(root, array);
  if (json)
    cli_print_json(root);
  else
    json_node_unref(root);
}

static int run_bind(int argc, char **argv)
{
  g_autofree char *driver = NULL;
  gboolean group = FALSE, force = FALSE, dry_run = FALSE, json = FALSE;
  double timeout = DEFAULT_UNBIND_TIMEOUT_S;
  const GOptionEntry entries[] = {
    {"driver", 0, 0, G_OPTION_ARG_STRING, &driver, "The VFIO driver (a driver or module name) instead of the variant rule's", "NAME"},
    {"group", 0, 0, G_OPTION_ARG_NONE, &group, "Also bind the IOMMU group's members that hold a host driver", NULL},
    {"force", 0, 0, G_OPTION_ARG_NONE, &force, "Unbind even a device the host is using, or a PF whose VFs are in use", NULL},
    {"dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Print the plan; change nothing", NULL},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON array", NULL},
    {"unbind-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, "Seconds an unbind may block before the device is reported stuck (default 10)", "SECONDS"},
    {NULL},
  };
  g_autoptr(GError) error = NULL;

  if (!cli_parse(&cmd_bind, entries, bind_description, &argc, &argv))
    return HD_ERROR_INVALID;
  if (argc < 2)
    return cli_usage_error(&cmd_bind, "missing BDF");
  if (timeout <= 0 || timeout > 3600)
    return cli_usage_error(&cmd_bind, "--unbind-timeout must be between 0 and 3600 seconds");
  g_autoptr(HdManager) manager = hd_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  /* a dry run changes nothing, not even what a crash left */
  if (!dry_run)
    hd_recover_interrupted(manager);
  HdBindOptions options = {driver, group, force, dry_run, (guint)(timeout * 1000)};
  g_autoptr(GPtrArray) results = hd_bind(manager, (const char *const *)argv + 1, &options, &error);
  cli_print_warnings(manager);
  if (results != NULL)
    print_results(results, json);
  return error != NULL ? cli_fail(error) : 0;
}
