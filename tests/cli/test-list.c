// SPDX-License-Identifier: LGPL-2.1-or-later
/* `list` and `show` against fake hosts: what the command reports must agree
 * with the fake kernel's tree for every device. */
#include "cli-test.h"

#define DEVICES "/sys/bus/pci/devices"

static char *device_path(const char *address, const char *attr)
{
  return g_build_filename(DEVICES, address, attr, NULL);
}

/* Attribute value without its "0x" prefix, as the JSON spells IDs. */
static char *hex_attr(MockHost *host, const char *address, const char *attr)
{
  g_autofree char *path = device_path(address, attr);
  g_autofree char *value = mock_host_read(host, path);

  g_assert_nonnull(value);
  g_strstrip(value);
  return g_strdup(g_str_has_prefix(value, "0x") ? value + 2 : value);
}

static void assert_string_member(JsonObject *object, const char *member, const char *expected)
{
  JsonNode *node = json_object_get_member(object, member);

  g_assert_nonnull(node);
  if (expected == NULL)
    g_assert_true(JSON_NODE_HOLDS_NULL(node));
  else
    g_assert_cmpstr(json_node_get_string(node), ==, expected);
}

/* The first vfioN entry of the device's vfio-dev/ in the fake tree. */
static char *vfio_dev_entry(MockHost *host, const char *address)
{
  g_autofree char *dir = g_build_filename(mock_host_root(host), DEVICES, address, "vfio-dev", NULL);
  g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name(listing)) != NULL)
    if (g_str_has_prefix(name, "vfio"))
      return g_strdup(name);
  return NULL;
}

static void assert_vfio_matches_tree(MockHost *host, const char *address, JsonObject *vfio, const char *group)
{
  g_autofree char *vfio_dev_dir = device_path(address, "vfio-dev");
  gboolean bound = mock_host_exists(host, vfio_dev_dir);
  g_autofree char *entry = vfio_dev_entry(host, address);
  g_autofree char *node = group != NULL ? g_strdup_printf("/dev/vfio/%s", group) : NULL;

  g_assert_cmpint(json_object_get_boolean_member(vfio, "bound"), ==, bound);
  assert_string_member(vfio, "device", entry);
  assert_string_member(vfio, "group_node", bound && node != NULL && mock_host_exists(host, node) ? node : NULL);
}

/* Every device the fake kernel has appears once, and each fact matches the tree. */
static void assert_list_matches_tree(MockHost *host, JsonArray *array)
{
  g_autofree char *dir = g_build_filename(mock_host_root(host), DEVICES, NULL);
  g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
  const char *address;
  guint seen = 0;

  g_assert_nonnull(listing);
  while ((address = g_dir_read_name(listing)) != NULL) {
    JsonObject *object = cli_find_device(array, address);
    g_autofree char *driver_link = device_path(address, "driver");
    g_autofree char *group_link = device_path(address, "iommu_group");
    g_autofree char *driver = cli_link_basename(host, driver_link);
    g_autofree char *group = cli_link_basename(host, group_link);
    g_autofree char *vendor = hex_attr(host, address, "vendor");
    g_autofree char *device = hex_attr(host, address, "device");
    g_autofree char *class_code = hex_attr(host, address, "class");

    g_test_message("checking %s", address);
    g_assert_nonnull(object);
    seen++;
    assert_string_member(object, "vendor_id", vendor);
    assert_string_member(object, "device_id", device);
    assert_string_member(object, "class", class_code);
    assert_string_member(object, "driver", driver);
    if (group == NULL)
      g_assert_true(JSON_NODE_HOLDS_NULL(json_object_get_member(object, "iommu_group")));
    else
      g_assert_cmpint(json_object_get_int_member(object, "iommu_group"), ==, g_ascii_strtoll(group, NULL, 10));
    assert_vfio_matches_tree(host, address, json_object_get_object_member(object, "vfio"), group);
    g_assert_nonnull(json_object_get_string_member(object, "vfio_driver"));
  }
  g_assert_cmpuint(seen, ==, json_array_get_length(array));
  g_assert_cmpuint(seen, >, 0);
}

static JsonArray *list_json(MockHost *host, JsonNode **root)
{
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "list", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  *root = cli_parse_json(&result);
  g_assert_true(JSON_NODE_HOLDS_ARRAY(*root));
  return json_node_get_array(*root);
}

static void test_list_q35_host_drivers(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array = list_json(host, &root);

  assert_list_matches_tree(host, array);
  /* the variant driver for edu; nothing more specific than vfio_pci for e1000e */
  assert_string_member(cli_find_device(array, "0000:00:02.0"), "vfio_driver", "qedu_mig");
  assert_string_member(cli_find_device(array, "0000:01:00.0"), "vfio_driver", "vfio_pci");
  assert_string_member(cli_find_device(array, "0000:01:00.0"), "driver", "e1000e");
  assert_string_member(cli_find_device(array, "0000:00:1f.2"), "driver", "ahci");
}

/* Binds edu to the variant driver through the fake kernel, as an admin would
 * with sysfs, and checks that list reports it VFIO-bound by vfio-dev. */
static void test_list_variant_bound(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");

  cli_shell(host, "modprobe qedu_mig && echo qedu-mig > /sys/bus/pci/devices/0000:00:02.0/driver_override && "
                  "echo 0000:00:02.0 > /sys/bus/pci/drivers_probe");

  g_autoptr(JsonNode) root = NULL;
  JsonArray *array = list_json(host, &root);
  JsonObject *edu = cli_find_device(array, "0000:00:02.0");
  JsonObject *vfio = json_object_get_object_member(edu, "vfio");

  assert_list_matches_tree(host, array);
  assert_string_member(edu, "driver", "qedu-mig");
  g_assert_true(json_object_get_boolean_member(vfio, "bound"));
  assert_string_member(vfio, "device", "vfio0");
  assert_string_member(vfio, "group_node", "/dev/vfio/2");
  assert_string_member(vfio, "detected_by", "vfio-dev");
}

/* The realistic host has a VFIO variant driver whose name lacks "vfio" and a
 * non-VFIO driver whose name contains it: detection must follow vfio-dev. */
static void test_list_detection_ignores_names(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array = list_json(host, &root);
  gboolean vfio_without_name = FALSE, name_without_vfio = FALSE;

  assert_list_matches_tree(host, array);
  for (guint i = 0; i < json_array_get_length(array); i++) {
    JsonObject *object = json_array_get_object_element(array, i);
    JsonNode *driver_node = json_object_get_member(object, "driver");
    const char *driver = JSON_NODE_HOLDS_NULL(driver_node) ? NULL : json_node_get_string(driver_node);
    gboolean bound = json_object_get_boolean_member(json_object_get_object_member(object, "vfio"), "bound");

    if (driver == NULL)
      continue;
    vfio_without_name |= bound && strstr(driver, "vfio") == NULL;
    name_without_vfio |= !bound && strstr(driver, "vfio") != NULL;
  }
  g_assert_true(vfio_without_name);
  g_assert_true(name_without_vfio);
}

/* Moves the fake host to a kernel older than 6.1: no vfio-dev anywhere. */
static void make_old_kernel(MockHost *host, const char *const *vfio_bound)
{
  g_autofree char *release = mock_host_read(host, "/.mock/release");

  g_strstrip(release);
  for (const char *const *name = (const char *const[]){"modules.alias", "modules.builtin.alias", NULL}; *name; name++) {
    g_autofree char *from = g_build_filename("/lib/modules", release, *name, NULL);
    g_autofree char *to = g_build_filename("/lib/modules/5.15.0-old", *name, NULL);
    g_autofree char *contents = mock_host_read(host, from);
    g_assert_nonnull(contents);
    mock_host_write(host, to, contents);
  }
  mock_host_write(host, "/.mock/release", "5.15.0-old\n");
  for (; *vfio_bound != NULL; vfio_bound++) {
    g_autofree char *dir = g_build_filename(DEVICES, *vfio_bound, "vfio-dev", NULL);
    g_assert_true(mock_host_exists(host, dir));
    mock_host_remove(host, dir);
  }
}

static JsonObject *vfio_of(JsonArray *array, const char *address)
{
  JsonObject *object = cli_find_device(array, address);

  g_assert_nonnull(object);
  return json_object_get_object_member(object, "vfio");
}

/* Kernels before 6.1 have no vfio-dev: the driver must be exactly vfio-pci,
 * or its module must declare vfio_pci: aliases; a name containing "vfio"
 * proves nothing. */
static void test_list_old_kernel_fallback(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  const char *const vfio_bound[] = {"0000:00:02.0", "0000:04:00.1", "0000:00:03.0", NULL};

  cli_shell(host, "modprobe vfio_pci && echo vfio-pci > /sys/bus/pci/devices/0000:00:03.0/driver_override && "
                   "echo 0000:00:03.0 > /sys/bus/pci/drivers/virtio-pci/unbind && "
                   "echo 0000:00:03.0 > /sys/bus/pci/drivers_probe");
  make_old_kernel(host, vfio_bound);

  g_autoptr(JsonNode) root = NULL;
  JsonArray *array = list_json(host, &root);
  JsonObject *vfio_pci = vfio_of(array, "0000:00:03.0");
  JsonObject *variant = vfio_of(array, "0000:00:02.0");
  JsonObject *stub = vfio_of(array, "0000:00:04.0");

  g_assert_true(json_object_get_boolean_member(vfio_pci, "bound"));
  assert_string_member(vfio_pci, "detected_by", "driver vfio-pci");
  assert_string_member(vfio_pci, "device", NULL);
  g_assert_true(json_object_get_boolean_member(variant, "bound"));
  assert_string_member(variant, "detected_by", "module aliases");
  g_assert_true(json_object_get_boolean_member(vfio_of(array, "0000:04:00.1"), "bound"));
  g_assert_false(json_object_get_boolean_member(stub, "bound"));
  assert_string_member(cli_find_device(array, "0000:00:04.0"), "driver", "fake-vfio-stub");
  /* and an unbound device or a host driver is not VFIO either */
  g_assert_false(json_object_get_boolean_member(vfio_of(array, "0000:02:00.0"), "bound"));
}

static void test_list_plain(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "list", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_true(g_str_has_prefix(result.out, "ADDRESS"));
  /* one line per device after the header */
  g_auto(GStrv) lines = g_strsplit(g_strchomp(result.out), "\n", -1);
  g_autofree char *dir = g_build_filename(mock_host_root(host), DEVICES, NULL);
  g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
  guint devices = 0;
  while (g_dir_read_name(listing) != NULL)
    devices++;
  g_assert_cmpuint(g_strv_length(lines), ==, devices + 1);
  g_assert_nonnull(strstr(result.out, "0000:00:02.0"));
  g_assert_nonnull(strstr(result.out, "qedu_mig"));
}

static void test_list_no_iommu(void)
{
  g_autoptr(MockHost) host = cli_host("no-iommu");
  g_autoptr(JsonNode) root = NULL;
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "list", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  root = cli_parse_json(&result);
  JsonArray *array = json_node_get_array(root);
  g_assert_cmpuint(json_array_get_length(array), >, 0);
  for (guint i = 0; i < json_array_get_length(array); i++)
    g_assert_true(JSON_NODE_HOLDS_NULL(
      json_object_get_member(json_array_get_object_element(array, i), "iommu_group")));
  /* says so, and what to enable */
  g_assert_nonnull(strstr(result.err, "IOMMU"));
  g_assert_nonnull(strstr(result.err, "intel_iommu=on"));
}

/* Names as lspci prints them: the device's model, not its subsystem's name
 * (which the full modalias would find), and the subclass, else the class. */
static void test_list_hwdb_names(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array = list_json(host, &root);
  JsonObject *nic = cli_find_device(array, "0000:03:00.0");
  JsonObject *nvme = cli_find_device(array, "0000:02:00.0");

  g_assert_nonnull(nic);
  g_assert_nonnull(nvme);
  assert_string_member(nic, "vendor_name", "Intel Corporation");
  assert_string_member(nic, "device_name", "I350 Gigabit Network Connection");
  assert_string_member(nic, "class_name", "Ethernet controller");
  assert_string_member(nvme, "class_name", "Mass storage controller");
}

/* show: the group's members and their drivers (GPU + audio in one group). */
static void test_show_group_members(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "show", "00:1f.3", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  root = cli_parse_json(&result);
  JsonObject *object = json_node_get_object(root);
  assert_string_member(object, "address", "0000:00:1f.3");
  assert_string_member(object, "driver", "i801_smbus");
  JsonArray *members = json_object_get_array_member(object, "iommu_group_members");
  g_assert_cmpuint(json_array_get_length(members), ==, 3);
  g_assert_cmpstr(json_array_get_string_element(members, 0), ==, "0000:00:1f.0");
  g_assert_cmpstr(json_array_get_string_element(members, 1), ==, "0000:00:1f.2");
  g_assert_cmpstr(json_array_get_string_element(members, 2), ==, "0000:00:1f.3");
  JsonArray *devices = json_object_get_array_member(object, "iommu_group_devices");
  assert_string_member(json_array_get_object_element(devices, 1), "driver", "ahci");
}

static void test_show_sriov(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "show", "0000:03:00.0", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  root = cli_parse_json(&result);
  JsonObject *sriov = json_object_get_object_member(json_node_get_object(root), "sriov");
  g_assert_nonnull(sriov);
  g_assert_cmpint(json_object_get_int_member(sriov, "totalvfs"), ==, 2);
  g_assert_cmpint(json_object_get_int_member(sriov, "numvfs"), ==, 0);
  JsonArray *resets = json_object_get_array_member(json_node_get_object(root), "reset_methods");
  g_assert_cmpuint(json_array_get_length(resets), ==, 2);
  g_assert_cmpstr(json_array_get_string_element(resets, 0), ==, "flr");
}

static void test_show_plain(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "show", "0000:00:02.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "1234:11e8"));
  g_assert_nonnull(strstr(result.out, "qedu_mig"));
  g_assert_nonnull(strstr(result.out, "IOMMU group:"));
}

/* OBJECT's first member is "schema_version": 1 (docs/json.md). */
static void assert_versioned(JsonObject *object)
{
  g_autoptr(GList) members = json_object_get_members(object);

  g_assert_nonnull(members);
  g_assert_cmpstr(members->data, ==, "schema_version");
  g_assert_cmpint(json_object_get_int_member(object, "schema_version"), ==, 1);
}

/* Objects carry the schema version; arrays stay arrays, each object
 * carrying it; nested objects do not. */
static void test_json_schema_version(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "list", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) list = cli_parse_json(&result);
  JsonArray *array = json_node_get_array(list);
  g_assert_cmpuint(json_array_get_length(array), >, 0);
  for (guint i = 0; i < json_array_get_length(array); i++) {
    JsonObject *device = json_array_get_object_element(array, i);
    assert_versioned(device);
    g_assert_false(json_object_has_member(json_object_get_object_member(device, "vfio"), "schema_version"));
  }
  const char *const objects[][3] = {{"show", "0000:00:02.0", "--json"}, {"driver", "0000:00:02.0", "--json"},
                                    {"doctor", "--json", NULL}};
  for (guint i = 0; i < G_N_ELEMENTS(objects); i++) {
    cli_run(host, &result, objects[i][0], objects[i][1], objects[i][2], NULL);
    g_autoptr(JsonNode) root = cli_parse_json(&result);
    assert_versioned(json_node_get_object(root));
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/list/q35/host-drivers", test_list_q35_host_drivers);
  g_test_add_func("/list/q35/variant-bound", test_list_variant_bound);
  g_test_add_func("/list/realistic/detection-ignores-names", test_list_detection_ignores_names);
  g_test_add_func("/list/realistic/old-kernel-fallback", test_list_old_kernel_fallback);
  g_test_add_func("/list/plain", test_list_plain);
  g_test_add_func("/list/no-iommu", test_list_no_iommu);
  g_test_add_func("/list/realistic/hwdb-names", test_list_hwdb_names);
  g_test_add_func("/show/group-members", test_show_group_members);
  g_test_add_func("/show/sriov", test_show_sriov);
  g_test_add_func("/show/plain", test_show_plain);
  g_test_add_func("/json/schema-version", test_json_schema_version);
  return g_test_run();
}
