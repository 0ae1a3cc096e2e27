// SPDX-License-Identifier: LGPL-2.1-or-later
/* The per-VF record: bind of a PF with VFs records each VF's driver and
 * driver_override (and the PF's sriov_drivers_autoprobe) before disabling
 * them; reattach recreates the VFs with autoprobe off and gives each its
 * own back. An igb PF (whose remove() disables the VFs itself) and an nvme
 * PF (which leaves them enabled); the VFs' locks held while sriov_numvfs
 * changes; VFs in use or owned refused. */
#include "bind-test-util.h"

/* realistic: igb PF, VF 0 on igbvf, VF 1 unbound with driver_override=vfio-pci */
#define IGB "0000:03:00.0"
#define IGB_VF0 "0000:03:10.0"
#define IGB_VF1 "0000:03:10.4"
/* q35-zoo: nvme PF, whose VFs nvme fails to probe */
#define NVME "0000:03:00.0"
#define NVME_VF0 "0000:03:00.1"
#define NVME_VF1 "0000:03:00.2"

static char *sysfs_attr(MockHost *host, const char *address, const char *attr)
{
  g_autofree char *path = g_strdup_printf("/sys/bus/pci/devices/%s/%s", address, attr);

  return mock_host_read_trim(host, path);
}

static char *record_of(MockHost *host, const char *address)
{
  g_autofree char *path = g_strdup_printf("/run/vfio-hostdev/%s.record", address);

  return mock_host_read(host, path);
}

/* "driver override" of a VF, as one string to compare before and after. */
static char *vf_state(MockHost *host, const char *address)
{
  g_autofree char *driver = bt_driver(host, address);
  g_autofree char *override = bt_override(host, address);

  return g_strdup_printf("%s %s", driver != NULL ? driver : "(none)", override);
}

/* What the kernel logged from the line MARK on (the ops log only grows). */
static const char *ops_since(const char *log, gsize mark)
{
  return log + MIN(mark, strlen(log));
}

static void assert_vf(MockHost *host, const char *address, const char *want)
{
  g_autofree char *state = vf_state(host, address);

  g_assert_cmpstr(state, ==, want);
}

/* igb: VF 0 back on igbvf with no override, VF 1 back on no driver with
 * its override; autoprobe (1) off while the VFs came back, so nothing was
 * probed onto VF 1 and then taken off again, and on again afterwards. */
static void test_igb_vfs_restored(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};

  assert_vf(host, IGB_VF0, "igbvf (null)");
  assert_vf(host, IGB_VF1, "(none) vfio-pci");
  cli_run(host, &result, "bind", IGB, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_cmpuint(bt_numvfs(host, IGB), ==, 0);
  g_autofree char *record = record_of(host, IGB);
  g_assert_nonnull(strstr(record, "sriov_numvfs=2\n"));
  g_assert_nonnull(strstr(record, "sriov_drivers_autoprobe=1\n"));
  g_assert_nonnull(strstr(record, "[vf 0]\naddress=" IGB_VF0 "\ndriver=igbvf\n"));
  g_assert_nonnull(strstr(record, "[vf 1]\naddress=" IGB_VF1 "\ndriver_override=vfio-pci\n"));

  g_autofree char *before = mock_host_ops_log(host);
  cli_run(host, &result, "reattach", IGB, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "2 VFs re-enabled"));
  bt_assert_original(host, IGB, "igb", 2);
  assert_vf(host, IGB_VF0, "igbvf (null)");
  assert_vf(host, IGB_VF1, "(none) vfio-pci");
  g_autofree char *autoprobe = sysfs_attr(host, IGB, "sriov_drivers_autoprobe");
  g_assert_cmpstr(autoprobe, ==, "1");
  g_autofree char *after = mock_host_ops_log(host);
  g_assert_null(strstr(ops_since(after, strlen(before)), "unbind " IGB_VF1));
}

/* The kernel's igb remove() disables the VFs: unbinding the PF by hand
 * takes them away; nvme's does not (the next test's PF keeps them). */
static void test_igb_unbind_disables_vfs(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");

  cli_shell(host, "echo " IGB " > /sys/bus/pci/drivers/igb/unbind");
  g_assert_cmpuint(bt_numvfs(host, IGB), ==, 0);
  g_assert_false(mock_host_exists(host, "/sys/bus/pci/devices/" IGB_VF0));
}

static char *group_lock_of(MockHost *host, const char *address)
{
  g_autofree char *link = g_strdup_printf("/sys/bus/pci/devices/%s/iommu_group", address);
  g_autofree char *group = cli_link_basename(host, link);

  return g_strdup_printf("/run/vfio-hostdev/group-%s.lock", group);
}

/* nvme, autoprobe 0: VF 0 on vfio-pci through its override, VF 1 with an
 * override and no driver. While bind's sriov_numvfs write is inside the
 * kernel, the tool holds both VFs' group locks besides the PF's. */
static void test_nvme_vfs_restored_under_lock(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_shell(host, "modprobe vfio_pci && echo 0 > /sys/bus/pci/devices/" NVME "/sriov_drivers_autoprobe && "
                  "echo 2 > /sys/bus/pci/devices/" NVME "/sriov_numvfs && "
                  "echo vfio-pci > /sys/bus/pci/devices/" NVME_VF0 "/driver_override && "
                  "echo " NVME_VF0 " > /sys/bus/pci/drivers_probe && "
                  "echo pci-stub > /sys/bus/pci/devices/" NVME_VF1 "/driver_override");
  assert_vf(host, NVME_VF0, "vfio-pci vfio-pci");
  assert_vf(host, NVME_VF1, "(none) pci-stub");
  g_autofree char *vf0_lock = group_lock_of(host, NVME_VF0);
  g_autofree char *vf1_lock = group_lock_of(host, NVME_VF1);
  g_autofree char *pf_lock = group_lock_of(host, NVME);

  mock_host_hold(host, "sriov", NVME);
  const char *const bind[] = {"bind", NVME, NULL};
  GPid pid = bt_spawn(host, bind);
  /* the shell enabled the VFs: the bind's write is the second */
  g_assert_true(mock_host_wait_begun(host, "sriov", NVME, 2));
  g_assert_true(bt_lock_held(host, pf_lock));
  g_assert_true(bt_lock_held(host, vf0_lock));
  g_assert_true(bt_lock_held(host, vf1_lock));
  mock_host_release(host, "sriov", NVME);
  g_assert_cmpint(bt_wait_exit(pid), ==, 0);
  bt_assert_vfio(host, NVME, "vfio-pci", "10");
  g_autofree char *record = record_of(host, NVME);
  g_assert_nonnull(strstr(record, "sriov_drivers_autoprobe=0\n"));

  cli_run(host, &result, "reattach", NVME, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, NVME, "nvme", 2);
  assert_vf(host, NVME_VF0, "vfio-pci vfio-pci");
  assert_vf(host, NVME_VF1, "(none) pci-stub");
  g_autofree char *autoprobe = sysfs_attr(host, NVME, "sriov_drivers_autoprobe");
  g_assert_cmpstr(autoprobe, ==, "0");
  /* nvme's remove() leaves VFs enabled: the kernel then refuses vfio-pci
   * the PF, which is why bind disables them first */
  cli_shell(host, "echo " NVME " > /sys/bus/pci/drivers/nvme/unbind");
  g_assert_cmpuint(bt_numvfs(host, NVME), ==, 2);
}

/* A VF an owner holds, and one the host must keep (the deny list, a host
 * use --force never overrides), are refused even with --force, each
 * named; nothing changes. */
static void test_owned_vf_refused(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_shell(host, "echo 2 > /sys/bus/pci/devices/" NVME "/sriov_numvfs");
  cli_run(host, &result, "prepare", "--owner", "vm1", NVME_VF1, NULL);
  g_assert_cmpint(result.status, ==, 0);
  mock_host_write(host, "/etc/vfio-hostdev/deny.conf", "address " NVME_VF0 "\n");
  g_autofree char *before = bt_kernel_hash(host);
  cli_run(host, &result, "bind", NVME, "--force", NULL);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, NVME_VF1));
  g_assert_nonnull(strstr(result.err, "owner vm1"));
  g_assert_nonnull(strstr(result.err, NVME_VF0 " is protected"));
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_assert_false(bt_has_record(host, NVME));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sriov-record/igb-vfs-restored", test_igb_vfs_restored);
  g_test_add_func("/sriov-record/igb-unbind-disables-vfs", test_igb_unbind_disables_vfs);
  g_test_add_func("/sriov-record/nvme-vfs-restored-under-lock", test_nvme_vfs_restored_under_lock);
  g_test_add_func("/sriov-record/owned-vf-refused", test_owned_vf_refused);
  return g_test_run();
}
