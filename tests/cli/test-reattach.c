// SPDX-License-Identifier: LGPL-2.1-or-later
/* `reattach` (and its alias `unbind`): exactly the original driver from the
 * record, refusal while a process holds the device, no-record reprobe
 * (faults at every write: test-faults). */
#include <fcntl.h>
#include <unistd.h>

#include "bind-test-util.h"

#define E1000E "0000:01:00.0"
#define EDU "0000:00:02.0"

/* The original driver is not the kernel's default: reattach must restore
 * the recorded one. Here edu was bound by hand to vfio-pci through an
 * override, which the record keeps and reattach restores. */
static void test_reattach_restores_override(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_shell(host, "modprobe vfio_pci && echo e1000e > /sys/bus/pci/devices/" EDU "/driver_override");
  cli_run(host, &result, "bind", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *record = mock_host_read(host, "/run/vfio-hostdev/" EDU ".record");
  g_assert_nonnull(strstr(record, "original_override=e1000e"));
  cli_run(host, &result, "reattach", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *override = bt_override(host, EDU);
  g_assert_cmpstr(override, ==, "e1000e");
  g_autofree char *driver = bt_driver(host, EDU);
  g_assert_null(driver);
  g_assert_false(bt_has_record(host, EDU));
}

/* Without a record: override cleared, the kernel reprobes, and the output
 * says the original driver is unknown. */
static void test_reattach_without_record(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_shell(host, "modprobe vfio_pci && echo vfio-pci > /sys/bus/pci/devices/" E1000E "/driver_override && "
              "echo " E1000E " > /sys/bus/pci/devices/" E1000E "/driver/unbind && "
              "echo " E1000E " > /sys/bus/pci/drivers_probe");
  g_autofree char *before = bt_driver(host, E1000E);
  g_assert_cmpstr(before, ==, "vfio-pci");
  cli_run(host, &result, "unbind", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "original driver unknown"));
  bt_assert_original(host, E1000E, "e1000e", 0);

  /* a device on its host driver without a record is left alone */
  g_autofree char *hash = bt_tree_hash(host);
  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "nothing changed"));
  g_autofree char *after = bt_tree_hash(host);
  g_assert_cmpstr(hash, ==, after);
}

/* A process holding the group node open (a VM) blocks reattach: refused,
 * naming its pid and name, nothing changed. */
static void test_reattach_refused_while_held(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *node = g_build_filename(mock_host_root(host), "dev/vfio/8", NULL);
  int fd = open(node, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint(fd, >=, 0);
  g_autofree char *pid = g_strdup_printf("process %d", (int)getpid());

  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, pid));
  /* the holder's name as the kernel knows it (under valgrind it is valgrind's) */
  g_autofree char *comm = NULL;
  g_assert_true(g_file_get_contents("/proc/self/comm", &comm, NULL, NULL));
  g_assert_nonnull(strstr(result.err, g_strstrip(comm)));
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
  g_assert_true(bt_has_record(host, E1000E));

  close(fd);
  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, E1000E, "e1000e", 0);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/reattach/restores-override", test_reattach_restores_override);
  g_test_add_func("/reattach/without-record", test_reattach_without_record);
  g_test_add_func("/reattach/refused-while-held", test_reattach_refused_while_held);
  return g_test_run();
}
