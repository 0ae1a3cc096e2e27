// SPDX-License-Identifier: LGPL-2.1-or-later
/* vfio's unsafe no-IOMMU mode on a host without an IOMMU (fixture
 * no-iommu, enable_unsafe_noiommu_mode set as `echo Y >` would): show and
 * list say so, bind and run refuse such a device unless --noiommu, then the
 * probe makes /dev/vfio/noiommu-N; prepare refuses it always (QEMU cannot
 * use it); reattach gives the group back to the kernel. */
#include <string.h>

#include "bind-test-util.h"

#define EDU "0000:00:02.0"
#define NOIOMMU_PARAM "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"

static MockHost *noiommu_host(void)
{
  MockHost *host = cli_host("no-iommu");

  mock_host_write(host, NOIOMMU_PARAM, "Y\n");
  return host;
}

static JsonObject *show_json(MockHost *host, CliResult *result)
{
  cli_run(host, result, "show", "--json", EDU, NULL);
  g_assert_cmpint(result->status, ==, 0);
  JsonNode *root = cli_parse_json(result);
  JsonObject *object = json_object_ref(json_node_get_object(root));
  json_node_unref(root);
  return object;
}

/* COMMAND on EDU: exit 4, one line naming NEEDLE and the danger, /sys, /dev
 * and the records as they were. */
static void assert_refused_unchanged(MockHost *host, const char *command, const char *needle)
{
  g_auto(CliResult) result = {0};
  g_autofree char *before = bt_kernel_hash(host);
  guint records = bt_count_records(host);

  if (g_str_equal(command, "run"))
    cli_run(host, &result, "run", "-d", EDU, "--", "true", NULL);
  else if (g_str_equal(command, "prepare"))
    cli_run(host, &result, "prepare", "--owner", "vm1", EDU, NULL);
  else
    cli_run(host, &result, command, EDU, NULL);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  if (strstr(result.err, needle) == NULL || strstr(result.err, "no DMA isolation") == NULL)
    g_error("%s: no \"%s\" and \"no DMA isolation\" in: %s", command, needle, result.err);
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_assert_cmpuint(bt_count_records(host), ==, records);
}

static void test_show_and_list(void)
{
  g_autoptr(MockHost) host = cli_host("no-iommu");
  g_auto(CliResult) result = {0};

  g_autoptr(JsonObject) off = show_json(host, &result);
  g_assert_false(json_object_get_boolean_member(off, "noiommu"));
  mock_host_write(host, NOIOMMU_PARAM, "Y\n");
  g_autoptr(JsonObject) on = show_json(host, &result);
  g_assert_true(json_object_get_boolean_member(on, "noiommu"));
  g_assert_true(json_object_get_null_member(on, "iommu_group"));

  cli_run(host, &result, "show", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "No-IOMMU:"));
  g_assert_nonnull(strstr(result.out, "NO DMA ISOLATION"));
  g_assert_nonnull(strstr(result.err, "can DMA anywhere in host memory"));

  cli_run(host, &result, "list", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) list = cli_parse_json(&result);
  JsonObject *edu = cli_find_device(json_node_get_array(list), EDU);
  g_assert_true(json_object_get_boolean_member(edu, "noiommu"));
  g_assert_nonnull(strstr(result.err, "unsafe no-IOMMU mode is on"));
}

static void test_refused_without_flag(void)
{
  g_autoptr(MockHost) host = noiommu_host();
  g_auto(CliResult) result = {0};

  assert_refused_unchanged(host, "bind", "--noiommu binds it anyway");
  assert_refused_unchanged(host, "run", "--noiommu binds it anyway");
  assert_refused_unchanged(host, "prepare", "QEMU cannot use");
  g_autofree char *modprobes = mock_host_modprobe_log(host);
  g_assert_cmpstr(modprobes, ==, "");
  cli_run(host, &result, "bind", "--noiommu", "--persist", EDU, NULL);
  g_assert_cmpint(result.status, ==, 2);
}

static void test_bind_with_flag(void)
{
  g_autoptr(MockHost) host = noiommu_host();
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--noiommu", "--driver", "vfio-pci", EDU, NULL);
  if (result.status != 0)
    g_error("bind --noiommu: exit %d: %s", result.status, result.err);
  bt_assert_vfio(host, EDU, "vfio-pci", "noiommu-0");
  g_autofree char *name = mock_host_read_trim(host, "/sys/kernel/iommu_groups/0/name");
  g_assert_cmpstr(name, ==, "vfio-noiommu");
  g_assert_nonnull(strstr(result.out, "/dev/vfio/noiommu-0"));

  g_autoptr(JsonObject) bound = show_json(host, &result);
  /* its group is vfio's, not an IOMMU's: the IOMMU is still said to be off */
  g_assert_nonnull(strstr(result.err, "the IOMMU is off"));
  g_assert_cmpint(json_object_get_int_member(bound, "iommu_group"), ==, 0);
  g_assert_true(json_object_get_boolean_member(bound, "noiommu"));
  JsonObject *vfio = json_object_get_object_member(bound, "vfio");
  g_assert_cmpstr(json_object_get_string_member(vfio, "group_node"), ==, "/dev/vfio/noiommu-0");

  /* on VFIO already, in its no-IOMMU group: still nothing for a VM */
  assert_refused_unchanged(host, "prepare", "is in a no-IOMMU group");

  cli_run(host, &result, "reattach", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *driver = bt_driver(host, EDU);
  g_assert_null(driver);
  g_assert_false(mock_host_exists(host, "/dev/vfio/noiommu-0"));
  g_assert_false(mock_host_exists(host, "/sys/kernel/iommu_groups/0"));
  g_assert_false(mock_host_exists(host, "/sys/bus/pci/devices/" EDU "/iommu_group"));

  cli_run(host, &result, "run", "--noiommu", "--driver", "vfio-pci", "-d", EDU, "--", "true", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *after_run = bt_driver(host, EDU);
  g_assert_null(after_run);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/noiommu/show-and-list", test_show_and_list);
  g_test_add_func("/noiommu/refused-without-flag", test_refused_without_flag);
  g_test_add_func("/noiommu/bind-with-flag", test_bind_with_flag);
  return g_test_run();
}
