// SPDX-License-Identifier: LGPL-2.1-or-later
/* `bind`'s network check (src/hostdev/shared/host-use-net.c) against the
 * host-use-net fixture, a server whose NICs the host uses through
 * interfaces stacked on them: each refusal (exit 4, one line, nothing
 * changed, no record, no module loaded) names the chain from the device's
 * interface to the one in use; the default route comes first; Open vSwitch
 * membership and netconsole count by themselves; a bare stack does not;
 * once the address is gone the NIC binds; --force binds anyway. */
#include <unistd.h>

#include "bind-test-util.h"

#define NIC_BRIDGE "0000:00:03.0" /* enp3s0f0 → br0 (192.0.2.10/24, default route) */
#define NIC_BOND_A "0000:00:03.1" /* enp3s0f1 → bond0 → bond0.100 (198.51.100.5/24) */
#define NIC_BOND_B "0000:00:03.2" /* enp3s0f2 → bond0 → bond0.100 */
#define NIC_VLANS "0000:00:04.0"  /* enp4s0.20 (203.0.113.9/24), enp4s0.30 (198.18.0.2/24, default route) */
#define NIC_OVS "0000:00:05.0"    /* ens5, master ovs-system */
#define NIC_MACVLAN "0000:00:06.0" /* enp6s0 → mv0, up and bare */
#define NIC_VXLAN "0000:00:07.0"  /* enp7s0 under vxlan0 (10.0.0.1/24) by iflink */
#define NIC_BARE "0000:00:08.0"   /* enp8s0, up and bare */
#define NIC_BRIDGED "0000:00:09.0" /* enp9s0 → br1 (no address), with the tap vnet0 */

static void test_bridge(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-net");

  g_free(bt_assert_refused(host, FALSE, NIC_BRIDGE, "igb",
                           (const char *const[]){"network interface enp3s0f0 → br0 (default via 192.0.2.1, 192.0.2.10/24)",
                                                 NULL}));
}

/* A bridge without an address that forwards for a guest's tap: the NIC is
 * the guest's way out, in use although the host has no address there.
 * Once the tap is down the bridge forwards for nothing and the NIC binds. */
static void test_forwarding_bridge(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-net");

  g_free(bt_assert_refused(host, FALSE, NIC_BRIDGED, "e1000e",
                           (const char *const[]){"network interface enp9s0 \xe2\x86\x92 br1 (a bridge forwarding "
                                                 "for vnet0)",
                                                 NULL}));
  mock_host_write(host, "/sys/class/net/vnet0/flags", "0x1002\n");
  bt_assert_binds(host, FALSE, NIC_BRIDGED);
}

/* Two ports of a bond, and a VLAN on the bond: each port is refused with
 * the whole chain. */
static void test_bond_vlan(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-net");

  g_free(bt_assert_refused(host, FALSE, NIC_BOND_A, "igb",
                           (const char *const[]){"network interface enp3s0f1 → bond0 → bond0.100 (198.51.100.5/24)",
                                                 NULL}));
  g_free(bt_assert_refused(host, FALSE, NIC_BOND_B, "igb",
                           (const char *const[]){"network interface enp3s0f2 → bond0 → bond0.100 (198.51.100.5/24)",
                                                 NULL}));
}

/* Two VLANs: both named, the one with the default route first although it
 * is the second upper of the port. */
static void test_vlans_default_route_first(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-net");
  const char *with_default = "network interface enp4s0 → enp4s0.30 (default via 198.18.0.1, 198.18.0.2/24)";
  const char *other = "network interface enp4s0 → enp4s0.20 (203.0.113.9/24)";
  g_autofree char *err =
    bt_assert_refused(host, FALSE, NIC_VLANS, "e1000e", (const char *const[]){with_default, other, NULL});

  g_assert_true(strstr(err, with_default) < strstr(err, other));
}

/* An Open vSwitch port counts by itself: the host's address is on the
 * internal port br-ex, which no link leads to from ens5. */
static void test_ovs_port(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-net");
  g_autofree char *err = bt_assert_refused(host, FALSE, NIC_OVS, "mlx5_core", (const char *const[]){"network interface ens5 → ovs-system (an Open vSwitch port", NULL});

  g_assert_null(strstr(err, "br-ex"));
}

/* A tunnel bound to the NIC (iflink) with an address is its user; a
 * macvlan that is up without an address is none. */
static void test_tunnel_and_bare_macvlan(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-net");

  g_free(bt_assert_refused(host, FALSE, NIC_VXLAN, "e1000e",
                           (const char *const[]){"network interface enp7s0 → vxlan0 (10.0.0.1/24)", NULL}));
  bt_assert_binds(host, FALSE, NIC_MACVLAN);
}

/* netconsole's interface: an enabled configfs target, or a netconsole=
 * target of the command line when netconsole is in the kernel; a disabled
 * target or a command line without netconsole loaded does not count. */
static void test_netconsole(void)
{
  g_autoptr(MockHost) configfs = cli_host("host-use-net");
  g_autoptr(MockHost) cmdline = cli_host("host-use-net");
  g_autoptr(MockHost) disabled = cli_host("host-use-net");
  const char *const needles[] = {"network interface enp8s0 carries netconsole", NULL};

  mock_host_write(configfs, "/sys/kernel/config/netconsole/target1/dev_name", "enp8s0\n");
  mock_host_write(configfs, "/sys/kernel/config/netconsole/target1/enabled", "1\n");
  g_free(bt_assert_refused(configfs, FALSE, NIC_BARE, "e1000e", needles));

  mock_host_write(cmdline, "/proc/cmdline", "root=/dev/sda1 netconsole=6665@192.0.2.20/enp8s0,6666@192.0.2.1/\n");
  mock_host_write(cmdline, "/sys/module/netconsole/parameters/oops_only", "N\n");
  g_free(bt_assert_refused(cmdline, FALSE, NIC_BARE, "e1000e", needles));

  mock_host_write(disabled, "/sys/kernel/config/netconsole/target1/dev_name", "enp8s0\n");
  mock_host_write(disabled, "/sys/kernel/config/netconsole/target1/enabled", "0\n");
  mock_host_write(disabled, "/proc/cmdline", "root=/dev/sda1 netconsole=6665@192.0.2.20/enp8s0,6666@192.0.2.1/\n");
  bt_assert_binds(disabled, FALSE, NIC_BARE);
}

/* Lines of the fake host's FILE that do not mention WORD. */
static void drop_lines(MockHost *host, const char *file, const char *word)
{
  g_autofree char *text = mock_host_read(host, file);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_autoptr(GString) kept = g_string_new(NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr(lines[i], word) == NULL && *lines[i] != '\0')
      g_string_append_printf(kept, "%s\n", lines[i]);
  mock_host_write(host, file, kept->str);
}

/* Once br0 is down (the kernel flushes its routes and IPv6 addresses), the
 * bridge uses the port no more: it binds. */
static void test_freed_bridge_binds(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-net");

  mock_host_write(host, "/sys/devices/virtual/net/br0/flags", "0x1002\n");
  mock_host_write(host, "/sys/devices/virtual/net/br0/operstate", "down\n");
  drop_lines(host, "/proc/net/route", "br0");
  drop_lines(host, "/proc/net/ipv6_route", "br0");
  bt_assert_binds(host, FALSE, NIC_BRIDGE);
}

/* --force binds them anyway, one warning per chain. */
static void test_force(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-net");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--force", NIC_BRIDGE, NIC_OVS, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, "warning: --force: " NIC_BRIDGE ": network interface enp3s0f0 → br0 (default"));
  g_assert_nonnull(strstr(result.err, "warning: --force: " NIC_OVS ": network interface ens5 → ovs-system"));
  for (guint i = 0; i < 2; i++) {
    const char *address = i == 0 ? NIC_BRIDGE : NIC_OVS;
    g_autofree char *driver = bt_driver(host, address);
    g_assert_cmpstr(driver, ==, "vfio-pci");
    g_assert_true(bt_has_record(host, address));
  }
}

/* Appends LINE to the fake host's mount table. */
static void add_mount(MockHost *host, const char *line)
{
  g_autofree char *table = mock_host_read(host, "/proc/self/mountinfo");
  g_autofree char *more = g_strconcat(table, line, "\n", NULL);

  mock_host_write(host, "/proc/self/mountinfo", more);
}

/* An NFS root: the NIC whose stacked interface has the mount's clientaddr=
 * carries it, and so does the one whose VLAN reaches an NFSv3 server's
 * subnet directly; it is the root filesystem, which --force does not take.
 * A NIC that carries neither binds. */
static void test_nfs_root(void)
{
  g_autoptr(MockHost) v4 = cli_host("host-use-net");
  g_autoptr(MockHost) v3 = cli_host("host-use-net");

  add_mount(v4, "90 1 0:60 / / rw,relatime - nfs4 192.0.2.1:/srv/root rw,vers=4.2,addr=192.0.2.1,"
                "clientaddr=192.0.2.10");
  g_free(bt_assert_refused(v4, TRUE, NIC_BRIDGE, "igb",
                           (const char *const[]){NIC_BRIDGE " is protected: enp3s0f0 \xe2\x86\x92 br0 carries the "
                                                 "root filesystem (nfs4 192.0.2.1:/srv/root)",
                                                 "--force does not override this", NULL}));
  bt_assert_binds(v4, FALSE, NIC_BARE);
  add_mount(v3, "90 1 0:60 / / rw,relatime - nfs 203.0.113.77:/export/root rw,vers=3,addr=203.0.113.77");
  g_free(bt_assert_refused(v3, TRUE, NIC_VLANS, "e1000e",
                           (const char *const[]){"enp4s0 \xe2\x86\x92 enp4s0.20 carries the root filesystem (nfs "
                                                 "203.0.113.77:/export/root)",
                                                 NULL}));
}

/* A link at PATH in the fake host to TARGET (relative, as sysfs has it). */
static void add_link(MockHost *host, const char *path, const char *target)
{
  g_autofree char *real = g_build_filename(mock_host_root(host), path, NULL);
  g_autofree char *dir = g_path_get_dirname(real);

  g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
  g_assert_cmpint(symlink(target, real), ==, 0);
}

/* NVMe over TCP: a controller sent through the NIC's interface
 * (host_iface=), its namespace mounted: refused with the chain from the
 * interface through the controller to the mount; --force takes it. While
 * no namespace is used, the controller is no use. */
static void test_nvme_tcp(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-net");
  g_auto(CliResult) result = {0};

  mock_host_write(host, "/sys/class/nvme/nvme20/transport", "tcp\n");
  mock_host_write(host, "/sys/class/nvme/nvme20/address", "traddr=203.0.113.77,trsvcid=4420,host_iface=enp8s0\n");
  mock_host_write(host, "/sys/class/nvme/nvme20/state", "live\n");
  mock_host_write(host, "/sys/class/nvme/nvme20/nvme20n1/dev", "259:90\n");
  mock_host_write(host, "/sys/class/block/nvme20n1/dev", "259:90\n");
  cli_run(host, &result, "bind", "--dry-run", NIC_BARE, NULL);
  g_assert_cmpint(result.status, ==, 0);
  add_mount(host, "91 21 259:90 / /data rw,relatime - ext4 /dev/nvme20n1 rw");
  g_free(bt_assert_refused(host, FALSE, NIC_BARE, "e1000e",
                           (const char *const[]){"enp8s0 \xe2\x86\x92 nvme20 (nvme-tcp 203.0.113.77:4420) \xe2\x86\x92 "
                                                 "nvme20n1 \xe2\x86\x92 mounted on /data",
                                                 NULL}));
  bt_assert_binds(host, TRUE, NIC_BARE);
}

/* iSCSI: a session whose SCSI host sends through the NIC's interface
 * (netdev), its disk mounted: refused with the chain from the interface
 * through the session to the mount; --force takes it. The tree is the
 * kernel's: session, connection and disk below platform/hostH. */
static void test_iscsi(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-net");
  g_auto(CliResult) result = {0};
  const char *session = "/sys/devices/platform/host2/session1";

  mock_host_write(host, "/sys/devices/platform/host2/iscsi_host/host2/netdev", "enp8s0\n");
  add_link(host, "/sys/class/iscsi_host/host2", "../../devices/platform/host2/iscsi_host/host2");
  g_autofree char *name = g_strconcat(session, "/iscsi_session/session1/targetname", NULL);
  mock_host_write(host, name, "iqn.2003-01.org.example:root\n");
  add_link(host, "/sys/class/iscsi_session/session1", "../../devices/platform/host2/session1/iscsi_session/session1");
  g_autofree char *address = g_strconcat(session, "/connection1:0/iscsi_connection/connection1:0/address", NULL);
  g_autofree char *port = g_strconcat(session, "/connection1:0/iscsi_connection/connection1:0/port", NULL);
  mock_host_write(host, address, "198.51.100.20\n");
  mock_host_write(host, port, "3260\n");
  add_link(host, "/sys/class/iscsi_connection/connection1:0",
           "../../devices/platform/host2/session1/connection1:0/iscsi_connection/connection1:0");
  g_autofree char *dev = g_strconcat(session, "/target2:0:0/2:0:0:0/block/sdb/dev", NULL);
  mock_host_write(host, dev, "8:16\n");
  add_link(host, "/sys/class/block/sdb", "../../devices/platform/host2/session1/target2:0:0/2:0:0:0/block/sdb");
  cli_run(host, &result, "bind", "--dry-run", NIC_BARE, NULL);
  g_assert_cmpint(result.status, ==, 0);
  add_mount(host, "92 21 8:16 / /srv/iscsi rw,relatime - xfs /dev/sdb rw");
  g_free(bt_assert_refused(host, FALSE, NIC_BARE, "e1000e",
                           (const char *const[]){"enp8s0 \xe2\x86\x92 session1 (iscsi 198.51.100.20:3260 "
                                                 "iqn.2003-01.org.example:root) \xe2\x86\x92 sdb \xe2\x86\x92 "
                                                 "mounted on /srv/iscsi",
                                                 NULL}));
  bt_assert_binds(host, TRUE, NIC_BARE);
}

#define ARROW " \xe2\x86\x92 "

/* The root filesystem on a partition of an NVMe/TCP namespace, laid out as
 * the kernel does (controller under virtual/nvme-fabrics/ctl, the partition
 * below its disk): the NIC carrying it is refused even with --force, as for
 * an NFS root; the NIC that carries nothing binds. */
static void test_nvme_tcp_root(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-net");
  const char *ctl = "/sys/devices/virtual/nvme-fabrics/ctl/nvme20";

  g_autofree char *transport = g_strconcat(ctl, "/transport", NULL);
  g_autofree char *address = g_strconcat(ctl, "/address", NULL);
  g_autofree char *state = g_strconcat(ctl, "/state", NULL);
  mock_host_write(host, transport, "tcp\n");
  mock_host_write(host, address, "traddr=203.0.113.77,trsvcid=4420,src_addr=192.0.2.10\n");
  mock_host_write(host, state, "live\n");
  add_link(host, "/sys/class/nvme/nvme20", "../../devices/virtual/nvme-fabrics/ctl/nvme20");
  g_autofree char *disk = g_strconcat(ctl, "/nvme20n1/dev", NULL);
  g_autofree char *part = g_strconcat(ctl, "/nvme20n1/nvme20n1p1/dev", NULL);
  g_autofree char *part_number = g_strconcat(ctl, "/nvme20n1/nvme20n1p1/partition", NULL);
  mock_host_write(host, disk, "259:90\n");
  mock_host_write(host, part, "259:91\n");
  mock_host_write(host, part_number, "1\n");
  add_link(host, "/sys/class/block/nvme20n1", "../../devices/virtual/nvme-fabrics/ctl/nvme20/nvme20n1");
  add_link(host, "/sys/class/block/nvme20n1p1", "../../devices/virtual/nvme-fabrics/ctl/nvme20/nvme20n1/nvme20n1p1");
  add_mount(host, "93 1 259:91 / / rw,relatime - ext4 /dev/nvme20n1p1 rw");
  g_free(bt_assert_refused(host, TRUE, NIC_BRIDGE, "igb",
                           (const char *const[]){"enp3s0f0" ARROW "br0" ARROW "nvme20 (nvme-tcp 203.0.113.77:4420) "
                                                 "carries the root filesystem (nvme20n1)",
                                                 "--force does not override this", NULL}));
  bt_assert_binds(host, FALSE, NIC_BARE);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/host-use-net/bridge", test_bridge);
  g_test_add_func("/host-use-net/forwarding-bridge", test_forwarding_bridge);
  g_test_add_func("/host-use-net/bond-vlan", test_bond_vlan);
  g_test_add_func("/host-use-net/vlans-default-route-first", test_vlans_default_route_first);
  g_test_add_func("/host-use-net/ovs-port", test_ovs_port);
  g_test_add_func("/host-use-net/tunnel-and-bare-macvlan", test_tunnel_and_bare_macvlan);
  g_test_add_func("/host-use-net/netconsole", test_netconsole);
  g_test_add_func("/host-use-net/freed-bridge-binds", test_freed_bridge_binds);
  g_test_add_func("/host-use-net/force", test_force);
  g_test_add_func("/host-use-net/nfs-root", test_nfs_root);
  g_test_add_func("/host-use-net/nvme-tcp", test_nvme_tcp);
  g_test_add_func("/host-use-net/nvme-tcp-root", test_nvme_tcp_root);
  g_test_add_func("/host-use-net/iscsi", test_iscsi);
  return g_test_run();
}
