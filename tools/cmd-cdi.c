// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "commands.h"

static int run_cdi(int argc, char **argv);

const CliCommand cmd_cdi = {
  "cdi", "--owner NAME [--output DIR|-]", "Write a CDI spec of one owner's prepared devices for container runtimes.",
  run_cdi,
};

static const char cdi_description[] =
  "Writes a CDI (Container Device Interface) spec for the devices prepared for NAME into DIR\n"
  "(default /var/run/cdi) as vfio-hostdev-NAME.json, atomically, replacing an older one; with\n"
  "--output - prints it instead. Kind " VH_CDI_KIND ": one device per PCI device, named by\n"
  "its address with '-' for ':' (" VH_CDI_KIND "=0000-01-00.0), and one named NAME with all of\n"
  "them; each lists the nodes the kernel offers: the group node and /dev/vfio/vfio, the cdev and\n"
  "/dev/iommu. `release --owner NAME` removes the file. Give a container the devices with\n"
  "`podman run --device " VH_CDI_KIND "=NAME ...` (docs/containers.md).";

/* The qualified names ("kind=name") of the spec's devices. */
static JsonArray *qualified_names(JsonObject *spec)
{
  JsonArray *devices = json_object_get_array_member(spec, "devices");
  JsonArray *names = json_array_new();

  for (guint i = 0; i < json_array_get_length(devices); i++) {
    const char *name = json_object_get_string_member(json_array_get_object_element(devices, i), "name");
    g_autofree char *qualified = g_strdup_printf("%s=%s", VH_CDI_KIND, name);
    json_array_add_string_element(names, qualified);
  }
  return names;
}

static void print_result(const char *owner, const char *path, JsonObject *spec, gboolean json)
{
  g_autoptr(JsonArray) names = qualified_names(spec);

  if (!json) {
    printf("wrote %s (cdiVersion %s)\n", path, json_object_get_string_member(spec, "cdiVersion"));
    for (guint i = 0; i < json_array_get_length(names); i++)
      printf("  %s\n", json_array_get_string_element(names, i));
    return;
  }
  JsonObject *object = json_object_new();
  JsonNode *root = json_node_new(JSON_NODE_OBJECT);
  json_object_set_string_member(object, "owner", owner);
  json_object_set_string_member(object, "path", path);
  json_object_set_string_member(object, "kind", VH_CDI_KIND);
  json_object_set_string_member(object, "cdi_version", json_object_get_string_member(spec, "cdiVersion"));
  json_object_set_array_member(object, "devices", json_array_ref(names));
  json_node_take_object(root, object);
  cli_print_json(root);
}

/* Writes the spec, then reports what the file holds. */
static int write_spec(VhManager *manager, const char *owner, const char *dir, gboolean json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = vh_cdi_write(manager, owner, dir, &error);
  g_autoptr(JsonParser) parser = json_parser_new();

  if (path == NULL)
    return cli_fail(error);
  if (!json_parser_load_from_file(parser, path, &error))
    return cli_fail(error);
  print_result(owner, path, json_node_get_object(json_parser_get_root(parser)), json);
  return 0;
}

static int run_cdi(int argc, char **argv)
{
  g_autofree char *owner = NULL;
  g_autofree char *output = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    {"owner", 0, 0, G_OPTION_ARG_STRING, &owner, "The owner (VM, pod) whose prepared devices to describe", "NAME"},
    {"output", 0, 0, G_OPTION_ARG_FILENAME, &output, "Directory for the spec (default /var/run/cdi), or - for standard output", "DIR"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON object (the file written and its devices)", NULL},
    {NULL},
  };
  g_autoptr(GError) error = NULL;

  if (!cli_parse(&cmd_cdi, entries, cdi_description, &argc, &argv))
    return VH_ERROR_INVALID;
  if (owner == NULL)
    return cli_usage_error(&cmd_cdi, "--owner NAME is required");
  if (argc > 1)
    return cli_usage_error(&cmd_cdi, "unexpected argument \"%s\"", argv[1]);
  if (output != NULL && output[0] == '\0')
    return cli_usage_error(&cmd_cdi, "--output needs a directory or -");
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  if (g_strcmp0(output, "-") != 0)
    return write_spec(manager, owner, output, json);
  g_autofree char *spec = vh_cdi_spec(manager, owner, &error);
  if (spec == NULL)
    return cli_fail(error);
  puts(spec);
  return 0;
}
