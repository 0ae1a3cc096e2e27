// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "commands.h"
#include "device-json.h"

/* vfio's no-IOMMU mode is on and some device would get (or has) a group
 * without DMA isolation: said once, loudly, on stderr. */
static void warn_noiommu(VhManager *manager, const GPtrArray *devices)
{
  guint count = 0;

  for (guint i = 0; i < devices->len; i++)
    count += vh_device_is_noiommu(g_ptr_array_index(devices, i)) ? 1 : 0;
  if (count == 0)
    return;
  g_autofree char *warning = g_strdup_printf("vfio's unsafe no-IOMMU mode is on: %u device%s get%s "
                                             "/dev/vfio/noiommu-N groups on VFIO, with NO DMA ISOLATION (the device "
                                             "can DMA anywhere in host memory); `show` and `list --json` name them",
                                             count, count == 1 ? "" : "s", count == 1 ? "s" : "");
  vh_manager_add_warning(manager, warning);
}

static int run_list(int argc, char **argv);

const CliCommand cmd_list = {
  "list", "", "List every PCI device: driver, IOMMU group, VFIO state and the VFIO driver bind would choose.",
  run_list,
};

static const char *or_dash(const char *text)
{
  return text != NULL ? text : "-";
}

static char *vfio_column(const VhDevice *device)
{
  const char *vfio_device = vh_device_get_vfio_device(device);

  if (!vh_device_is_vfio_bound(device))
    return g_strdup("-");
  return g_strdup(vfio_device != NULL ? vfio_device : "yes");
}

static const char *or_empty(const char *text)
{
  return text != NULL ? text : "";
}

static char *description(const VhDevice *device)
{
  return g_strjoin(" ", or_empty(vh_device_get_class_name(device)), or_empty(vh_device_get_vendor_name(device)),
                   or_empty(vh_device_get_device_name(device)), NULL);
}

static void print_device_line(const VhDevice *device, const VhVfioChoice *choice)
{
  gint64 iommu_group = vh_device_get_iommu_group(device);
  g_autofree char *group = iommu_group >= 0 ? g_strdup_printf("%" G_GINT64_FORMAT, iommu_group) : g_strdup("-");
  g_autofree char *vfio = vfio_column(device);
  g_autofree char *text = g_strstrip(description(device));

  printf("%-13s %06x %04x:%04x %-14s %-5s %-7s %-16s %s\n", vh_device_get_address(device), vh_device_get_class(device),
         vh_device_get_vendor_id(device), vh_device_get_device_id(device), or_dash(vh_device_get_driver(device)),
         group, vfio, vh_vfio_choice_get_module(choice), text);
}

static int run_list(int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON array", NULL},
    {NULL},
  };
  g_autoptr(GError) error = NULL;

  if (!cli_parse(&cmd_list, entries, "Works without privileges.", &argc, &argv))
    return VH_ERROR_INVALID;
  if (argc > 1)
    return cli_usage_error(&cmd_list, "unexpected argument \"%s\"", argv[1]);
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  g_autoptr(GPtrArray) devices = vh_manager_list_devices(manager, &error);
  if (devices == NULL)
    return cli_fail(error);

  warn_noiommu(manager, devices);
  g_autoptr(JsonArray) array = json_array_new();
  if (!json)
    printf("%-13s %-6s %-9s %-14s %-5s %-7s %-16s %s\n", "ADDRESS", "CLASS", "ID", "DRIVER", "GROUP", "VFIO",
           "VFIO-DRIVER", "DESCRIPTION");
  for (guint i = 0; i < devices->len; i++) {
    const VhDevice *device = g_ptr_array_index(devices, i);
    g_autoptr(VhVfioChoice) choice = vh_manager_choose_vfio_driver(manager, device);
    if (json)
      json_array_add_element(array, device_to_json(device, choice, NULL, DEVICE_JSON_SUMMARY));
    else
      print_device_line(device, choice);
  }
  if (json) {
    JsonNode *root = json_node_new(JSON_NODE_ARRAY);
    json_node_set_array(root, array);
    cli_print_json(root);
  }
  if (vh_manager_get_iommu_problem(manager) != NULL)
    vh_manager_add_warning(manager, vh_manager_get_iommu_problem(manager));
  cli_print_warnings(manager);
  return 0;
}
