// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-mock-path: path rewriting of the preload (stat, open, realpath,
 * readlink, opendir, uname) on the fake tree, and nothing of the real host
 * reachable through a faked prefix. */
#include "test-mock-common.h"

static void test_read(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");

  assert_fsop(host, "read", "/sys/bus/pci/devices/0000:00:02.0/vendor", NULL, "0x1234");
  assert_fsop(host, "fopen", "/sys/bus/pci/devices/0000:01:00.0/device", NULL, "0x10d3");
  assert_fsop(host, "read", "/sys/bus/pci/devices/0000:00:02.0/driver_override", NULL, "(null)");
  assert_fsop(host, "read", "/proc/cmdline", NULL,
              "console=ttyS0 intel_iommu=on panic=-1 quiet");
  assert_fsop(host, "read", "/sys/bus/pci/devices/0000:00:09.0/vendor", NULL, "ERR ENOENT");
}

static void test_stat_and_links(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");

  assert_fsop(host, "stat", "/sys/bus/pci/devices/0000:00:02.0", NULL, "link");
  assert_fsop(host, "stat", "/sys/devices/pci0000:00/0000:00:02.0", NULL, "dir");
  assert_fsop(host, "stat", "/dev/vfio/vfio", NULL, "file");
  assert_fsop(host, "access", "/lib/modules/6.12.117+deb12-amd64/modules.alias", NULL, "OK");
  assert_fsop(host, "readlink", "/sys/bus/pci/devices/0000:01:00.0/driver", NULL,
              "../../../../bus/pci/drivers/e1000e");
  assert_fsop(host, "realpath", "/sys/bus/pci/devices/0000:00:02.0", NULL,
              "/sys/devices/pci0000:00/0000:00:02.0");
  assert_fsop(host, "realpath", "/sys/bus/pci/devices/0000:01:00.0/driver", NULL,
              "/sys/bus/pci/drivers/e1000e");
  assert_fsop(host, "realpath", "/sys/bus/pci/devices/0000:01:00.0/iommu_group", NULL,
              "/sys/kernel/iommu_groups/8");
}

static void test_opendir(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");
  g_autofree char *out = fsop(host, "ls", "/sys/kernel/iommu_groups/7/devices", NULL);

  g_assert_cmpstr(out, ==, "0000:00:1f.0\n0000:00:1f.2\n0000:00:1f.3");
}

/* A faked prefix never shows the real host, and ".." cannot climb into
 * the mock's own metadata. */
static void test_isolation(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");

  assert_fsop(host, "stat", "/sys/kernel/mm", NULL, "ERR ENOENT");
  assert_fsop(host, "stat", "/sys/../.mock", NULL, "ERR ENOENT");
  assert_fsop(host, "stat", "/sys/bus/../../.mock/drivers", NULL, "ERR ENOENT");
  /* Paths outside the faked prefixes are the host's own. */
  assert_fsop(host, "stat", "/sys/../etc", NULL, "dir");
  assert_fsop(host, "access", "/usr/lib/modules/6.12.117+deb12-amd64/modules.dep", NULL, "OK");
}

static void test_uname(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");

  assert_fsop(host, "uname", NULL, NULL, "6.12.117+deb12-amd64");
}

/* Without VFIO_HOSTDEV_MOCK_ROOT the preload aborts instead of touching
 * the real host. */
static void test_unset_root_aborts(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");
  g_autofree char *prog = g_build_filename(g_getenv("MOCK_BIN_DIR"), "mock-fsop", NULL);
  const char *argv[] = { prog, "stat", "/sys/bus", NULL };
  g_auto(GStrv) env = mock_host_environ(host);
  g_autofree char *err = NULL;
  int status = 0;

  env = g_environ_unsetenv(env, "VFIO_HOSTDEV_MOCK_ROOT");
  g_assert_true(g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                             NULL, &err, &status, NULL));
  g_assert_false(g_spawn_check_wait_status(status, NULL));
  g_assert_nonnull(strstr(err, "VFIO_HOSTDEV_MOCK_ROOT"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mock/path/read", test_read);
  g_test_add_func("/mock/path/stat-and-links", test_stat_and_links);
  g_test_add_func("/mock/path/opendir", test_opendir);
  g_test_add_func("/mock/path/isolation", test_isolation);
  g_test_add_func("/mock/path/uname", test_uname);
  g_test_add_func("/mock/path/unset-root-aborts", test_unset_root_aborts);
  return g_test_run();
}
