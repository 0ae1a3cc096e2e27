// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "commands.h"
#include "device-json.h"

static int run_show(int argc, char **argv);

const CliCommand cmd_show = {
  "show", "BDF", "Show everything known about one PCI device, including its IOMMU group's members.", run_show,
};

#define SHOW_DESCRIPTION                                                                          \
  "BDF is DDDD:BB:DD.F or BB:DD.F.\n\n"                                                          \
  "Migration: without --probe-migration, what debugfs says (/sys/kernel/debug/vfio/BDF/migration/,\n" \
  "CONFIG_VFIO_DEBUGFS); the device is not touched. --probe-migration opens the VFIO device and\n" \
  "asks it (VFIO_DEVICE_FEATURE: MIGRATION flags, DMA_LOGGING_START): opening a VFIO device\n"   \
  "RESETS it. Refused (exit 4) while the device belongs to an owner or a process has it open."

static void print_field(const char *label, const char *value)
{
  printf("%-18s %s\n", label, value != NULL ? value : "-");
}

#define NOIOMMU_TEXT                                                                                       \
  "YES: vfio's unsafe no-IOMMU mode gives it (or gave it) /dev/vfio/noiommu-N: NO DMA ISOLATION, the "   \
  "device can DMA anywhere in host memory; QEMU cannot use it"

static void print_group(const VhDevice *device, const GPtrArray *members)
{
  gint64 iommu_group = vh_device_get_iommu_group(device);

  if (vh_device_is_noiommu(device))
    print_field("No-IOMMU:", NOIOMMU_TEXT);
  if (iommu_group < 0) {
    print_field("IOMMU group:", "none");
    return;
  }
  g_autofree char *group = g_strdup_printf("%" G_GINT64_FORMAT " (%u device%s)", iommu_group, members->len,
                                           members->len == 1 ? "" : "s");
  print_field("IOMMU group:", group);
  for (guint i = 0; i < members->len; i++) {
    const VhDevice *member = g_ptr_array_index(members, i);
    const char *driver = vh_device_get_driver(member);
    printf("  %-16s driver %s%s%s\n", vh_device_get_address(member), driver != NULL ? driver : "(none)",
           vh_device_is_vfio_bound(member) ? ", VFIO" : "", vh_device_is_bridge(member) ? ", bridge" : "");
  }
}

static void print_vfio(const VhDevice *device)
{
  const char *vfio_device = vh_device_get_vfio_device(device);

  if (!vh_device_is_vfio_bound(device)) {
    print_field("VFIO:", "not bound to a VFIO driver");
    return;
  }
  g_autofree char *state = g_strdup_printf("bound (%s, by %s)", vfio_device != NULL ? vfio_device : "no vfio-dev",
                                           vh_device_get_vfio_detected_by(device));
  print_field("VFIO:", state);
  print_field("  group node:", vh_device_get_vfio_group_node(device));
  print_field("  cdev:", vh_device_get_vfio_cdev(device));
}

static void print_sriov(const VhDevice *device)
{
  const GPtrArray *vfs = vh_device_get_vfs(device);

  if (vh_device_get_sriov_totalvfs(device) > 0) {
    g_autofree char *text = g_strdup_printf("%u of %u VFs enabled", vh_device_get_sriov_numvfs(device),
                                            vh_device_get_sriov_totalvfs(device));
    print_field("SR-IOV:", text);
    for (guint i = 0; i < vfs->len; i++)
      printf("  %s\n", (const char *)g_ptr_array_index(vfs, i));
  }
  if (vh_device_get_physfn(device) != NULL)
    print_field("Physical function:", vh_device_get_physfn(device));
}

/* "A B C", or "" for none. */
static char *join_addresses(const GPtrArray *addresses)
{
  g_autoptr(GString) text = g_string_new(NULL);

  for (guint i = 0; i < addresses->len; i++)
    g_string_append_printf(text, "%s%s", i > 0 ? " " : "", (const char *)g_ptr_array_index(addresses, i));
  return g_string_free(g_steal_pointer(&text), FALSE);
}

/* The other functions of the slot, each with its driver and IOMMU group
 * (ACS may split them), then the PCI devices linked to it. */
static void print_functions(VhManager *manager, const VhDevice *device)
{
  const GPtrArray *functions = vh_device_get_functions(device);
  g_autofree char *consumers = join_addresses(vh_device_get_link_consumers(device));
  g_autofree char *suppliers = join_addresses(vh_device_get_link_suppliers(device));

  if (functions->len > 0)
    print_field("Functions:", "(the other functions of its slot; bind --functions binds them all)");
  for (guint i = 0; i < functions->len; i++) {
    const char *address = g_ptr_array_index(functions, i);
    g_autoptr(VhDevice) function = vh_manager_get_device(manager, address, NULL);
    const char *driver = function != NULL ? vh_device_get_driver(function) : NULL;
    gint64 group = function != NULL ? vh_device_get_iommu_group(function) : -1;
    g_autofree char *group_text = group >= 0 ? g_strdup_printf("%" G_GINT64_FORMAT, group) : g_strdup("none");
    printf("  %-16s driver %s, IOMMU group %s\n", address, driver != NULL ? driver : "(none)", group_text);
  }
  if (*consumers != '\0')
    print_field("Link consumers:", consumers);
  if (*suppliers != '\0')
    print_field("Link suppliers:", suppliers);
}

static const char *support_word(VhMigrationSupport support)
{
  return support == VH_MIGRATION_SUPPORTED ? "yes" : support == VH_MIGRATION_UNSUPPORTED ? "no" : "unknown";
}

/* "yes (stop_copy p2p; dirty tracking: no; from debugfs)", or "unknown (why; from debugfs)". */
static void print_migration(const VhMigration *migration)
{
  guint flags = 0;
  g_autoptr(GString) text = g_string_new(support_word(vh_migration_get_supported(migration)));
  g_autofree char **names = vh_migration_get_flags(migration, &flags) ? migration_flag_names(flags) : NULL;

  g_string_append(text, " (");
  if (names != NULL && names[0] != NULL) {
    g_autofree char *joined = g_strjoinv(" ", names);
    g_string_append_printf(text, "%s; ", joined);
  }
  if (vh_migration_get_dirty_tracking(migration) != VH_MIGRATION_UNKNOWN)
    g_string_append_printf(text, "dirty tracking: %s; ", support_word(vh_migration_get_dirty_tracking(migration)));
  if (vh_migration_get_reason(migration) != NULL)
    g_string_append_printf(text, "%s; ", vh_migration_get_reason(migration));
  g_string_append_printf(text, "from %s)", vh_migration_get_source(migration));
  print_field("Migration:", text->str);
}

static const char *or_empty(const char *text)
{
  return text != NULL ? text : "";
}

static void print_plain(VhManager *manager, const VhDevice *device, const VhVfioChoice *choice, const GPtrArray *members,
                        const VhMigration *migration)
{
  g_autofree char *ids = g_strdup_printf("%04x:%04x (subsystem %04x:%04x) class %06x rev %02x",
                                         vh_device_get_vendor_id(device), vh_device_get_device_id(device),
                                         vh_device_get_subsystem_vendor_id(device),
                                         vh_device_get_subsystem_device_id(device), vh_device_get_class(device),
                                         vh_device_get_revision(device));
  g_autofree char *names = g_strjoin(" ", or_empty(vh_device_get_vendor_name(device)),
                                     or_empty(vh_device_get_device_name(device)), NULL);
  g_autofree char *resets = g_strjoinv(" ", (char **)vh_device_get_reset_methods(device));
  gint64 numa_node = vh_device_get_numa_node(device);
  g_autofree char *numa = numa_node >= 0 ? g_strdup_printf("%" G_GINT64_FORMAT, numa_node) : NULL;

  print_field("Address:", vh_device_get_address(device));
  print_field("IDs:", ids);
  print_field("Name:", g_strstrip(names));
  print_field("Class name:", vh_device_get_class_name(device));
  print_field("Sysfs path:", vh_device_get_syspath(device));
  print_field("Modalias:", vh_device_get_modalias(device));
  print_field("Driver:", vh_device_get_driver(device));
  print_field("Driver module:", vh_device_get_driver_module(device));
  print_field("Driver override:", vh_device_get_driver_override(device));
  print_field("Pending write:", vh_device_get_pending_write(device));
  print_vfio(device);
  print_migration(migration);
  print_group(device, members);
  print_field("Reset methods:", *resets != '\0' ? resets : "none");
  print_field("NUMA node:", numa);
  print_sriov(device);
  print_functions(manager, device);
  print_field("Bridge:", vh_device_is_bridge(device) ? "yes" : "no");
  print_field("VFIO driver:", vh_vfio_choice_get_module(choice));
  print_field("  because:", vh_vfio_choice_get_reason(choice));
}

static int run_show(int argc, char **argv)
{
  gboolean json = FALSE;
  gboolean probe_migration = FALSE;
  const GOptionEntry entries[] = {
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON object", NULL},
    {"probe-migration", 0, 0, G_OPTION_ARG_NONE, &probe_migration,
     "Open the VFIO device and ask it about migration (resets the device)", NULL},
    {NULL},
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(VhMigration) probed = NULL;

  if (!cli_parse(&cmd_show, entries, SHOW_DESCRIPTION, &argc, &argv))
    return VH_ERROR_INVALID;
  if (argc != 2)
    return cli_usage_error(&cmd_show, argc < 2 ? "missing BDF" : "expected one BDF, got %d arguments", argc - 1);
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  g_autoptr(VhDevice) device = vh_manager_get_device(manager, argv[1], &error);
  if (device == NULL)
    return cli_fail(error);
  if (probe_migration && (probed = vh_manager_probe_migration(manager, argv[1], &error)) == NULL)
    return cli_fail(error);
  const VhMigration *migration = probed != NULL ? probed : vh_device_get_migration(device);
  g_autoptr(GPtrArray) members = vh_manager_get_group_devices(manager, device, &error);
  if (members == NULL)
    return cli_fail(error);
  g_autoptr(VhVfioChoice) choice = vh_manager_choose_vfio_driver(manager, device);
  /* a no-IOMMU group is vfio's, not an IOMMU's */
  gboolean without_iommu = vh_device_get_iommu_group(device) < 0 || vh_device_is_noiommu(device);
  if (without_iommu && vh_manager_get_iommu_problem(manager) != NULL)
    vh_manager_add_warning(manager, vh_manager_get_iommu_problem(manager));
  if (vh_device_is_noiommu(device)) {
    g_autofree char *warning = g_strdup_printf("%s: no-IOMMU: %s", vh_device_get_address(device), NOIOMMU_TEXT);
    vh_manager_add_warning(manager, warning);
  }
  if (json) {
    JsonNode *node = device_to_json(device, choice, members, DEVICE_JSON_DETAIL);
    json_object_set_member(json_node_get_object(node), "migration", migration_to_json(migration));
    cli_print_json(node);
  } else {
    print_plain(manager, device, choice, members, migration);
  }
  cli_print_warnings(manager);
  return 0;
}
