// SPDX-License-Identifier: LGPL-2.1-or-later
/* The integration examples of docs/examples/ under the fake host: the QEMU
 * wrapper with a fake "qemu" (prepares, passes the arguments, releases on
 * exit and on signals, passes QEMU's exit status on) and the libvirt hook
 * (prepare begin with the domain XML on stdin, release end, reconnect
 * begin; owners by the domain's UUID). */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "managed-test-util.h"

#define WRAPPER EXAMPLES_DIR "/qemu-vfio-wrapper"
#define HOOK EXAMPLES_DIR "/libvirt-qemu-hook"

/* A fake QEMU: writes its arguments to $FAKE_QEMU_ARGS (one per line),
 * fails with 3 unless e1000e is on vfio-pci while it runs, then becomes
 * `sleep $FAKE_QEMU_SLEEP` when set (so that a signal reaches the sleeper
 * and no orphan keeps the test's output open), else exits with
 * $FAKE_QEMU_EXIT. */
static const char fake_qemu[] =
  "#!/bin/sh\n"
  "printf '%s\\n' \"$@\" > \"$FAKE_QEMU_ARGS.tmp\" && mv \"$FAKE_QEMU_ARGS.tmp\" \"$FAKE_QEMU_ARGS\"\n"
  "[ \"$(basename \"$(readlink /sys/bus/pci/devices/0000:01:00.0/driver)\")\" = vfio-pci ] || exit 3\n"
  "[ -z \"${FAKE_QEMU_SLEEP:-}\" ] || exec sleep \"$FAKE_QEMU_SLEEP\"\n"
  "exit \"${FAKE_QEMU_EXIT:-0}\"\n";

typedef struct {
  MockHost *host;
  char *qemu;
  char *args_file;
  char **env;
} Fixture;

static void fixture_set_up(Fixture *fixture, gconstpointer data)
{
  fixture->host = cli_host("q35-zoo");
  fixture->qemu = g_build_filename(mock_host_root(fixture->host), "fake-qemu", NULL);
  fixture->args_file = g_build_filename(mock_host_root(fixture->host), "qemu-args", NULL);
  g_assert_true(g_file_set_contents(fixture->qemu, fake_qemu, -1, NULL));
  g_assert_cmpint(chmod(fixture->qemu, 0755), ==, 0);
  fixture->env = mock_host_environ(fixture->host);
  fixture->env = g_environ_setenv(fixture->env, "VFIO_HOSTDEV", VFIO_HOSTDEV_BIN, TRUE);
  fixture->env = g_environ_setenv(fixture->env, "FAKE_QEMU_ARGS", fixture->args_file, TRUE);
}

static void fixture_tear_down(Fixture *fixture, gconstpointer data)
{
  mock_host_free(fixture->host);
  g_free(fixture->qemu);
  g_free(fixture->args_file);
  g_strfreev(fixture->env);
}

/* Runs ARGV through /bin/sh (for the redirection of INPUT_FILE). Its
 * stdout is captured too, never inherited: the test's own stdout is the
 * TAP stream, where a line such as "qemu-args: ..." is not TAP. */
static int run(Fixture *fixture, const char *const *argv, const char *input_file, char **err)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GString) line = g_string_new(NULL);
  int wait_status = 0;

  for (; *argv != NULL; argv++) {
    g_autofree char *quoted = g_shell_quote(*argv);
    g_string_append_printf(line, "%s ", quoted);
  }
  if (input_file != NULL) {
    g_autofree char *quoted = g_shell_quote(input_file);
    g_string_append_printf(line, "< %s", quoted);
  }
  const char *const sh[] = {"/bin/sh", "-c", line->str, NULL};
  g_assert_true(g_spawn_sync(NULL, (char **)sh, fixture->env, G_SPAWN_DEFAULT, NULL, NULL, &out, err, &wait_status,
                             &error));
  g_assert_no_error(error);
  g_test_message("%s -> %d\nstdout:\n%s\nstderr:\n%s", line->str, wait_status, out, *err);
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

static void test_wrapper_runs_and_releases(Fixture *fixture, gconstpointer data)
{
  g_autofree char *err = NULL;
  const char *const argv[] = {WRAPPER, "vm1", E1000E, EDU, "--", fixture->qemu, "-m", "1G", NULL};

  g_assert_cmpint(run(fixture, argv, NULL, &err), ==, 0);
  g_autofree char *args = NULL;
  g_assert_true(g_file_get_contents(fixture->args_file, &args, NULL, NULL));
  g_assert_cmpstr(args, ==, "-m\n1G\n-device\nvfio-pci,host=" E1000E "\n-device\nvfio-pci,host=" EDU "\n");
  bt_assert_original(fixture->host, E1000E, "e1000e", 0);
  bt_assert_original(fixture->host, EDU, NULL, 0);
  g_assert_false(mt_has_journal(fixture->host, "vm1"));
}

/* QEMU's exit status is the wrapper's; the devices come back anyway. */
static void test_wrapper_passes_status(Fixture *fixture, gconstpointer data)
{
  g_autofree char *err = NULL;
  const char *const argv[] = {WRAPPER, "vm1", E1000E, "--", fixture->qemu, NULL};

  fixture->env = g_environ_setenv(fixture->env, "FAKE_QEMU_EXIT", "7", TRUE);
  g_assert_cmpint(run(fixture, argv, NULL, &err), ==, 7);
  bt_assert_original(fixture->host, E1000E, "e1000e", 0);
}

/* A failed prepare starts no QEMU and passes prepare's code on. */
static void test_wrapper_prepare_fails(Fixture *fixture, gconstpointer data)
{
  g_auto(CliResult) result = {0};
  g_autofree char *err = NULL;
  const char *const argv[] = {WRAPPER, "vm2", E1000E, "--", fixture->qemu, NULL};

  cli_run(fixture->host, &result, "prepare", "--owner", "vm1", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_cmpint(run(fixture, argv, NULL, &err), ==, 4);
  g_assert_nonnull(strstr(err, "belongs to owner vm1"));
  g_assert_false(g_file_test(fixture->args_file, G_FILE_TEST_EXISTS));
}

/* SIGTERM to the wrapper: forwarded to QEMU, then the devices released. */
static void test_wrapper_signal(Fixture *fixture, gconstpointer data)
{
  const char *argv[] = {WRAPPER, "vm1", E1000E, "--", fixture->qemu, NULL};
  g_autoptr(GError) error = NULL;
  GPid pid = 0;
  int status = 0;

  fixture->env = g_environ_setenv(fixture->env, "FAKE_QEMU_SLEEP", "60", TRUE);
  /* the wrapper's stdout (nothing: prepare's output is its own, the fake
   * QEMU prints none) must stay out of the TAP stream */
  g_assert_true(g_spawn_async(NULL, (char **)argv, fixture->env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                              NULL, NULL, &pid, &error));
  g_assert_no_error(error);
  g_assert_true(cli_wait_for_file(fixture->args_file, pid));
  bt_assert_vfio(fixture->host, E1000E, "vfio-pci", "8");
  g_assert_cmpint(kill(pid, SIGTERM), ==, 0);
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_spawn_close_pid(pid);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 128 + SIGTERM);
  bt_assert_original(fixture->host, E1000E, "e1000e", 0);
  g_assert_false(mt_has_journal(fixture->host, "vm1"));
}

#define UUID_A "6f1c3a9e-0b2d-4c55-9a1e-3d7b8f2c4e01"
#define UUID_B "6f1c3a9e-0b2d-4c55-9a1e-3d7b8f2c4e02"

/* A domain XML file as libvirt writes it for a hook: <name>, then <uuid>
 * on a line of its own, then <metadata> (whose own <uuid> must not count),
 * then the devices. */
static char *hook_domain_file(Fixture *fixture, const char *file, const char *name, const char *uuid,
                              const char *devices)
{
  g_autofree char *escaped = g_markup_escape_text(name, -1);
  g_autofree char *text = g_strdup_printf("<domain type='kvm' id='3'>\n  <name>%s</name>\n  <uuid>%s</uuid>\n"
                                          "  <metadata>\n    <app xmlns='urn:example'><uuid>%s</uuid></app>\n"
                                          "  </metadata>\n  <devices>\n%s  </devices>\n</domain>\n",
                                          escaped, uuid, "00000000-0000-0000-0000-000000000000", devices);
  char *path = g_build_filename(mock_host_root(fixture->host), file, NULL);

  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  return path;
}

/* Runs the hook for GUEST and OPERATION/SUB with XML_FILE on stdin. */
static int run_hook(Fixture *fixture, const char *guest, const char *operation, const char *sub, const char *xml_file,
                    char **err)
{
  const char *const argv[] = {HOOK, guest, operation, sub, "-", NULL};

  g_clear_pointer(err, g_free);
  return run(fixture, argv, xml_file, err);
}

/* The hook: "prepare begin" with the domain XML on stdin, "release end";
 * the owner is libvirt-<uuid>; other operations do nothing. */
static void test_hook(Fixture *fixture, gconstpointer data)
{
  g_autofree char *nic = mt_hostdev(E1000E, TRUE, NULL);
  g_autofree char *xml = hook_domain_file(fixture, "a.xml", "my vm", UUID_A, nic);
  g_autofree char *err = NULL;

  g_assert_cmpint(run_hook(fixture, "my vm", "prepare", "begin", xml, &err), ==, 0);
  bt_assert_vfio(fixture->host, E1000E, "vfio-pci", "8");
  g_assert_true(mt_has_journal(fixture->host, "libvirt-" UUID_A));
  g_autofree char *prepared = mt_state_hash(fixture->host);
  const char *const ignored[][2] = {{"start", "begin"}, {"started", "begin"}, {"migrate", "begin"},
                                    {"restore", "begin"}, {"stopped", "end"}};
  for (guint i = 0; i < G_N_ELEMENTS(ignored); i++) {
    g_assert_cmpint(run_hook(fixture, "my vm", ignored[i][0], ignored[i][1], xml, &err), ==, 0);
    g_autofree char *now = mt_state_hash(fixture->host);
    g_assert_cmpstr(now, ==, prepared);
  }
  g_assert_cmpint(run_hook(fixture, "my vm", "release", "end", xml, &err), ==, 0);
  bt_assert_original(fixture->host, E1000E, "e1000e", 0);
  g_assert_false(mt_has_journal(fixture->host, "libvirt-" UUID_A));
}

/* Two guests whose names one filter-and-truncate scheme would make one
 * owner get two: the second cannot take the first's device, and "release
 * end" of one leaves the other's devices where they are. */
static void test_hook_distinct_owners(Fixture *fixture, gconstpointer data)
{
  const char *const *names = data;
  g_autofree char *nic = mt_hostdev(E1000E, TRUE, NULL);
  g_autofree char *edu = mt_hostdev(EDU, TRUE, NULL);
  g_autofree char *a_xml = hook_domain_file(fixture, "a.xml", names[0], UUID_A, nic);
  g_autofree char *b_nic_xml = hook_domain_file(fixture, "b-nic.xml", names[1], UUID_B, nic);
  g_autofree char *b_xml = hook_domain_file(fixture, "b.xml", names[1], UUID_B, edu);
  g_autofree char *err = NULL;

  g_assert_cmpint(run_hook(fixture, names[0], "prepare", "begin", a_xml, &err), ==, 0);
  g_assert_cmpint(run_hook(fixture, names[1], "prepare", "begin", b_nic_xml, &err), ==, 4);
  g_assert_nonnull(strstr(err, "belongs to owner libvirt-" UUID_A));
  g_assert_cmpint(run_hook(fixture, names[1], "release", "end", b_nic_xml, &err), ==, 0);
  bt_assert_vfio(fixture->host, E1000E, "vfio-pci", "8");
  g_assert_cmpint(run_hook(fixture, names[1], "prepare", "begin", b_xml, &err), ==, 0);
  bt_assert_vfio(fixture->host, EDU, "qedu-mig", "2");
  g_assert_cmpint(run_hook(fixture, names[0], "release", "end", a_xml, &err), ==, 0);
  bt_assert_original(fixture->host, E1000E, "e1000e", 0);
  bt_assert_vfio(fixture->host, EDU, "qedu-mig", "2");
  g_assert_true(mt_has_journal(fixture->host, "libvirt-" UUID_B));
  g_assert_cmpint(run_hook(fixture, names[1], "release", "end", b_xml, &err), ==, 0);
  bt_assert_original(fixture->host, EDU, NULL, 0);
}

/* reconnect begin (libvirtd restarted, the domain running): changes
 * nothing when the state is there, re-records the devices when it was
 * lost, binds nothing ever, and never fails (libvirt would kill the
 * domain). */
static void test_hook_reconnect(Fixture *fixture, gconstpointer data)
{
  g_autofree char *nic = mt_hostdev(E1000E, TRUE, NULL);
  g_autofree char *edu = mt_hostdev(EDU, TRUE, NULL);
  g_autofree char *both = g_strconcat(nic, edu, NULL);
  g_autofree char *xml = hook_domain_file(fixture, "a.xml", "vm", UUID_A, nic);
  g_autofree char *grown = hook_domain_file(fixture, "a-grown.xml", "vm", UUID_A, both);
  g_autofree char *err = NULL;

  g_assert_cmpint(run_hook(fixture, "vm", "prepare", "begin", xml, &err), ==, 0);
  g_autofree char *prepared = mt_state_hash(fixture->host);
  g_assert_cmpint(run_hook(fixture, "vm", "reconnect", "begin", xml, &err), ==, 0);
  g_autofree char *reconnected = mt_state_hash(fixture->host);
  g_assert_cmpstr(reconnected, ==, prepared);

  /* a device not on VFIO is left alone, with a warning */
  g_autofree char *kernel = bt_kernel_hash(fixture->host);
  g_assert_cmpint(run_hook(fixture, "vm", "reconnect", "begin", grown, &err), ==, 0);
  g_assert_nonnull(strstr(err, "warning: could not re-adopt"));
  g_assert_nonnull(strstr(err, EDU));
  g_autofree char *kernel_after = bt_kernel_hash(fixture->host);
  g_assert_cmpstr(kernel_after, ==, kernel);

  /* the state lost (a tmpfs wiped): re-recorded, no device touched */
  mock_host_remove(fixture->host, "/run/vfio-hostdev/owner-libvirt-" UUID_A ".journal");
  mock_host_remove(fixture->host, "/run/vfio-hostdev/" E1000E ".record");
  g_assert_cmpint(run_hook(fixture, "vm", "reconnect", "begin", xml, &err), ==, 0);
  g_assert_true(mt_has_journal(fixture->host, "libvirt-" UUID_A));
  g_autofree char *readopted = bt_kernel_hash(fixture->host);
  g_assert_cmpstr(readopted, ==, kernel);
  g_auto(CliResult) result = {0};
  cli_run(fixture->host, &result, "status", NULL);
  g_assert_nonnull(strstr(result.out, "libvirt-" UUID_A));
  g_assert_cmpint(run_hook(fixture, "vm", "release", "end", xml, &err), ==, 0);
}

/* Without a <uuid> there is no owner: prepare fails (the domain does not
 * start), nothing changes. */
static void test_hook_no_uuid(Fixture *fixture, gconstpointer data)
{
  g_autofree char *nic = mt_hostdev(E1000E, TRUE, NULL);
  g_autofree char *xml = mt_domain_file(fixture->host, nic);
  g_autofree char *err = NULL;
  g_autofree char *before = mt_state_hash(fixture->host);

  g_assert_cmpint(run_hook(fixture, "vm", "prepare", "begin", xml, &err), ==, 1);
  g_assert_nonnull(strstr(err, "no <uuid>"));
  g_assert_cmpint(run_hook(fixture, "vm", "reconnect", "begin", xml, &err), ==, 0);
  g_autofree char *after = mt_state_hash(fixture->host);
  g_assert_cmpstr(after, ==, before);
}

int main(int argc, char **argv)
{
  /* two names sharing their first 56 characters; two that differ in a
   * character an owner name cannot hold */
  g_autofree char *shared = g_strnfill(56, 'a');
  g_autofree char *long_a = g_strconcat(shared, "-first", NULL);
  g_autofree char *long_b = g_strconcat(shared, "-second", NULL);
  const char *const long_names[] = {long_a, long_b};
  static const char *const filtered_names[] = {"web 1", "web_1"};

  g_test_init(&argc, &argv, NULL);
  g_test_add("/examples/wrapper-runs-and-releases", Fixture, NULL, fixture_set_up, test_wrapper_runs_and_releases,
             fixture_tear_down);
  g_test_add("/examples/wrapper-passes-status", Fixture, NULL, fixture_set_up, test_wrapper_passes_status,
             fixture_tear_down);
  g_test_add("/examples/wrapper-prepare-fails", Fixture, NULL, fixture_set_up, test_wrapper_prepare_fails,
             fixture_tear_down);
  g_test_add("/examples/wrapper-signal", Fixture, NULL, fixture_set_up, test_wrapper_signal, fixture_tear_down);
  g_test_add("/examples/hook", Fixture, NULL, fixture_set_up, test_hook, fixture_tear_down);
  g_test_add("/examples/hook-long-names", Fixture, long_names, fixture_set_up, test_hook_distinct_owners,
             fixture_tear_down);
  g_test_add("/examples/hook-filtered-names", Fixture, filtered_names, fixture_set_up, test_hook_distinct_owners,
             fixture_tear_down);
  g_test_add("/examples/hook-reconnect", Fixture, NULL, fixture_set_up, test_hook_reconnect, fixture_tear_down);
  g_test_add("/examples/hook-no-uuid", Fixture, NULL, fixture_set_up, test_hook_no_uuid, fixture_tear_down);
  return g_test_run();
}
