// SPDX-License-Identifier: LGPL-2.1-or-later
/* A kernel write that does not return (a driver's remove() asleep on a
 * wedged device) is the helper's, never the tool's: the tool exits 5 at its
 * deadline with nothing of it left behind, the helper holds the device's
 * .pending lock until the kernel lets go, later commands answer at once
 * without stacking a second write, and reattach finishes afterwards. And a
 * device's record is never overwritten: bind, prepare and run refuse
 * (exit 5) a device an earlier run left unfinished.
 *
 * The fake kernel's "hold" keeps the operation going, in the helper's
 * process, for as long as the test wants: every step is ordered by events
 * (the ops log, the lock), never by time. */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "bind-test-util.h"

#define E1000E "0000:01:00.0"
#define PENDING "/run/vfio-hostdev/" E1000E ".pending"
#define RECORD "/run/vfio-hostdev/" E1000E ".record"

static guint count_lines(const char *text, const char *line)
{
  g_auto(GStrv) lines = g_strsplit(text != NULL ? text : "", "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    n += g_str_equal(lines[i], line);
  return n;
}

static guint unbinds_begun(MockHost *host)
{
  g_autofree char *log = mock_host_ops_log(host);

  return count_lines(log, "begin unbind " E1000E);
}

static char *group_lock(MockHost *host)
{
  g_autofree char *group = cli_link_basename(host, "/sys/bus/pci/devices/" E1000E "/iommu_group");

  return g_strdup_printf("/run/vfio-hostdev/group-%s.lock", group);
}

/* E1000E bound to vfio-pci, and its unbind held in the kernel. */
static MockHost *bound_and_held(void)
{
  MockHost *host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  mock_host_hold(host, "unbind", E1000E);
  return host;
}

/* reattach at its deadline: exit 5 naming the pending write, the tool gone
 * (cli_run has reaped it) and its group lock free while the helper is still
 * inside the unbind holding the .pending lock; a second reattach answers
 * at once without a second unbind; read-only commands answer; after the
 * kernel returns, reattach finishes. */
static void test_pending_reattach_outlives_caller(void)
{
  g_autoptr(MockHost) host = bound_and_held();
  g_auto(CliResult) result = {0};
  g_autofree char *group = group_lock(host);
  guint base = unbinds_begun(host); /* the bind's */

  cli_run(host, &result, "reattach", E1000E, "--unbind-timeout", "0.2", NULL);
  g_assert_cmpint(result.status, ==, 5);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "did not return"));
  g_assert_nonnull(strstr(result.err, PENDING));
  /* the tool is reaped; the write is still in the kernel, in the helper
   * (which, on a slow machine, may reach the kernel after the deadline) */
  g_assert_true(mock_host_wait_begun(host, "unbind", E1000E, base + 1));
  g_assert_cmpuint(unbinds_begun(host), ==, base + 1);
  g_assert_true(bt_lock_held(host, PENDING));
  g_assert_false(bt_lock_held(host, group));
  g_autofree char *pending = mock_host_read(host, PENDING);
  g_assert_nonnull(strstr(pending, "attribute=/sys/bus/pci/drivers/vfio-pci/unbind\n"));
  g_assert_nonnull(strstr(pending, "value=" E1000E "\n"));
  g_assert_null(strstr(pending, "finished="));
  g_autofree char *driver = bt_driver(host, E1000E);
  g_assert_cmpstr(driver, ==, "vfio-pci");

  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 5);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "has not returned"));
  g_assert_nonnull(strstr(result.err, "/sys/bus/pci/drivers/vfio-pci/unbind"));
  g_assert_cmpuint(unbinds_begun(host), ==, base + 1);

  /* read-only commands answer, and say what is pending instead of
   * reading what the kernel reads under the device's lock */
  cli_run(host, &result, "status", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) status = cli_parse_json(&result);
  JsonObject *entry = cli_find_device(json_node_get_array(status), E1000E);
  g_assert_nonnull(strstr(json_object_get_string_member(entry, "pending_write"), "vfio-pci/unbind"));
  cli_run(host, &result, "show", "--json", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) shown = cli_parse_json(&result);
  JsonObject *device = json_node_get_object(shown);
  g_assert_nonnull(strstr(json_object_get_string_member(device, "pending_write"), "vfio-pci/unbind"));
  g_assert_true(json_object_get_null_member(device, "driver_override"));
  cli_run(host, &result, "list", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, E1000E));

  mock_host_release(host, "unbind", E1000E);
  bt_wait_lock_free(host, PENDING);
  g_autofree char *finished = mock_host_read(host, PENDING);
  g_assert_nonnull(strstr(finished, "finished=1\nerrno=0\n"));
  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, E1000E, "e1000e", 0);
  cli_run(host, &result, "show", "--json", E1000E, NULL);
  g_autoptr(JsonNode) after = cli_parse_json(&result);
  g_assert_true(json_object_get_null_member(json_node_get_object(after), "pending_write"));
}

/* A bind whose unbind is stuck, then binds again (while pending, and once
 * the kernel returned): each refused with exit 5, the record as the first
 * bind wrote it; reattach brings back e1000e with no override. */
static void test_pending_bind_stuck_then_repeated(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  mock_host_hold(host, "unbind", E1000E);
  cli_run(host, &result, "bind", E1000E, "--unbind-timeout", "0.2", NULL);
  g_assert_cmpint(result.status, ==, 5);
  cli_assert_one_line(result.err);
  g_autofree char *record = mock_host_read(host, RECORD);
  g_assert_nonnull(strstr(record, "original_driver=e1000e\n"));
  g_assert_nonnull(strstr(record, "state=stuck\n"));
  g_assert_true(mock_host_wait_begun(host, "unbind", E1000E, 1));

  cli_run(host, &result, "bind", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 5);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "has not returned"));
  g_assert_cmpuint(unbinds_begun(host), ==, 1);

  mock_host_release(host, "unbind", E1000E);
  bt_wait_lock_free(host, PENDING);
  g_autofree char *unbound = bt_driver(host, E1000E);
  g_assert_null(unbound);
  for (guint i = 0; i < 2; i++) {
    cli_run(host, &result, "bind", E1000E, NULL);
    g_assert_cmpint(result.status, ==, 5);
    cli_assert_one_line(result.err);
    g_assert_nonnull(strstr(result.err, "left stuck"));
    g_assert_nonnull(strstr(result.err, "reattach"));
    g_autofree char *again = mock_host_read(host, RECORD);
    g_assert_cmpstr(again, ==, record);
  }
  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, E1000E, "e1000e", 0);
}

/* A record that cannot be read is never overwritten: bind, prepare and run
 * refuse with exit 5 and change nothing. */
static void test_pending_damaged_record_kept(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  const char *damaged = "[device]\naddress=" E1000E "\noriginal_driver=e1000e\nstate=bou";

  mock_host_write(host, RECORD, damaged);
  g_autofree char *before = bt_kernel_hash(host);
  const char *const commands[][8] = {
    {"bind", E1000E, NULL},
    {"prepare", "--owner", "vm1", E1000E, NULL},
    {"run", "-d", E1000E, "--", "/bin/true", NULL},
  };
  for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
    const char *const *words = commands[i];
    cli_run(host, &result, words[0], words[1], words[2], words[3], words[4], words[5], NULL);
    g_test_message("%s: exit %d: %s", words[0], result.status, result.err);
    g_assert_cmpint(result.status, ==, 5);
    cli_assert_one_line(result.err);
    g_autofree char *kept = mock_host_read(host, RECORD);
    g_assert_cmpstr(kept, ==, damaged);
    g_autofree char *after = bt_kernel_hash(host);
    g_assert_cmpstr(after, ==, before);
  }
}

/* persist-apply at boot finds a stuck record (a bind of the same device
 * by hand, stuck): it binds nothing and keeps the record (exit 5). */
static void test_pending_persist_apply_keeps_record(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  const char *stuck = "[device]\naddress=" E1000E "\noriginal_driver=e1000e\ntarget_driver=vfio-pci\nsince=1\n"
                      "tool_version=0.1.0\nstate=stuck\nproblem=unbinding it from e1000e did not return\n";

  cli_run(host, &result, "bind", "--persist", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  cli_run(host, &result, "reattach", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  mock_host_write(host, RECORD, stuck);
  g_autofree char *before = bt_kernel_hash(host);
  cli_run(host, &result, "persist-apply", NULL);
  g_assert_cmpint(result.status, ==, 5);
  g_assert_nonnull(strstr(result.err, "left stuck"));
  g_autofree char *kept = mock_host_read(host, RECORD);
  g_assert_cmpstr(kept, ==, stuck);
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(after, ==, before);
}

/* A device that prepare gave to an owner is not `bind`'s: exit 5, the
 * owner's record unchanged. */
static void test_pending_owned_record_kept(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "prepare", "--owner", "vm1", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *record = mock_host_read(host, RECORD);
  cli_run(host, &result, "bind", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 5);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "vm1"));
  g_autofree char *kept = mock_host_read(host, RECORD);
  g_assert_cmpstr(kept, ==, record);
  cli_run(host, &result, "release", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, E1000E, "e1000e", 0);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pending/reattach-outlives-caller", test_pending_reattach_outlives_caller);
  g_test_add_func("/pending/bind-stuck-then-repeated", test_pending_bind_stuck_then_repeated);
  g_test_add_func("/pending/damaged-record-kept", test_pending_damaged_record_kept);
  g_test_add_func("/pending/owned-record-kept", test_pending_owned_record_kept);
  g_test_add_func("/pending/persist-apply-keeps-record", test_pending_persist_apply_keeps_record);
  return g_test_run();
}
