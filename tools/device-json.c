// SPDX-License-Identifier: LGPL-2.1-or-later
#include "device-json.h"

static void add_id16(JsonBuilder *builder, const char *key, guint16 id)
{
  g_autofree char *text = g_strdup_printf("%04x", id); /* 4 lower-case hex digits */

  json_builder_set_member_name(builder, key);
  json_builder_add_string_value(builder, text);
}

/* A string member, or null when VALUE is NULL. */
static void add_string_or_null(JsonBuilder *builder, const char *key, const char *value)
{
  json_builder_set_member_name(builder, key);
  if (value != NULL)
    json_builder_add_string_value(builder, value);
  else
    json_builder_add_null_value(builder);
}

static void add_int_or_null(JsonBuilder *builder, const char *key, gint64 value, gboolean present)
{
  json_builder_set_member_name(builder, key);
  if (present)
    json_builder_add_int_value(builder, value);
  else
    json_builder_add_null_value(builder);
}

static void add_string_array(JsonBuilder *builder, const char *key, const char *const *values, guint n)
{
  json_builder_set_member_name(builder, key);
  json_builder_begin_array(builder);
  for (guint i = 0; i < n; i++)
    json_builder_add_string_value(builder, values[i]);
  json_builder_end_array(builder);
}

static void add_vfio(JsonBuilder *builder, const VhDevice *device)
{
  json_builder_set_member_name(builder, "vfio");
  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "bound");
  json_builder_add_boolean_value(builder, vh_device_is_vfio_bound(device));
  add_string_or_null(builder, "device", vh_device_get_vfio_device(device));
  add_string_or_null(builder, "group_node", vh_device_get_vfio_group_node(device));
  add_string_or_null(builder, "cdev", vh_device_get_vfio_cdev(device));
  add_string_or_null(builder, "detected_by", vh_device_get_vfio_detected_by(device));
  json_builder_end_object(builder);
}

static void add_support(JsonBuilder *builder, const char *key, VhMigrationSupport support)
{
  json_builder_set_member_name(builder, key);
  if (support == VH_MIGRATION_UNKNOWN)
    json_builder_add_null_value(builder);
  else
    json_builder_add_boolean_value(builder, support == VH_MIGRATION_SUPPORTED);
}

JsonNode *migration_to_json(const VhMigration *migration)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();
  guint flags = 0;
  gboolean flags_known = vh_migration_get_flags(migration, &flags);

  json_builder_begin_object(builder);
  add_support(builder, "supported", vh_migration_get_supported(migration));
  json_builder_set_member_name(builder, "flags");
  if (!flags_known) {
    json_builder_add_null_value(builder);
  } else {
    g_autofree char **names = migration_flag_names(flags);
    json_builder_begin_array(builder);
    for (guint i = 0; names[i] != NULL; i++)
      json_builder_add_string_value(builder, names[i]);
    json_builder_end_array(builder);
  }
  add_support(builder, "dirty_tracking", vh_migration_get_dirty_tracking(migration));
  add_string_or_null(builder, "source", vh_migration_get_source(migration));
  add_string_or_null(builder, "reason", vh_migration_get_reason(migration));
  json_builder_end_object(builder);
  return json_builder_get_root(builder);
}

char **migration_flag_names(guint flags)
{
  static const struct {
    guint flag;
    char *name;
  } known[] = {
    {VH_MIGRATION_FLAG_STOP_COPY, "stop_copy"},
    {VH_MIGRATION_FLAG_P2P, "p2p"},
    {VH_MIGRATION_FLAG_PRE_COPY, "pre_copy"},
  };
  char **names = g_new0(char *, G_N_ELEMENTS(known) + 1);
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS(known); i++)
    if (flags & known[i].flag)
      names[n++] = known[i].name;
  return names;
}

static void add_summary(JsonBuilder *builder, const VhDevice *device, const VhVfioChoice *choice)
{
  g_autofree char *class_text = g_strdup_printf("%06x", vh_device_get_class(device));
  gint64 group = vh_device_get_iommu_group(device);

  add_string_or_null(builder, "address", vh_device_get_address(device));
  add_id16(builder, "vendor_id", vh_device_get_vendor_id(device));
  add_id16(builder, "device_id", vh_device_get_device_id(device));
  add_id16(builder, "subsystem_vendor_id", vh_device_get_subsystem_vendor_id(device));
  add_id16(builder, "subsystem_device_id", vh_device_get_subsystem_device_id(device));
  add_string_or_null(builder, "class", class_text);
  add_string_or_null(builder, "vendor_name", vh_device_get_vendor_name(device));
  add_string_or_null(builder, "device_name", vh_device_get_device_name(device));
  add_string_or_null(builder, "class_name", vh_device_get_class_name(device));
  add_string_or_null(builder, "driver", vh_device_get_driver(device));
  add_int_or_null(builder, "iommu_group", group, group >= 0);
  json_builder_set_member_name(builder, "noiommu");
  json_builder_add_boolean_value(builder, vh_device_is_noiommu(device));
  add_vfio(builder, device);
  add_string_or_null(builder, "vfio_driver", vh_vfio_choice_get_module(choice));
  json_builder_set_member_name(builder, "migration");
  json_builder_add_value(builder, migration_to_json(vh_device_get_migration(device)));
}

static void add_group_members(JsonBuilder *builder, const GPtrArray *members)
{
  json_builder_set_member_name(builder, "iommu_group_members");
  json_builder_begin_array(builder);
  for (guint i = 0; members != NULL && i < members->len; i++) {
    json_builder_add_string_value(builder, vh_device_get_address(g_ptr_array_index(members, i)));
  }
  json_builder_end_array(builder);
  /* the members' drivers: what decides whether the group is viable */
  json_builder_set_member_name(builder, "iommu_group_devices");
  json_builder_begin_array(builder);
  for (guint i = 0; members != NULL && i < members->len; i++) {
    const VhDevice *member = g_ptr_array_index(members, i);
    json_builder_begin_object(builder);
    add_string_or_null(builder, "address", vh_device_get_address(member));
    add_string_or_null(builder, "driver", vh_device_get_driver(member));
    json_builder_set_member_name(builder, "vfio_bound");
    json_builder_add_boolean_value(builder, vh_device_is_vfio_bound(member));
    json_builder_set_member_name(builder, "bridge");
    json_builder_add_boolean_value(builder, vh_device_is_bridge(member));
    json_builder_end_object(builder);
  }
  json_builder_end_array(builder);
}

static void add_sriov(JsonBuilder *builder, const VhDevice *device)
{
  const GPtrArray *vfs = vh_device_get_vfs(device);

  json_builder_set_member_name(builder, "sriov");
  if (vh_device_get_sriov_totalvfs(device) == 0) {
    json_builder_add_null_value(builder);
  } else {
    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "totalvfs");
    json_builder_add_int_value(builder, vh_device_get_sriov_totalvfs(device));
    json_builder_set_member_name(builder, "numvfs");
    json_builder_add_int_value(builder, vh_device_get_sriov_numvfs(device));
    add_string_array(builder, "vfs", (const char *const *)vfs->pdata, vfs->len);
    json_builder_end_object(builder);
  }
  add_string_or_null(builder, "physfn", vh_device_get_physfn(device));
}

/* "functions": the slot's other functions; "device_links": PCI consumers and suppliers. */
static void add_functions(JsonBuilder *builder, const VhDevice *device)
{
  const GPtrArray *functions = vh_device_get_functions(device);
  const GPtrArray *consumers = vh_device_get_link_consumers(device);
  const GPtrArray *suppliers = vh_device_get_link_suppliers(device);

  add_string_array(builder, "functions", (const char *const *)functions->pdata, functions->len);
  json_builder_set_member_name(builder, "device_links");
  json_builder_begin_object(builder);
  add_string_array(builder, "consumers", (const char *const *)consumers->pdata, consumers->len);
  add_string_array(builder, "suppliers", (const char *const *)suppliers->pdata, suppliers->len);
  json_builder_end_object(builder);
}

static void add_detail(JsonBuilder *builder, const VhDevice *device, const VhVfioChoice *choice,
                       const GPtrArray *group_members)
{
  g_autofree char *revision = g_strdup_printf("%02x", vh_device_get_revision(device));
  const char *const *resets = vh_device_get_reset_methods(device);
  gint64 numa_node = vh_device_get_numa_node(device);

  add_string_or_null(builder, "revision", revision);
  add_string_or_null(builder, "modalias", vh_device_get_modalias(device));
  add_string_or_null(builder, "syspath", vh_device_get_syspath(device));
  json_builder_set_member_name(builder, "bridge");
  json_builder_add_boolean_value(builder, vh_device_is_bridge(device));
  add_string_or_null(builder, "driver_module", vh_device_get_driver_module(device));
  add_string_or_null(builder, "driver_override", vh_device_get_driver_override(device));
  add_string_or_null(builder, "pending_write", vh_device_get_pending_write(device));
  add_group_members(builder, group_members);
  add_string_array(builder, "reset_methods", resets, g_strv_length((char **)resets));
  add_int_or_null(builder, "numa_node", numa_node, numa_node >= 0);
  add_sriov(builder, device);
  add_functions(builder, device);
  json_builder_set_member_name(builder, "vfio_choice");
  json_builder_add_value(builder, choice_to_json(choice));
}

JsonNode *device_to_json(const VhDevice *device, const VhVfioChoice *choice, const GPtrArray *group_members,
                         DeviceJsonLevel level)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();

  json_builder_begin_object(builder);
  add_summary(builder, device, choice);
  if (level == DEVICE_JSON_DETAIL)
    add_detail(builder, device, choice, group_members);
  json_builder_end_object(builder);
  return json_builder_get_root(builder);
}

JsonNode *choice_to_json(const VhVfioChoice *choice)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();
  const GPtrArray *candidates = vh_vfio_choice_get_candidates(choice);

  json_builder_begin_object(builder);
  add_string_or_null(builder, "modalias", vh_vfio_choice_get_modalias(choice));
  add_string_or_null(builder, "key", vh_vfio_choice_get_key(choice));
  add_string_or_null(builder, "module", vh_vfio_choice_get_module(choice));
  json_builder_set_member_name(builder, "fallback");
  json_builder_add_boolean_value(builder, vh_vfio_choice_is_fallback(choice));
  add_string_or_null(builder, "reason", vh_vfio_choice_get_reason(choice));
  json_builder_set_member_name(builder, "candidates");
  json_builder_begin_array(builder);
  for (guint i = 0; i < candidates->len; i++) {
    const VhVfioCandidate *candidate = g_ptr_array_index(candidates, i);
    json_builder_begin_object(builder);
    add_string_or_null(builder, "module", vh_vfio_candidate_get_module(candidate));
    add_string_or_null(builder, "pattern", vh_vfio_candidate_get_pattern(candidate));
    json_builder_set_member_name(builder, "wildcards");
    json_builder_add_int_value(builder, vh_vfio_candidate_get_wildcards(candidate));
    add_string_or_null(builder, "file", vh_vfio_candidate_get_file(candidate));
    json_builder_set_member_name(builder, "line");
    json_builder_add_int_value(builder, vh_vfio_candidate_get_line(candidate));
    json_builder_end_object(builder);
  }
  json_builder_end_array(builder);
  json_builder_end_object(builder);
  return json_builder_get_root(builder);
}
