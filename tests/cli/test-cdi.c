// SPDX-License-Identifier: LGPL-2.1-or-later
/* `cdi`: the CDI spec of an owner's prepared devices, against fake hosts:
 * one device per PCI device and one for the owner, the nodes the kernel
 * offers (group node and container; cdev and /dev/iommu when the kernel
 * has them), the lowest cdiVersion, the file written atomically where
 * asked and removed by release, and bad input refused. Schema validation
 * and a real consumer (podman) are in test-cdi-consumers.py. */
#include <glib/gstdio.h>

#include "managed-test-util.h"

/* devices of the realistic host (managed-test-util.h names q35-zoo's) */
#define R_NVME "0000:02:00.0"
#define R_VF "0000:03:10.4"

static void prepare(MockHost *host, const char *owner, const char *address, const char *other)
{
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "prepare", "--owner", owner, address, other, NULL);
  g_assert_cmpint(result.status, ==, 0);
}

static JsonObject *spec_device(JsonObject *spec, const char *name)
{
  JsonArray *devices = json_object_get_array_member(spec, "devices");

  for (guint i = 0; i < json_array_get_length(devices); i++) {
    JsonObject *device = json_array_get_object_element(devices, i);
    if (g_strcmp0(json_object_get_string_member(device, "name"), name) == 0)
      return device;
  }
  g_error("no CDI device %s", name);
}

/* The device's node paths, in order, joined by spaces. */
static char *node_paths(JsonObject *device)
{
  JsonArray *nodes =
    json_object_get_array_member(json_object_get_object_member(device, "containerEdits"), "deviceNodes");
  g_autoptr(GString) text = g_string_new(NULL);

  for (guint i = 0; i < json_array_get_length(nodes); i++) {
    JsonObject *node = json_array_get_object_element(nodes, i);
    g_assert_cmpstr(json_object_get_string_member(node, "permissions"), ==, "rw");
    g_string_append_printf(text, "%s%s", i > 0 ? " " : "", json_object_get_string_member(node, "path"));
  }
  return g_string_free(g_steal_pointer(&text), FALSE);
}

/* What the kernel offers for ADDRESS: its group node and the container,
 * then its cdev and /dev/iommu when the fake kernel made them. */
static char *expected_nodes(MockHost *host, const char *address)
{
  g_autofree char *link = g_strdup_printf("/sys/bus/pci/devices/%s/iommu_group", address);
  g_autofree char *group = cli_link_basename(host, link);
  g_autofree char *vfio_dir = g_strdup_printf("%s/sys/bus/pci/devices/%s/vfio-dev", mock_host_root(host), address);
  g_autoptr(GDir) dir = g_dir_open(vfio_dir, 0, NULL);
  const char *vfio = dir != NULL ? g_dir_read_name(dir) : NULL;
  g_autoptr(GString) text = g_string_new(NULL);

  g_assert_nonnull(group);
  g_assert_nonnull(vfio);
  g_string_printf(text, "/dev/vfio/%s /dev/vfio/vfio", group);
  if (mock_host_exists(host, "/dev/iommu"))
    g_string_append_printf(text, " /dev/vfio/devices/%s /dev/iommu", vfio);
  return g_string_free(g_steal_pointer(&text), FALSE);
}

static JsonNode *spec_on_stdout(MockHost *host, const char *owner)
{
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "cdi", "--owner", owner, "--output", "-", NULL);
  g_assert_cmpstr(result.err, ==, "");
  g_assert_cmpint(result.status, ==, 0);
  return cli_parse_json(&result);
}

/* The realistic host has the cdev and iommufd: both ways in. */
static void test_spec_cdev(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autoptr(JsonNode) root = NULL;
  JsonObject *spec;

  prepare(host, "vm1", R_NVME, R_VF);
  root = spec_on_stdout(host, "vm1");
  spec = json_node_get_object(root);
  g_assert_cmpstr(json_object_get_string_member(spec, "kind"), ==, "vfio-hostdev.io/pci");
  /* device names start with a digit: allowed since CDI 0.5.0 */
  g_assert_cmpstr(json_object_get_string_member(spec, "cdiVersion"), ==, "0.5.0");
  g_assert_cmpuint(json_array_get_length(json_object_get_array_member(spec, "devices")), ==, 3);
  {
    g_autofree char *nvme = node_paths(spec_device(spec, "0000-02-00.0"));
    g_autofree char *vf = node_paths(spec_device(spec, "0000-03-10.4"));
    g_autofree char *owner = node_paths(spec_device(spec, "vm1"));
    g_autofree char *expected_nvme = expected_nodes(host, R_NVME);
    g_autofree char *expected_vf = expected_nodes(host, R_VF);
    g_auto(GStrv) vf_nodes = g_strsplit(expected_vf, " ", -1);
    g_autofree char *expected_owner =
      g_strdup_printf("%s %s %s", expected_nvme, vf_nodes[0], vf_nodes[2]);

    g_assert_cmpstr(nvme, ==, expected_nvme);
    g_assert_nonnull(strstr(nvme, "/dev/iommu"));
    g_assert_cmpstr(vf, ==, expected_vf);
    /* the owner's: every node once */
    g_assert_cmpstr(owner, ==, expected_owner);
  }
}

/* The Debian 6.12 guest has no iommufd: group node and container only. */
static void test_spec_legacy(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;

  prepare(host, "guest-1", E1000E, NULL);
  root = spec_on_stdout(host, "guest-1");
  {
    g_autofree char *device = node_paths(spec_device(json_node_get_object(root), "0000-01-00.0"));
    g_autofree char *owner = node_paths(spec_device(json_node_get_object(root), "guest-1"));
    g_autofree char *expected = expected_nodes(host, E1000E);

    g_assert_cmpstr(device, ==, expected);
    g_assert_null(strstr(device, "iommu"));
    g_assert_cmpstr(owner, ==, expected);
  }
}

/* Written atomically where asked, remembered, removed by release. */
static void test_write_and_release(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autofree char *dir = g_dir_make_tmp("vfio-hostdev-cdi-XXXXXX", NULL);
  g_autofree char *spec_dir = g_build_filename(dir, "cdi", NULL);
  g_autofree char *path = g_build_filename(spec_dir, "vfio-hostdev-vm1.json", NULL);
  g_autofree char *written = NULL;
  g_autoptr(JsonNode) expected = NULL;

  prepare(host, "vm1", R_NVME, NULL);
  {
    g_auto(CliResult) result = {0};
    JsonObject *object;
    cli_run(host, &result, "cdi", "--owner", "vm1", "--output", spec_dir, "--json", NULL);
    g_assert_cmpint(result.status, ==, 0);
    g_autoptr(JsonNode) root = cli_parse_json(&result);
    object = json_node_get_object(root);
    g_assert_cmpstr(json_object_get_string_member(object, "path"), ==, path);
    g_assert_cmpstr(json_object_get_string_member(object, "cdi_version"), ==, "0.5.0");
    g_assert_cmpstr(json_array_get_string_element(json_object_get_array_member(object, "devices"), 0), ==,
                    "vfio-hostdev.io/pci=0000-02-00.0");
    g_assert_cmpstr(json_array_get_string_element(json_object_get_array_member(object, "devices"), 1), ==,
                    "vfio-hostdev.io/pci=vm1");
  }
  /* the file is the spec `--output -` prints, and nothing else is left there */
  g_assert_true(g_file_get_contents(path, &written, NULL, NULL));
  expected = spec_on_stdout(host, "vm1");
  {
    g_autofree char *text = json_to_string(expected, TRUE);
    g_assert_cmpstr(written, ==, text);
  }
  {
    g_autoptr(GDir) listing = g_dir_open(spec_dir, 0, NULL);
    g_assert_cmpstr(g_dir_read_name(listing), ==, "vfio-hostdev-vm1.json");
    g_assert_null(g_dir_read_name(listing));
  }
  g_assert_true(mock_host_exists(host, "/run/vfio-hostdev/owner-vm1.cdi"));
  {
    g_auto(CliResult) result = {0};
    cli_run(host, &result, "release", "--owner", "vm1", NULL);
    g_assert_cmpint(result.status, ==, 0);
  }
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
  g_assert_false(mock_host_exists(host, "/run/vfio-hostdev/owner-vm1.cdi"));
  g_rmdir(spec_dir);
  g_rmdir(dir);
}

/* A release killed half way leaves the spec; recover, finishing the
 * release, removes it. */
static void test_recover_finishes_release(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autofree char *dir = g_dir_make_tmp("vfio-hostdev-cdi-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "vfio-hostdev-vm1.json", NULL);
  const char *const release[] = {"release", "--owner", "vm1", NULL};
  g_auto(CliResult) write = {0};
  g_auto(CliResult) killed = {0};
  g_auto(CliResult) recover = {0};

  prepare(host, "vm1", R_NVME, R_VF);
  cli_run(host, &write, "cdi", "--owner", "vm1", "--output", dir, NULL);
  g_assert_cmpint(write.status, ==, 0);
  /* past its first durable step (the journal says "release, running") */
  g_assert_true(mt_crash(host, 2, release, &killed));
  g_assert_true(mt_has_journal(host, "vm1"));
  g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
  cli_run(host, &recover, "recover", NULL);
  g_assert_cmpint(recover.status, ==, 0);
  g_assert_false(mt_has_journal(host, "vm1"));
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
  g_assert_false(mock_host_exists(host, "/run/vfio-hostdev/owner-vm1.cdi"));
  g_rmdir(dir);
}

/* Another owner's release leaves the spec alone. */
static void test_release_other_owner(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autofree char *dir = g_dir_make_tmp("vfio-hostdev-cdi-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "vfio-hostdev-vm1.json", NULL);
  g_auto(CliResult) write = {0};
  g_auto(CliResult) release = {0};

  prepare(host, "vm1", R_NVME, NULL);
  prepare(host, "vm2", R_VF, NULL);
  cli_run(host, &write, "cdi", "--owner", "vm1", "--output", dir, NULL);
  g_assert_cmpint(write.status, ==, 0);
  g_assert_true(g_str_has_prefix(write.out, "wrote "));
  g_assert_nonnull(strstr(write.out, "\n  vfio-hostdev.io/pci=vm1\n"));
  cli_run(host, &release, "release", "--owner", "vm2", NULL);
  g_assert_cmpint(release.status, ==, 0);
  g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
  g_unlink(path);
  g_rmdir(dir);
}

static void assert_refused(MockHost *host, int status, const char *needle, const char *owner, const char *extra)
{
  g_auto(CliResult) result = {0};

  if (owner != NULL)
    cli_run(host, &result, "cdi", "--owner", owner, "--output", "-", extra, NULL);
  else
    cli_run(host, &result, "cdi", "--output", "-", NULL);
  g_assert_cmpint(result.status, ==, status);
  g_assert_cmpstr(result.out, ==, "");
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, needle));
}

static void test_errors(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");

  prepare(host, "vm@1", R_NVME, NULL);
  /* a valid owner, but '@' cannot be in a CDI device name */
  assert_refused(host, 2, "is not a CDI device name", "vm@1", NULL);
  assert_refused(host, 2, "is not a CDI device name", "vm1-", NULL);
  assert_refused(host, 3, "owner vm2 holds no prepared device", "vm2", NULL);
  assert_refused(host, 2, "--owner NAME is required", NULL, NULL);
  assert_refused(host, 2, "unexpected argument", "vm2", "extra");
  /* a directory that cannot be made: failed (exit 1), nothing remembered */
  prepare(host, "vm1", R_VF, NULL);
  {
    g_auto(CliResult) result = {0};
    cli_run(host, &result, "cdi", "--owner", "vm1", "--output", "/dev/null/cdi", NULL);
    g_assert_cmpint(result.status, ==, 1);
    cli_assert_one_line(result.err);
    g_assert_nonnull(strstr(result.err, "/dev/null/cdi"));
    g_assert_false(mock_host_exists(host, "/run/vfio-hostdev/owner-vm1.cdi"));
  }
}

#ifdef HD_TEST_HOOKS
#define WITH_CRASH_HOOK(test) (test)
#else
static void skip_without_crash_hook(void)
{
  g_test_skip("built without -Dtest_hooks=true: the tool has no crash hook");
}
#define WITH_CRASH_HOOK(test) ((void)(test), skip_without_crash_hook)
#endif

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cdi/spec/cdev", test_spec_cdev);
  g_test_add_func("/cdi/spec/legacy", test_spec_legacy);
  g_test_add_func("/cdi/write-and-release", test_write_and_release);
  g_test_add_func("/cdi/release-other-owner", test_release_other_owner);
  /* the crash hook exists only in builds with -Dtest_hooks=true */
  g_test_add_func("/cdi/recover-finishes-release", WITH_CRASH_HOOK(test_recover_finishes_release));
  g_test_add_func("/cdi/errors", test_errors);
  return g_test_run();
}
