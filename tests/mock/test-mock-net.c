// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-mock-net: the fake host's network state (mock-net.c, the net.*
 * fixture keys of mock-mkhost-net.c): getifaddrs() and the if_*()
 * calls answer from the root only, /proc/net is the root's, and nothing
 * of the real machine's interfaces, addresses or routes shows through. */
#include "test-mock-common.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

static const char zoo_ifaddrs[] = "lo packet 00:00:00:00:00:00 10049\n"
                                  "eth0 packet 52:54:00:12:34:02 11043\n"
                                  "lo inet 127.0.0.1/8 10049\n"
                                  "eth0 inet6 fe80::5054:ff:fe12:3402/64 11043\n"
                                  "lo inet6 ::1/128 10049";

/* Exactly the fixture's interfaces: lo and eth0 (q35-zoo's NIC, named like
 * the NIC of many a test machine), eth0 with its link-local address only. */
static void test_getifaddrs_zoo(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");

  assert_fsop(host, "ifaddrs", NULL, NULL, zoo_ifaddrs);
  assert_fsop(host, "nameindex", NULL, NULL, "1 lo\n2 eth0");
  assert_fsop(host, "ifindex", "eth0", NULL, "2 eth0");
  assert_fsop(host, "ifindex", "lo", NULL, "1 lo");
  assert_fsop(host, "ifindex", "ifb0", NULL, "ERR ENODEV");
  assert_fsop(host, "ifindex", "../block", NULL, "ERR ENODEV");
}

/* Whatever the real machine has: none of its interfaces (but lo) and none
 * of its addresses (but lo's) appear under the mock. */
static void test_real_machine_hidden(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");
  g_autofree char *mocked = fsop(host, "ifaddrs", NULL, NULL);
  g_auto(GStrv) lines = g_strsplit(mocked, "\n", -1);
  struct ifaddrs *real = NULL;

  g_assert_cmpint(getifaddrs(&real), ==, 0);
  for (struct ifaddrs *ifa = real; ifa != NULL; ifa = ifa->ifa_next) {
    char text[INET6_ADDRSTRLEN] = "";
    const struct sockaddr *sa = ifa->ifa_addr;
    if (g_str_equal(ifa->ifa_name, "lo"))
      continue;
    if (!g_str_equal(ifa->ifa_name, "eth0")) {
      g_autofree char *prefix = g_strconcat(ifa->ifa_name, " ", NULL);
      for (char **l = lines; *l != NULL; l++)
        g_assert_false(g_str_has_prefix(*l, prefix));
    }
    if (sa == NULL || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
      continue;
    inet_ntop(sa->sa_family,
              sa->sa_family == AF_INET ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
                                       : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr,
              text, sizeof(text));
    g_test_message("real %s %s", ifa->ifa_name, text);
    g_autofree char *needle = g_strdup_printf(" %s/", text);
    if (!g_str_equal(text, "fe80::5054:ff:fe12:3402"))
      g_assert_null(strstr(mocked, needle));
  }
  freeifaddrs(real);
  g_assert_cmpstr(mocked, ==, zoo_ifaddrs);
}

/* /proc/net, /proc/self/net and /proc/thread-self/net are the root's:
 * the fixture's tables, ENOENT for files the mock does not make. */
static void test_proc_net(void)
{
  g_autoptr(MockHost) host = host_new("host-usage");
  g_autofree char *route = fsop(host, "read", "/proc/net/route", NULL);
  g_autofree char *self_route = fsop(host, "read", "/proc/self/net/route", NULL);
  g_autofree char *ipv6 = fsop(host, "read", "/proc/thread-self/net/ipv6_route", NULL);
  g_autofree char *inet6 = fsop(host, "read", "/proc/net/if_inet6", NULL);

  g_assert_true(g_str_has_prefix(route, "Iface\tDestination\tGateway \tFlags"));
  g_assert_cmpstr(route, ==, self_route);
  /* 192.0.2.0/24 (the address's prefix), default via 192.0.2.1, 198.51.100.0/24 */
  g_assert_nonnull(strstr(route, "\nenp0s3f0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t"));
  g_assert_nonnull(strstr(route, "\nenp0s3f0\t00000000\t010200C0\t0003\t"));
  g_assert_nonnull(strstr(route, "\nenp0s3f1\t006433C6\t00000000\t0001\t"));
  /* the down interface: no route, not even the one its fixture declares */
  g_assert_null(strstr(route, "enp0s3f2"));
  g_assert_null(strstr(ipv6, "enp0s3f2"));
  g_assert_nonnull(strstr(ipv6, "20010db8000900000000000000000000 30 00000000000000000000000000000000 00 "
                                "fe800000000000000000000000000001 00000400 00000001 00000000 00000003   enp0s6\n"));
  g_assert_nonnull(strstr(ipv6, "ff000000000000000000000000000000 08 "));
  g_assert_nonnull(strstr(inet6, "20010db8000700000000000000000007 07 40 00 80   ens5d1\n"));
  assert_fsop(host, "read", "/proc/net/arp", NULL, "ERR ENOENT");
  assert_fsop(host, "stat", "/proc/net/dev", NULL, "ERR ENOENT");
}

/* Up, down, addresses of both families, two interfaces on one device. */
static void test_getifaddrs_states(void)
{
  g_autoptr(MockHost) host = host_new("host-usage");
  g_autofree char *out = fsop(host, "ifaddrs", NULL, NULL);

  g_test_message("%s", out);
  /* down: IFF_BROADCAST | IFF_MULTICAST, keeps its IPv4 address only */
  g_assert_nonnull(strstr(out, "enp0s3f2 packet 52:54:00:12:34:04 1002\n"));
  g_assert_nonnull(strstr(out, "enp0s3f2 inet 203.0.113.5/24 1002\n"));
  g_assert_null(strstr(out, "enp0s3f2 inet6"));
  g_assert_nonnull(strstr(out, "enp0s3f0 inet 192.0.2.10/24 11043\n"));
  g_assert_nonnull(strstr(out, "enp0s3f0 inet6 2001:db8:1::10/64 11043\n"));
  g_assert_nonnull(strstr(out, "ens5d1 inet6 2001:db8:7::7/64 11043\n"));
  g_assert_null(strstr(out, "ens5 inet "));
  g_assert_nonnull(strstr(out, "ens5 inet6 fe80::5054:ff:fe12:3406/64 11043\n"));
  g_assert_null(strstr(out, "ens5 inet6 2001"));
  assert_file(host, "/sys/class/net/enp0s3f2/flags", "0x1002");
  assert_file(host, "/sys/class/net/enp0s3f2/operstate", "down");
  assert_fsop(host, "realpath", "/sys/class/net/ens5d1", NULL, "/sys/devices/pci0000:00/0000:00:05.0/net/ens5d1");
  assert_fsop(host, "realpath", "/sys/class/net/ens5d1/device", NULL, "/sys/devices/pci0000:00/0000:00:05.0");
}

/* Interfaces follow sysfs: a test that downs one or removes it sees
 * getifaddrs() agree. */
static void test_getifaddrs_follows_sysfs(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");

  mock_host_write(host, "/sys/class/net/eth0/flags", "0x1002\n");
  assert_fsop(host, "ifaddrs", NULL, NULL,
              "lo packet 00:00:00:00:00:00 10049\n"
              "eth0 packet 52:54:00:12:34:02 1002\n"
              "lo inet 127.0.0.1/8 10049\n"
              "eth0 inet6 fe80::5054:ff:fe12:3402/64 1002\n"
              "lo inet6 ::1/128 10049");
  mock_host_remove(host, "/sys/class/net/eth0");
  assert_fsop(host, "ifaddrs", NULL, NULL,
              "lo packet 00:00:00:00:00:00 10049\n"
              "lo inet 127.0.0.1/8 10049\n"
              "lo inet6 ::1/128 10049");
}

/* Block devices and framebuffers the safety checks look at. */
static void test_block_and_fb(void)
{
  g_autoptr(MockHost) host = host_new("host-usage");
  g_autofree char *mountinfo = mock_host_read(host, "/proc/self/mountinfo");
  g_autofree char *mounts = mock_host_read(host, "/proc/mounts");

  assert_fsop(host, "realpath", "/sys/class/block/nvme0n1p2", NULL,
              "/sys/devices/pci0000:00/0000:00:07.0/nvme/nvme0/nvme0n1/nvme0n1p2");
  assert_fsop(host, "realpath", "/sys/class/block/nvme0n1p2/holders/dm-0", NULL, "/sys/devices/virtual/block/dm-0");
  assert_fsop(host, "realpath", "/sys/block/dm-0/slaves/nvme0n1p2", NULL,
              "/sys/devices/pci0000:00/0000:00:07.0/nvme/nvme0/nvme0n1/nvme0n1p2");
  assert_file(host, "/sys/class/block/dm-0/dev", "253:0");
  assert_file(host, "/sys/class/block/nvme1n1p1/partition", "1");
  assert_fsop(host, "ls", "/sys/class/block/nvme2n1/holders", NULL, "");
  g_assert_nonnull(strstr(mountinfo, "\n100 21 253:0 / /var rw,relatime shared:100 - ext4 /dev/mapper/vg0-lv rw\n"));
  g_assert_nonnull(strstr(mountinfo, " 259:4 / /srv "));
  g_assert_nonnull(strstr(mounts, "\n/dev/nvme1n1p1 /srv ext4 "));
  assert_fsop(host, "realpath", "/sys/class/graphics/fb0/device", NULL, "/sys/devices/pci0000:00/0000:00:04.0");
  assert_file(host, "/sys/class/graphics/fb0/name", "nouveaudrmfb");
  assert_fsop(host, "ls", "/sys/class/graphics", NULL, "fb0\nfbcon");
}

/* Fixture mistakes in the new keys are reported, not ignored. */
static void test_fixture_errors(void)
{
  static const char *const bad[][2] = {
    {"net=eth0\nnet.eth1.up=true\n", "not one of its net= entries"},
    {"net=eth0\nnet.eth0.speed=10\n", "unknown property speed"},
    {"net=eth0\nnet.eth0.up=maybe\n", "not a boolean"},
    {"net=eth0\nnet.eth0.address=192.0.2.300/24\n", "not an address"},
    {"net=eth0\nnet.eth0.route=10.0.0.0/8 via\n", "DEST[/LEN]"},
    {"net=eth0\nnet.eth0.route=default via 2001:db8::1 via 2001:db8::2\n", "DEST[/LEN]"},
    {"nvme=nvme0\nblock.nvme9n1.mount=/srv\n", "no block device nvme9n1"},
    {"nvme=nvme0\nblock.nvme0n1.mount=srv\n", "not an absolute path"},
    {"nvme=nvme0\nblock.nvme0n1.size=1\n", "not block.NAME"},
    {"fb=fb0\nfb.fb1.name=x\n", "not one of its fb= entries"},
    {"fb=card0\n", "not fb0..fb31"},
    {"net=eth0;eth0\n", "declared twice"},
    {"net=lo\n", "declared twice"},
  };
  g_autofree char *dir = g_dir_make_tmp("mock-net-XXXXXX", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autofree char *ini = g_build_filename(dir, "bad.ini", NULL);
    g_autofree char *root = g_build_filename(dir, "root", NULL);
    g_autofree char *text = g_strdup_printf("[host]\nrelease=6.12.0\n[device 0000:00:02.0]\nvendor=8086\n%s", bad[i][0]);
    const char *argv[] = {g_getenv("MOCK_MKHOST"), ini, root, NULL};
    g_autofree char *err = NULL;
    int status = 0;

    g_assert_true(g_file_set_contents(ini, text, -1, NULL));
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status,
                               NULL));
    g_test_message("%s -> %s", bad[i][0], err);
    g_assert_false(g_spawn_check_wait_status(status, NULL));
    g_assert_nonnull(strstr(err, bad[i][1]));
    g_autofree char *rm = g_strdup_printf("rm -rf '%s'", root);
    g_assert_cmpint(system(rm), ==, 0);
  }
  g_autofree char *rm = g_strdup_printf("rm -rf '%s'", dir);
  g_assert_cmpint(system(rm), ==, 0);
}

/* Without VFIO_HOSTDEV_MOCK_ROOT getifaddrs() aborts instead of showing
 * the real interfaces. */
static void test_unset_root_aborts(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");
  g_autofree char *prog = g_build_filename(g_getenv("MOCK_BIN_DIR"), "mock-fsop", NULL);
  const char *argv[] = {prog, "ifaddrs", NULL};
  g_auto(GStrv) env = mock_host_environ(host);
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  env = g_environ_unsetenv(env, "VFIO_HOSTDEV_MOCK_ROOT");
  g_assert_true(g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL));
  g_assert_false(g_spawn_check_wait_status(status, NULL));
  g_assert_nonnull(strstr(err, "VFIO_HOSTDEV_MOCK_ROOT"));
  g_assert_cmpstr(out, ==, "");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mock/net/getifaddrs-zoo", test_getifaddrs_zoo);
  g_test_add_func("/mock/net/real-machine-hidden", test_real_machine_hidden);
  g_test_add_func("/mock/net/proc-net", test_proc_net);
  g_test_add_func("/mock/net/getifaddrs-states", test_getifaddrs_states);
  g_test_add_func("/mock/net/getifaddrs-follows-sysfs", test_getifaddrs_follows_sysfs);
  g_test_add_func("/mock/net/block-and-fb", test_block_and_fb);
  g_test_add_func("/mock/net/fixture-errors", test_fixture_errors);
  g_test_add_func("/mock/net/unset-root-aborts", test_unset_root_aborts);
  return g_test_run();
}
