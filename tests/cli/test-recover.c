// SPDX-License-Identifier: LGPL-2.1-or-later
/* Crash safety: the tool is killed (SIGKILL, through the test hook
 * VFIO_HOSTDEV_TEST_CRASH_AT) before each durable step of a prepare, of a
 * release and of a plain bind in turn; `recover` must then put every
 * device where it belongs (an interrupted prepare rolled back, an
 * interrupted release finished), nothing stranded, and a second recover
 * must find nothing to do. Also: automatic recovery by the next command,
 * and an operation in progress left alone. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "managed-test-util.h"

#define MAX_STEPS 100

/* The scenario: e1000e and edu managed (edu gets its variant driver),
 * virtio-net unmanaged and already bound by `bind` (its record is adopted),
 * nodes handed to nobody. Modules are loaded first so that the state hash
 * compares devices, not which modules a killed run got to load. */
static MockHost *scenario_host(char **xml)
{
  MockHost *host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *nic = mt_hostdev(E1000E, TRUE, NULL);
  g_autofree char *edu = mt_hostdev(EDU, TRUE, NULL);
  g_autofree char *virtio = mt_hostdev(VIRTIO, FALSE, NULL);
  g_autofree char *body = g_strconcat(nic, edu, virtio, NULL);

  cli_shell(host, "modprobe vfio_pci && modprobe qedu_mig && modprobe virtio_vfio_pci");
  cli_run(host, &result, "bind", VIRTIO, NULL);
  g_assert_cmpint(result.status, ==, 0);
  *xml = mt_domain_file(host, body);
  return host;
}

static void assert_prepared(MockHost *host)
{
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
  bt_assert_vfio(host, EDU, "qedu-mig", "2");
  bt_assert_vfio(host, VIRTIO, "virtio-vfio-pci", "9");
  g_assert_cmpint(mt_uid(host, "/dev/vfio/8"), ==, 65534);
  g_assert_cmpint(mt_uid(host, "/dev/vfio/9"), ==, 65534);
  g_assert_true(mt_has_journal(host, "vm1"));
}

/* Back as before the prepare: same kernel tree, same records (virtio's
 * bind record without an owner), no journal, every node root's. */
static void assert_back(MockHost *host, const char *state_before)
{
  g_autofree char *now = mt_state_hash(host);

  g_assert_cmpstr(now, ==, state_before);
  bt_assert_original(host, E1000E, "e1000e", 0);
  bt_assert_original(host, EDU, NULL, 0);
  g_autofree char *record = mock_host_read(host, "/run/vfio-hostdev/" VIRTIO ".record");
  g_assert_null(strstr(record, "owner"));
  g_assert_false(mt_has_journal(host, "vm1"));
  mt_assert_nodes_root(host);
}

/* A second recover finds nothing and changes nothing. */
static void assert_recover_noop(MockHost *host)
{
  g_auto(CliResult) result = {0};
  g_autofree char *before = bt_tree_hash(host);

  cli_run(host, &result, "recover", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_cmpstr(result.out, ==, "nothing to recover\n");
  g_autofree char *after = bt_tree_hash(host);
  g_assert_cmpstr(before, ==, after);
}

static void test_recover_prepare_every_step(void)
{
  guint step = 1;

  for (; step <= MAX_STEPS; step++) {
    g_autofree char *xml = NULL;
    g_autoptr(MockHost) host = scenario_host(&xml);
    g_autofree char *before = mt_state_hash(host);
    g_auto(CliResult) result = {0};
    const char *const args[] = {"prepare", "--owner", "vm1", "--user", "nobody", "--xml", xml, NULL};

    if (!mt_crash_then_recover(host, step, args, &result)) {
      assert_prepared(host);
      break;
    }
    assert_back(host, before);
    assert_recover_noop(host);
  }
  g_test_message("prepare has %u durable steps", step - 1);
  g_assert_cmpuint(step, >, 10);
  g_assert_cmpuint(step, <=, MAX_STEPS);
}

static void test_recover_release_every_step(void)
{
  guint step = 1;

  for (; step <= MAX_STEPS; step++) {
    g_autofree char *xml = NULL;
    g_autoptr(MockHost) host = scenario_host(&xml);
    g_autofree char *before = mt_state_hash(host);
    g_auto(CliResult) result = {0};
    const char *const args[] = {"release", "--owner", "vm1", NULL};

    cli_run(host, &result, "prepare", "--owner", "vm1", "--user", "nobody", "--xml", xml, NULL);
    g_assert_cmpint(result.status, ==, 0);
    if (!mt_crash_then_recover(host, step, args, &result)) {
      assert_back(host, before);
      break;
    }
    /* killed before the release's first step: still prepared, and a
     * release now does the whole job */
    if (mt_has_journal(host, "vm1")) {
      assert_prepared(host);
      cli_run(host, &result, "release", "--owner", "vm1", NULL);
      g_assert_cmpint(result.status, ==, 0);
    }
    assert_back(host, before);
    assert_recover_noop(host);
  }
  g_test_message("release has %u durable steps", step - 1);
  g_assert_cmpuint(step, >, 5);
  g_assert_cmpuint(step, <=, MAX_STEPS);
}

/* Each device of an interrupted plain bind is either back on its driver
 * without a record, or bound with a finished record: a bind has no
 * journal, so a device whose bind had completed stays bound (reattach
 * gives it back); only a half-done one is rolled back. After the reattach
 * the host is exactly as before the bind. */
static void assert_whole(MockHost *host, const char *address, const char *driver, const char *vfio_driver,
                         const char *group)
{
  g_autofree char *path = g_strdup_printf("/run/vfio-hostdev/%s.record", address);
  g_autofree char *record = mock_host_read_trim(host, path);

  if (record == NULL) {
    bt_assert_original(host, address, driver, 0);
    return;
  }
  g_assert_nonnull(strstr(record, "state=bound"));
  bt_assert_vfio(host, address, vfio_driver, group);
}

static void test_recover_bind_every_step(void)
{
  guint step = 1;

  for (; step <= MAX_STEPS; step++) {
    g_autoptr(MockHost) host = cli_host("q35-zoo");
    g_auto(CliResult) result = {0};
    const char *const args[] = {"bind", E1000E, EDU, NULL};

    /* vfio's class there beforehand (scenario_host()'s bind makes it): the
     * state compares devices, not whether a first vfio device was bound */
    g_autofree char *class_dir = g_build_filename(mock_host_root(host), "sys/class/vfio-dev", NULL);
    g_assert_cmpint(g_mkdir_with_parents(class_dir, 0755), ==, 0);
    cli_shell(host, "modprobe vfio_pci && modprobe qedu_mig");
    g_autofree char *before = mt_state_hash(host);
    if (!mt_crash_then_recover(host, step, args, &result))
      break;
    assert_whole(host, E1000E, "e1000e", "vfio-pci", "8");
    assert_whole(host, EDU, NULL, "qedu-mig", "2");
    assert_recover_noop(host);
    cli_run(host, &result, "reattach", E1000E, EDU, NULL);
    g_assert_cmpint(result.status, ==, 0);
    bt_assert_original(host, E1000E, "e1000e", 0);
    bt_assert_original(host, EDU, NULL, 0);
    g_autofree char *after = mt_state_hash(host);
    g_assert_cmpstr(after, ==, before);
  }
  g_assert_cmpuint(step, >, 5);
  g_assert_cmpuint(step, <=, MAX_STEPS);
}

/* The next command that touches devices recovers first and says so. */
static void test_recover_automatic(void)
{
  g_autofree char *xml = NULL;
  g_autoptr(MockHost) host = scenario_host(&xml);
  g_autofree char *before = mt_state_hash(host);
  g_auto(CliResult) result = {0};
  const char *const args[] = {"prepare", "--owner", "vm1", "--user", "nobody", "--xml", xml, NULL};

  g_assert_true(mt_crash(host, 8, args, &result));
  g_assert_true(mt_has_journal(host, "vm1"));
  cli_run(host, &result, "reattach", TESTDEV, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, "warning: rolled back the interrupted prepare of owner vm1"));
  assert_back(host, before);
}

static GPid spawn_prepare(MockHost *host)
{
  g_auto(GStrv) env = mock_host_environ(host);
  const char *argv[] = {VFIO_HOSTDEV_BIN, "prepare", "--owner", "vm1", E1000E, EDU, NULL};
  g_autoptr(GError) error = NULL;
  GPid pid = 0;

  g_assert_true(g_spawn_async(NULL, (char **)argv, env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                                            G_SPAWN_STDERR_TO_DEV_NULL,
                              NULL, NULL, &pid, &error));
  g_assert_no_error(error);
  return pid;
}

/* A prepare still running (the fake kernel holds both its probes) is not
 * an interrupted one: recover leaves it alone; once it is killed, recover
 * rolls it back. The kill comes while both threads wait inside their
 * probes, where the tool can be killed in a real kernel too: never halfway
 * through one of the fake kernel's multi-file operations. */
static void test_recover_leaves_running_alone(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  int status = 0;

  g_autofree char *class_dir = g_build_filename(mock_host_root(host), "sys/class/vfio-dev", NULL);
  g_assert_cmpint(g_mkdir_with_parents(class_dir, 0755), ==, 0);
  cli_shell(host, "modprobe vfio_pci && modprobe qedu_mig");
  g_autofree char *before = mt_state_hash(host);
  mock_host_hold(host, "probe", NULL);
  GPid pid = spawn_prepare(host);
  g_assert_true(mock_host_wait_begun(host, "probe", E1000E, 1));
  g_assert_true(mock_host_wait_begun(host, "probe", EDU, 1));

  cli_run(host, &result, "recover", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "left vm1 alone"));
  g_assert_true(bt_has_record(host, EDU));
  g_assert_true(mt_has_journal(host, "vm1"));

  g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_spawn_close_pid(pid);
  mock_host_release(host, "probe", NULL);
  /* the probes were the helpers' writes: they finish after the prepare is
   * gone, and until they do recover rightly answers "pending" */
  bt_wait_lock_free(host, "/run/vfio-hostdev/" E1000E ".pending");
  bt_wait_lock_free(host, "/run/vfio-hostdev/" EDU ".pending");
  cli_run(host, &result, "recover", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "rolled back the interrupted prepare of owner vm1"));
  g_autofree char *after = mt_state_hash(host);
  g_assert_cmpstr(before, ==, after);
}

/* A damaged journal is reported, never guessed at. */
static void test_recover_damaged_journal(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  mock_host_write(host, "/run/vfio-hostdev/owner-vm1.journal", "[journal]\nowner=vm1\noperation=dance\n");
  cli_run(host, &result, "recover", NULL);
  g_assert_cmpint(result.status, ==, 1);
  g_assert_nonnull(strstr(result.err, "damaged"));
  g_assert_true(mt_has_journal(host, "vm1"));

  /* a rollback gives nodes their recorded owner and mode: one outside
   * /dev/vfio makes the journal damaged, and nothing is chowned */
  mock_host_write(host, "/run/vfio-hostdev/owner-vm1.journal",
                  "[journal]\nowner=vm1\noperation=prepare\nrunning=true\n\n"
                  "[node /dev/vfio/../../etc/passwd]\nuid=65534\ngid=65534\nmode=0666\npending=true\n");
  cli_run(host, &result, "recover", NULL);
  g_assert_cmpint(result.status, ==, 1);
  g_assert_nonnull(strstr(result.err, "damaged (unknown or malformed section)"));
  g_assert_true(mt_has_journal(host, "vm1"));
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
  /* the crash hook exists only in builds with -Dtest_hooks=true */
  g_test_add_func("/recover/prepare-every-step", WITH_CRASH_HOOK(test_recover_prepare_every_step));
  g_test_add_func("/recover/release-every-step", WITH_CRASH_HOOK(test_recover_release_every_step));
  g_test_add_func("/recover/bind-every-step", WITH_CRASH_HOOK(test_recover_bind_every_step));
  g_test_add_func("/recover/automatic", WITH_CRASH_HOOK(test_recover_automatic));
  g_test_add_func("/recover/leaves-running-alone", test_recover_leaves_running_alone);
  g_test_add_func("/recover/damaged-journal", test_recover_damaged_journal);
  return g_test_run();
}
