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

static void add_vfio(JsonBuilder *builder, const HdVfioState *vfio)
{
  json_builder_set_member_name(builder, "vfio");
  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "bound");
  json_builder_add_boolean_value(builder, vfio->bound);
  add_string_or_null(builder, "device", vfio->device);
  add_string_or_null(builder, "group_node", vfio->group_node);
  add_string_or_null(builder, "cdev", vfio->cdev);
  add_string_or_null(builder, "detected_by", vfio->rule);
  json_builder_end_object(builder);
}

static void add_summary(JsonBuilder *builder, const HdDevice *device, const HdVfioChoice *choice)
{
  g_autofree char *class_text = g_strdup_printf("%06x", device->class_code);

  add_string_or_null(builder, "address", device->address);
  add_id16(builder, "vendor_id", device->vendor_id);
  add_id16(builder, "device_id", device->device_id);
  add_id16(builder, "subsystem_vendor_id", device->subsystem_vendor_id);
  add_id16(builder, "subsystem_device_id", device->subsystem_device_id);
  add_string_or_null(builder, "class", class_text);
  add_string_or_null(builder, "vendor_name", device->vendor_name);
  add_string_or_null(builder, "device_name", device->device_name);
  add_string_or_null(builder, "class_name", device->class_name);
  add_string_or_null(builder, "driver", device->driver);
  add_int_or_null(builder, "iommu_group", device->iommu_group, device->iommu_group >= 0);
  add_vfio(builder, &device->vfio);
  add_string_or_null(builder, "vfio_driver", choice->module);
}

static void add_group_members(JsonBuilder *builder, const GPtrArray *members)
{
  json_builder_set_member_name(builder, "iommu_group_members");
  json_builder_begin_array(builder);
  for (guint i = 0; members != NULL && i < members->len; i++) {
    const HdDevice *member = g_ptr_array_index(members, i);
    json_builder_add_string_value(builder, member->address);
  }
  json_builder_end_array(builder);
  /* the members' drivers: what decides whether the group is viable */
  json_builder_set_member_name(builder, "iommu_group_devices");
  json_builder_begin_array(builder);
  for (guint i = 0; members != NULL && i < members->len; i++) {
    const HdDevice *member = g_ptr_array_index(members, i);
    json_builder_begin_object(builder);
    add_string_or_null(builder, "address", member->address);
    add_string_or_null(builder, "driver", member->driver);
    json_builder_set_member_name(builder, "vfio_bound");
    json_builder_add_boolean_value(builder, member->vfio.bound);
    json_builder_set_member_name(builder, "bridge");
    json_builder_add_boolean_value(builder, member->is_bridge);
    json_builder_end_object(builder);
  }
  json_builder_end_array(builder);
}

static void add_sriov(JsonBuilder *builder, const HdDevice *device)
{
  json_builder_set_member_name(builder, "sriov");
  if (device->sriov_totalvfs == 0) {
    json_builder_add_null_value(builder);
  } else {
    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "totalvfs");
    json_builder_add_int_value(builder, device->sriov_totalvfs);
    json_builder_set_member_name(builder, "numvfs");
    json_builder_add_int_value(builder, device->sriov_numvfs);
    add_string_array(builder, "vfs", (const char *const *)device->vfs->pdata, device->vfs->len);
    json_builder_end_object(builder);
  }
  add_string_or_null(builder, "physfn", device->physfn);
}

static void add_detail(JsonBuilder *builder, const HdDevice *device, const HdVfioChoice *choice,
                       const GPtrArray *group_members)
{
  g_autofree char *revision = g_strdup_printf("%02x", device->revision);

  add_string_or_null(builder, "revision", revision);
  add_string_or_null(builder, "modalias", device->modalias);
  add_string_or_null(builder, "syspath", device->syspath);
  json_builder_set_member_name(builder, "bridge");
  json_builder_add_boolean_value(builder, device->is_bridge);
  add_string_or_null(builder, "driver_module", device->driver_module);
  add_string_or_null(builder, "driver_override", device->driver_override);
  add_group_members(builder, group_members);
  add_string_array(builder, "reset_methods", (const char *const *)device->reset_methods,
                   g_strv_length(device->reset_methods));
  add_int_or_null(builder, "numa_node", device->numa_node, device->numa_node >= 0);
  add_sriov(builder, device);
  json_builder_set_member_name(builder, "vfio_choice");
  json_builder_add_value(builder, choice_to_json(choice));
}

JsonNode *device_to_json(const HdDevice *device, const HdVfioChoice *choice, const GPtrArray *group_members,
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

JsonNode *choice_to_json(const HdVfioChoice *choice)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();

  json_builder_begin_object(builder);
  add_string_or_null(builder, "modalias", choice->modalias);
  add_string_or_null(builder, "key", choice->key);
  add_string_or_null(builder, "module", choice->module);
  json_builder_set_member_name(builder, "fallback");
  json_builder_add_boolean_value(builder, choice->fallback);
  add_string_or_null(builder, "reason", choice->reason);
  json_builder_set_member_name(builder, "candidates");
  json_builder_begin_array(builder);
  for (guint i = 0; i < choice->candidates->len; i++) {
    const HdVfioCandidate *candidate = g_ptr_array_index(choice->candidates, i);
    json_builder_begin_object(builder);
    add_string_or_null(builder, "module", candidate->module);
    add_string_or_null(builder, "pattern", candidate->pattern);
    json_builder_set_member_name(builder, "wildcards");
    json_builder_add_int_value(builder, candidate->wildcards);
    add_string_or_null(builder, "file", candidate->source);
    json_builder_set_member_name(builder, "line");
    json_builder_add_int_value(builder, candidate->line);
    json_builder_end_object(builder);
  }
  json_builder_end_array(builder);
  json_builder_end_object(builder);
  return json_builder_get_root(builder);
}
