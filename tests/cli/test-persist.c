// SPDX-License-Identifier: LGPL-2.1-or-later
/* `bind --persist`, `persist-apply` (what the boot unit runs), `unpersist`
 * and persisted devices in `status`, against the fake kernel. A boot is a
 * fresh fake host built from the same fixture with /etc/vfio-hostdev
 * copied over: /run is empty and every device is on its host driver. */
#include <glib/gstdio.h>

#include "bind-test-util.h"

#define E1000E "0000:01:00.0"
#define EDU "0000:00:02.0"
#define SMBUS "0000:00:1f.3"
#define AHCI "0000:00:1f.2"
#define CONF_DIR "/etc/vfio-hostdev/devices"
#define CONF(address) CONF_DIR "/" address ".conf"

static GKeyFile *read_conf(MockHost *host, const char *address)
{
  g_autofree char *path = g_strdup_printf(CONF_DIR "/%s.conf", address);
  g_autofree char *text = mock_host_read(host, path);
  GKeyFile *file = g_key_file_new();

  g_assert_nonnull(text);
  g_assert_true(g_key_file_load_from_data(file, text, -1, G_KEY_FILE_NONE, NULL));
  return file;
}

static void assert_key(GKeyFile *file, const char *key, const char *value)
{
  g_autofree char *found = g_key_file_get_string(file, "device", key, NULL);

  g_assert_cmpstr(found, ==, value);
}

/* "Reboots": a fresh host from the fixture with FROM's configuration. */
static MockHost *boot_with_config_of(MockHost *from, const char *fixture)
{
  MockHost *host = cli_host(fixture);
  g_autofree char *dir = g_build_filename(mock_host_root(from), CONF_DIR, NULL);
  g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
  const char *name;

  g_assert_nonnull(listing);
  while ((name = g_dir_read_name(listing)) != NULL) {
    g_autofree char *path = g_build_filename(CONF_DIR, name, NULL);
    g_autofree char *text = mock_host_read(from, path);
    mock_host_write(host, path, text);
  }
  g_assert_false(mock_host_exists(host, "/run/vfio-hostdev/" E1000E ".record"));
  return host;
}

/* Takes the device out of the fake tree, as a hot unplug (or a card pulled
 * while the machine was off) leaves sysfs. */
static void remove_device(MockHost *host, const char *address, const char *driver, const char *group)
{
  g_autofree char *link = g_strdup_printf("/sys/bus/pci/devices/%s", address);
  g_autofree char *target = mock_host_readlink(host, link);
  g_autofree char *dir = g_canonicalize_filename(target, "/sys/bus/pci/devices");
  g_autofree char *driver_link = g_strdup_printf("/sys/bus/pci/drivers/%s/%s", driver, address);
  g_autofree char *group_link = g_strdup_printf("/sys/kernel/iommu_groups/%s/devices/%s", group, address);

  g_assert_nonnull(target);
  mock_host_remove(host, dir);
  mock_host_remove(host, link);
  mock_host_remove(host, driver_link);
  mock_host_remove(host, group_link);
  g_assert_false(mock_host_exists(host, link));
}

static JsonObject *apply_json(MockHost *host, CliResult *result, JsonNode **root, const char *address, int status)
{
  cli_run(host, result, "persist-apply", "--json", NULL);
  g_assert_cmpint(result->status, ==, status);
  *root = cli_parse_json(result);
  return cli_find_device(json_node_get_array(*root), address);
}

static void test_persist_writes_config(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;

  cli_run(host, &result, "bind", "--persist", "01:00.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "bound to vfio-pci"));
  g_assert_nonnull(strstr(result.out, "persisted: " CONF(E1000E)));
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
  g_autoptr(GKeyFile) conf = read_conf(host, E1000E);
  assert_key(conf, "format", "1");
  assert_key(conf, "address", E1000E);
  assert_key(conf, "vendor_id", "8086");
  assert_key(conf, "device_id", "10d3");
  assert_key(conf, "subsystem_vendor_id", "8086");
  assert_key(conf, "subsystem_device_id", "0000");
  assert_key(conf, "driver", "vfio-pci");
  assert_key(conf, "module", "vfio_pci");
  assert_key(conf, "host_module", "e1000e"); /* what the modprobe guard holds back */
  assert_key(conf, "group", "false");
  assert_key(conf, "group_member", "false");
  assert_key(conf, "tool_version", "0.1.0");
  g_assert_cmpint(g_key_file_get_int64(conf, "device", "created", NULL), >=, now - 5);
  /* nothing left from the atomic write */
  g_autofree char *dir = g_build_filename(mock_host_root(host), CONF_DIR, NULL);
  g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
  g_assert_cmpstr(g_dir_read_name(listing), ==, E1000E ".conf");
  g_assert_null(g_dir_read_name(listing));

  /* a variant driver: its module, not its driver name, is what boot loads */
  cli_run(host, &result, "bind", "--persist", "--json", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *edu = cli_find_device(json_node_get_array(root), EDU);
  g_assert_true(json_object_get_boolean_member(edu, "persisted"));
  g_autoptr(GKeyFile) edu_conf = read_conf(host, EDU);
  assert_key(edu_conf, "driver", "qedu-mig");
  assert_key(edu_conf, "module", "qedu_mig");
  assert_key(edu_conf, "vendor_id", "1234");
  assert_key(edu_conf, "subsystem_vendor_id", "1af4");
  assert_key(edu_conf, "host_module", NULL); /* it had no driver */

  /* persisting a device already bound: its driver's module from sysfs */
  g_autoptr(MockHost) other = cli_host("q35-zoo");
  cli_run(other, &result, "bind", "01:00.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_false(mock_host_exists(other, CONF(E1000E)));
  cli_run(other, &result, "bind", "--persist", "01:00.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "already bound"));
  g_autoptr(GKeyFile) again = read_conf(other, E1000E);
  assert_key(again, "driver", "vfio-pci");
  assert_key(again, "module", "vfio_pci");
  /* the host driver it was taken from, by the record of that bind */
  assert_key(again, "host_module", "e1000e");
}

static void test_persist_dry_run(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *before = bt_tree_hash(host);

  cli_run(host, &result, "bind", "--persist", "--dry-run", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "would persist: " CONF(E1000E)));
  g_autofree char *after = bt_tree_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_assert_false(mock_host_exists(host, "/etc/vfio-hostdev/devices"));

  /* persist-apply --dry-run binds nothing either */
  cli_run(host, &result, "bind", "--persist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(MockHost) boot = boot_with_config_of(host, "q35-zoo");
  g_autofree char *boot_before = bt_tree_hash(boot);
  cli_run(boot, &result, "persist-apply", "--dry-run", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, E1000E ": would bind it to vfio-pci"));
  g_autofree char *boot_after = bt_tree_hash(boot);
  g_assert_cmpstr(boot_before, ==, boot_after);
}

static void test_persist_apply_at_boot(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--persist", E1000E, EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(MockHost) boot = boot_with_config_of(host, "q35-zoo");
  bt_assert_original(boot, E1000E, "e1000e", 0);

  cli_run(boot, &result, "persist-apply", NULL);
  g_assert_cmpint(result.status, ==, 0);
  /* no early binding on this host: e1000e had it (edu had no driver) */
  g_assert_true(g_str_has_prefix(result.err, "vfio-hostdev: warning: " E1000E ": had to unbind e1000e first"));
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.out, E1000E ": bound to vfio-pci"));
  bt_assert_vfio(boot, E1000E, "vfio-pci", "8");
  bt_assert_vfio(boot, EDU, "qedu-mig", "2");
  g_assert_true(bt_has_record(boot, E1000E));
  g_autofree char *record = mock_host_read(boot, "/run/vfio-hostdev/" E1000E ".record");
  g_assert_nonnull(strstr(record, "original_driver=e1000e"));

  /* a second run changes nothing: never a loop of unbinds and binds */
  g_autofree char *before = bt_tree_hash(boot);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *nic = apply_json(boot, &result, &root, E1000E, 0);
  g_assert_cmpstr(json_object_get_string_member(nic, "outcome"), ==, "already-bound");
  g_autofree char *after = bt_tree_hash(boot);
  g_assert_cmpstr(before, ==, after);

  /* and reattach gives it back to the driver it had at boot */
  cli_run(boot, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(boot, E1000E, "e1000e", 0);

  /* nothing persisted: the unit's condition keeps it from running, and a run says so */
  g_autoptr(MockHost) empty = cli_host("q35-zoo");
  cli_run(empty, &result, "persist-apply", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "no device is persisted"));
}

static void test_persist_gone(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--persist", E1000E, EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(MockHost) boot = boot_with_config_of(host, "q35-zoo");
  remove_device(boot, E1000E, "e1000e", "8");

  cli_run(boot, &result, "persist-apply", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, "vfio-hostdev: warning: " E1000E));
  g_assert_nonnull(strstr(result.err, "gone"));
  g_assert_nonnull(strstr(result.err, "unpersist " E1000E));
  /* the others are bound all the same */
  bt_assert_vfio(boot, EDU, "qedu-mig", "2");
  g_assert_false(bt_has_record(boot, E1000E));

  g_autoptr(JsonNode) root = NULL;
  JsonObject *nic = apply_json(boot, &result, &root, E1000E, 0);
  g_assert_cmpstr(json_object_get_string_member(nic, "outcome"), ==, "gone");

  /* status lists it, gone; unpersist forgets it */
  cli_run(boot, &result, "status", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) status = cli_parse_json(&result);
  JsonObject *entry = cli_find_device(json_node_get_array(status), E1000E);
  g_assert_nonnull(entry);
  g_assert_cmpstr(json_object_get_string_member(entry, "state"), ==, "persisted");
  g_assert_false(json_object_get_boolean_member(entry, "present"));
  g_assert_nonnull(strstr(json_object_get_string_member(entry, "problem"), "no device"));
  cli_run(boot, &result, "status", NULL);
  g_assert_nonnull(strstr(result.out, "gone"));
  cli_run(boot, &result, "unpersist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_false(mock_host_exists(boot, CONF(E1000E)));
}

static void test_persist_changed_ids(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--persist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  /* another model, and then the same model from another subsystem vendor */
  const char *const changes[][2] = {{"8086:10D4", "8086:0000"}, {"8086:10D3", "1028:0001"}};
  for (guint i = 0; i < G_N_ELEMENTS(changes); i++) {
    g_autoptr(MockHost) boot = boot_with_config_of(host, "q35-zoo");
    bt_change_ids(boot, E1000E, changes[i][0], changes[i][1]);
    g_autofree char *before = bt_kernel_hash(boot);

    cli_run(boot, &result, "persist-apply", NULL);
    g_assert_cmpint(result.status, ==, 0);
    cli_assert_one_line(result.err);
    g_assert_nonnull(strstr(result.err, "warning: " E1000E " was persisted as 8086:10d3 (subsystem 8086:0000)"));
    g_assert_nonnull(strstr(result.err, "not bound"));
    g_autofree char *after = bt_kernel_hash(boot);
    g_assert_cmpstr(before, ==, after);
    bt_assert_original(boot, E1000E, "e1000e", 0);

    g_autoptr(JsonNode) root = NULL;
    JsonObject *nic = apply_json(boot, &result, &root, E1000E, 0);
    g_assert_cmpstr(json_object_get_string_member(nic, "outcome"), ==, "changed");
    g_assert_nonnull(json_object_get_string_member(nic, "found_ids"));
    cli_run(boot, &result, "status", NULL);
    g_assert_nonnull(strstr(result.out, "changed: now"));
  }
}

static void test_unpersist(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--persist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  cli_run(host, &result, "unpersist", "01:00.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "no longer bound at boot; left as it is now"));
  g_assert_false(mock_host_exists(host, CONF(E1000E)));
  /* without --reattach the device stays where it is */
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");

  /* again: nothing to remove is a warning, not a failure */
  cli_run(host, &result, "unpersist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, "was not persisted"));

  cli_run(host, &result, "bind", "--persist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  cli_run(host, &result, "unpersist", "--reattach", "--json", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *nic = cli_find_device(json_node_get_array(root), E1000E);
  g_assert_true(json_object_get_boolean_member(nic, "removed"));
  g_assert_cmpstr(json_object_get_string_member(nic, "reattach"), ==, "restored");
  bt_assert_original(host, E1000E, "e1000e", 0);
  g_assert_false(mock_host_exists(host, CONF(E1000E)));
}

static void test_status_shows_persisted(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--persist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  cli_run(host, &result, "bind", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  cli_run(host, &result, "status", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonArray *array = json_node_get_array(root);
  g_assert_cmpuint(json_array_get_length(array), ==, 2);
  JsonObject *nic = cli_find_device(array, E1000E);
  g_assert_cmpstr(json_object_get_string_member(nic, "state"), ==, "bound");
  g_assert_true(json_object_get_boolean_member(nic, "persisted"));
  JsonObject *persist = json_object_get_object_member(nic, "persist");
  g_assert_cmpstr(json_object_get_string_member(persist, "driver"), ==, "vfio-pci");
  g_assert_cmpstr(json_object_get_string_member(persist, "vendor_id"), ==, "8086");
  JsonObject *edu = cli_find_device(array, EDU);
  g_assert_false(json_object_get_boolean_member(edu, "persisted"));
  g_assert_true(JSON_NODE_HOLDS_NULL(json_object_get_member(edu, "persist")));

  cli_run(host, &result, "status", NULL);
  g_assert_nonnull(strstr(result.out, "Persisted (bound again at boot)"));
  g_assert_nonnull(strstr(result.out, E1000E "  8086:10d3 (subsystem 8086:0000)"));

  /* reattached but still persisted: listed without a record */
  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  cli_run(host, &result, "status", "--json", NULL);
  g_autoptr(JsonNode) after = cli_parse_json(&result);
  nic = cli_find_device(json_node_get_array(after), E1000E);
  g_assert_cmpstr(json_object_get_string_member(nic, "state"), ==, "persisted");
  g_assert_true(json_object_get_boolean_member(nic, "present"));
  g_assert_cmpstr(json_object_get_string_member(nic, "current_driver"), ==, "e1000e");
  g_assert_true(JSON_NODE_HOLDS_NULL(json_object_get_member(nic, "problem")));
  cli_run(host, &result, "status", NULL);
  g_assert_nonnull(strstr(result.out, "not bound by vfio-hostdev (on e1000e)"));
}

/* --group: every member gets its own file; at boot the group is bound as
 * the members were checked, and a changed member refuses the group. */
static void test_persist_group(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--persist", "--group", SMBUS, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(GKeyFile) member = read_conf(host, AHCI);
  assert_key(member, "group", "true");
  assert_key(member, "group_member", "true");
  g_autoptr(GKeyFile) named = read_conf(host, SMBUS);
  assert_key(named, "group_member", "false");

  g_autoptr(MockHost) boot = boot_with_config_of(host, "q35-zoo");
  cli_run(boot, &result, "persist-apply", NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_vfio(boot, SMBUS, "vfio-pci", "7");
  bt_assert_vfio(boot, AHCI, "vfio-pci", "7");
  /* the member comes back with its group, as after bind --group */
  g_autofree char *record = mock_host_read(boot, "/run/vfio-hostdev/" AHCI ".record");
  g_assert_nonnull(strstr(record, "group=true"));
  cli_run(boot, &result, "reattach", SMBUS, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(boot, AHCI, "ahci", 0);

  /* another AHCI controller in the group: skipped, and the group not viable */
  g_autoptr(MockHost) changed = boot_with_config_of(host, "q35-zoo");
  bt_change_ids(changed, AHCI, "8086:2923", "1AF4:1100");
  g_autofree char *before = bt_kernel_hash(changed);
  cli_run(changed, &result, "persist-apply", NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_assert_nonnull(strstr(result.err, "warning: " AHCI " was persisted"));
  g_assert_nonnull(strstr(result.err, "would not be viable"));
  g_autofree char *after = bt_kernel_hash(changed);
  g_assert_cmpstr(before, ==, after);
}

static void test_persist_bad_input(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *before = bt_tree_hash(host);

  cli_run(host, &result, "unpersist", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_run(host, &result, "unpersist", "zz:00.0", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_assert_one_line(result.err);
  cli_run(host, &result, "persist-apply", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_run(host, &result, "persist-apply", "--bogus", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_run(host, &result, "bind", "--persist", "--dry-run", "0000:00:1f.3", NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_autofree char *after = bt_tree_hash(host);
  g_assert_cmpstr(before, ==, after);
  /* the directory may be made before the device is found missing; no file */
  g_autofree char *kernel_before = bt_kernel_hash(host);
  cli_run(host, &result, "bind", "--persist", "99:00.0", NULL);
  g_assert_cmpint(result.status, ==, 3);
  cli_run(host, &result, "bind", "--persist", SMBUS, NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_autofree char *kernel_between = bt_kernel_hash(host);
  g_assert_cmpstr(kernel_before, ==, kernel_between);
  g_assert_false(mock_host_exists(host, CONF("0000:99:00.0")));
  g_assert_false(mock_host_exists(host, CONF(SMBUS)));
  mock_host_remove(host, "/etc/vfio-hostdev");

  /* a configuration directory that cannot be written: refused before binding */
  mock_host_write(host, "/etc/vfio-hostdev/devices", "not a directory");
  g_autofree char *kernel = bt_kernel_hash(host);
  cli_run(host, &result, "bind", "--persist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 1);
  cli_assert_one_line(result.err);
  g_autofree char *kernel_after = bt_kernel_hash(host);
  g_assert_cmpstr(kernel, ==, kernel_after);
}

/* Damaged files are reported and make the run fail, but do not keep the
 * good ones from being bound. */
static void test_persist_damaged(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--persist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(MockHost) boot = boot_with_config_of(host, "q35-zoo");
  /* copied from another device: its address is not its name's */
  g_autofree char *copy = mock_host_read(boot, CONF(E1000E));
  mock_host_write(boot, CONF(EDU), copy);
  mock_host_write(boot, CONF("0000:00:1f.3"), "[device]\nformat=2\naddress=0000:00:1f.3\n");
  mock_host_write(boot, CONF_DIR "/notes.conf~", "ignored");

  cli_run(boot, &result, "persist-apply", NULL);
  g_assert_cmpint(result.status, ==, 1);
  g_assert_nonnull(strstr(result.err, "not the one in its name"));
  g_assert_nonnull(strstr(result.err, "format 2 is newer"));
  g_assert_null(strstr(result.err, "notes"));
  bt_assert_vfio(boot, E1000E, "vfio-pci", "8");
  bt_assert_original(boot, EDU, NULL, 0);
}

static gboolean unit_line(const char *unit, const char *line)
{
  g_auto(GStrv) lines = g_strsplit(unit, "\n", -1);

  return g_strv_contains((const char *const *)lines, line);
}

/* BUILD_DIR/meson-info/intro-buildoptions.json's value of option NAME. */
static char *build_option(const char *build_dir, const char *name)
{
  g_autofree char *path = g_build_filename(build_dir, "meson-info", "intro-buildoptions.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new();

  g_assert_true(json_parser_load_from_file(parser, path, NULL));
  JsonArray *options = json_node_get_array(json_parser_get_root(parser));
  for (guint i = 0; i < json_array_get_length(options); i++) {
    JsonObject *option = json_array_get_object_element(options, i);
    if (g_str_equal(json_object_get_string_member(option, "name"), name))
      return g_strdup(json_object_get_string_member(option, "value"));
  }
  g_assert_not_reached();
}

/* The unit built next to the tool runs the installed tool; systemd-analyze
 * finds nothing wrong in it (with the built tool in ExecStart: the
 * installed one may not exist). */
static void test_unit_file(void)
{
  g_autofree char *tools_dir = g_path_get_dirname(VFIO_HOSTDEV_BIN);
  g_autofree char *build_dir = g_path_get_dirname(tools_dir);
  g_autofree char *unit_path = g_build_filename(build_dir, "data", "vfio-hostdev-persist.service", NULL);
  g_autofree char *prefix = build_option(build_dir, "prefix");
  g_autofree char *bindir = build_option(build_dir, "bindir");
  g_autofree char *tool = g_build_filename(prefix, bindir, "vfio-hostdev", NULL);
  g_autofree char *exec_start = g_strdup_printf("ExecStart=%s persist-apply", tool);
  g_autofree char *unit = NULL;
  g_autofree char *analyze = g_find_program_in_path("systemd-analyze");

  g_assert_true(g_file_get_contents(unit_path, &unit, NULL, NULL));
  g_assert_true(unit_line(unit, exec_start));
  g_assert_true(unit_line(unit, "Type=oneshot"));
  g_assert_true(unit_line(unit, "ConditionDirectoryNotEmpty=/etc/vfio-hostdev/devices"));
  g_assert_nonnull(strstr(unit, "Before=network-pre.target libvirtd.service"));
  g_assert_null(strstr(unit, "Restart="));
  if (analyze == NULL) {
    g_test_skip("no systemd-analyze");
    return;
  }
  g_autofree char *dir = g_dir_make_tmp("persist-unit-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "vfio-hostdev-persist.service", NULL);
  g_autoptr(GRegex) exec = g_regex_new("^ExecStart=\\S+", G_REGEX_MULTILINE, 0, NULL);
  g_autofree char *built = g_regex_replace_literal(exec, unit, -1, 0, "ExecStart=" VFIO_HOSTDEV_BIN, 0, NULL);
  g_assert_true(g_file_set_contents(path, built, -1, NULL));
  const char *argv[] = {analyze, "verify", "--man=no", path, NULL};
  g_autofree char *out = NULL, *err = NULL;
  int status = -1;
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL));
  g_test_message("systemd-analyze verify: %s%s", out, err);
  g_unlink(path);
  g_rmdir(dir);
  g_assert_true(g_spawn_check_wait_status(status, NULL));
  g_assert_cmpstr(err, ==, "");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/persist/writes-config", test_persist_writes_config);
  g_test_add_func("/persist/dry-run", test_persist_dry_run);
  g_test_add_func("/persist/apply-at-boot", test_persist_apply_at_boot);
  g_test_add_func("/persist/gone", test_persist_gone);
  g_test_add_func("/persist/changed-ids", test_persist_changed_ids);
  g_test_add_func("/persist/unpersist", test_unpersist);
  g_test_add_func("/persist/status", test_status_shows_persisted);
  g_test_add_func("/persist/group", test_persist_group);
  g_test_add_func("/persist/bad-input", test_persist_bad_input);
  g_test_add_func("/persist/damaged", test_persist_damaged);
  g_test_add_func("/persist/unit-file", test_unit_file);
  return g_test_run();
}
