// SPDX-License-Identifier: LGPL-2.1-or-later
/* `run` against the fake kernel: the command sees its devices bound (it
 * checks the fake sysfs itself: it runs under the same preload), and
 * afterwards everything is as before, whatever the command did: success,
 * failure, death by a signal, a signal to the tool, a command that cannot
 * start. Also: a refused bind runs nothing, devices already on a VFIO
 * driver stay there, hugepages, the environment, usage errors, and what a
 * restore that fails reports. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bind-test-util.h"

#define E1000E "0000:01:00.0" /* group 8, on e1000e */
#define EDU "0000:00:02.0"    /* group 2, unbound; its VFIO driver is the variant qedu-mig */
#define NVME "0000:03:00.0"   /* SR-IOV PF on nvme */
#define SMBUS "0000:00:1f.3"  /* group 7 with AHCI (on ahci) */
#define AHCI "0000:00:1f.2"
#define POOL_2M "/sys/kernel/mm/hugepages/hugepages-2048kB"

/* The command prints where its device's driver link points; the test
 * looks for the driver's name in it. */
#define SHOW_DRIVER "readlink /sys/bus/pci/devices/$VFIO_SELFTESTS_BDF/driver"

/* A file outside the faked paths: the command touches it to say it ran. */
static char *marker(MockHost *host, const char *name)
{
  return g_build_filename(mock_host_root(host), name, NULL);
}

static void assert_e1000e_restored(MockHost *host)
{
  bt_assert_original(host, E1000E, "e1000e", 0);
  g_assert_cmpuint(bt_count_records(host), ==, 0);
}

static void test_command_success(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "run", "-d", E1000E, "--", "sh", "-c",
          SHOW_DRIVER "; test -e /dev/vfio/8 && test -e /run/vfio-hostdev/$VFIO_SELFTESTS_BDF.record", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "/drivers/vfio-pci\n"));
  g_assert_cmpstr(result.err, ==, "");
  assert_e1000e_restored(host);
  g_assert_false(mock_host_exists(host, "/dev/vfio/8"));
}

/* The command's exit code comes back; the device still does. */
static void test_command_fails(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "run", "-d", E1000E, "--", "sh", "-c", SHOW_DRIVER "; exit 7", NULL);
  g_assert_cmpint(result.status, ==, 7);
  g_assert_nonnull(strstr(result.out, "vfio-pci"));
  g_assert_cmpstr(result.err, ==, "");
  assert_e1000e_restored(host);
}

/* 128 + the signal, as a shell says it. */
static void test_command_killed(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "run", "-d", E1000E, "--", "sh", "-c", "kill -KILL $$", NULL);
  g_assert_cmpint(result.status, ==, 128 + SIGKILL);
  assert_e1000e_restored(host);
}

static void test_command_not_found(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "run", "-d", E1000E, "--", "/nonexistent/command", NULL);
  g_assert_cmpint(result.status, ==, 127);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "/nonexistent/command"));
  assert_e1000e_restored(host);
}

static void wait_for_file(const char *path, GPid pid)
{
  g_assert_true(cli_wait_for_file(path, pid));
}

static int wait_status(GPid pid)
{
  int status = 0;

  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status)); /* the tool itself always exits, never dies of the signal */
  return WEXITSTATUS(status);
}

/* SIGTERM, SIGHUP or SIGINT to the tool while the command runs:
 * forwarded, the command dies of it, the device comes back, exit 128 + the
 * signal. */
static void test_signal_mid_run(void)
{
  static const int signals[] = {SIGTERM, SIGHUP, SIGINT};

  for (guint i = 0; i < G_N_ELEMENTS(signals); i++) {
    g_autoptr(MockHost) host = cli_host("q35-zoo");
    g_autofree char *started = marker(host, "started");
    const char *const args[] = {"run", "-d", E1000E, "--", "sh", "-c", "touch \"$0\"; exec sleep 60", started, NULL};
    GPid pid = bt_spawn_with_stderr(host, args);

    g_test_message("signal %d", signals[i]);
    wait_for_file(started, pid);
    bt_assert_vfio(host, E1000E, "vfio-pci", "8");
    g_assert_cmpint(kill(pid, signals[i]), ==, 0);
    g_assert_cmpint(wait_status(pid), ==, 128 + signals[i]);
    assert_e1000e_restored(host);
  }
}

/* A command that handles the signal decides the exit status. */
static void test_sigterm_handled(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autofree char *started = marker(host, "started");
  const char *const args[] = {"run", "-d", E1000E, "--", "sh", "-c",
                              "trap 'kill $!; exit 3' TERM; sleep 60 & touch \"$0\"; wait", started, NULL};
  GPid pid = bt_spawn_with_stderr(host, args);

  wait_for_file(started, pid);
  g_assert_cmpint(kill(pid, SIGTERM), ==, 0);
  g_assert_cmpint(wait_status(pid), ==, 3);
  assert_e1000e_restored(host);
}

/* SIGINT while the device is being bound (the fake kernel holds the unbind
 * until the signal was sent): the bind finishes, the command never starts,
 * the device comes back. */
static void test_signal_during_bind(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autofree char *ran = marker(host, "ran");
  const char *const args[] = {"run", "-d", E1000E, "--", "sh", "-c", "touch \"$0\"", ran, NULL};

  mock_host_hold(host, "unbind", E1000E);
  GPid pid = bt_spawn_with_stderr(host, args);
  g_assert_true(mock_host_wait_begun(host, "unbind", E1000E, 1));
  g_assert_cmpint(kill(pid, SIGINT), ==, 0);
  mock_host_release(host, "unbind", E1000E);
  g_assert_cmpint(wait_status(pid), ==, 128 + SIGINT);
  g_assert_false(g_file_test(ran, G_FILE_TEST_EXISTS));
  assert_e1000e_restored(host);
}

/* A refused bind: the tool's exit code, the command not run, nothing changed. */
static void test_bind_refused(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *ran = marker(host, "ran");
  g_autofree char *before = bt_kernel_hash(host);

  cli_run(host, &result, "run", "-d", SMBUS, "--", "sh", "-c", "touch \"$0\"", ran, NULL);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, AHCI));
  g_assert_false(g_file_test(ran, G_FILE_TEST_EXISTS));
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);

  cli_run(host, &result, "run", "-d", "0000:0f:1f.7", "--", "sh", "-c", "touch \"$0\"", ran, NULL);
  g_assert_cmpint(result.status, ==, 3);
  g_assert_false(g_file_test(ran, G_FILE_TEST_EXISTS));
}

/* --group: the member comes along and goes back with the device. */
static void test_group(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "run", "-d", SMBUS, "--group", "--", "sh", "-c",
          "readlink /sys/bus/pci/devices/" AHCI "/driver; echo \"$VFIO_HOSTDEV_BDFS\"", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "vfio-pci\n" SMBUS "\n"));
  bt_assert_original(host, AHCI, "ahci", 0);
  bt_assert_original(host, SMBUS, "i801_smbus", 0);
}

/* A PF's VFs are disabled for the run and come back. */
static void test_sriov(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_shell(host, "echo 2 > /sys/bus/pci/devices/" NVME "/sriov_numvfs");
  cli_run(host, &result, "run", "-d", NVME, "--", "sh", "-c",
          SHOW_DRIVER "; cat /sys/bus/pci/devices/" NVME "/sriov_numvfs", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "vfio-pci\n0\n"));
  bt_assert_original(host, NVME, "nvme", 2);
}

/* A device already on a VFIO driver is used as it is and left so: its
 * record (from the earlier bind) stays; the other device comes back. */
static void test_already_bound(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *record = mock_host_read(host, "/run/vfio-hostdev/" EDU ".record");
  cli_run(host, &result, "run", "-d", EDU, "-d", E1000E, "--", "sh", "-c", SHOW_DRIVER, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "qedu-mig"));
  bt_assert_vfio(host, EDU, "qedu-mig", "2");
  g_autofree char *record_after = mock_host_read(host, "/run/vfio-hostdev/" EDU ".record");
  g_assert_cmpstr(record, ==, record_after);
  bt_assert_original(host, E1000E, "e1000e", 0);
}

/* Canonical addresses, each once, in the order given; the first for the
 * kernel's selftests. */
static void test_environment(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "run", "-d", "01:00.0", "-d", "0000:00:02.0", "-d", "0000:01:00.0", "--", "sh", "-c",
          "echo \"[$VFIO_HOSTDEV_BDFS] [$VFIO_SELFTESTS_BDF]\"", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_cmpstr(result.out, ==, "[" E1000E " " EDU "] [" E1000E "]\n");
  assert_e1000e_restored(host);
  bt_assert_original(host, EDU, NULL, 0);
}

/* -s runs $SHELL: here a script standing in for an interactive shell. */
static void test_shell(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autofree char *script = marker(host, "fake-shell");
  g_auto(GStrv) env = mock_host_environ(host);
  const char *argv[] = {VFIO_HOSTDEV_BIN, "run", "-d", E1000E, "-s", NULL};
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true(g_file_set_contents(script, "#!/bin/sh\n" SHOW_DRIVER "\nexit 4\n", -1, NULL));
  g_assert_cmpint(chmod(script, 0755), ==, 0);
  env = g_environ_setenv(env, "SHELL", script, TRUE);
  g_assert_true(g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error(error);
  g_test_message("stdout:\n%s\nstderr:\n%s", out, err);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 4);
  g_assert_nonnull(strstr(out, "vfio-pci"));
  g_assert_nonnull(strstr(err, E1000E)); /* says which devices the shell has */
  assert_e1000e_restored(host);
}

/* A 2M pool of NR pages, all free: the fake kernel grants every page asked
 * for (tests/mock/mock-hugepages.c). */
static void make_pool(MockHost *host, const char *nr)
{
  mock_host_write(host, POOL_2M "/nr_hugepages", nr);
  mock_host_write(host, POOL_2M "/free_hugepages", nr);
}

/* The pool grows by what is missing for the run and shrinks back after. */
static void test_hugepages_reserved(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  make_pool(host, "1\n");
  cli_run(host, &result, "run", "-d", E1000E, "--hugepages", "2M=3", "--", "sh", "-c",
          "cat " POOL_2M "/free_hugepages", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_cmpstr(result.out, ==, "3\n");
  g_autofree char *nr = mock_host_read_trim(host, POOL_2M "/nr_hugepages");
  g_assert_cmpstr(nr, ==, "1");
  assert_e1000e_restored(host);
}

/* A device on NUMA node 1, which has its own pool: that pool grows (the
 * whole pool's growth would go to node 0 first) and shrinks back. */
static void test_hugepages_numa_node(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  bt_make_numa_pools(host, E1000E);
  cli_run(host, &result, "run", "-d", E1000E, "--hugepages", "2M=2", "--", "sh", "-c",
          "cat " BT_NODE_POOL_2M("1") "/free_hugepages " BT_POOL_2M "/nr_hugepages", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_cmpstr(result.out, ==, "2\n3\n");
  bt_assert_numa_pools(host, "1", "0", "1");
  assert_e1000e_restored(host);
}

/* Pages the kernel does not grant: exit 1, the command not run, the pool
 * back and no device touched (pages are reserved before binding). */
static void test_hugepages_unavailable(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *ran = marker(host, "ran");

  make_pool(host, "0\n");
  mock_host_write(host, "/.mock/hugepages-max/hugepages-2048kB", "1\n"); /* the kernel finds 1 page */
  g_autofree char *before = bt_kernel_hash(host);
  cli_run(host, &result, "run", "-d", E1000E, "--hugepages", "2M=2", "--", "sh", "-c", "touch \"$0\"", ran, NULL);
  g_assert_cmpint(result.status, ==, 1);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "2 2M hugepages"));
  g_assert_false(g_file_test(ran, G_FILE_TEST_EXISTS));
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_autofree char *modprobes = mock_host_modprobe_log(host);
  g_assert_null(strstr(modprobes, "vfio_pci"));

  /* no 1G pool at all */
  cli_run(host, &result, "run", "-d", E1000E, "--hugepages", "1G=1", "--", "sh", "-c", "touch \"$0\"", ran, NULL);
  g_assert_cmpint(result.status, ==, 1);
  g_assert_nonnull(strstr(result.err, "no 1G hugepage pool"));
  g_assert_false(g_file_test(ran, G_FILE_TEST_EXISTS));
}

/* Reattach fails (the second unbind: bind's was the first): exit 5 over
 * the command's 0, stderr says what is left and how to finish. */
static void test_restore_fails(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  mock_host_inject_fault(host, "unbind", 2, EIO);
  cli_run(host, &result, "run", "-d", E1000E, "--", "true", NULL);
  g_assert_cmpint(result.status, ==, 5);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, E1000E));
  g_assert_nonnull(strstr(result.err, "vfio-hostdev reattach " E1000E));
  g_assert_true(bt_has_record(host, E1000E));
  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  assert_e1000e_restored(host);
}

/* The command left a process holding the group node (a VM still running):
 * reattach is refused; exit 5 naming the device and the way back. */
static void test_restore_refused_while_held(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *pid_file = marker(host, "holder.pid");
  g_autofree char *pid_text = NULL;

  cli_run(host, &result, "run", "-d", E1000E, "--", "sh", "-c",
          "exec 7</dev/vfio/8; sleep 60 >/dev/null 2>&1 & echo $! > \"$0\"", pid_file, NULL);
  g_assert_true(g_file_get_contents(pid_file, &pid_text, NULL, NULL));
  pid_t holder = (pid_t)g_ascii_strtoll(pid_text, NULL, 10);
  kill(holder, SIGKILL);
  g_assert_cmpint(result.status, ==, 5);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "/dev/vfio/8"));
  g_assert_nonnull(strstr(result.err, "vfio-hostdev reattach " E1000E));
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
  g_assert_true(bt_has_record(host, E1000E));
  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  assert_e1000e_restored(host);
}

/* Exit 2, one line, nothing changed, nothing run. */
static void test_usage(void)
{
  static const char *const cases[][8] = {
    {"run", "--", "true"},                                      /* no -d */
    {"run", "-d", E1000E},                                      /* no command, no -s */
    {"run", "-d", E1000E, "--"},                                /* empty command */
    {"run", "-d", E1000E, "-s", "--", "true"},                  /* both */
    {"run", "-d", E1000E, "true"},                              /* command without -- */
    {"run", "-d", "zz:00.0", "--", "true"},                     /* malformed address */
    {"run", "-d", E1000E, "--hugepages", "2M", "--", "true"},   /* no count */
    {"run", "-d", E1000E, "--hugepages", "2M=x", "--", "true"}, /* bad count */
    {"run", "-d", E1000E, "--hugepages", "3X=1", "--", "true"}, /* bad unit */
    {"run", "-d", E1000E, "--hugepages", "2M=1,2048kB=2", "--", "true"}, /* a size twice */
    {"run", "-d", E1000E, "--hugepages", "2M=1,", "--", "true"},         /* empty item */
    {"run", "-d", E1000E, "--bogus", "--", "true"},
  };
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autofree char *before = bt_kernel_hash(host);

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GError) error = NULL;
    int status = 0;

    g_ptr_array_add(argv, (gpointer)VFIO_HOSTDEV_BIN);
    for (guint j = 0; j < G_N_ELEMENTS(cases[i]) && cases[i][j] != NULL; j++)
      g_ptr_array_add(argv, (gpointer)cases[i][j]);
    g_ptr_array_add(argv, NULL);
    g_assert_true(mock_host_run(host, (const char *const *)argv->pdata, &out, &err, &status, &error));
    g_test_message("case %u: exit %d, stderr %s", i, status, err);
    g_assert_cmpint(status, ==, 2);
    cli_assert_one_line(err);
    g_assert_cmpstr(out, ==, "");
  }
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/run/command-success", test_command_success);
  g_test_add_func("/run/command-fails", test_command_fails);
  g_test_add_func("/run/command-killed", test_command_killed);
  g_test_add_func("/run/command-not-found", test_command_not_found);
  g_test_add_func("/run/signal-mid-run", test_signal_mid_run);
  g_test_add_func("/run/signal-handled", test_sigterm_handled);
  g_test_add_func("/run/signal-during-bind", test_signal_during_bind);
  g_test_add_func("/run/bind-refused", test_bind_refused);
  g_test_add_func("/run/group", test_group);
  g_test_add_func("/run/sriov", test_sriov);
  g_test_add_func("/run/already-bound", test_already_bound);
  g_test_add_func("/run/environment", test_environment);
  g_test_add_func("/run/shell", test_shell);
  g_test_add_func("/run/hugepages-reserved", test_hugepages_reserved);
  g_test_add_func("/run/hugepages-numa-node", test_hugepages_numa_node);
  g_test_add_func("/run/hugepages-unavailable", test_hugepages_unavailable);
  g_test_add_func("/run/restore-fails", test_restore_fails);
  g_test_add_func("/run/restore-refused-while-held", test_restore_refused_while_held);
  g_test_add_func("/run/usage", test_usage);
  return g_test_run();
}
