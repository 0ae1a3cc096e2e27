// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "commands.h"
#include "persist-cli.h"

static int run_bind(int argc, char **argv);

const CliCommand cmd_bind = {
  "bind", "BDF...", "Bind devices to their VFIO driver: group-aware, safe, verified and exactly restorable.", run_bind,
};

static const char bind_description[] =
  "Checks first, changes nothing on refusal: the IOMMU group must be viable (--group binds its\n"
  "host-driven members too), the host must not be using the device (--force overrides), a PF's\n"
  "VFs are disabled when none is in use. The original driver, driver_override and VF count, and\n"
  "each VF's driver and driver_override, are recorded in /run/vfio-hostdev/ for\n"
  "`vfio-hostdev reattach`. A failure rolls everything back.\n"
  "--functions binds whole devices: every function of each device's slot (a GPU with its HDA\n"
  "audio, USB and UCSI functions), even in separate IOMMU groups, and the PCI devices the kernel\n"
  "links to them (sysfs consumer:pci:/supplier:pci: device links), each checked like a named\n"
  "device; reattaching any of them brings back the others.\n"
  "A device without an IOMMU, which vfio's enable_unsafe_noiommu_mode would put in a no-IOMMU\n"
  "group (/dev/vfio/noiommu-N: no DMA isolation, for userspace drivers such as DPDK; QEMU\n"
  "cannot use it), is refused unless --noiommu; such a binding is never persisted.";

/* Why a device no one named is in the results. */
static const char *added_because(const VhBindResult *result)
{
  if (vh_bind_result_is_group_member(result))
    return " (member of its IOMMU group)";
  if (vh_bind_result_is_function_member(result))
    return " (function of a named device)";
  return "";
}

/* Default of --unbind-timeout: a healthy unbind takes well under a second. */
#define DEFAULT_UNBIND_TIMEOUT_S 10.0

static void print_planned(const VhBindResult *result)
{
  g_autoptr(GString) plan = g_string_new(NULL);
  guint disable_vfs = vh_bind_result_get_disabled_vfs(result);
  const char *original = vh_bind_result_get_original_driver(result);
  const char *module = vh_bind_result_get_module(result);
  const char *driver = vh_bind_result_get_driver(result);

  if (disable_vfs > 0)
    g_string_append_printf(plan, "disable its %u VFs, ", disable_vfs);
  if (original != NULL)
    g_string_append_printf(plan, "unbind it from %s, ", original);
  if (module != NULL)
    g_string_append_printf(plan, "load module %s, bind it to %s", module,
                           driver != NULL ? driver : "the PCI driver it registers");
  else
    g_string_append_printf(plan, "bind it to %s", driver);
  printf("%s: would %s%s\n", vh_bind_result_get_address(result), plan->str, added_because(result));
}

/* The node to open: the group's, or the cdev on a kernel without groups. */
static char *device_node(const VhBindResult *result)
{
  const char *group_node = vh_bind_result_get_group_node(result);
  const char *vfio_device = vh_bind_result_get_vfio_device(result);

  if (group_node != NULL)
    return g_strdup(group_node);
  return g_strdup_printf("/dev/vfio/devices/%s", vfio_device);
}

static void print_result(const VhBindResult *result)
{
  const char *address = vh_bind_result_get_address(result);
  const char *driver = vh_bind_result_get_driver(result);
  const char *vfio_device = vh_bind_result_get_vfio_device(result);
  const char *original = vh_bind_result_get_original_driver(result);
  g_autofree char *node = NULL;

  switch (vh_bind_result_get_outcome(result)) {
  case VH_BIND_PLANNED:
    print_planned(result);
    break;
  case VH_BIND_ALREADY:
    printf("%s: already bound to %s (%s); nothing changed\n", address, driver != NULL ? driver : "a VFIO driver",
           vfio_device != NULL ? vfio_device : "no vfio-dev");
    break;
  case VH_BIND_BOUND:
    node = device_node(result);
    printf("%s: bound to %s (%s, %s); was %s%s%s%s\n", address, driver,
           vfio_device != NULL ? vfio_device : "no vfio-dev", node, original != NULL ? "on " : "unbound",
           original != NULL ? original : "", vh_bind_result_get_disabled_vfs(result) > 0 ? ", its VFs disabled" : "",
           added_because(result));
    break;
  case VH_BIND_ROLLED_BACK:
  case VH_BIND_STUCK:
    break; /* the error line says it */
  }
}

static JsonNode *result_to_json(const VhBindResult *result, GHashTable *persisted)
{
  JsonObject *object = json_object_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  const char *address = vh_bind_result_get_address(result);
  const GError *error = vh_bind_result_get_error(result);

  json_object_set_string_member(object, "address", address);
  json_object_set_string_member(object, "outcome", vh_bind_outcome_name(vh_bind_result_get_outcome(result)));
  json_object_set_int_member(object, "iommu_group", vh_bind_result_get_iommu_group(result));
  json_object_set_boolean_member(object, "group_member", vh_bind_result_is_group_member(result));
  json_object_set_boolean_member(object, "function_member", vh_bind_result_is_function_member(result));
  json_object_set_member(object, "original_driver", cli_json_string(vh_bind_result_get_original_driver(result)));
  json_object_set_member(object, "original_override", cli_json_string(vh_bind_result_get_original_override(result)));
  json_object_set_member(object, "driver", cli_json_string(vh_bind_result_get_driver(result)));
  json_object_set_member(object, "module", cli_json_string(vh_bind_result_get_module(result)));
  json_object_set_member(object, "vfio_device", cli_json_string(vh_bind_result_get_vfio_device(result)));
  json_object_set_int_member(object, "disabled_vfs", vh_bind_result_get_disabled_vfs(result));
  json_object_set_member(object, "forced", cli_json_strings(vh_bind_result_get_forced(result)));
  json_object_set_member(object, "error", cli_json_string(error != NULL ? error->message : NULL));
  json_object_set_boolean_member(object, "persisted", cli_persisted(persisted, address));
  json_node_take_object(node, object);
  return node;
}

static void print_results(const GPtrArray *results, GHashTable *persisted, gboolean json)
{
  JsonArray *array = json_array_new();
  JsonNode *root = json_node_new(JSON_NODE_ARRAY);

  for (guint i = 0; i < results->len; i++) {
    const VhBindResult *result = g_ptr_array_index(results, i);
    const GPtrArray *forced = vh_bind_result_get_forced(result);
    if (json)
      json_array_add_element(array, result_to_json(result, persisted));
    else
      print_result(result);
    for (guint j = 0; j < forced->len; j++)
      fprintf(stderr, "vfio-hostdev: warning: --force: %s: %s\n", vh_bind_result_get_address(result),
              (const char *)g_ptr_array_index(forced, j));
  }
  json_node_take_array(root, array);
  if (json)
    cli_print_json(root);
  else
    json_node_unref(root);
}

/* The devices that were rolled back or are stuck, as one error. */
static GError *bind_error(const GPtrArray *results)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new();

  for (guint i = 0; i < results->len; i++)
    g_ptr_array_add(errors, (gpointer)vh_bind_result_get_error(g_ptr_array_index(results, i)));
  return cli_results_error(errors);
}

static int run_bind(int argc, char **argv)
{
  g_autofree char *driver = NULL;
  gboolean group = FALSE, functions = FALSE, force = FALSE, dry_run = FALSE, json = FALSE, persist = FALSE,
           noiommu = FALSE;
  gboolean no_initramfs = FALSE;
  double timeout = DEFAULT_UNBIND_TIMEOUT_S;
  const GOptionEntry entries[] = {
    {"driver", 0, 0, G_OPTION_ARG_STRING, &driver, "The VFIO driver (a driver or module name) instead of the variant rule's", "NAME"},
    {"group", 0, 0, G_OPTION_ARG_NONE, &group, "Also bind the IOMMU group's members that hold a host driver", NULL},
    {"functions", 0, 0, G_OPTION_ARG_NONE, &functions, "Bind every function of each device and the devices linked to it", NULL},
    {"force", 0, 0, G_OPTION_ARG_NONE, &force, "Unbind even a device the host is using, or a PF whose VFs are in use", NULL},
    {"noiommu", 0, 0, G_OPTION_ARG_NONE, &noiommu, "Also bind a device that gets a no-IOMMU group (no DMA isolation)", NULL},
    {"dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Print the plan; change nothing", NULL},
    {"persist", 0, 0, G_OPTION_ARG_NONE, &persist, "Also bind them at every boot (/etc/vfio-hostdev/devices/)", NULL},
    {"no-initramfs", 0, 0, G_OPTION_ARG_NONE, &no_initramfs, "With --persist: do not run update-initramfs -u", NULL},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON array", NULL},
    {"unbind-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, "Seconds an unbind may block before the device is reported stuck (default 10)", "SECONDS"},
    {NULL},
  };
  g_autoptr(GError) error = NULL;

  if (!cli_parse(&cmd_bind, entries, bind_description, &argc, &argv))
    return VH_ERROR_INVALID;
  if (argc < 2)
    return cli_usage_error(&cmd_bind, "missing BDF");
  if (noiommu && persist)
    return cli_usage_error(&cmd_bind, "--noiommu bindings are never persisted (persist-apply binds without it)");
  /* whole milliseconds: 0 would mean "the default" to the library */
  if (timeout < 0.001 || timeout > 3600)
    return cli_usage_error(&cmd_bind, "--unbind-timeout must be between 0.001 and 3600 seconds");
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL || (persist && !cli_persist_ready(dry_run, &error)))
    return cli_fail(error);
  /* a dry run changes nothing, not even what a crash left */
  if (!dry_run)
    vh_manager_recover_interrupted(manager);
  vh_manager_set_unbind_timeout(manager, (guint)(timeout * 1000));
  VhBindFlags flags = (group ? VH_BIND_GROUP : 0) | (force ? VH_BIND_FORCE : 0) | (dry_run ? VH_BIND_DRY_RUN : 0) |
                      (noiommu ? VH_BIND_NOIOMMU : 0) | (functions ? VH_BIND_FUNCTIONS : 0);
  g_autoptr(GPtrArray) results = vh_bind(manager, (const char *const *)argv + 1, driver, flags, &error);
  if (results != NULL)
    error = bind_error(results);
  g_autoptr(GHashTable) persisted = persist && error == NULL ? cli_persist_bound(results, group, force, dry_run, !no_initramfs, &error) : NULL;
  cli_print_warnings(manager);
  if (results != NULL)
    print_results(results, persisted, json);
  if (persisted != NULL && !json)
    cli_persist_print(persisted, dry_run);
  return error != NULL ? cli_fail(error) : 0;
}
