#include <stdio.h>

#include "commands.h"
#include "device-json.h"
#include "hd-error.h"
#include "iommu-group.h"

static int run_show(int argc, char **argv);

const CliCommand cmd_show = {
  "show", "BDF", "Show everything known about one PCI device, including its IOMMU group's members.", run_show,
};

/* The group's members as devices, so that their drivers can be shown too.
 * Members that vanish meanwhile are left out. */
static GPtrArray *load_group_members(HdManager *manager, const HdDevice *device, GError **error)
{
  GPtrArray *members = g_ptr_array_new_with_free_func((GDestroyNotify)hd_device_free);

  if (device->iommu_group < 0)
    return members;
  g_autoptr(GPtrArray) names = hd_iommu_group_members(device->iommu_group, error);
  if (names == NULL) {
    g_ptr_array_unref(members);
    return NULL;
  }
  for (guint i = 0; i < names->len; i++) {
    HdDevice *member = hd_device_load_by_name(manager, g_ptr_array_index(names, i), NULL);
    if (member != NULL)
      g_ptr_array_add(members, member);
  }
  return members;
}

static void print_field(const char *label, const char *value)
{
  printf("%-18s %s\n", label, value != NULL ? value : "-");
}

static void print_group(const HdDevice *device, const GPtrArray *members)
{
  if (device->iommu_group < 0) {
    print_field("IOMMU group:", "none");
    return;
  }
  g_autofree char *group = g_strdup_printf("%" G_GINT64_FORMAT " (%u device%s)", device->iommu_group, members->len,
                                           members->len == 1 ? "" : "s");
  print_field("IOMMU group:", group);
  for (guint i = 0; i < members->len; i++) {
    const HdDevice *member = g_ptr_array_index(members, i);
    printf("  %-16s driver %s%s%s\n", member->address, member->driver != NULL ? member->driver : "(none)",
           member->vfio.bound ? ", VFIO" : "", member->is_bridge ? ", bridge" : "");
  }
}

static void print_vfio(const HdDevice *device)
{
  if (!device->vfio.bound) {
    print_field("VFIO:", "not bound to a VFIO driver");
    return;
  }
  g_autofree char *state = g_strdup_printf("bound (%s, by %s)", device->vfio.device != NULL ? device->vfio.device : "no vfio-dev",
                                           device->vfio.rule);
  print_field("VFIO:", state);
  print_field("  group node:", device->vfio.group_node);
  print_field("  cdev:", device->vfio.cdev);
}

static void print_sriov(const HdDevice *device)
{
  if (device->sriov_totalvfs > 0) {
    g_autofree char *vfs = g_strdup_printf("%u of %u VFs enabled", device->sriov_numvfs, device->sriov_totalvfs);
    print_field("SR-IOV:", vfs);
    for (guint i = 0; i < device->vfs->len; i++)
      printf("  %s\n", (const char *)g_ptr_array_index(device->vfs, i));
  }
  if (device->physfn != NULL)
    print_field("Physical function:", device->physfn);
}

static void print_plain(const HdDevice *device, const HdVfioChoice *choice, const GPtrArray *members)
{
  g_autofree char *ids = g_strdup_printf("%04x:%04x (subsystem %04x:%04x) class %06x rev %02x", device->vendor_id,
                                         device->device_id, device->subsystem_vendor_id, device->subsystem_device_id,
                                         device->class_code, device->revision);
  g_autofree char *names = g_strjoin(" ", device->vendor_name != NULL ? device->vendor_name : "",
                                     device->device_name != NULL ? device->device_name : "", NULL);
  g_autofree char *resets = g_strjoinv(" ", device->reset_methods);
  g_autofree char *numa = device->numa_node >= 0 ? g_strdup_printf("%" G_GINT64_FORMAT, device->numa_node) : NULL;

  print_field("Address:", device->address);
  print_field("IDs:", ids);
  print_field("Name:", g_strstrip(names));
  print_field("Class name:", device->class_name);
  print_field("Sysfs path:", device->syspath);
  print_field("Modalias:", device->modalias);
  print_field("Driver:", device->driver);
  print_field("Driver module:", device->driver_module);
  print_field("Driver override:", device->driver_override);
  print_vfio(device);
  print_group(device, members);
  print_field("Reset methods:", *resets != '\0' ? resets : "none");
  print_field("NUMA node:", numa);
  print_sriov(device);
  print_field("Bridge:", device->is_bridge ? "yes" : "no");
  print_field("VFIO driver:", choice->module);
  print_field("  because:", choice->reason);
}

static int run_show(int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON object", NULL},
    {NULL},
  };
  g_autoptr(GError) error = NULL;

  if (!cli_parse(&cmd_show, entries, "BDF is DDDD:BB:DD.F or BB:DD.F.", &argc, &argv))
    return HD_ERROR_INVALID;
  if (argc != 2)
    return cli_usage_error(&cmd_show, argc < 2 ? "missing BDF" : "expected one BDF, got %d arguments", argc - 1);
  g_autoptr(HdManager) manager = hd_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  g_autoptr(HdDevice) device = hd_device_load_by_name(manager, argv[1], &error);
  if (device == NULL)
    return cli_fail(error);
  g_autoptr(GPtrArray) members = load_group_members(manager, device, &error);
  if (members == NULL)
    return cli_fail(error);
  g_autoptr(HdVfioChoice) choice = hd_vfio_choose(manager, device->modalias);
  if (device->iommu_group < 0 && !hd_iommu_groups_present())
    hd_manager_warn(manager, "%s", hd_iommu_enable_hint());
  if (json)
    cli_print_json(device_to_json(device, choice, members, DEVICE_JSON_DETAIL));
  else
    print_plain(device, choice, members);
  cli_print_warnings(manager);
  return 0;
}
