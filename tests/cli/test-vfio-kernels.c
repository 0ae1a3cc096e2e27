// SPDX-License-Identifier: LGPL-2.1-or-later
/* bind, show, list and reattach on kernels whose VFIO differs from 6.12's
 * default: a kernel before 6.1 (fixture kernel-5.15: no vfio-dev/, only the
 * driver link and the group node /dev/vfio/N) and one built with
 * CONFIG_VFIO_GROUP=n (fixture cdev-only: vfio-dev/vfioN and
 * /dev/vfio/devices/vfioN, never a group node).
 *
 * The mock creates every node within the probe, so the tool's settle wait
 * is set to one look (VFIO_HOSTDEV_TEST_SETTLE_MS=0, a test-hooks build's
 * variable): a program that waits for a node the kernel never makes fails
 * these tests at once, by rolling back, instead of after its timeout. */
#include "bind-test-util.h"

#include <string.h>

#define NIC "0000:01:00.0"
#define DEVICE_DIR "/sys/bus/pci/devices/" NIC

static char *group_of(MockHost *host)
{
  char *group = cli_link_basename(host, DEVICE_DIR "/iommu_group");

  g_assert_nonnull(group);
  return group;
}

static void bind_nic(MockHost *host, const char *expect_in_out)
{
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", NIC, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, expect_in_out));
  g_assert_true(bt_has_record(host, NIC));
}

/* vfio of `show --json` and of NIC's entry in `list --json`: both must say
 * the same, as the kernel model says. */
static void assert_vfio_json(MockHost *host, const char *detected_by, const char *device, const char *group_node,
                             const char *cdev)
{
  g_auto(CliResult) show = {0};
  g_auto(CliResult) list = {0};

  cli_run(host, &show, "show", "--json", NIC, NULL);
  cli_run(host, &list, "list", "--json", NULL);
  g_assert_cmpint(show.status, ==, 0);
  g_assert_cmpint(list.status, ==, 0);
  g_autoptr(JsonNode) show_root = cli_parse_json(&show);
  g_autoptr(JsonNode) list_root = cli_parse_json(&list);
  JsonObject *objects[] = {json_node_get_object(show_root),
                           cli_find_device(json_node_get_array(list_root), NIC)};
  for (guint i = 0; i < G_N_ELEMENTS(objects); i++) {
    g_assert_nonnull(objects[i]);
    JsonObject *vfio = json_object_get_object_member(objects[i], "vfio");
    g_assert_true(json_object_get_boolean_member(vfio, "bound"));
    g_assert_cmpstr(json_object_get_string_member_with_default(vfio, "detected_by", NULL), ==, detected_by);
    g_assert_cmpstr(json_object_get_string_member_with_default(vfio, "device", NULL), ==, device);
    g_assert_cmpstr(json_object_get_string_member_with_default(vfio, "group_node", NULL), ==, group_node);
    g_assert_cmpstr(json_object_get_string_member_with_default(vfio, "cdev", NULL), ==, cdev);
  }
}

static void reattach_nic(MockHost *host)
{
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "reattach", NIC, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, NIC, "e1000e", 0);
}

/* Before 6.1 the group node is the only sign of VFIO: a driver that is no
 * VFIO driver binds, makes no node, and the bind rolls back. (vfio is
 * loaded by then, as after the first bind.) */
static void assert_needs_group_node(MockHost *host, const char *group)
{
  g_autofree char *missing = g_strdup_printf("/dev/vfio/%s did not appear", group);
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--driver", "pci-stub", NIC, NULL);
  g_assert_cmpint(result.status, ==, 1);
  g_assert_nonnull(strstr(result.err, missing));
  g_assert_nonnull(strstr(result.err, "rolled back"));
  bt_assert_original(host, NIC, "e1000e", 0);
}

/* Before 5.16 no module declares a vfio_pci: alias: vfio-pci is the choice,
 * and the reason says why, without the warning meant for a newer kernel
 * whose vfio-pci is missing. */
static void assert_old_kernel_choice(MockHost *host)
{
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "driver", NIC, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "reason: vfio_pci: kernel 5.15.0-91-generic predates vfio_pci: aliases"));
  g_assert_null(strstr(result.err, "no vfio_pci: alias"));
}

/* Before 6.1: bound is the driver link plus the group node; the device
 * counts as VFIO-bound by its driver's name (the documented fallback). */
static void test_old_kernel(void)
{
  g_autoptr(MockHost) host = cli_host("kernel-5.15");
  g_autofree char *group = group_of(host);
  g_autofree char *node = g_strdup_printf("/dev/vfio/%s", group);
  g_autofree char *said = g_strdup_printf("bound to vfio-pci (no vfio-dev, %s)", node);

  assert_old_kernel_choice(host);
  bind_nic(host, said);
  g_autofree char *driver = bt_driver(host, NIC);
  g_assert_cmpstr(driver, ==, "vfio-pci");
  g_assert_true(mock_host_exists(host, node));
  g_assert_false(mock_host_exists(host, DEVICE_DIR "/vfio-dev"));
  assert_vfio_json(host, "driver vfio-pci", NULL, node, NULL);
  reattach_nic(host);
  g_assert_false(mock_host_exists(host, node));
  assert_needs_group_node(host, group);
}

/* CONFIG_VFIO_GROUP=n: bound is vfio-dev/vfioN plus its cdev; there is no
 * group node to wait for. */
static void test_cdev_only(void)
{
  g_autoptr(MockHost) host = cli_host("cdev-only");
  g_autofree char *group = group_of(host);
  g_autofree char *node = g_strdup_printf("/dev/vfio/%s", group);

  bind_nic(host, "bound to vfio-pci (vfio0, /dev/vfio/devices/vfio0)");
  g_assert_true(mock_host_exists(host, DEVICE_DIR "/vfio-dev/vfio0"));
  g_assert_true(mock_host_exists(host, "/dev/vfio/devices/vfio0"));
  g_assert_false(mock_host_exists(host, node));
  g_assert_false(mock_host_exists(host, "/dev/vfio/vfio"));
  assert_vfio_json(host, "vfio-dev", "vfio0", NULL, "/dev/vfio/devices/vfio0");
  reattach_nic(host);
  g_assert_false(mock_host_exists(host, "/dev/vfio/devices/vfio0"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_setenv("VFIO_HOSTDEV_TEST_SETTLE_MS", "0", TRUE);
  g_test_add_func("/vfio-kernels/old-kernel", test_old_kernel);
  g_test_add_func("/vfio-kernels/cdev-only", test_cdev_only);
  return g_test_run();
}
