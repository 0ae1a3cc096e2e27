// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-mock-zoo: the q35-zoo fixture against the real guest's sysfs in
 * tests/fixtures/q35-zoo-sysfs.json, before and after the binding done in
 * the guest (edu -> qedu-mig, e1000e -> vfio-pci, 2 nvme VFs), the latter
 * reproduced with the mock's own kernel emulation. */
#include "test-mock-common.h"

#include <json-glib/json-glib.h>

static JsonObject *load_snapshot(JsonParser *parser, const char *name)
{
  g_autofree char *path = g_build_filename(g_getenv("MOCK_FIXTURES"), "q35-zoo-sysfs.json", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true(json_parser_load_from_file(parser, path, &error));
  g_assert_no_error(error);
  return json_object_get_object_member(
    json_object_get_object_member(json_node_get_object(json_parser_get_root(parser)), "snapshots"),
    name);
}

static gint cmp_strp(gconstpointer a, gconstpointer b);

/* Sorted entries of a fake directory, without "devices" (the cdev dir). */
static char *listing(MockHost *host, const char *path)
{
  g_autofree char *full = g_build_filename(mock_host_root(host), path, NULL);
  g_autoptr(GDir) dir = g_dir_open(full, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *n;

  while (dir != NULL && (n = g_dir_read_name(dir)) != NULL)
    if (strcmp(n, "devices") != 0 || !g_str_has_prefix(path, "/dev/vfio"))
      g_ptr_array_add(names, g_strdup(n));
  g_ptr_array_sort(names, cmp_strp);
  g_ptr_array_add(names, NULL);
  return g_strjoinv(" ", (char **)names->pdata);
}

static gint cmp_strp(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *json_strings(JsonArray *array)
{
  g_autoptr(GPtrArray) v = g_ptr_array_new();

  for (guint i = 0; i < json_array_get_length(array); i++)
    g_ptr_array_add(v, (char *)json_array_get_string_element(array, i));
  g_ptr_array_sort(v, cmp_strp);
  g_ptr_array_add(v, NULL);
  return g_strjoinv(" ", (char **)v->pdata);
}

static const char *const compared_attrs[] = {
  "vendor", "device", "subsystem_vendor", "subsystem_device", "class", "revision", "modalias",
  "driver_override", "numa_node", "reset_method", "sriov_totalvfs", "sriov_numvfs",
  "sriov_offset", "sriov_stride", "sriov_vf_device", "sriov_drivers_autoprobe",
};

static const char *const compared_links[] = { "driver", "iommu_group", "subsystem", "physfn",
                                              "virtfn0", "virtfn1" };

static void compare_device(MockHost *host, const char *bdf, JsonObject *dev)
{
  JsonObject *attrs = json_object_get_object_member(dev, "attributes");
  JsonObject *links = json_object_get_object_member(dev, "links");
  JsonObject *dirs = json_object_get_object_member(dev, "dirs");
  g_autofree char *bus_link = g_strdup_printf("/sys/bus/pci/devices/%s", bdf);
  g_autofree char *sysfs_path = mock_host_readlink(host, bus_link);

  g_test_message("device %s", bdf);
  g_assert_cmpstr(sysfs_path, ==, json_object_get_string_member(dev, "sysfs_path"));
  for (gsize i = 0; i < G_N_ELEMENTS(compared_attrs); i++) {
    g_autofree char *path = g_strdup_printf("%s/%s", bus_link, compared_attrs[i]);
    g_autofree char *got = mock_host_read_trim(host, path);
    const char *want = json_object_has_member(attrs, compared_attrs[i])
                         ? json_object_get_string_member(attrs, compared_attrs[i]) : NULL;
    g_test_message("  %s", compared_attrs[i]);
    g_assert_cmpstr(got, ==, want);
  }
  for (gsize i = 0; i < G_N_ELEMENTS(compared_links); i++) {
    g_autofree char *path = g_strdup_printf("%s/%s", bus_link, compared_links[i]);
    g_autofree char *got = mock_host_readlink(host, path);
    const char *want = json_object_has_member(links, compared_links[i])
                         ? json_object_get_string_member(links, compared_links[i]) : NULL;
    g_test_message("  link %s", compared_links[i]);
    g_assert_cmpstr(got, ==, want);
  }
  {
    g_autofree char *path = g_strdup_printf("%s/vfio-dev", bus_link);
    g_autofree char *got = listing(host, path);
    g_autofree char *want = json_object_has_member(dirs, "vfio-dev")
                              ? json_strings(json_object_get_array_member(dirs, "vfio-dev"))
                              : g_strdup("");
    g_assert_cmpstr(got, ==, want);
  }
}

static void compare_snapshot(MockHost *host, JsonObject *snap)
{
  JsonObject *devices = json_object_get_object_member(snap, "devices");
  JsonObject *groups = json_object_get_object_member(snap, "iommu_groups");
  JsonObject *drivers = json_object_get_object_member(snap, "drivers");
  g_autoptr(GList) bdfs = json_object_get_members(devices);
  g_autoptr(GList) gids = json_object_get_members(groups);
  g_autoptr(GList) dnames = json_object_get_members(drivers);
  g_autofree char *dev_vfio = listing(host, "/dev/vfio");
  g_autofree char *want_dev_vfio = json_strings(json_object_get_array_member(snap, "dev_vfio"));

  g_autofree char *all = listing(host, "/sys/bus/pci/devices");
  g_autofree char *all_groups = listing(host, "/sys/kernel/iommu_groups");
  g_auto(GStrv) group_names = g_strsplit(all_groups, " ", -1);

  g_assert_cmpuint(g_list_length(bdfs), ==, (strlen(all) + 1) / 13);
  for (GList *l = bdfs; l; l = l->next)
    compare_device(host, l->data, json_object_get_object_member(devices, l->data));
  for (GList *l = gids; l; l = l->next) {
    g_autofree char *path = g_strdup_printf("/sys/kernel/iommu_groups/%s/devices", (char *)l->data);
    g_autofree char *got = listing(host, path);
    g_autofree char *want = json_strings(json_object_get_array_member(groups, l->data));
    g_assert_cmpstr(got, ==, want);
  }
  g_assert_cmpuint(g_list_length(gids), ==, g_strv_length(group_names));
  for (GList *l = dnames; l; l = l->next) {
    JsonObject *d = json_object_get_object_member(drivers, l->data);
    g_autofree char *link = g_strdup_printf("/sys/bus/pci/drivers/%s/module", (char *)l->data);
    g_autofree char *target = mock_host_readlink(host, link);
    g_autofree char *want = g_strdup_printf("../../../../module/%s",
                                            json_object_get_string_member(d, "module"));
    g_autofree char *dpath = g_strdup_printf("/sys/bus/pci/drivers/%s", (char *)l->data);
    g_autofree char *bound = listing(host, dpath);
    g_autofree char *want_bound = json_strings(json_object_get_array_member(d, "bound"));
    g_autoptr(GString) got_bound = g_string_new(NULL);
    g_auto(GStrv) entries = g_strsplit(bound, " ", -1);

    g_test_message("driver %s", (char *)l->data);
    g_assert_cmpstr(target, ==, want);
    for (char **e = entries; *e; e++)
      if (g_str_has_prefix(*e, "0000:"))
        g_string_append_printf(got_bound, "%s%s", got_bound->len ? " " : "", *e);
    g_assert_cmpstr(got_bound->str, ==, want_bound);
  }
  g_assert_cmpstr(dev_vfio, ==, want_dev_vfio);
}

static void run_or_fail(MockHost *host, const char *const *argv)
{
  int status = -1;

  g_assert_true(mock_host_run(host, argv, NULL, NULL, &status, NULL));
  g_assert_cmpint(status, ==, 0);
}

/* The zoo lists vfio-pci and qedu-mig as registered; the fixture has them
 * only available, as on a host before vfio-hostdev loads them. */
static void load_vfio_modules(MockHost *host)
{
  const char *argv[] = { "modprobe", "qedu_mig", "vfio_pci", NULL };

  run_or_fail(host, argv);
}

static void test_host_drivers(void)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *snap = load_snapshot(parser, "host-drivers");
  g_autoptr(MockHost) host = host_new("q35-zoo");

  g_assert_false(mock_host_exists(host, "/sys/bus/pci/drivers/vfio-pci"));
  load_vfio_modules(host);
  compare_snapshot(host, snap);
}

static void test_vfio_bound_and_vfs(void)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *snap = load_snapshot(parser, "vfio-bound-and-vfs");
  g_autoptr(MockHost) host = host_new("q35-zoo");

  load_vfio_modules(host);
  assert_fsop(host, "write", "/sys/bus/pci/devices/0000:00:02.0/driver_override", "qedu-mig",
              "OK 8");
  assert_fsop(host, "write", "/sys/bus/pci/drivers_probe", "0000:00:02.0", "OK 12");
  assert_fsop(host, "write", "/sys/bus/pci/devices/0000:01:00.0/driver_override", "vfio-pci\n",
              "OK 9");
  assert_fsop(host, "write", "/sys/bus/pci/devices/0000:01:00.0/driver/unbind", "0000:01:00.0",
              "OK 12");
  assert_fsop(host, "write", "/sys/bus/pci/drivers_probe", "0000:01:00.0", "OK 12");
  assert_fsop(host, "write", "/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs", "2", "OK 1");
  compare_snapshot(host, snap);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mock/zoo/host-drivers", test_host_drivers);
  g_test_add_func("/mock/zoo/vfio-bound-and-vfs", test_vfio_bound_and_vfs);
  return g_test_run();
}
