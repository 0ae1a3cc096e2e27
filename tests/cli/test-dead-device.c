// SPDX-License-Identifier: LGPL-2.1-or-later
/* A device that stops answering when its driver lets go (config space all
 * ones, D3cold: the fake kernel's "dies" fault) is reported where it
 * happens, and a host driver's rebind is read back, never assumed: the
 * tool exits 5 with the record kept, naming why, instead of reporting a
 * restore that did not happen. */
#include "bind-test-util.h"

#define E1000E "0000:01:00.0"
#define EDU "0000:00:02.0"

static void make_dying(MockHost *host, const char *address)
{
  g_autofree char *line = g_strdup_printf("dies %s\n", address);

  mock_host_write(host, "/.mock/faults", line);
}

static void assert_stuck_record(MockHost *host, const char *address, const char *original)
{
  g_autofree char *path = g_strdup_printf("/run/vfio-hostdev/%s.record", address);
  g_autofree char *record = mock_host_read(host, path);
  g_autofree char *line = g_strdup_printf("original_driver=%s\n", original);

  g_assert_nonnull(record);
  g_assert_nonnull(strstr(record, "state=stuck\n"));
  g_assert_nonnull(strstr(record, line));
}

/* bind: e1000e dies in its remove(); the bind says so instead of going on,
 * the rollback cannot bring e1000e back (its probe fails on a dead device)
 * and says that too: exit 5, the record names e1000e. */
static void test_dead_on_bind(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  make_dying(host, E1000E);
  cli_run(host, &result, "bind", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 5);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "does not answer after unbinding it from e1000e"));
  g_assert_nonnull(strstr(result.err, "did not bind it to e1000e"));
  g_assert_nonnull(strstr(result.err, "reads all ones"));
  assert_stuck_record(host, E1000E, "e1000e");
  g_autofree char *driver = bt_driver(host, E1000E);
  g_assert_null(driver);
}

/* reattach: edu (unbound at first) dies when qedu-mig lets go; being back
 * "as recorded" (unbound) is not success: exit 5, the record kept. */
static void test_dead_on_reattach(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  make_dying(host, EDU);
  cli_run(host, &result, "reattach", EDU, NULL);
  g_assert_cmpint(result.status, ==, 5);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "does not answer"));
  g_assert_nonnull(strstr(result.err, "reads all ones"));
  g_autofree char *record = mock_host_read(host, "/run/vfio-hostdev/" EDU ".record");
  g_assert_nonnull(strstr(record, "state=stuck\n"));

  /* asked again, it is still dead and still says so */
  cli_run(host, &result, "reattach", EDU, NULL);
  g_assert_cmpint(result.status, ==, 5);
  g_assert_nonnull(strstr(result.err, "does not answer"));
}

/* The host driver's probe fails on reattach: drivers_probe succeeds, the
 * driver link says otherwise, and the tool believes the link (exit 5,
 * record kept), not the write. */
static void test_rebind_read_back(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  mock_host_inject_probe_fault(host, "e1000e", E1000E, EIO);
  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 5);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "did not bind it to e1000e"));
  assert_stuck_record(host, E1000E, "e1000e");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/dead-device/bind", test_dead_on_bind);
  g_test_add_func("/dead-device/reattach", test_dead_on_reattach);
  g_test_add_func("/dead-device/rebind-read-back", test_rebind_read_back);
  return g_test_run();
}
