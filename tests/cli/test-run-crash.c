// SPDX-License-Identifier: LGPL-2.1-or-later
/* `run` killed with SIGKILL (nothing of the tool's own restoring runs):
 * its guardian kills the command's whole process group, a grandchild
 * included, and `recover` gives back the devices it bound and the
 * hugepages it added, from its journal (run-journal.h). Killed by the
 * command itself mid-run, and by the crash hook before every durable step
 * of a whole run. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bind-test-util.h"
#include "managed-test-util.h"

#define POOL_2M "/sys/kernel/mm/hugepages/hugepages-2048kB"
#define MAX_STEPS 60
#define KILLED (128 + SIGKILL)

static void make_pool(MockHost *host, const char *nr)
{
  mock_host_write(host, POOL_2M "/nr_hugepages", nr);
  mock_host_write(host, POOL_2M "/free_hugepages", nr);
  mock_host_write(host, POOL_2M "/resv_hugepages", "0\n");
}

static void assert_pool(MockHost *host, const char *nr)
{
  g_autofree char *now = mock_host_read_trim(host, POOL_2M "/nr_hugepages");

  g_assert_cmpstr(now, ==, nr);
}

/* No run journal nor lock is left in the state directory. */
static void assert_no_run_files(MockHost *host)
{
  g_autofree char *dir = g_build_filename(mock_host_root(host), "run", "vfio-hostdev", NULL);
  g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name(listing)) != NULL)
    g_assert_false(g_str_has_prefix(name, "run-"));
}

static void recover_ok(MockHost *host)
{
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "recover", NULL);
  g_test_message("recover: %d %s%s", result.status, result.out, result.err);
  g_assert_cmpint(result.status, ==, 0);
}

/* Dead, or a zombie nobody reaped yet (it is not ours to reap). */
static gboolean process_gone(pid_t pid)
{
  g_autofree char *stat_path = g_strdup_printf("/proc/%d/stat", (int)pid);
  g_autofree char *stat = NULL;

  if (kill(pid, 0) < 0 && errno == ESRCH)
    return TRUE;
  if (!g_file_get_contents(stat_path, &stat, NULL, NULL))
    return TRUE;
  const char *end = strrchr(stat, ')');
  return end != NULL && end[1] == ' ' && end[2] == 'Z';
}

static void assert_gone_soon(pid_t pid)
{
  for (guint i = 0; i < 12000 && !process_gone(pid); i++)
    g_usleep(10 * 1000);
  g_assert_true(process_gone(pid));
}

/* The command starts a child that would outlive it, then kills the tool
 * (its parent) with SIGKILL. */
static void test_killed_mid_command(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autofree char *pid_file = g_build_filename(mock_host_root(host), "grandchild.pid", NULL);
  g_auto(GStrv) env = mock_host_environ(host);
  const char *argv[] = {VFIO_HOSTDEV_BIN, "run", "-d", E1000E, "--hugepages", "2M=3", "--", "sh", "-c",
                        "sleep 1000 & echo $! > \"$0\"; kill -KILL $PPID; wait", pid_file, NULL};
  g_autoptr(GError) error = NULL;
  g_autofree char *pid_text = NULL;
  GPid tool = 0;
  int status = 0;

  make_pool(host, "1\n");
  /* no pipes: a leftover process must not keep the test waiting */
  g_assert_true(g_spawn_async(NULL, (char **)argv, env,
                              G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                              NULL, NULL, &tool, &error));
  g_assert_no_error(error);
  g_assert_cmpint(waitpid(tool, &status, 0), ==, tool);
  g_assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  g_assert_true(g_file_get_contents(pid_file, &pid_text, NULL, NULL));
  pid_t grandchild = (pid_t)g_ascii_strtoll(pid_text, NULL, 10);
  g_assert_cmpint(grandchild, >, 1);
  assert_gone_soon(grandchild);
  /* left as the kill found it: bound, pool grown, journaled */
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
  assert_pool(host, "3");
  recover_ok(host);
  bt_assert_original(host, E1000E, "e1000e", 0);
  g_assert_cmpuint(bt_count_records(host), ==, 0);
  assert_pool(host, "1");
  assert_no_run_files(host);
}

/* Pages in use or reserved at recovery stay: the pool shrinks only by
 * what is free and unreserved of what the run added. The command holds one
 * of the 3 pages (2 free) and has one reserved: 1 can go back. */
static void test_recover_keeps_reserved_pages(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  const char *const args[] = {"run", "-d", E1000E, "--hugepages", "2M=3", "--", "sh", "-c",
                              "echo 2 > " POOL_2M "/free_hugepages; echo 1 > " POOL_2M "/resv_hugepages; kill -KILL $PPID",
                              NULL};

  make_pool(host, "1\n");
  mt_run_env(host, &result, NULL, args);
  g_assert_cmpint(result.status, ==, KILLED);
  assert_pool(host, "3");
  cli_run(host, &result, "recover", NULL);
  g_test_message("recover: %d %s%s", result.status, result.out, result.err);
  g_assert_cmpint(result.status, !=, 0);
  g_assert_nonnull(strstr(result.err, "keeps 1 pages the run added"));
  bt_assert_original(host, E1000E, "e1000e", 0);
  assert_pool(host, "2");
}

/* A run killed while its device's node pool (node 1) was grown: recover
 * shrinks that node's pool, not the whole one (which would take node 0's
 * page first). */
static void test_recover_numa_node_pool(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  const char *const args[] = {"run", "-d", E1000E, "--hugepages", "2M=2", "--", "sh", "-c", "kill -KILL $PPID", NULL};

  bt_make_numa_pools(host, E1000E);
  mt_run_env(host, &result, NULL, args);
  g_assert_cmpint(result.status, ==, KILLED);
  bt_assert_numa_pools(host, "1", "2", "3");
  recover_ok(host);
  bt_assert_numa_pools(host, "1", "0", "1");
  bt_assert_original(host, E1000E, "e1000e", 0);
  assert_no_run_files(host);
}

/* The host a run starts from: vfio_pci loaded and its class there (the
 * state compares devices, not modules or the class a first vfio device
 * makes), a 2M pool of one page. */
static MockHost *start_host(void)
{
  MockHost *host = cli_host("q35-zoo");
  g_autofree char *class_dir = g_build_filename(mock_host_root(host), "sys/class/vfio-dev", NULL);

  g_assert_cmpint(g_mkdir_with_parents(class_dir, 0755), ==, 0);
  cli_shell(host, "modprobe vfio_pci");
  make_pool(host, "1\n");
  return host;
}

/* Killed before each durable step in turn, the command leaving a
 * grandchild behind in its process group: recover gives back exactly the
 * start (same kernel tree, no record, journal or run file), and nothing of
 * the run is left running, the grandchild included. */
static void test_killed_every_step(void)
{
  guint step = 1;

  for (; step <= MAX_STEPS; step++) {
    g_autoptr(MockHost) host = start_host();
    g_autofree char *before = mt_state_hash(host);
    g_autofree char *pid_file = g_build_filename(mock_host_root(host), "grandchild.pid", NULL);
    g_auto(CliResult) result = {0};
    const char *const args[] = {"run", "-d", E1000E, "--hugepages", "2M=3", "--", "sh", "-c",
                                "sleep 1000 >/dev/null 2>&1 & echo $! > \"$0\"", pid_file, NULL};

    gboolean killed = mt_crash_then_recover(host, step, args, &result);
    if (!killed) {
      /* a clean run leaves the command's children alone: the test ends it */
      g_autofree char *pid_text = NULL;
      g_assert_true(g_file_get_contents(pid_file, &pid_text, NULL, NULL));
      pid_t grandchild = (pid_t)g_ascii_strtoll(pid_text, NULL, 10);
      g_assert_cmpint(grandchild, >, 1);
      g_assert_cmpint(kill(grandchild, SIGKILL), ==, 0);
      assert_gone_soon(grandchild);
    }
    g_autofree char *after = mt_state_hash(host);
    g_assert_cmpstr(after, ==, before);
    bt_assert_original(host, E1000E, "e1000e", 0);
    assert_pool(host, "1");
    assert_no_run_files(host);
    if (!killed)
      break;
  }
  g_test_message("run has %u durable steps", step - 1);
  g_assert_cmpuint(step, >, 5);
  g_assert_cmpuint(step, <=, MAX_STEPS);
}

#ifdef HD_TEST_HOOKS
#define WITH_CRASH_HOOK(test) (test)
#else
static void skip_without_crash_hook(void)
{
  g_test_skip("built without -Dtest_hooks=true: the tool has no crash hook");
}
#define WITH_CRASH_HOOK(test) ((void)(test), skip_without_crash_hook)
#endif

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  /* the first two need no hook: the command itself kills the tool */
  g_test_add_func("/run-crash/killed-mid-command", test_killed_mid_command);
  g_test_add_func("/run-crash/recover-keeps-reserved-pages", test_recover_keeps_reserved_pages);
  g_test_add_func("/run-crash/recover-numa-node-pool", test_recover_numa_node_pool);
  g_test_add_func("/run-crash/killed-every-step", WITH_CRASH_HOOK(test_killed_every_step));
  return g_test_run();
}
