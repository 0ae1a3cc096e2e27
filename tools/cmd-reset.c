#include <stdio.h>

#include "commands.h"
#include "hd-error.h"
#include "recover.h"
#include "reset.h"

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
    return HD_ERROR_INVALID;
  if (argc != 2)
    return cli_usage_error(&cmd_reset, argc < 2 ? "missing BDF" : "expected one BDF, got %d arguments", argc - 1);
  g_autoptr(HdManager) manager = hd_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  hd_recover_interrupted(manager);
  g_autoptr(HdResetResult) result = hd_reset(manager, argv[1], method, &error);
  cli_print_warnings(manager);
  if (result == NULL)
    return cli_fail(error);
  if (json) {
    JsonObject *object = json_object_new();
    JsonArray *tried = json_array_new();
    JsonNode *root = json_node_new(JSON_NODE_OBJECT);
    json_object_set_string_member(object, "address", result->address);
    json_object_set_string_member(object, "method", result->method);
    for (guint i = 0; i < result->tried->len; i++)
      json_array_add_string_element(tried, g_ptr_array_index(result->tried, i));
    json_object_set_array_member(object, "failed_methods", tried);
    json_node_take_object(root, object);
    cli_print_json(root);
  } else {
    printf("%s: reset by %s\n", result->address, result->method);
    for (guint i = 0; i < result->tried->len; i++)
      printf("  tried first: %s\n", (const char *)g_ptr_array_index(result->tried, i));
  }
  return 0;
}
