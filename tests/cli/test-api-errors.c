// SPDX-License-Identifier: LGPL-2.1-or-later
/* The API's error contract, through the public library (tests/cli/
 * api-errors.c) against the fake host: every error is in VH_ERROR, never
 * GIOError or GFileError from a lower layer, and no call returns results
 * and an error at once. */
#include <errno.h>

#include "bind-test-util.h"

#define E1000E "0000:01:00.0"

/* Runs api-errors [ARG] on HOST; returns its lines. */
static GStrv run_api_errors(MockHost *host, const char *arg)
{
  const char *const argv[] = {API_ERRORS_BIN, arg, NULL};
  g_auto(CliResult) result = {0};
  g_autoptr(GError) error = NULL;

  g_assert_true(mock_host_run(host, argv, &result.out, &result.err, &result.status, &error));
  g_assert_no_error(error);
  g_test_message("exit %d\nstdout:\n%s\nstderr:\n%s", result.status, result.out, result.err);
  g_assert_cmpint(result.status, ==, 0);
  return g_strsplit(g_strstrip(result.out), "\n", -1);
}

/* The line of call NAME. */
static const char *line_of(GStrv lines, const char *name)
{
  g_autofree char *prefix = g_strconcat(name, " ", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix(lines[i], prefix))
      return lines[i];
  g_assert_not_reached();
}

static void assert_error(GStrv lines, const char *name, int code)
{
  g_autofree char *expected = g_strdup_printf("%s vfio-hostdev-error-quark %d", name, code);

  g_assert_cmpstr(line_of(lines, name), ==, expected);
}

/* Every line: "ok" or an error of VH_ERROR, never with results. */
static void assert_contract(GStrv lines)
{
  for (guint i = 0; lines[i] != NULL; i++) {
    g_assert_true(g_str_has_suffix(lines[i], " ok") || strstr(lines[i], " vfio-hostdev-error-quark ") != NULL);
    g_assert_null(strstr(lines[i], " both"));
  }
}

/* State directories that are files, a missing modules tree, a missing
 * command: errors of the file system and of spawning, all in VH_ERROR. */
static void test_foreign_errors_wrapped(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");

  mock_host_remove(host, "/run/vfio-hostdev");
  mock_host_write(host, "/run/vfio-hostdev", "not a directory");
  mock_host_remove(host, "/etc/vfio-hostdev");
  mock_host_write(host, "/etc/vfio-hostdev", "not a directory");
  g_auto(GStrv) lines = run_api_errors(host, NULL);
  assert_contract(lines);
  assert_error(lines, "recover", 1);
  assert_error(lines, "status", 1);
  assert_error(lines, "persist-writable", 1);
  assert_error(lines, "bind", 1);
  assert_error(lines, "release", 1);
  assert_error(lines, "prepare-xml", 2);
  assert_error(lines, "run-command", 1);
}

/* A bind that fails and is rolled back: its results say so (each with its
 * error), and the call sets no error; the same for a damaged persisted
 * file, read through the API. */
static void test_results_xor_error(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");

  mock_host_inject_probe_fault(host, "vfio-pci", E1000E, ENOMEM);
  mock_host_write(host, "/etc/vfio-hostdev/devices/" E1000E ".conf", "[device\ngarbage");
  g_auto(GStrv) lines = run_api_errors(host, NULL);
  assert_contract(lines);
  g_assert_cmpstr(line_of(lines, "bind"), ==, "bind ok");
  bt_assert_original(host, E1000E, "e1000e", 0);
  assert_error(lines, "persist-load", 1);
  /* never persisted: persist-apply would refuse it at boot */
  assert_error(lines, "persist-noiommu", 2);
}

/* vh_version() and the header both say meson's project version; the
 * run-time and compile-time checks agree around it. */
static void test_version(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(GStrv) lines = run_api_errors(host, "version");

  g_assert_cmpstr(line_of(lines, "version"), ==, "version " PROJECT_VERSION " " PROJECT_VERSION);
  g_assert_cmpstr(line_of(lines, "check"), ==, "check 1 1 0 0 0");
  g_assert_cmpstr(line_of(lines, "macro"), ==, "macro 1 1 0 0");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/api-errors/foreign-errors-wrapped", test_foreign_errors_wrapped);
  g_test_add_func("/api-errors/results-xor-error", test_results_xor_error);
  g_test_add_func("/api-errors/version", test_version);
  return g_test_run();
}
