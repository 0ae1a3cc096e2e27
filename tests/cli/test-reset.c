// SPDX-License-Identifier: LGPL-2.1-or-later
/* `reset`: the method that ran is named and is the one the fake kernel
 * logged; bad methods, devices without one, and bus resets that would hit
 * a busy sibling are refused. */
#include <errno.h>
#include <stdlib.h>

#include "bind-test-util.h"

#define VIRTIO "0000:02:00.0"
#define E1000E "0000:01:00.0"
#define EDU "0000:00:02.0"

static void test_reset_default_order(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *methods_before = mock_host_read(host, "/sys/bus/pci/devices/" VIRTIO "/reset_method");

  cli_run(host, &result, "reset", VIRTIO, "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  g_assert_cmpstr(json_object_get_string_member(json_node_get_object(root), "method"), ==, "flr");
  g_autofree char *log = mock_host_resets(host);
  g_assert_cmpstr(log, ==, VIRTIO " flr\n");
  g_autofree char *methods_after = mock_host_read(host, "/sys/bus/pci/devices/" VIRTIO "/reset_method");
  g_assert_cmpstr(methods_before, ==, methods_after);
}

/* When FLR fails the next method runs, and the output says both. */
static void test_reset_falls_back(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  mock_host_inject_fault(host, "reset", 1, ENOTTY);
  cli_run(host, &result, "reset", VIRTIO, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "reset by pm"));
  g_assert_nonnull(strstr(result.out, "flr:"));
  g_autofree char *log = mock_host_resets(host);
  g_assert_cmpstr(log, ==, VIRTIO " pm\n");
}

static void test_reset_method_option(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "reset", VIRTIO, "--method", "pm", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "reset by pm"));
  cli_run(host, &result, "reset", VIRTIO, "--method", "acpi", NULL);
  g_assert_cmpint(result.status, ==, 2);
  g_assert_nonnull(strstr(result.err, "flr pm bus"));
}

static void test_reset_no_method(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "reset", EDU, NULL);
  g_assert_cmpint(result.status, ==, 1);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "no reset method"));
  g_autofree char *log = mock_host_resets(host);
  g_assert_cmpstr(log, ==, "");
}

/* A bus reset of the e1000e (alone behind its root port) is allowed; with
 * a sibling on a host driver next to it, it is refused, naming the sibling. */
static void test_reset_bus_sibling(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "reset", E1000E, "--method", "bus", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "reset by bus"));

  /* a second function next to it, driven by e1000e */
  g_autofree char *dev_dir = g_build_filename(mock_host_root(host), "sys/bus/pci/devices", E1000E, NULL);
  g_autofree char *resolved = realpath(dev_dir, NULL);
  g_autofree char *parent = g_path_get_dirname(resolved);
  g_autofree char *devices = g_build_filename(mock_host_root(host), "sys/bus/pci/devices", NULL);
  g_autofree char *command = g_strdup_printf("cp -a '%s' '%s/0000:01:00.1' && ln -s '%s/0000:01:00.1' '%s/0000:01:00.1'",
                                             resolved, parent, parent, devices);
  g_assert_cmpint(system(command), ==, 0);
  cli_run(host, &result, "reset", E1000E, "--method", "bus", NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_assert_nonnull(strstr(result.err, "0000:01:00.1"));
  g_assert_nonnull(strstr(result.err, "e1000e"));
}

/* The kernel checks a reset_method list again on every write and refuses
 * it whole when one method is no longer supported (a PF's bus reset once
 * its VFs share its bus, seen on the real kernel). After the reset the
 * methods it still accepts are put back, in their order, with a warning;
 * and a method the kernel refuses leaves reset_method untouched, with no
 * warning about restoring it. */
static void test_reset_method_gone(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  const char *methods = "/sys/bus/pci/devices/" VIRTIO "/reset_method";

  mock_host_write(host, "/.mock/reset-methods/" VIRTIO, "flr pm\n");
  cli_run(host, &result, "reset", VIRTIO, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "reset by flr"));
  g_autofree char *after = mock_host_read_trim(host, methods);
  g_assert_cmpstr(after, ==, "flr pm");
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "warning"));
  g_assert_nonnull(strstr(result.err, "\"flr pm bus\""));

  mock_host_write(host, methods, "flr pm bus\n");
  cli_run(host, &result, "reset", VIRTIO, "--method", "bus", NULL);
  g_assert_cmpint(result.status, ==, 1);
  cli_assert_one_line(result.err);
  g_assert_null(strstr(result.err, "warning"));
  g_autofree char *untouched = mock_host_read_trim(host, methods);
  g_assert_cmpstr(untouched, ==, "flr pm bus");
  g_autofree char *log = mock_host_resets(host);
  g_assert_cmpstr(log, ==, VIRTIO " flr\n");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/reset/default-order", test_reset_default_order);
  g_test_add_func("/reset/falls-back", test_reset_falls_back);
  g_test_add_func("/reset/method-option", test_reset_method_option);
  g_test_add_func("/reset/no-method", test_reset_no_method);
  g_test_add_func("/reset/bus-sibling", test_reset_bus_sibling);
  g_test_add_func("/reset/method-gone", test_reset_method_gone);
  return g_test_run();
}
