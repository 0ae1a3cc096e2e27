// SPDX-License-Identifier: LGPL-2.1-or-later
/* `release`: only the owner's devices, managed ones back to their
 * original drivers, disappeared ones dropped with a warning, refused while
 * a VM holds a device, and unfinished releases finished by `recover`. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "managed-test-util.h"

/* Releasing one owner leaves another owner's devices as they are. */
static void test_release_other_owner_untouched(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "prepare", "--owner", "vm1", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  cli_run(host, &result, "prepare", "--owner", "vm2", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *edu_record = mock_host_read(host, "/run/vfio-hostdev/" EDU ".record");
  g_autofree char *vm2_journal = mock_host_read(host, "/run/vfio-hostdev/owner-vm2.journal");

  cli_run(host, &result, "release", "--owner", "vm1", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonArray *devices = json_object_get_array_member(json_node_get_object(root), "devices");
  g_assert_cmpuint(json_array_get_length(devices), ==, 1);
  JsonObject *object = cli_find_device(devices, E1000E);
  g_assert_cmpstr(json_object_get_string_member(object, "outcome"), ==, "restored");
  g_assert_cmpstr(json_object_get_string_member(object, "driver"), ==, "e1000e");
  bt_assert_original(host, E1000E, "e1000e", 0);
  bt_assert_vfio(host, EDU, "qedu-mig", "2");
  g_autofree char *edu_after = mock_host_read(host, "/run/vfio-hostdev/" EDU ".record");
  g_assert_cmpstr(edu_record, ==, edu_after);
  g_autofree char *vm2_after = mock_host_read(host, "/run/vfio-hostdev/owner-vm2.journal");
  g_assert_cmpstr(vm2_journal, ==, vm2_after);

  /* releasing twice: nothing left, nothing done */
  cli_run(host, &result, "release", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "holds no devices"));
  cli_run(host, &result, "release", "--owner", "vm2", NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, EDU, NULL, 0);
}

/* A device that disappeared (hot-unplug) while the VM ran: dropped with a
 * warning naming it; the others go back. */
static void test_release_disappeared(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "prepare", "--owner", "vm1", E1000E, EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  mock_host_remove(host, "/sys/bus/pci/devices/" EDU);
  cli_run(host, &result, "release", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, "warning: " EDU " has disappeared"));
  g_assert_nonnull(strstr(result.out, EDU ": has disappeared"));
  bt_assert_original(host, E1000E, "e1000e", 0);
  g_assert_cmpuint(bt_count_records(host), ==, 0);
  g_assert_false(mt_has_journal(host, "vm1"));
}

/* A process holding the group node (the VM still running): refused,
 * naming it, nothing changed; once it lets go, release works. */
static void test_release_refused_while_held(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "prepare", "--owner", "vm1", "--user", "nobody", E1000E, EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *node = g_build_filename(mock_host_root(host), "dev/vfio/2", NULL);
  int fd = open(node, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint(fd, >=, 0);
  g_autofree char *pid = g_strdup_printf("process %d", (int)getpid());
  g_autofree char *before = mt_state_hash(host);

  cli_run(host, &result, "release", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, pid));
  g_assert_nonnull(strstr(result.err, EDU " is in use"));
  g_autofree char *after = mt_state_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_assert_cmpint(mt_uid(host, "/dev/vfio/8"), ==, 65534);

  close(fd);
  cli_run(host, &result, "release", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, E1000E, "e1000e", 0);
  bt_assert_original(host, EDU, NULL, 0);
}

/* A release the kernel does not let finish: exit 5, the device stays
 * recorded (stuck, still the owner's), the journal keeps the release;
 * `recover` finishes it once the kernel lets go. */
static void test_release_unfinished(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "prepare", "--owner", "vm1", E1000E, EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  mock_host_inject_fault_device(host, "drivers_probe", E1000E, 1, EIO);
  cli_run(host, &result, "release", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 5);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, E1000E));
  g_assert_nonnull(strstr(result.err, "recover"));
  bt_assert_original(host, EDU, NULL, 0);
  g_autofree char *record = mock_host_read(host, "/run/vfio-hostdev/" E1000E ".record");
  g_assert_nonnull(strstr(record, "state=stuck"));
  g_assert_nonnull(strstr(record, "owner=vm1"));
  g_autofree char *journal = mock_host_read(host, "/run/vfio-hostdev/owner-vm1.journal");
  g_assert_nonnull(strstr(journal, "operation=release"));
  g_assert_nonnull(strstr(journal, "running=true"));

  cli_run(host, &result, "recover", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *entry = json_array_get_object_element(json_node_get_array(root), 0);
  g_assert_cmpstr(json_object_get_string_member(entry, "owner"), ==, "vm1");
  g_assert_cmpstr(json_object_get_string_member(entry, "operation"), ==, "release");
  g_assert_cmpstr(json_object_get_string_member(entry, "action"), ==, "finished");
  bt_assert_original(host, E1000E, "e1000e", 0);
  g_assert_false(mt_has_journal(host, "vm1"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/release/other-owner-untouched", test_release_other_owner_untouched);
  g_test_add_func("/release/disappeared", test_release_disappeared);
  g_test_add_func("/release/refused-while-held", test_release_refused_while_held);
  g_test_add_func("/release/unfinished", test_release_unfinished);
  return g_test_run();
}
