// SPDX-License-Identifier: LGPL-2.1-or-later
/* The live-migration report: what debugfs says in list/show (--json), the
 * reasons when it cannot say, and `show --probe-migration`, which opens the
 * device through the mock's uAPI preload (tests/mock/README-uapi.md) and
 * is refused for a device owned or open. */
#include "selftest-test-util.h"

#include <fcntl.h>
#include <unistd.h>

/* EDU (selftest-test-util.h): realistic, on qedu-mig, migration stop-copy */
#define VIRTIO "0000:00:03.0"  /* realistic: virtio-net on virtio-pci, bound to vfio-pci here */
#define MLX5_VF "0000:04:00.1" /* realistic: on mlx5_vfio_pci: stop-copy p2p pre-copy, dirty tracking */
#define GPU "0000:01:00.0"     /* realistic: on nouveau, not VFIO */

/* The "migration" object of the device ADDRESS in `list --json`, or of `show --json [ARG]`. */
static JsonObject *migration_of(JsonNode *root, const char *address)
{
  JsonObject *device = JSON_NODE_HOLDS_ARRAY(root) ? cli_find_device(json_node_get_array(root), address)
                                                   : json_node_get_object(root);
  g_assert_nonnull(device);
  g_assert_cmpstr(json_object_get_string_member(device, "address"), ==, address);
  return json_object_get_object_member(device, "migration");
}

/* "true", "false" or "null" for the member KEY. */
static const char *tristate(JsonObject *object, const char *key)
{
  JsonNode *node = json_object_get_member(object, key);
  g_assert_nonnull(node);
  if (JSON_NODE_HOLDS_NULL(node))
    return "null";
  return json_node_get_boolean(node) ? "true" : "false";
}

/* The flags as one space-separated string, or "null". */
static char *flags_of(JsonObject *migration)
{
  JsonNode *node = json_object_get_member(migration, "flags");
  g_autoptr(GString) text = g_string_new(NULL);

  g_assert_nonnull(node);
  if (JSON_NODE_HOLDS_NULL(node))
    return g_strdup("null");
  JsonArray *array = json_node_get_array(node);
  for (guint i = 0; i < json_array_get_length(array); i++)
    g_string_append_printf(text, "%s%s", i > 0 ? " " : "", json_array_get_string_element(array, i));
  return g_string_free(g_steal_pointer(&text), FALSE);
}

static void assert_migration(JsonObject *migration, const char *supported, const char *flags,
                             const char *dirty_tracking, const char *source)
{
  g_autofree char *have_flags = flags_of(migration);

  g_assert_cmpstr(tristate(migration, "supported"), ==, supported);
  g_assert_cmpstr(have_flags, ==, flags);
  g_assert_cmpstr(tristate(migration, "dirty_tracking"), ==, dirty_tracking);
  g_assert_cmpstr(json_object_get_string_member(migration, "source"), ==, source);
}

static const char *reason_of(JsonObject *migration)
{
  return json_object_get_string_member(migration, "reason");
}

/* show --json [--probe-migration] ADDRESS: exit 0, its migration object in *ROOT. */
static JsonObject *show_migration(MockHost *host, const char *address, gboolean probe, JsonNode **root)
{
  g_auto(CliResult) result = {0};

  if (probe)
    cli_run(host, &result, "show", "--json", "--probe-migration", address, NULL);
  else
    cli_run(host, &result, "show", "--json", address, NULL);
  g_assert_cmpint(result.status, ==, 0);
  *root = cli_parse_json(&result);
  return migration_of(*root, address);
}

/* debugfs: migration/ for the variant drivers, none for vfio-pci, no
 * answer for a device on a host driver; the probe agrees and adds flags and
 * dirty tracking. */
static void test_debugfs_and_probe(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "list", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) list = cli_parse_json(&result);
  assert_migration(migration_of(list, EDU), "true", "null", "null", "debugfs");
  g_assert_true(json_object_get_null_member(migration_of(list, EDU), "reason"));
  assert_migration(migration_of(list, MLX5_VF), "true", "null", "null", "debugfs");
  assert_migration(migration_of(list, GPU), "null", "null", "null", "debugfs");
  g_assert_nonnull(strstr(reason_of(migration_of(list, GPU)), "not bound to a VFIO driver"));

  cli_run(host, &result, "show", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "\nMigration:         yes (from debugfs)\n"));

  cli_run(host, &result, "bind", "--driver", "vfio-pci", VIRTIO, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) virtio = NULL;
  assert_migration(show_migration(host, VIRTIO, FALSE, &virtio), "false", "", "null", "debugfs");

  g_autoptr(JsonNode) virtio_probed = NULL;
  assert_migration(show_migration(host, VIRTIO, TRUE, &virtio_probed), "false", "", "false", "probe");
  g_autoptr(JsonNode) edu_probed = NULL;
  assert_migration(show_migration(host, EDU, TRUE, &edu_probed), "true", "stop_copy", "false", "probe");
  g_autoptr(JsonNode) vf_probed = NULL;
  assert_migration(show_migration(host, MLX5_VF, TRUE, &vf_probed), "true", "stop_copy p2p pre_copy", "true",
                   "probe");

  cli_run(host, &result, "show", "--probe-migration", MLX5_VF, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(
    strstr(result.out, "\nMigration:         yes (stop_copy p2p pre_copy; dirty tracking: yes; from probe)\n"));
}

/* Why debugfs cannot say: a kernel without CONFIG_VFIO_DEBUGFS has no
 * vfio/ in a mounted debugfs; an unmounted debugfs is an empty directory. */
static void test_debugfs_unknown(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) again = NULL;

  mock_host_remove(host, "/sys/kernel/debug/vfio");
  JsonObject *migration = show_migration(host, EDU, FALSE, &root);
  assert_migration(migration, "null", "null", "null", "debugfs");
  g_assert_nonnull(strstr(reason_of(migration), "CONFIG_VFIO_DEBUGFS"));

  mock_host_remove(host, "/sys/kernel/debug/sched");
  migration = show_migration(host, EDU, FALSE, &again);
  assert_migration(migration, "null", "null", "null", "debugfs");
  g_assert_nonnull(strstr(reason_of(migration), "debugfs is not mounted"));
}

/* Linux >= 6.18 lists the flags in migration/features. */
static void test_debugfs_features(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autoptr(JsonNode) root = NULL;

  mock_host_write(host, "/.mock/release", "6.18.0-test\n");
  /* the VFIO device registered again, by the newer kernel */
  /* (qedu-mig's id table is override-only, as variant drivers' are) */
  cli_shell(host, "echo qedu-mig > /sys/bus/pci/devices/" EDU "/driver_override && "
                  "echo " EDU " > /sys/bus/pci/drivers/qedu-mig/unbind && "
                  "echo " EDU " > /sys/bus/pci/drivers/qedu-mig/bind");
  assert_migration(show_migration(host, EDU, FALSE, &root), "true", "stop_copy", "false", "debugfs");
}

static void assert_probe_refused(MockHost *host, const char *address, const char *needle)
{
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "show", "--probe-migration", address, NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_assert_cmpstr(result.out, ==, "");
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, needle));
}

/* Opening resets the device: never for one a VM owns or a process has
 * open, nor for a device without a VFIO driver. */
static void test_probe_refused(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autofree char *record_path = g_strdup_printf("/run/vfio-hostdev/%s.record", EDU);

  assert_probe_refused(host, GPU, "not bound to a VFIO driver");

  mock_host_write(host, record_path, "[device]\naddress=" EDU "\ntarget_driver=qedu-mig\nstate=bound\nowner=vm1\n");
  assert_probe_refused(host, EDU, "belongs to owner vm1");
  mock_host_remove(host, record_path);

  g_autofree char *group = cli_link_basename(host, "/sys/bus/pci/devices/" EDU "/iommu_group");
  g_autofree char *node = g_build_filename(mock_host_root(host), "dev/vfio", group, NULL);
  int fd = open(node, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint(fd, >=, 0);
  g_autofree char *pid = g_strdup_printf("process %d", (int)getpid());
  assert_probe_refused(host, EDU, pid);
  close(fd);

  g_autoptr(JsonNode) root = NULL;
  assert_migration(show_migration(host, EDU, TRUE, &root), "true", "stop_copy", "false", "probe");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  st_use_uapi_preload();
  g_test_add_func("/migration/debugfs-and-probe", test_debugfs_and_probe);
  g_test_add_func("/migration/debugfs-unknown", test_debugfs_unknown);
  g_test_add_func("/migration/debugfs-features", test_debugfs_features);
  g_test_add_func("/migration/probe-refused", test_probe_refused);
  return g_test_run();
}
