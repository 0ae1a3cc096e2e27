// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/cdi-spec.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "hostdev/device/device.h"
#include "hostdev/shared/device-record.h"
#include "util/atomic-file.h"
#include "util/hd-error.h"
#include "util/host-paths.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

/* A CDI device name: letters, digits, '_', '-', '.', ':', starting and
 * ending with a letter or digit (the CDI's ValidateDeviceName). */
static gboolean cdi_name_valid(const char *name)
{
  gsize length = strlen(name);

  if (length == 0 || !g_ascii_isalnum(name[0]) || !g_ascii_isalnum(name[length - 1]))
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum(name[i]) && strchr("_-.:", name[i]) == NULL)
      return FALSE;
  return TRUE;
}

/* "0000:01:00.0" -> "0000-01-00.0": the address without the colons that
 * `podman --device` would take for host:container separators. */
static char *device_name(const char *address)
{
  char *name = g_strdup(address);

  g_strdelimit(name, ":", '-');
  return name;
}

/* Adds PATH to NODES once; the spec lists each node once per device. */
static void add_node(GPtrArray *nodes, const char *path)
{
  if (!g_ptr_array_find_with_equal_func(nodes, path, g_str_equal, NULL))
    g_ptr_array_add(nodes, g_strdup(path));
}

/* The nodes a workload needs for DEVICE, as the kernel offers them. */
static void add_device_nodes(const HdDevice *device, GPtrArray *nodes)
{
  g_autofree char *container = hd_path_vfio_container();
  g_autofree char *iommufd = hd_path_iommufd();

  if (device->vfio.group_node != NULL) {
    add_node(nodes, device->vfio.group_node);
    if (hd_sysfs_exists(container))
      add_node(nodes, container);
  }
  if (device->vfio.cdev != NULL) {
    add_node(nodes, device->vfio.cdev);
    if (hd_sysfs_exists(iommufd))
      add_node(nodes, iommufd);
  }
}

static JsonNode *device_entry(const char *name, const GPtrArray *nodes)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();

  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "name");
  json_builder_add_string_value(builder, name);
  json_builder_set_member_name(builder, "containerEdits");
  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "deviceNodes");
  json_builder_begin_array(builder);
  for (guint i = 0; i < nodes->len; i++) {
    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "path");
    json_builder_add_string_value(builder, g_ptr_array_index(nodes, i));
    json_builder_set_member_name(builder, "permissions");
    json_builder_add_string_value(builder, "rw");
    json_builder_end_object(builder);
  }
  json_builder_end_array(builder);
  json_builder_end_object(builder);
  json_builder_end_object(builder);
  return json_builder_get_root(builder);
}

/* The lowest version whose rules the device names meet: names starting
 * with a digit are allowed since 0.5.0; plain deviceNodes need 0.3.0. */
static const char *required_version(JsonArray *devices)
{
  for (guint i = 0; i < json_array_get_length(devices); i++) {
    const char *name = json_object_get_string_member(json_array_get_object_element(devices, i), "name");
    if (!g_ascii_isalpha(name[0]))
      return "0.5.0";
  }
  return "0.3.0";
}

/* The owner's prepared devices, as records name them. */
static GPtrArray *owner_addresses(const char *owner, GError **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) records = hd_record_list(problems, error);
  GPtrArray *addresses;

  if (records == NULL)
    return NULL;
  addresses = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < records->len; i++) {
    const HdDeviceRecord *record = g_ptr_array_index(records, i);
    if (g_strcmp0(record->owner, owner) == 0 && record->state == HD_RECORD_BOUND)
      g_ptr_array_add(addresses, g_strdup(record->address));
  }
  return addresses;
}

/* One entry per device, then the owner's with every node. */
static JsonArray *device_entries(HdManager *manager, const char *owner, const GPtrArray *addresses,
                                 GError **error)
{
  g_autoptr(JsonArray) devices = json_array_new();
  g_autoptr(GPtrArray) all_nodes = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < addresses->len; i++) {
    g_autoptr(HdDevice) device = hd_device_load_by_name(manager, g_ptr_array_index(addresses, i), error);
    g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *name = NULL;

    if (device == NULL)
      return NULL;
    add_device_nodes(device, nodes);
    if (nodes->len == 0) {
      g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s of owner %s has no VFIO device node (%s)",
                  device->address, owner, device->vfio.bound ? "no group node or cdev" : "not on a VFIO driver");
      return NULL;
    }
    for (guint k = 0; k < nodes->len; k++)
      add_node(all_nodes, g_ptr_array_index(nodes, k));
    name = device_name(device->address);
    json_array_add_element(devices, device_entry(name, nodes));
  }
  json_array_add_element(devices, device_entry(owner, all_nodes));
  return g_steal_pointer(&devices);
}

char *hd_cdi_spec_build(HdManager *manager, const char *owner, GError **error)
{
  g_autoptr(GPtrArray) addresses = NULL;
  g_autoptr(JsonArray) devices = NULL;
  g_autoptr(JsonObject) spec = json_object_new();
  g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);

  if (!cdi_name_valid(owner)) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID,
                "owner name \"%s\" is not a CDI device name (letters, digits and _-.: only, starting and ending "
                "with a letter or digit)",
                owner);
    return NULL;
  }
  addresses = owner_addresses(owner, error);
  if (addresses == NULL)
    return NULL;
  if (addresses->len == 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_NO_DEVICE, "owner %s holds no prepared device (vfio-hostdev prepare)",
                owner);
    return NULL;
  }
  devices = device_entries(manager, owner, addresses, error);
  if (devices == NULL)
    return NULL;
  json_object_set_string_member(spec, "cdiVersion", required_version(devices));
  json_object_set_string_member(spec, "kind", HD_CDI_KIND);
  json_object_set_array_member(spec, "devices", json_array_ref(devices));
  json_node_set_object(root, spec);
  return json_to_string(root, TRUE);
}

/* /run/vfio-hostdev/owner-<owner>.cdi: where the owner's spec was written. */
static char *note_path(const char *owner)
{
  g_autofree char *name = g_strdup_printf("owner-%s.cdi", owner);

  return hd_path_state_file(name);
}

char *hd_cdi_spec_write(HdManager *manager, const char *owner, const char *dir, GError **error)
{
  g_autofree char *text = hd_cdi_spec_build(manager, owner, error);
  g_autofree char *file = g_strdup_printf("vfio-hostdev-%s.json", owner);
  g_autofree char *path = NULL;
  g_autofree char *note = note_path(owner);
  g_autofree char *note_text = NULL;

  if (text == NULL)
    return NULL;
  dir = dir != NULL ? dir : HD_CDI_DEFAULT_DIR;
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    int err = errno;
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot create %s: %s", dir, g_strerror(err));
    return NULL;
  }
  path = g_build_filename(dir, file, NULL);
  note_text = g_strdup_printf("%s\n", path);
  /* remembered first: a spec is never left that release would not find */
  if (!hd_record_ensure_dir(error) || !hd_atomic_write(note, note_text, strlen(note_text), 0644, error) ||
      !hd_atomic_write(path, text, strlen(text), 0644, error))
    return NULL;
  return g_steal_pointer(&path);
}

gboolean hd_cdi_spec_forget(const char *owner, GError **error)
{
  g_autofree char *note = note_path(owner);
  g_autofree char *path = NULL;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents(note, &path, NULL, &local)) {
    if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return TRUE;
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  g_strchomp(path);
  return hd_atomic_remove(path, error) && hd_atomic_remove(note, error);
}

void hd_cdi_spec_drop(HdManager *manager, const char *owner)
{
  g_autoptr(GError) error = NULL;

  if (!hd_cdi_spec_forget(owner, &error))
    hd_manager_warn(manager, "the CDI spec of owner %s stays: %s", owner, error->message);
}
