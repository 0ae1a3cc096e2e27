// SPDX-License-Identifier: LGPL-2.1-or-later
/* Early binding (docs/persist.md, "Before the host drivers"): what `bind
 * --persist` and `unpersist` generate (early.list, the modprobe.d guard)
 * and the update-initramfs they run (the fake one of tests/mock, found
 * through PATH), and the boot helper vfio-hostdev-early itself, run under
 * the fake host so that its sysfs writes meet the fake kernel. */
#include <glib/gstdio.h>

#include "bind-test-util.h"

#define E1000E "0000:01:00.0"
#define EDU "0000:00:02.0"
#define TESTDEV "0000:00:06.0"
#define LIST "/etc/vfio-hostdev/early.list"
#define GUARD "/etc/modprobe.d/vfio-hostdev.conf"
#define INITRAMFS_LOG "/.mock/update-initramfs.log"
#define E1000E_LINE E1000E " 8086 10d3 8086 0000 vfio-pci vfio_pci e1000e\n"
#define EDU_LINE EDU " 1234 11e8 1af4 1100 qedu-mig qedu_mig -\n"

/* The list without its comment lines. */
static char *list_entries(MockHost *host)
{
  g_autofree char *text = mock_host_read(host, LIST);
  g_auto(GStrv) lines = NULL;
  GString *entries = g_string_new(NULL);

  g_assert_nonnull(text);
  lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && lines[i][0] != '#')
      g_string_append_printf(entries, "%s\n", lines[i]);
  return g_string_free(entries, FALSE);
}

static char *initramfs_calls(MockHost *host)
{
  g_autofree char *text = mock_host_read(host, INITRAMFS_LOG);

  return g_strdup(text != NULL ? text : "");
}

static void test_generate(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--persist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *entries = list_entries(host);
  g_assert_cmpstr(entries, ==, E1000E_LINE);
  g_autofree char *guard = mock_host_read(host, GUARD);
  g_assert_nonnull(guard);
  g_assert_nonnull(strstr(guard, "\ninstall e1000e /"));
  g_assert_nonnull(strstr(guard, "/vfio-hostdev-early module e1000e; /sbin/modprobe --ignore-install e1000e "
                                 "$CMDLINE_OPTS\n"));
  /* said on stderr, its output too: stdout is the command's */
  g_assert_nonnull(strstr(result.err, "rebuilding the initramfs for early binding: "));
  g_assert_nonnull(strstr(result.err, "Generating /boot/initrd.img-fake"));
  g_assert_null(strstr(result.out, "Generating"));
  g_autofree char *calls = initramfs_calls(host);
  g_assert_cmpstr(calls, ==, "update-initramfs -u\n");

  /* persisted again, the list is the same: no rebuild */
  cli_run(host, &result, "bind", "--persist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_null(strstr(result.err, "initramfs"));
  g_free(calls);
  calls = initramfs_calls(host);
  g_assert_cmpstr(calls, ==, "update-initramfs -u\n");

  /* a device that had no host driver: listed, nothing to guard */
  cli_run(host, &result, "bind", "--persist", "--no-initramfs", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_free(entries);
  entries = list_entries(host);
  g_assert_cmpstr(entries, ==, EDU_LINE E1000E_LINE);
  g_free(calls);
  calls = initramfs_calls(host);
  g_assert_cmpstr(calls, ==, "update-initramfs -u\n");

  cli_run(host, &result, "unpersist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_free(entries);
  entries = list_entries(host);
  g_assert_cmpstr(entries, ==, EDU_LINE);
  g_assert_false(mock_host_exists(host, GUARD));
  g_free(calls);
  calls = initramfs_calls(host);
  g_assert_cmpstr(calls, ==, "update-initramfs -u\nupdate-initramfs -u\n");

  cli_run(host, &result, "unpersist", "--no-initramfs", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_false(mock_host_exists(host, LIST));
}

/* The tool as cli_run() runs it, with PATH replaced. */
static void run_with_path(MockHost *host, CliResult *result, const char *path, const char *const *args)
{
  g_auto(GStrv) env = g_environ_setenv(mock_host_environ(host), "PATH", path, TRUE);
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new();
  g_auto(GStrv) built = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  cli_result_clear(result);
  g_strv_builder_add(argv, VFIO_HOSTDEV_BIN);
  g_strv_builder_addv(argv, (const char **)args);
  built = g_strv_builder_end(argv);
  g_assert_true(g_spawn_sync(NULL, built, env, G_SPAWN_DEFAULT, NULL, NULL, &result->out, &result->err, &status,
                             &error));
  g_assert_no_error(error);
  result->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  g_test_message("exit %d\nstdout:\n%s\nstderr:\n%s", result->status, result->out, result->err);
}

static void test_initramfs_absent_or_failing(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *empty = g_build_filename(mock_host_root(host), ".mock", "empty-bin", NULL);
  const char *const unpersist[] = {"unpersist", E1000E, NULL};

  cli_run(host, &result, "bind", "--persist", "--no-initramfs", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_cmpint(g_mkdir(empty, 0755), ==, 0);
  run_with_path(host, &result, empty, unpersist);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, "vfio-hostdev: note: no update-initramfs"));
  g_assert_false(mock_host_exists(host, LIST));

  /* a failing rebuild is a warning: the configuration changed all the same */
  cli_run(host, &result, "bind", "--persist", "--no-initramfs", E1000E, NULL);
  mock_host_write(host, "/.mock/update-initramfs.fail", "");
  cli_run(host, &result, "unpersist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, "vfio-hostdev: warning: "));
  g_assert_nonnull(strstr(result.err, "update-initramfs -u failed"));
  g_assert_false(mock_host_exists(host, LIST));
}

static void test_deny_list_leaves_out(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--persist", "--no-initramfs", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  mock_host_write(host, "/etc/vfio-hostdev/deny.conf", "address " E1000E "\n");
  cli_run(host, &result, "bind", "--persist", "--no-initramfs", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, E1000E " is not bound early: on the deny list (/etc/vfio-hostdev/deny.conf line 1"));
  g_autofree char *entries = list_entries(host);
  g_assert_cmpstr(entries, ==, EDU_LINE);
  g_assert_false(mock_host_exists(host, GUARD));
}

/* persist-apply, the fallback, says when a host driver got there first. */
static void test_apply_says_unbound(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--persist", "--no-initramfs", E1000E, NULL);
  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  cli_run(host, &result, "persist-apply", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, "vfio-hostdev: warning: " E1000E ": had to unbind e1000e first"));
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *entry = cli_find_device(json_node_get_array(root), E1000E);
  g_assert_cmpstr(json_object_get_string_member(entry, "unbound_driver"), ==, "e1000e");
  /* on its VFIO driver already: nothing unbound, nothing said */
  cli_run(host, &result, "persist-apply", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_null(strstr(result.err, "had to unbind"));
}

/* ---- the boot helper ------------------------------------------------------ */

/* A host before its host drivers probed: E1000E without a driver, a list
 * with it and with a device whose IDs are not the listed ones, and a
 * /dev/kmsg (a file in the root) to read the kernel log from. */
static MockHost *host_before_drivers(const char *cmdline)
{
  MockHost *host = cli_host("q35-zoo");

  cli_shell(host, "echo " E1000E " > /sys/bus/pci/drivers/e1000e/unbind");
  g_assert_null(bt_driver(host, E1000E));
  mock_host_write(host, LIST, "# comment\n" E1000E_LINE TESTDEV " 8086 10d3 - - vfio-pci vfio_pci e1000e\n");
  mock_host_write(host, "/dev/kmsg", "");
  mock_host_write(host, "/proc/cmdline", cmdline);
  return host;
}

static void run_helper(MockHost *host, CliResult *result, const char *mode, const char *arg)
{
  const char *const argv[] = {"/bin/sh", EARLY_HELPER, mode, arg, NULL};
  g_autoptr(GError) error = NULL;

  cli_result_clear(result);
  g_assert_true(mock_host_run(host, argv, &result->out, &result->err, &result->status, &error));
  g_assert_no_error(error);
  g_test_message("helper %s: exit %d\nstdout:\n%s\nstderr:\n%s", mode, result->status, result->out, result->err);
  g_assert_cmpint(result->status, ==, 0);
}

static void assert_left_alone(MockHost *host, CliResult *result)
{
  g_autofree char *override = bt_override(host, TESTDEV);
  g_autofree char *kmsg = mock_host_read(host, "/dev/kmsg");

  g_assert_null(bt_driver(host, TESTDEV));
  g_assert_cmpstr(override, ==, "(null)");
  g_assert_nonnull(strstr(result->err, TESTDEV " was persisted as 8086:10d3 (subsystem -:-) but is now 1b36:0005"));
  g_assert_nonnull(strstr(kmsg, "<4>vfio-hostdev-early: warning: " TESTDEV " was persisted as 8086:10d3"));
}

static void test_helper_boot(void)
{
  g_autoptr(MockHost) host = host_before_drivers("console=ttyS0 quiet");
  g_auto(CliResult) result = {0};

  run_helper(host, &result, "boot", NULL);
  g_autofree char *override = bt_override(host, E1000E);
  g_assert_cmpstr(override, ==, "vfio-pci");
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
  g_autofree char *kmsg = mock_host_read(host, "/dev/kmsg");
  g_assert_nonnull(strstr(kmsg, "<5>vfio-hostdev-early: " E1000E ": driver_override vfio-pci, by init-top"));
  assert_left_alone(host, &result);
}

static void test_helper_modprobe_guard(void)
{
  g_autoptr(MockHost) host = host_before_drivers("quiet");
  g_auto(CliResult) result = {0};

  /* another module's load touches nothing */
  run_helper(host, &result, "module", "nvme");
  g_assert_null(bt_driver(host, E1000E));
  g_autofree char *override = bt_override(host, E1000E);
  g_assert_cmpstr(override, ==, "(null)");
  run_helper(host, &result, "module", "e1000e");
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
  assert_left_alone(host, &result);
}

static void test_helper_udev(void)
{
  g_autoptr(MockHost) host = host_before_drivers("quiet");
  g_auto(CliResult) result = {0};

  run_helper(host, &result, "udev", E1000E);
  g_assert_cmpstr(result.out, ==, "VFIO_HOSTDEV_DRIVER=vfio-pci\n");
  run_helper(host, &result, "udev", TESTDEV);
  g_assert_cmpstr(result.out, ==, "");
  assert_left_alone(host, &result);
  run_helper(host, &result, "udev", EDU); /* not listed */
  g_assert_cmpstr(result.out, ==, "");
}

/* vfio-hostdev.early=0: nothing at all, in every mode. */
static void test_helper_disabled(void)
{
  g_autoptr(MockHost) host = host_before_drivers("console=ttyS0 vfio-hostdev.early=0 quiet");
  g_auto(CliResult) result = {0};
  g_autofree char *before = bt_kernel_hash(host);

  run_helper(host, &result, "module", "e1000e");
  run_helper(host, &result, "udev", E1000E);
  g_assert_cmpstr(result.out, ==, "");
  run_helper(host, &result, "boot", NULL);
  g_assert_nonnull(strstr(result.err, "vfio-hostdev.early=0: early binding is off"));
  g_autofree char *kmsg = mock_host_read(host, "/dev/kmsg");
  g_assert_cmpstr(kmsg, ==, "<5>vfio-hostdev-early: vfio-hostdev.early=0: early binding is off\n");
  mock_host_write(host, "/dev/kmsg", ""); /* the only change, in the log */
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(after, ==, before);
  g_assert_null(bt_driver(host, E1000E));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/early/generate", test_generate);
  g_test_add_func("/early/initramfs-absent-or-failing", test_initramfs_absent_or_failing);
  g_test_add_func("/early/deny-list", test_deny_list_leaves_out);
  g_test_add_func("/early/apply-says-unbound", test_apply_says_unbound);
  g_test_add_func("/early/helper-boot", test_helper_boot);
  g_test_add_func("/early/helper-modprobe-guard", test_helper_modprobe_guard);
  g_test_add_func("/early/helper-udev", test_helper_udev);
  g_test_add_func("/early/helper-disabled", test_helper_disabled);
  return g_test_run();
}
