// SPDX-License-Identifier: LGPL-2.1-or-later
/* Faults everywhere: a clean `bind` (then a clean `reattach`) of the NVMe
 * PF with two VFs is run once and its kernel writes read from the mock's
 * ops log; then, for every k, the same run with write k failing, and, in
 * that failing run, for every write j of what it did after k (its
 * rollback or restore), the run with both k and j failing. Oracle: the
 * state (kernel tree, records, journals) is the start's, or the run exits
 * 5 and `recover`, then `reattach`, bring the start back. No list of
 * attributes is written here: the writes are whatever the tool did. */
#include <errno.h>

#include "bind-test-util.h"
#include "managed-test-util.h"

#define EXIT_UNFINISHED 5

/* A run of the tool on a copy of a prepared host, and how to get back. */
typedef struct {
  const char *name;         /* "bind", "reattach" */
  MockHost *prepared;       /* the state the run starts from */
  char *prepared_hash;      /* mt_state_hash() of it */
  char *origin_hash;        /* the state before any bind: where recovery ends */
} Scenario;

static MockHost *copy_host(MockHost *host)
{
  g_autoptr(GError) error = NULL;
  MockHost *copy = mock_host_copy(host, &error);

  g_assert_no_error(error);
  return copy;
}

static void run_tool(MockHost *host, const Scenario *s, CliResult *result)
{
  cli_run(host, result, s->name, NVME, NULL);
}

/* The write helper lets go of its .pending lock just after the tool has
 * its answer: a next command could otherwise rightly answer "pending". */
static void wait_helpers(MockHost *host)
{
  bt_wait_lock_free(host, "/run/vfio-hostdev/" NVME ".pending");
}

/* What a failure message shows of the host: the PF, its records. */
static char *describe_state(MockHost *host)
{
  g_autofree char *driver = bt_driver(host, NVME);
  g_autofree char *override = bt_override(host, NVME);
  g_autofree char *dir = g_build_filename(mock_host_root(host), "run/vfio-hostdev", NULL);
  g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
  g_autoptr(GString) text = g_string_new(NULL);
  const char *name;

  g_string_append_printf(text, "driver %s, override %s, %u VFs; state files:", driver ? driver : "none", override,
                         bt_numvfs(host, NVME));
  while (listing != NULL && (name = g_dir_read_name(listing)) != NULL)
    g_string_append_printf(text, " %s", name);
  return g_string_free(g_steal_pointer(&text), FALSE);
}

/* The oracle. A run that failed changed nothing it did not undo (exit 1
 * or 4: the state it started from), or said it left something unfinished
 * (exit 5): then `recover`, and `reattach` for a finished bind that has no
 * journal to roll back, bring the host back to before any bind. */
static void assert_recoverable(MockHost *host, const Scenario *s, const CliResult *result, const char *attr,
                               const char *what)
{
  g_auto(CliResult) again = {0};

  wait_helpers(host);
  /* the message names the write that failed first */
  if (strstr(result->err, attr) == NULL)
    g_error("%s: %s exited %d without naming %s: %s", what, s->name, result->status, attr, result->err);
  if (result->status != EXIT_UNFINISHED) {
    g_autofree char *now = mt_state_hash(host);
    if (result->status != 1 && result->status != 4)
      g_error("%s: %s exited %d: %s", what, s->name, result->status, result->err);
    cli_assert_one_line(result->err);
    g_assert_nonnull(strstr(result->err, "rolled back"));
    g_autofree char *state = describe_state(host);
    if (g_strcmp0(now, s->prepared_hash) != 0)
      g_error("%s: %s exited %d (%s) but changed the host: %s", what, s->name, result->status, result->err, state);
    return;
  }
  cli_assert_one_line(result->err);
  cli_run(host, &again, "status", NULL);
  g_assert_nonnull(strstr(again.out, "stuck"));
  cli_run(host, &again, "recover", NULL);
  if (again.status != 0)
    g_error("%s: recover after %s exited %d: %s", what, s->name, again.status, again.err);
  wait_helpers(host);
  g_autofree char *recovered = mt_state_hash(host);
  if (g_strcmp0(recovered, s->origin_hash) == 0)
    return;
  cli_run(host, &again, "reattach", NVME, NULL);
  if (again.status != 0)
    g_error("%s: reattach after %s and recover exited %d: %s", what, s->name, again.status, again.err);
  g_autofree char *back = mt_state_hash(host);
  g_autofree char *state = describe_state(host);
  if (g_strcmp0(back, s->origin_hash) != 0)
    g_error("%s: recover and reattach after %s did not bring the host back: %s", what, s->name, state);
}

/* Runs the scenario with the given writes of the run failing (1-based,
 * 0-terminated); returns the writes the run made. */
static char **run_failing(const Scenario *s, const guint *fail, CliResult *result, MockHost **out_host)
{
  MockHost *host = copy_host(s->prepared);
  guint base = mock_host_write_count(host);

  for (; *fail != 0; fail++)
    mock_host_fail_write(host, *fail, EIO);
  run_tool(host, s, result);
  *out_host = host;
  return mock_host_writes_since(host, base);
}

static void describe(char **writes)
{
  for (guint i = 0; writes[i] != NULL; i++)
    g_test_message("write %u: %s", i + 1, writes[i]);
}

static void fault_everywhere(const Scenario *s)
{
  g_auto(CliResult) clean = {0};
  const guint none[] = {0};
  g_autoptr(MockHost) clean_host = NULL;
  g_auto(GStrv) writes = run_failing(s, none, &clean, &clean_host);
  guint n = g_strv_length(writes), pairs = 0;

  g_assert_cmpint(clean.status, ==, 0);
  describe(writes);
  g_assert_cmpuint(n, >=, 4);
  for (guint k = 1; k <= n; k++) {
    g_auto(CliResult) result = {0};
    g_autoptr(MockHost) host = NULL;
    const guint first[] = {k, 0};
    g_auto(GStrv) failing = run_failing(s, first, &result, &host);
    g_autofree char *what = g_strdup_printf("write %u (%s) failing", k, writes[k - 1]);
    guint after = g_strv_length(failing);
    g_auto(GStrv) words = g_strsplit(writes[k - 1], " ", 2);
    const char *attr = words[0];

    g_test_message("%s: exit %d, %u writes", what, result.status, after);
    describe(failing);
    g_assert_cmpuint(after, >=, k);
    assert_recoverable(host, s, &result, attr, what);
    for (guint j = k + 1; j <= after; j++, pairs++) {
      g_auto(CliResult) result2 = {0};
      g_autoptr(MockHost) host2 = NULL;
      const guint both[] = {k, j, 0};
      g_strfreev(run_failing(s, both, &result2, &host2));
      g_autofree char *what2 = g_strdup_printf("writes %u (%s) and %u (%s) failing", k, writes[k - 1], j,
                                               failing[j - 1]);
      g_test_message("%s: exit %d", what2, result2.status);
      assert_recoverable(host2, s, &result2, attr, what2);
    }
  }
  g_test_message("%s: %u writes, %u pairs", s->name, n, pairs);
}

/* q35-zoo with the modules loaded and vfio's device class there (the
 * state compares devices, not which modules a run got to load or whether a
 * first vfio device made the fake kernel create its class) and the NVMe
 * PF's two VFs enabled. */
static MockHost *origin_host(void)
{
  MockHost *host = cli_host("q35-zoo");
  g_autofree char *class_dir = g_build_filename(mock_host_root(host), "sys/class/vfio-dev", NULL);

  g_assert_cmpint(g_mkdir_with_parents(class_dir, 0755), ==, 0);
  cli_shell(host, "modprobe vfio_pci && echo 2 > /sys/bus/pci/devices/" NVME "/sriov_numvfs");
  return host;
}

static void test_bind_faults(void)
{
  g_autoptr(MockHost) origin = origin_host();
  g_autofree char *hash = mt_state_hash(origin);
  Scenario s = {"bind", origin, hash, hash};

  fault_everywhere(&s);
}

static void test_reattach_faults(void)
{
  g_autoptr(MockHost) origin = origin_host();
  g_autofree char *origin_hash = mt_state_hash(origin);
  g_auto(CliResult) result = {0};

  cli_run(origin, &result, "bind", NVME, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *bound_hash = mt_state_hash(origin);
  Scenario s = {"reattach", origin, bound_hash, origin_hash};
  fault_everywhere(&s);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/faults/bind", test_bind_faults);
  g_test_add_func("/faults/reattach", test_reattach_faults);
  return g_test_run();
}
