// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-mock-kernel: the emulated kernel's reaction to sysfs writes, fault
 * injection, delays and the mock modprobe, driven through mock-fsop (an
 * open+write+close under the preload) like the tool drives a real kernel. */
#include "test-mock-common.h"

#include <errno.h>
#include <sys/wait.h>

#define DEV(bdf, attr) "/sys/bus/pci/devices/" bdf "/" attr
#define E1000E "0000:01:00.0"
#define EDU "0000:00:02.0"
#define NVME "0000:03:00.0"

static void modprobe(MockHost *host, const char *module, int expect_status)
{
  const char *argv[] = { "modprobe", module, NULL };
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_true(mock_host_run(host, argv, NULL, NULL, &status, &error));
  g_assert_cmpint(status, ==, expect_status);
}

static char *driver_of(MockHost *host, const char *bdf)
{
  g_autofree char *path = g_strdup_printf("/sys/bus/pci/devices/%s/driver", bdf);
  g_autofree char *target = mock_host_readlink(host, path);

  return target ? g_path_get_basename(target) : g_strdup("");
}

#define assert_link(host, path, expected)                        \
  do {                                                          \
    g_autofree char *link_ = mock_host_readlink(host, path);    \
    g_assert_cmpstr(link_, ==, expected);                       \
  } while (0)

#define assert_driver(host, bdf, expected)                      \
  do {                                                          \
    g_autofree char *drv_ = driver_of(host, bdf);               \
    g_assert_cmpstr(drv_, ==, expected);                        \
  } while (0)

static void test_override(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");

  assert_fsop(host, "write", DEV(EDU, "driver_override"), "qedu-mig\n", "OK 9");
  assert_file(host, DEV(EDU, "driver_override"), "qedu-mig");
  assert_fsop(host, "write", DEV(EDU, "driver_override"), "\n", "OK 1");
  assert_file(host, DEV(EDU, "driver_override"), "(null)");
  assert_fsop(host, "write", DEV(EDU, "driver_override"), "vfio-pci", "OK 8");
  assert_fsop(host, "write", DEV(EDU, "driver_override"), "", "OK 0");
  assert_file(host, DEV(EDU, "driver_override"), "(null)");
}

static void test_unbind_and_probe(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");

  assert_fsop(host, "write", DEV(E1000E, "driver/unbind"), E1000E, "OK 12");
  assert_driver(host, E1000E, "");
  g_assert_false(mock_host_exists(host, "/sys/bus/pci/drivers/e1000e/" E1000E));
  assert_fsop(host, "write", "/sys/bus/pci/drivers/e1000e/unbind", E1000E, "ERR ENODEV");
  assert_fsop(host, "write", "/sys/bus/pci/drivers_probe", "0000:00:09.0", "ERR ENODEV");
  /* No override: the first registered driver whose pci: alias matches. */
  assert_fsop(host, "write", "/sys/bus/pci/drivers_probe", E1000E "\n", "OK 13");
  assert_driver(host, E1000E, "e1000e");
  g_assert_true(mock_host_exists(host, "/sys/bus/pci/drivers/e1000e/" E1000E));
  /* Nothing matches the edu device: success, still unbound. */
  assert_fsop(host, "write", "/sys/bus/pci/drivers_probe", EDU, "OK 12");
  assert_driver(host, EDU, "");
  /* bind: a bound device is busy; a non-matching driver is ENODEV. */
  assert_fsop(host, "write", "/sys/bus/pci/drivers/e1000e/bind", E1000E, "ERR EBUSY");
  assert_fsop(host, "write", "/sys/bus/pci/drivers/nvme/bind", EDU, "ERR ENODEV");
  /* A missing driver has no bind file: sysfs never creates one. */
  assert_fsop(host, "write", "/sys/bus/pci/drivers/vfio-pci/bind", EDU, "ERR ENOENT");
}

static void test_vfio_bind(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");

  modprobe(host, "vfio_pci", 0);
  g_assert_true(mock_host_exists(host, "/sys/module/vfio_pci/drivers/pci:vfio-pci"));
  assert_fsop(host, "write", DEV(E1000E, "driver_override"), "vfio-pci", "OK 8");
  assert_fsop(host, "write", DEV(E1000E, "driver/unbind"), E1000E, "OK 12");
  assert_fsop(host, "write", "/sys/bus/pci/drivers_probe", E1000E, "OK 12");
  assert_driver(host, E1000E, "vfio-pci");
  g_assert_true(mock_host_exists(host, DEV(E1000E, "vfio-dev/vfio0")));
  g_assert_true(mock_host_exists(host, "/dev/vfio/8"));
  /* The q35 guest kernel has no vfio cdev. */
  g_assert_false(mock_host_exists(host, "/dev/vfio/devices/vfio0"));
  assert_fsop(host, "write", "/sys/bus/pci/drivers/vfio-pci/unbind", E1000E, "OK 12");
  g_assert_false(mock_host_exists(host, DEV(E1000E, "vfio-dev")));
  g_assert_false(mock_host_exists(host, "/dev/vfio/8"));
}

/* Drivers whose module only has vfio_pci: aliases bind through
 * driver_override only; loading a module binds devices waiting for it. */
static void test_variant_needs_override(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");

  assert_fsop(host, "write", DEV(EDU, "driver_override"), "qedu-mig", "OK 8");
  assert_driver(host, EDU, "");
  modprobe(host, "qedu-mig", 0);
  assert_driver(host, EDU, "qedu-mig");
  g_assert_true(mock_host_exists(host, DEV(EDU, "vfio-dev/vfio0")));
  assert_fsop(host, "write", "/sys/bus/pci/drivers/qedu-mig/unbind", EDU, "OK 12");
  assert_fsop(host, "write", DEV(EDU, "driver_override"), "\n", "OK 1");
  assert_fsop(host, "write", "/sys/bus/pci/drivers/qedu-mig/bind", EDU, "ERR ENODEV");
  assert_fsop(host, "write", "/sys/bus/pci/drivers_probe", EDU, "OK 12");
  assert_driver(host, EDU, "");
}

static void test_sriov(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");

  assert_fsop(host, "write", DEV(NVME, "sriov_numvfs"), "3", "ERR ERANGE");
  assert_fsop(host, "write", DEV(NVME, "sriov_numvfs"), "2\n", "OK 2");
  assert_file(host, DEV(NVME, "sriov_numvfs"), "2");
  assert_link(host, DEV("0000:03:00.1", "physfn"), "../" NVME);
  assert_link(host, DEV(NVME, "virtfn1"), "../0000:03:00.2");
  assert_file(host, DEV("0000:03:00.2", "device"), "0x0010");
  g_assert_true(mock_host_exists(host, "/sys/kernel/iommu_groups/12/devices/0000:03:00.2"));
  /* The fixture makes nvme fail to probe the VFs, as in the real guest. */
  assert_driver(host, "0000:03:00.1", "");
  assert_fsop(host, "write", DEV(NVME, "sriov_numvfs"), "1", "ERR EBUSY");
  /* A PF with VFs cannot go to a VFIO driver. */
  modprobe(host, "vfio_pci", 0);
  assert_fsop(host, "write", DEV(NVME, "driver_override"), "vfio-pci", "OK 8");
  assert_fsop(host, "write", "/sys/bus/pci/drivers/nvme/unbind", NVME, "OK 12");
  assert_fsop(host, "write", "/sys/bus/pci/drivers/vfio-pci/bind", NVME, "ERR EBUSY");
  assert_fsop(host, "write", "/sys/bus/pci/drivers_probe", NVME, "OK 12");
  assert_driver(host, NVME, "");
  /* No driver, no sriov_configure. */
  assert_fsop(host, "write", DEV(NVME, "sriov_numvfs"), "0", "ERR ENOENT");
  assert_fsop(host, "write", DEV(NVME, "driver_override"), "\n", "OK 1");
  assert_fsop(host, "write", "/sys/bus/pci/drivers_probe", NVME, "OK 12");
  assert_driver(host, NVME, "nvme");
  assert_fsop(host, "write", DEV(NVME, "sriov_numvfs"), "0", "OK 1");
  g_assert_false(mock_host_exists(host, "/sys/bus/pci/devices/0000:03:00.1"));
  g_assert_false(mock_host_exists(host, DEV(NVME, "virtfn0")));
  g_assert_false(mock_host_exists(host, "/sys/kernel/iommu_groups/11"));
}

static void test_reset(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");
  g_autofree char *log = NULL;

  assert_fsop(host, "write", DEV(E1000E, "reset"), "1", "OK 1");
  assert_fsop(host, "write", DEV(E1000E, "reset"), "2", "ERR EINVAL");
  assert_fsop(host, "write", DEV(E1000E, "reset_method"), "flr", "ERR EINVAL");
  assert_fsop(host, "write", DEV(E1000E, "reset_method"), "bus\n", "OK 4");
  assert_file(host, DEV(E1000E, "reset_method"), "bus");
  assert_fsop(host, "write", DEV(E1000E, "reset"), "1\n", "OK 2");
  assert_fsop(host, "write", DEV(E1000E, "reset_method"), "default", "OK 7");
  assert_file(host, DEV(E1000E, "reset_method"), "pm bus");
  /* edu has no reset method, hence no reset file. */
  assert_fsop(host, "write", DEV(EDU, "reset"), "1", "ERR ENOENT");
  log = mock_host_resets(host);
  g_assert_cmpstr(log, ==, E1000E " pm\n" E1000E " bus\n");
}

static void test_faults(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");

  mock_host_inject_fault(host, "unbind", 2, EIO);
  assert_fsop(host, "write", "/sys/bus/pci/drivers/ahci/unbind", "0000:00:1f.2", "OK 12");
  assert_fsop(host, "write", DEV(E1000E, "driver/unbind"), E1000E, "ERR EIO");
  assert_driver(host, E1000E, "e1000e");
  assert_fsop(host, "write", DEV(E1000E, "driver/unbind"), E1000E, "OK 12");
  mock_host_inject_fault_device(host, "driver_override", EDU, 1, EBUSY);
  assert_fsop(host, "write", DEV(E1000E, "driver_override"), "x", "OK 1");
  assert_fsop(host, "write", DEV(EDU, "driver_override"), "x", "ERR EBUSY");
  assert_file(host, DEV(EDU, "driver_override"), "(null)");
  mock_host_inject_probe_fault(host, "e1000e", E1000E, ENXIO);
  assert_fsop(host, "write", DEV(E1000E, "driver_override"), "\n", "OK 1");
  assert_fsop(host, "write", "/sys/bus/pci/drivers/e1000e/bind", E1000E, "ERR ENXIO");
  assert_fsop(host, "write", "/sys/bus/pci/drivers_probe", E1000E, "OK 12");
  assert_driver(host, E1000E, "");
}

static void test_delays(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");
  g_autofree char *prog = g_build_filename(g_getenv("MOCK_BIN_DIR"), "mock-fsop", NULL);
  g_auto(GStrv) env = mock_host_environ(host);
  const char *a1[] = { prog, "write", "/sys/bus/pci/drivers/e1000e/unbind", E1000E, NULL };
  const char *a2[] = { prog, "write", "/sys/bus/pci/drivers/nvme/unbind", NVME, NULL };
  GPid p1, p2;
  gint64 start;
  int status;

  mock_host_set_delay(host, "unbind", 400);
  start = g_get_monotonic_time();
  assert_fsop(host, "write", "/sys/bus/pci/drivers/ahci/unbind", "0000:00:1f.2", "OK 12");
  g_assert_cmpint(g_get_monotonic_time() - start, >=, 400000);
  /* Delays are slept outside the lock: two devices unbind in parallel,
   * which the operations log shows without timing it (the barrier keeps
   * each unbind until both have begun, whenever the second process gets
   * to it; a lock held across the delay would make the first end alone). */
  mock_host_barrier(host, "unbind", 2);
  g_assert_true(g_spawn_async(NULL, (char **)a1, env, G_SPAWN_DO_NOT_REAP_CHILD |
                              G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &p1, NULL));
  g_assert_true(g_spawn_async(NULL, (char **)a2, env, G_SPAWN_DO_NOT_REAP_CHILD |
                              G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &p2, NULL));
  waitpid(p1, &status, 0);
  waitpid(p2, &status, 0);
  g_assert_true(mock_host_ops_overlapped(host, "unbind", (const char *const[]){E1000E, NVME, NULL}));
  assert_driver(host, E1000E, "");
  assert_driver(host, NVME, "");
  mock_host_set_delay(host, "unbind", 0);
  mock_host_barrier(host, "unbind", 0);
  assert_file(host, "/.mock/delays", "");
}

static void test_modprobe(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");
  const char *argv[] = { "modprobe", "no_such_module", NULL };
  g_autofree char *err = NULL, *log = NULL;
  int status = 0;

  g_assert_true(mock_host_run(host, argv, NULL, &err, &status, NULL));
  g_assert_cmpint(status, ==, 1);
  g_assert_cmpstr(err, ==,
                  "modprobe: FATAL: Module no_such_module not found in directory "
                  "/lib/modules/6.12.117+deb12-amd64\n");
  modprobe(host, "vfio-pci", 0);
  modprobe(host, "vfio_pci", 0);
  modprobe(host, "e1000e", 0);
  modprobe(host, "vfio", 0);
  assert_link(host, "/sys/bus/pci/drivers/vfio-pci/module", "../../../../module/vfio_pci");
  log = mock_host_modprobe_log(host);
  /* vfio's soft dependency (modules.softdep) comes after it, as with kmod */
  g_assert_cmpstr(log, ==, "vfio_pci\nvfio\nvfio_iommu_type1\n");
  g_assert_true(mock_host_exists(host, "/sys/module/vfio_iommu_type1"));
}

/* Without an IOMMU group a VFIO driver refuses the device. */
static void test_no_iommu(void)
{
  g_autoptr(MockHost) host = host_new("no-iommu");

  g_assert_false(mock_host_exists(host, DEV(E1000E, "iommu_group")));
  modprobe(host, "vfio_pci", 0);
  assert_fsop(host, "write", DEV(E1000E, "driver_override"), "vfio-pci", "OK 8");
  assert_fsop(host, "write", DEV(E1000E, "driver/unbind"), E1000E, "OK 12");
  assert_fsop(host, "write", "/sys/bus/pci/drivers/vfio-pci/bind", E1000E, "ERR EINVAL");
  assert_driver(host, E1000E, "");
}

/* realistic: a "vfio" name is not a VFIO driver; the cdev appears. */
static void test_realistic(void)
{
  g_autoptr(MockHost) host = host_new("realistic");

  assert_driver(host, "0000:00:04.0", "fake-vfio-stub");
  g_assert_false(mock_host_exists(host, DEV("0000:00:04.0", "vfio-dev")));
  g_assert_true(mock_host_exists(host, DEV(EDU, "vfio-dev/vfio0")));
  g_assert_true(mock_host_exists(host, "/dev/vfio/devices/vfio1"));
  assert_file(host, DEV("0000:04:00.1", "vfio-dev/vfio1/dev"), "509:1");
  assert_driver(host, "0000:03:10.4", "");
  modprobe(host, "vfio_pci", 0);
  /* Loading the driver binds the VF waiting for it through its override. */
  assert_driver(host, "0000:03:10.4", "vfio-pci");
  g_assert_true(mock_host_exists(host, "/dev/vfio/devices/vfio2"));
  g_assert_true(mock_host_exists(host, "/dev/iommu"));
}

/* realistic's igb PF: sriov_drivers_autoprobe is kstrtobool and read when
 * VFs are created (0: igbvf, whose alias matches them, probes none, and
 * turning it on later probes none either); pci-stub has no
 * sriov_configure(). */
static void test_sriov_autoprobe(void)
{
  g_autoptr(MockHost) host = host_new("realistic");

  assert_fsop(host, "write", DEV("0000:03:00.0", "sriov_drivers_autoprobe"), "maybe", "ERR EINVAL");
  assert_file(host, DEV("0000:03:00.0", "sriov_drivers_autoprobe"), "1");
  assert_fsop(host, "write", DEV("0000:03:00.0", "sriov_numvfs"), "0", "OK 1");
  assert_fsop(host, "write", DEV("0000:03:00.0", "sriov_drivers_autoprobe"), "off", "OK 3");
  assert_file(host, DEV("0000:03:00.0", "sriov_drivers_autoprobe"), "0");
  assert_fsop(host, "write", DEV("0000:03:00.0", "sriov_numvfs"), "1", "OK 1");
  assert_driver(host, "0000:03:10.0", "");
  assert_fsop(host, "write", DEV("0000:03:00.0", "sriov_drivers_autoprobe"), "y", "OK 1");
  assert_driver(host, "0000:03:10.0", "");
  assert_fsop(host, "write", DEV("0000:03:00.0", "sriov_numvfs"), "0", "OK 1");
  assert_fsop(host, "write", DEV("0000:03:00.0", "sriov_numvfs"), "1", "OK 1");
  assert_driver(host, "0000:03:10.0", "igbvf");
  assert_fsop(host, "write", DEV("0000:03:00.0", "sriov_numvfs"), "0", "OK 1");

  assert_fsop(host, "write", "/sys/bus/pci/drivers/igb/unbind", "0000:03:00.0", "OK 12");
  modprobe(host, "pci_stub", 0);
  assert_fsop(host, "write", DEV("0000:03:00.0", "driver_override"), "pci-stub", "OK 8");
  assert_fsop(host, "write", "/sys/bus/pci/drivers_probe", "0000:03:00.0", "OK 12");
  assert_driver(host, "0000:03:00.0", "pci-stub");
  assert_fsop(host, "write", DEV("0000:03:00.0", "sriov_numvfs"), "1", "ERR ENOENT");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mock/kernel/override", test_override);
  g_test_add_func("/mock/kernel/unbind-and-probe", test_unbind_and_probe);
  g_test_add_func("/mock/kernel/vfio-bind", test_vfio_bind);
  g_test_add_func("/mock/kernel/variant-needs-override", test_variant_needs_override);
  g_test_add_func("/mock/kernel/sriov", test_sriov);
  g_test_add_func("/mock/kernel/sriov-autoprobe", test_sriov_autoprobe);
  g_test_add_func("/mock/kernel/reset", test_reset);
  g_test_add_func("/mock/kernel/faults", test_faults);
  g_test_add_func("/mock/kernel/delays", test_delays);
  g_test_add_func("/mock/kernel/modprobe", test_modprobe);
  g_test_add_func("/mock/kernel/no-iommu", test_no_iommu);
  g_test_add_func("/mock/kernel/realistic", test_realistic);
  return g_test_run();
}
