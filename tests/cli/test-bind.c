// SPDX-License-Identifier: LGPL-2.1-or-later
/* `bind` against the fake kernel: every path of the issue, each checked in
 * the fake tree (driver links, vfio-dev, /dev/vfio, records), not only in
 * what the command prints. */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bind-test-util.h"

#define E1000E "0000:01:00.0"
#define EDU "0000:00:02.0"
#define NVME "0000:03:00.0"
#define NVME_VF0 "0000:03:00.1"
#define SMBUS "0000:00:1f.3"
#define AHCI "0000:00:1f.2"

static void test_bind_and_reattach(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "01:00.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "bound to vfio-pci"));
  g_assert_nonnull(strstr(result.out, "e1000e"));
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
  g_autofree char *override = bt_override(host, E1000E);
  g_assert_cmpstr(override, ==, "vfio-pci");
  g_autofree char *record = mock_host_read(host, "/run/vfio-hostdev/" E1000E ".record");
  g_assert_nonnull(record);
  g_assert_nonnull(strstr(record, "original_driver=e1000e"));
  g_assert_nonnull(strstr(record, "state=bound"));
  g_autofree char *modprobes = mock_host_modprobe_log(host);
  g_assert_nonnull(strstr(modprobes, "vfio_pci"));

  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "back on e1000e"));
  bt_assert_original(host, E1000E, "e1000e", 0);
}

/* edu's modules.alias names the variant driver, whose driver name differs
 * from its module name. */
static void test_bind_variant(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", EDU, "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *object = json_array_get_object_element(json_node_get_array(root), 0);
  g_assert_cmpstr(json_object_get_string_member(object, "driver"), ==, "qedu-mig");
  g_assert_cmpstr(json_object_get_string_member(object, "module"), ==, "qedu_mig");
  g_assert_cmpstr(json_object_get_string_member(object, "outcome"), ==, "bound");
  bt_assert_vfio(host, EDU, "qedu-mig", "2");

  /* edu had no driver: back to unbound */
  cli_run(host, &result, "unbind", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, EDU, NULL, 0);
}

/* --driver takes a module or a driver name, '-' and '_' alike. */
static void test_bind_driver_option(void)
{
  const char *const names[] = {"vfio-pci", "vfio_pci", "vfio-pci"};

  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autoptr(MockHost) host = cli_host("q35-zoo");
    g_auto(CliResult) result = {0};

    cli_run(host, &result, "bind", EDU, "--driver", names[i], NULL);
    g_assert_cmpint(result.status, ==, 0);
    bt_assert_vfio(host, EDU, "vfio-pci", "2");
  }
}

static void test_bind_already_bound(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *record = mock_host_read(host, "/run/vfio-hostdev/" E1000E ".record");
  g_autofree char *before = bt_tree_hash(host);
  cli_run(host, &result, "bind", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "already bound to vfio-pci"));
  g_autofree char *after = bt_tree_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_autofree char *record_after = mock_host_read(host, "/run/vfio-hostdev/" E1000E ".record");
  g_assert_cmpstr(record, ==, record_after);
}

/* SMBus shares group 7 with AHCI: refused, naming the blocker and its
 * driver, nothing changed; --group binds both; reattach restores both. */
static void test_bind_group(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *before = bt_kernel_hash(host);

  cli_run(host, &result, "bind", "00:1f.3", NULL);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, AHCI));
  g_assert_nonnull(strstr(result.err, "ahci"));
  g_assert_nonnull(strstr(result.err, "--group"));
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);

  cli_run(host, &result, "bind", "00:1f.3", "--group", NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_vfio(host, SMBUS, "vfio-pci", "7");
  bt_assert_vfio(host, AHCI, "vfio-pci", "7");
  g_assert_cmpuint(bt_count_records(host), ==, 2);

  cli_run(host, &result, "reattach", "00:1f.3", NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, SMBUS, "i801_smbus", 0);
  bt_assert_original(host, AHCI, "ahci", 0);
  g_assert_false(mock_host_exists(host, "/dev/vfio/7"));
}

/* Naming every member that holds a host driver needs no --group. */
static void test_bind_whole_group_named(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", SMBUS, AHCI, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_vfio(host, AHCI, "vfio-pci", "7");
  cli_run(host, &result, "reattach", SMBUS, AHCI, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, AHCI, "ahci", 0);
}

static void test_bind_dry_run(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *before = bt_tree_hash(host);

  cli_shell(host, "echo 2 > /sys/bus/pci/devices/" NVME "/sriov_numvfs");
  g_free(before);
  before = bt_tree_hash(host);
  cli_run(host, &result, "bind", "--dry-run", E1000E, NVME, "00:1f.3", "--group", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "unbind it from e1000e"));
  g_assert_nonnull(strstr(result.out, "load module vfio_pci"));
  g_assert_nonnull(strstr(result.out, "disable its 2 VFs"));
  g_assert_nonnull(strstr(result.out, AHCI));
  g_autofree char *after = bt_tree_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_autofree char *modprobes = mock_host_modprobe_log(host);
  g_assert_cmpstr(modprobes, ==, "");
}

static void test_bind_no_iommu(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  g_autofree char *groups = g_build_filename(mock_host_root(host), "sys/kernel/iommu_groups", NULL);
  g_autofree char *command = g_strdup_printf("rm -rf '%s' && mkdir '%s'", groups, groups);
  g_assert_cmpint(system(command), ==, 0);
  cli_run(host, &result, "bind", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_assert_nonnull(strstr(result.err, "intel_iommu=on"));
  g_autofree char *driver = bt_driver(host, E1000E);
  g_assert_cmpstr(driver, ==, "e1000e");
}

static void test_bind_bad_input(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_run(host, &result, "bind", "01:00.9", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_run(host, &result, "bind", "0f:00.0", NULL);
  g_assert_cmpint(result.status, ==, 3);
  /* one bad address among good ones: nothing is bound */
  cli_run(host, &result, "bind", E1000E, "0f:00.0", NULL);
  g_assert_cmpint(result.status, ==, 3);
  bt_assert_original(host, E1000E, "e1000e", 0);
  cli_run(host, &result, "bind", E1000E, "--driver", "no_such_module", NULL);
  g_assert_cmpint(result.status, ==, 1);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "no_such_module"));
  bt_assert_original(host, E1000E, "e1000e", 0);
  /* timeouts the tool cannot honour are usage errors, not silently 10 s */
  for (const char *const *bad = (const char *const[]){"0", "0.0001", "-1", "3601", NULL}; *bad != NULL; bad++) {
    cli_run(host, &result, "bind", E1000E, "--unbind-timeout", *bad, NULL);
    g_assert_cmpint(result.status, ==, 2);
    cli_assert_one_line(result.err);
  }
  bt_assert_original(host, E1000E, "e1000e", 0);
}

/* A PF with VFs: VFs none of which is bound are disabled, recorded and
 * re-enabled by reattach. */
static void test_bind_sriov(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_shell(host, "echo 2 > /sys/bus/pci/devices/" NVME "/sriov_numvfs");
  cli_run(host, &result, "bind", NVME, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "VFs disabled"));
  bt_assert_vfio(host, NVME, "vfio-pci", "10");
  g_assert_cmpuint(bt_numvfs(host, NVME), ==, 0);
  g_autofree char *record = mock_host_read(host, "/run/vfio-hostdev/" NVME ".record");
  g_assert_nonnull(strstr(record, "sriov_numvfs=2"));

  cli_run(host, &result, "reattach", NVME, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "2 VFs re-enabled"));
  bt_assert_original(host, NVME, "nvme", 2);
}

/* A VF in use blocks the PF, named; --force disables it anyway. */
static void test_bind_sriov_vf_in_use(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_shell(host, "echo 2 > /sys/bus/pci/devices/" NVME "/sriov_numvfs");
  cli_run(host, &result, "bind", NVME_VF0, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *before = bt_kernel_hash(host);
  cli_run(host, &result, "bind", NVME, NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_assert_nonnull(strstr(result.err, NVME_VF0));
  g_assert_nonnull(strstr(result.err, "--force"));
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);

  cli_run(host, &result, "bind", NVME, "--force", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, "warning: --force"));
  bt_assert_vfio(host, NVME, "vfio-pci", "10");
}

/* The boot VGA device and a mounted disk below a device are refused with
 * what uses them; --force overrides. */
static void test_bind_host_usage(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  mock_host_write(host, "/sys/bus/pci/devices/" E1000E "/boot_vga", "1\n");
  cli_run(host, &result, "bind", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_assert_nonnull(strstr(result.err, "boot VGA"));
  bt_assert_original(host, E1000E, "e1000e", 0);

  /* a disk below the NVMe controller, mounted at / */
  g_autofree char *nvme_dir = g_build_filename(mock_host_root(host), "sys/bus/pci/devices", NVME, NULL);
  g_autofree char *resolved = realpath(nvme_dir, NULL);
  g_autofree char *disk = g_build_filename(resolved, "nvme/nvme0/nvme0n1", NULL);
  g_autofree char *dev = g_build_filename(disk, "dev", NULL);
  g_autofree char *holders = g_build_filename(disk, "holders", NULL);
  g_autofree char *class_dir = g_build_filename(mock_host_root(host), "sys/class/block", NULL);
  g_autofree char *link = g_build_filename(class_dir, "nvme0n1", NULL);
  g_assert_cmpint(g_mkdir_with_parents(holders, 0755), ==, 0);
  g_assert_cmpint(g_mkdir_with_parents(class_dir, 0755), ==, 0);
  g_assert_true(g_file_set_contents(dev, "259:0\n", -1, NULL));
  g_assert_true(symlink(disk, link) == 0 || errno == EEXIST); /* mock-mkhost links it already */
  g_autofree char *mountinfo = mock_host_read(host, "/proc/self/mountinfo");
  g_autofree char *with_disk = g_strconcat(mountinfo, "99 1 259:0 / /srv rw,relatime - ext4 /dev/nvme0n1 rw\n", NULL);
  mock_host_write(host, "/proc/self/mountinfo", with_disk);

  cli_run(host, &result, "bind", NVME, NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_assert_nonnull(strstr(result.err, "nvme0n1 \xe2\x86\x92 mounted on /srv"));
  bt_assert_original(host, NVME, "nvme", 0);
  cli_run(host, &result, "bind", NVME, "--force", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, "mounted on /srv"));
}

static void test_bind_probe_fault(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  mock_host_inject_probe_fault(host, "vfio-pci", E1000E, ENOMEM);
  cli_run(host, &result, "bind", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 1);
  g_assert_nonnull(strstr(result.err, "did not bind it to vfio-pci"));
  g_assert_nonnull(strstr(result.err, "rolled back"));
  bt_assert_original(host, E1000E, "e1000e", 0);
}

/* One device failing undoes the others of the same invocation. */
static void test_bind_all_or_nothing(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  mock_host_inject_probe_fault(host, "qedu-mig", EDU, EIO);
  cli_run(host, &result, "bind", E1000E, EDU, NULL);
  g_assert_cmpint(result.status, ==, 1);
  bt_assert_original(host, E1000E, "e1000e", 0);
  bt_assert_original(host, EDU, NULL, 0);
  g_assert_cmpuint(bt_count_records(host), ==, 0);
}

/* An unbind that never returns: exit 5, the record marked stuck, status
 * shows it; once the kernel lets go, reattach finishes. */
static void test_bind_stuck_unbind(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  mock_host_hang(host, "unbind", E1000E);
  cli_run(host, &result, "bind", E1000E, "--unbind-timeout", "0.3", NULL);
  g_assert_cmpint(result.status, ==, 5);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "stuck"));
  g_assert_nonnull(strstr(result.err, "reattach"));
  g_autofree char *record = mock_host_read(host, "/run/vfio-hostdev/" E1000E ".record");
  g_assert_nonnull(strstr(record, "state=stuck"));

  cli_run(host, &result, "status", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *entry = cli_find_device(json_node_get_array(root), E1000E);
  g_assert_nonnull(entry);
  g_assert_cmpstr(json_object_get_string_member(entry, "state"), ==, "stuck");

  /* the kernel lets go; the helper, not the tool, finishes the write */
  mock_host_set_delay_device(host, "unbind", E1000E, 0);
  bt_wait_lock_free(host, "/run/vfio-hostdev/" E1000E ".pending");
  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, E1000E, "e1000e", 0);
}

static GPid spawn_bind(MockHost *host, const char *address, int *out_fd)
{
  g_auto(GStrv) env = mock_host_environ(host);
  const char *argv[] = {VFIO_HOSTDEV_BIN, "bind", address, NULL};
  g_autoptr(GError) error = NULL;
  GPid pid = 0;

  g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL,
                                         out_fd, NULL, &error));
  g_assert_no_error(error);
  return pid;
}

static char *read_all(int fd)
{
  g_autoptr(GIOChannel) channel = g_io_channel_unix_new(fd);
  char *text = NULL;

  g_io_channel_set_close_on_unref(channel, TRUE);
  g_io_channel_read_to_end(channel, &text, NULL, NULL);
  return text;
}

/* Two binds of one device at once: the lock serialises them; the device is
 * bound once, one record, and the second says it was already bound. */
static void test_bind_concurrent_same_device(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  int fd_a = -1, fd_b = -1;

  mock_host_set_delay(host, "probe", 200);
  GPid a = spawn_bind(host, E1000E, &fd_a);
  GPid b = spawn_bind(host, E1000E, &fd_b);
  g_autofree char *out_a = read_all(fd_a);
  g_autofree char *out_b = read_all(fd_b);
  g_assert_cmpint(bt_wait_exit(a), ==, 0);
  g_assert_cmpint(bt_wait_exit(b), ==, 0);
  g_autofree char *both = g_strconcat(out_a, out_b, NULL);
  g_test_message("%s", both);
  g_assert_nonnull(strstr(both, "bound to vfio-pci"));
  g_assert_nonnull(strstr(both, "already bound"));
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
  g_assert_cmpuint(bt_count_records(host), ==, 1);
  g_autofree char *record = mock_host_read(host, "/run/vfio-hostdev/" E1000E ".record");
  g_assert_nonnull(strstr(record, "original_driver=e1000e"));
}

/* Different groups are bound in parallel: each probe waits at a barrier
 * until all four have begun, so the fake kernel's log shows every probe
 * begun before any ended, however the threads are scheduled (a bind that
 * probed one group after the other would show one ended first). How much
 * faster that is belongs to bench/bind-bench.sh, not here. */
static void test_bind_parallel_groups(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  const char *const devices[] = {E1000E, EDU, "0000:02:00.0", "0000:00:06.0", NULL};

  mock_host_barrier(host, "probe", 4);
  cli_run(host, &result, "bind", E1000E, EDU, "02:00.0", "00:06.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_true(mock_host_ops_overlapped(host, "probe", devices));
  bt_assert_vfio(host, "0000:02:00.0", "virtio-vfio-pci", "9");
  bt_assert_vfio(host, EDU, "qedu-mig", "2");
}

/* Separate invocations on different devices do not wait for each other. */
static void test_bind_parallel_processes(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  int fd_a = -1, fd_b = -1;

  cli_shell(host, "modprobe vfio_pci && modprobe qedu_mig");
  const char *const devices[] = {E1000E, EDU, NULL};

  /* each probe waits until both have begun: only a bind that waited for
   * the other's lock would end its probe first */
  mock_host_barrier(host, "probe", 2);
  GPid a = spawn_bind(host, E1000E, &fd_a);
  GPid b = spawn_bind(host, EDU, &fd_b);
  g_autofree char *out_a = read_all(fd_a);
  g_autofree char *out_b = read_all(fd_b);
  g_assert_cmpint(bt_wait_exit(a), ==, 0);
  g_assert_cmpint(bt_wait_exit(b), ==, 0);
  g_test_message("%s: %s; %s: %s", E1000E, out_a, EDU, out_b);
  /* neither waited for the other's lock: their probes overlapped */
  g_assert_true(mock_host_ops_overlapped(host, "probe", devices));
  bt_assert_vfio(host, EDU, "qedu-mig", "2");
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/bind/and-reattach", test_bind_and_reattach);
  g_test_add_func("/bind/variant", test_bind_variant);
  g_test_add_func("/bind/driver-option", test_bind_driver_option);
  g_test_add_func("/bind/already-bound", test_bind_already_bound);
  g_test_add_func("/bind/group", test_bind_group);
  g_test_add_func("/bind/whole-group-named", test_bind_whole_group_named);
  g_test_add_func("/bind/dry-run", test_bind_dry_run);
  g_test_add_func("/bind/no-iommu", test_bind_no_iommu);
  g_test_add_func("/bind/bad-input", test_bind_bad_input);
  g_test_add_func("/bind/sriov", test_bind_sriov);
  g_test_add_func("/bind/sriov-vf-in-use", test_bind_sriov_vf_in_use);
  g_test_add_func("/bind/host-usage", test_bind_host_usage);
  g_test_add_func("/bind/probe-fault", test_bind_probe_fault);
  g_test_add_func("/bind/all-or-nothing", test_bind_all_or_nothing);
  g_test_add_func("/bind/stuck-unbind", test_bind_stuck_unbind);
  g_test_add_func("/bind/concurrent-same-device", test_bind_concurrent_same_device);
  g_test_add_func("/bind/parallel-groups", test_bind_parallel_groups);
  g_test_add_func("/bind/parallel-processes", test_bind_parallel_processes);
  return g_test_run();
}
