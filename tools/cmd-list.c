#include <stdio.h>

#include "commands.h"
#include "enumerate.h"
#include "hd-error.h"
#include "iommu-group.h"
#include "device-json.h"

static int run_list(int argc, char **argv);

const CliCommand cmd_list = {
  "list", "", "List every PCI device: driver, IOMMU group, VFIO state and the VFIO driver bind would choose.",
  run_list,
};

static const char *or_dash(const char *text)
{
  return text != NULL ? text : "-";
}

static char *vfio_column(const HdDevice *device)
{
  if (!device->vfio.bound)
    return g_strdup("-");
  return g_strdup(device->vfio.device != NULL ? device->vfio.device : "yes");
}

static char *description(const HdDevice *device)
{
  return g_strjoin(" ", device->class_name != NULL ? device->class_name : "", device->vendor_name != NULL ? device->vendor_name : "",
                   device->device_name != NULL ? device->device_name : "", NULL);
}

static void print_device_line(const HdDevice *device, const HdVfioChoice *choice)
{
  g_autofree char *group = device->iommu_group >= 0 ? g_strdup_printf("%" G_GINT64_FORMAT, device->iommu_group)
                                                     : g_strdup("-");
  g_autofree char *vfio = vfio_column(device);
  g_autofree char *text = g_strstrip(description(device));

  printf("%-13s %06x %04x:%04x %-14s %-5s %-7s %-16s %s\n", device->address, device->class_code,
         device->vendor_id, device->device_id, or_dash(device->driver), group, vfio, choice->module, text);
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
    return HD_ERROR_INVALID;
  if (argc > 1)
    return cli_usage_error(&cmd_list, "unexpected argument \"%s\"", argv[1]);
  g_autoptr(HdManager) manager = hd_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  g_autoptr(GPtrArray) devices = hd_enumerate_devices(manager, &error);
  if (devices == NULL)
    return cli_fail(error);

  g_autoptr(JsonArray) array = json_array_new();
  if (!json)
    printf("%-13s %-6s %-9s %-14s %-5s %-7s %-16s %s\n", "ADDRESS", "CLASS", "ID", "DRIVER", "GROUP", "VFIO",
           "VFIO-DRIVER", "DESCRIPTION");
  for (guint i = 0; i < devices->len; i++) {
    const HdDevice *device = g_ptr_array_index(devices, i);
    g_autoptr(HdVfioChoice) choice = hd_vfio_choose(manager, device->modalias);
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
  if (!hd_iommu_groups_present())
    hd_manager_warn(manager, "%s", hd_iommu_enable_hint());
  cli_print_warnings(manager);
  return 0;
}
