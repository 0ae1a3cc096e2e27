// SPDX-License-Identifier: LGPL-2.1-or-later
/* `bind`'s safety checks (src/hostdev/shared/host-use*.c) against the
 * host-usage fixture, a server whose NICs, disks and GPUs the host uses:
 * each use is refused (exit 4) naming what uses the device, with the fake
 * tree unchanged; idle devices bind; --force overrides; --dry-run shows
 * what would be refused or forced. The network state is the fixture's
 * alone (mock-net.c): the machine running the tests does not matter. */
#include "bind-test-util.h"

#define IGPU "0000:00:02.0"     /* i915, boot_vga = 1 */
#define NIC_ADDR "0000:00:03.0" /* enp0s3f0: up, 192.0.2.10/24, 2001:db8:1::10/64, default route */
#define NIC_ROUTE "0000:00:03.1" /* enp0s3f1: up, route 198.51.100.0/24, no address */
#define NIC_DOWN "0000:00:03.2" /* enp0s3f2: down, 203.0.113.5/24 */
#define NIC_BARE "0000:00:03.3" /* enp0s3f3: up, link-local address only */
#define GPU_FB "0000:00:04.0"   /* nouveau, fb0 */
#define NIC_DUAL "0000:00:05.0" /* ens5 up and bare, ens5d1 up with 2001:db8:7::7/64 */
#define NIC_ROUTE6 "0000:00:06.0" /* enp0s6: up, route 2001:db8:9::/48 via fe80::1 */
#define NVME_HELD "0000:00:07.0"  /* nvme0n1p2 held by dm-0 */
#define NVME_MOUNTED "0000:00:08.0" /* nvme1n1p1 mounted at /srv */
#define NVME_IDLE "0000:00:09.0"

/* An interface that is up with an address: refused, naming it, its
 * default route first, then its addresses with their prefix lengths. */
static void test_nic_address(void)
{
  g_autoptr(MockHost) host = cli_host("host-usage");

  g_free(bt_assert_refused(host, FALSE, NIC_ADDR, "igb",
                 (const char *const[]){"network interface enp0s3f0 (default via 192.0.2.1, 192.0.2.10/24, 2001:db8:1::10/64)", NULL}));
}

/* Two interfaces on one function: the bare one does not count, the one
 * with an IPv6 address does. */
static void test_nic_ipv6_address(void)
{
  g_autoptr(MockHost) host = cli_host("host-usage");
  g_auto(CliResult) result = {0};

  g_free(bt_assert_refused(host, FALSE, NIC_DUAL, "mlx4_core",
                 (const char *const[]){"network interface ens5d1 (2001:db8:7::7/64)", NULL}));
  cli_run(host, &result, "bind", NIC_DUAL, NULL);
  g_assert_null(strstr(result.err, "ens5 "));
}

/* Up with a route and no address (IPv4, IPv6): refused, naming the route. */
static void test_nic_route(void)
{
  g_autoptr(MockHost) host = cli_host("host-usage");

  g_free(bt_assert_refused(host, FALSE, NIC_ROUTE, "igb",
                 (const char *const[]){"network interface enp0s3f1 (198.51.100.0/24)", NULL}));
  g_free(bt_assert_refused(host, FALSE, NIC_ROUTE6, "e1000e",
                 (const char *const[]){"network interface enp0s6 (2001:db8:9::/48 via fe80::1)", NULL}));
}

/* Down (even with an address), or up with only what the kernel gives
 * any interface (link-local address, fe80::/64, ff00::/8): free to bind. */
static void test_nic_free(void)
{
  g_autoptr(MockHost) host = cli_host("host-usage");

  bt_assert_binds(host, FALSE, NIC_DOWN);
  bt_assert_binds(host, FALSE, NIC_BARE);
}

/* The fake host's network state is the fixture's alone: q35-zoo's NIC is
 * eth0 with only a link-local address, whatever the test machine's own
 * eth0 carries (a real getifaddrs() would show its addresses). */
static void test_nic_machine_independent(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");

  bt_assert_binds(host, FALSE, "0000:01:00.0");
}

static void test_disk_held(void)
{
  g_autoptr(MockHost) host = cli_host("host-usage");

  g_free(bt_assert_refused(host, FALSE, NVME_HELD, "nvme", (const char *const[]){"nvme0n1p2" " \xe2\x86\x92 " "dm-0" " \xe2\x86\x92 " "mounted on /var", NULL}));
}

static void test_disk_mounted(void)
{
  g_autoptr(MockHost) host = cli_host("host-usage");

  g_free(bt_assert_refused(host, FALSE, NVME_MOUNTED, "nvme", (const char *const[]){"nvme1n1p1" " \xe2\x86\x92 " "mounted on /srv", NULL}));
  bt_assert_binds(host, FALSE, NVME_IDLE);
}

/* A disk found through its major:minor alone: the mount table names it
 * by a path that is not /dev/<name> (a by-uuid link). */
static void test_disk_mounted_by_devno(void)
{
  g_autoptr(MockHost) host = cli_host("host-usage");
  g_autofree char *mountinfo = mock_host_read(host, "/proc/self/mountinfo");
  g_autofree char *with = g_strconcat(mountinfo, "120 21 259:5 / /data rw,relatime - xfs /dev/disk/by-uuid/0f0e rw\n",
                                      NULL);

  mock_host_write(host, "/proc/self/mountinfo", with);
  g_free(bt_assert_refused(host, FALSE, NVME_IDLE, "nvme", (const char *const[]){"nvme2n1" " \xe2\x86\x92 " "mounted on /data", NULL}));
}

static void test_console_framebuffer(void)
{
  g_autoptr(MockHost) host = cli_host("host-usage");

  g_free(bt_assert_refused(host, FALSE, GPU_FB, "nouveau", (const char *const[]){"console framebuffer fb0 (nouveaudrmfb) is on it", NULL}));
}

static void test_boot_vga(void)
{
  g_autoptr(MockHost) host = cli_host("host-usage");

  g_free(bt_assert_refused(host, FALSE, IGPU, "i915", (const char *const[]){"it is the boot VGA device", NULL}));
}

/* One refusal names every device's use at once. */
static void test_all_uses_named(void)
{
  g_autoptr(MockHost) host = cli_host("host-usage");
  g_auto(CliResult) result = {0};
  g_autofree char *before = bt_kernel_hash(host);

  cli_run(host, &result, "bind", IGPU, GPU_FB, NIC_ADDR, NIC_ROUTE, NVME_HELD, NVME_MOUNTED, NVME_IDLE, NULL);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  const char *const needles[] = {"boot VGA", "fb0", "enp0s3f0", "192.0.2.10", "enp0s3f1", "198.51.100.0/24",
                                 "dm-0", "/srv"};
  for (guint i = 0; i < G_N_ELEMENTS(needles); i++)
    g_assert_nonnull(strstr(result.err, needles[i]));
  g_assert_null(strstr(result.err, NVME_IDLE));
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);
  bt_assert_original(host, NVME_IDLE, "nvme", 0);
}

/* --force binds every used device, with one warning per use; reattach
 * puts them all back. */
static void test_force(void)
{
  g_autoptr(MockHost) host = cli_host("host-usage");
  g_auto(CliResult) result = {0};
  const char *const devices[] = {IGPU, GPU_FB, NIC_ADDR, NIC_ROUTE, NVME_HELD, NVME_MOUNTED};
  const char *const drivers[] = {"i915", "nouveau", "igb", "igb", "nvme", "nvme"};
  const char *const warnings[] = {
    "warning: --force: " IGPU ": it is the boot VGA device",
    "warning: --force: " GPU_FB ": console framebuffer fb0",
    "warning: --force: " NIC_ADDR ": network interface enp0s3f0 (default via 192.0.2.1, 192.0.2.10/24",
    "warning: --force: " NIC_ROUTE ": network interface enp0s3f1 (198.51.100.0/24)",
    "warning: --force: " NVME_HELD ": nvme0n1" " \xe2\x86\x92 " "nvme0n1p2" " \xe2\x86\x92 " "dm-0",
    "warning: --force: " NVME_MOUNTED ": nvme1n1" " \xe2\x86\x92 " "nvme1n1p1" " \xe2\x86\x92 " "mounted on /srv",
  };

  cli_run(host, &result, "bind", "--force", IGPU, GPU_FB, NIC_ADDR, NIC_ROUTE, NVME_HELD, NVME_MOUNTED, NULL);
  g_assert_cmpint(result.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS(warnings); i++)
    g_assert_nonnull(strstr(result.err, warnings[i]));
  for (guint i = 0; i < G_N_ELEMENTS(devices); i++) {
    g_autofree char *driver = bt_driver(host, devices[i]);
    g_assert_cmpstr(driver, ==, "vfio-pci");
    g_assert_true(bt_has_record(host, devices[i]));
  }
  cli_run(host, &result, "reattach", IGPU, GPU_FB, NIC_ADDR, NIC_ROUTE, NVME_HELD, NVME_MOUNTED, NULL);
  g_assert_cmpint(result.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS(devices); i++)
    bt_assert_original(host, devices[i], drivers[i], 0);
}

/* --dry-run: refused as a real bind would be, naming the uses; with
 * --force the plan shows what would be forced (text and JSON). Never a
 * change. */
static void test_dry_run(void)
{
  g_autoptr(MockHost) host = cli_host("host-usage");
  g_auto(CliResult) result = {0};
  g_autofree char *before = bt_tree_hash(host);

  cli_run(host, &result, "bind", "--dry-run", NIC_ADDR, NVME_HELD, GPU_FB, NVME_IDLE, NULL);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "enp0s3f0 (default via 192.0.2.1, 192.0.2.10/24"));
  g_assert_nonnull(strstr(result.err, "nvme0n1p2" " \xe2\x86\x92 " "dm-0"));
  g_assert_nonnull(strstr(result.err, "console framebuffer fb0"));
  g_assert_null(strstr(result.err, NVME_IDLE));

  cli_run(host, &result, "bind", "--dry-run", "--force", NIC_ADDR, NVME_HELD, GPU_FB, NVME_IDLE, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, NIC_ADDR ": would unbind it from igb"));
  g_assert_nonnull(strstr(result.out, NVME_HELD ": would unbind it from nvme"));
  g_assert_nonnull(strstr(result.out, NVME_IDLE ": would unbind it from nvme"));
  g_assert_nonnull(strstr(result.err, "--force: " NIC_ADDR ": network interface enp0s3f0 (default via"));
  g_assert_nonnull(strstr(result.err, "--force: " NVME_HELD ": nvme0n1" " \xe2\x86\x92 " "nvme0n1p2" " \xe2\x86\x92 " "dm-0"));
  g_assert_nonnull(strstr(result.err, "--force: " GPU_FB ": console framebuffer fb0"));
  g_assert_null(strstr(result.err, NVME_IDLE));

  cli_run(host, &result, "bind", "--dry-run", "--force", "--json", NIC_ROUTE, NVME_IDLE, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonArray *devices = json_node_get_array(root);
  JsonObject *nic = cli_find_device(devices, NIC_ROUTE);
  JsonObject *idle = cli_find_device(devices, NVME_IDLE);
  g_assert_cmpstr(json_object_get_string_member(nic, "outcome"), ==, "planned");
  JsonArray *forced = json_object_get_array_member(nic, "forced");
  g_assert_cmpuint(json_array_get_length(forced), ==, 1);
  g_assert_cmpstr(json_array_get_string_element(forced, 0), ==,
                  "network interface enp0s3f1 (198.51.100.0/24)");
  g_assert_cmpuint(json_array_get_length(json_object_get_array_member(idle, "forced")), ==, 0);

  g_autofree char *after = bt_tree_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_autofree char *modprobes = mock_host_modprobe_log(host);
  g_assert_cmpstr(modprobes, ==, "");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/host-usage/nic-address", test_nic_address);
  g_test_add_func("/host-usage/nic-ipv6-address", test_nic_ipv6_address);
  g_test_add_func("/host-usage/nic-route", test_nic_route);
  g_test_add_func("/host-usage/nic-free", test_nic_free);
  g_test_add_func("/host-usage/nic-machine-independent", test_nic_machine_independent);
  g_test_add_func("/host-usage/disk-held", test_disk_held);
  g_test_add_func("/host-usage/disk-mounted", test_disk_mounted);
  g_test_add_func("/host-usage/disk-mounted-by-devno", test_disk_mounted_by_devno);
  g_test_add_func("/host-usage/console-framebuffer", test_console_framebuffer);
  g_test_add_func("/host-usage/boot-vga", test_boot_vga);
  g_test_add_func("/host-usage/all-uses-named", test_all_uses_named);
  g_test_add_func("/host-usage/force", test_force);
  g_test_add_func("/host-usage/dry-run", test_dry_run);
  return g_test_run();
}
