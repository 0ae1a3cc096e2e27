// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli-test.h"

#include <stdarg.h>
#include <sys/wait.h>

void cli_result_clear(CliResult *result)
{
  g_clear_pointer(&result->out, g_free);
  g_clear_pointer(&result->err, g_free);
  result->status = -1;
}

MockHost *cli_host(const char *fixture)
{
  g_autoptr(GError) error = NULL;
  MockHost *host = mock_host_new(fixture, &error);

  g_assert_no_error(error);
  g_assert_nonnull(host);
  return host;
}

void cli_run(MockHost *host, CliResult *result, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autoptr(GError) error = NULL;
  va_list args;
  const char *arg;

  cli_result_clear(result);
  g_ptr_array_add(argv, (gpointer)VFIO_HOSTDEV_BIN);
  va_start(args, result);
  while ((arg = va_arg(args, const char *)) != NULL)
    g_ptr_array_add(argv, (gpointer)arg);
  va_end(args);
  g_ptr_array_add(argv, NULL);
  g_assert_true(mock_host_run(host, (const char *const *)argv->pdata, &result->out, &result->err, &result->status,
                              &error));
  g_assert_no_error(error);
  g_test_message("exit %d\nstdout:\n%s\nstderr:\n%s", result->status, result->out, result->err);
}

JsonNode *cli_parse_json(const CliResult *result)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string(result->out, &error);

  g_assert_no_error(error);
  g_assert_nonnull(node);
  return node;
}

JsonObject *cli_find_device(JsonArray *array, const char *address)
{
  for (guint i = 0; i < json_array_get_length(array); i++) {
    JsonObject *object = json_array_get_object_element(array, i);
    if (g_strcmp0(json_object_get_string_member(object, "address"), address) == 0)
      return object;
  }
  return NULL;
}

void cli_assert_one_line(const char *text)
{
  g_assert_nonnull(text);
  g_assert_true(g_str_has_suffix(text, "\n"));
  g_assert_null(strchr(text, '\n') == text + strlen(text) - 1 ? NULL : text);
}

char *cli_link_basename(MockHost *host, const char *path)
{
  g_autofree char *target = mock_host_readlink(host, path);

  return target != NULL ? g_path_get_basename(target) : NULL;
}

#define WAIT_FOR_FILE_MAX_US (120 * G_USEC_PER_SEC)

gboolean cli_wait_for_file(const char *path, GPid pid)
{
  gint64 deadline = g_get_monotonic_time() + WAIT_FOR_FILE_MAX_US;
  int status = 0;

  while (!g_file_test(path, G_FILE_TEST_EXISTS)) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      g_test_message("%s: the program exited (wait status 0x%x) before it appeared", path, (guint)status);
      return FALSE;
    }
    if (g_get_monotonic_time() >= deadline)
      return FALSE;
    g_usleep(10 * 1000);
  }
  return TRUE;
}

void cli_shell(MockHost *host, const char *command)
{
  const char *const argv[] = {"/bin/sh", "-c", command, NULL};
  g_auto(CliResult) result = {0};
  g_autoptr(GError) error = NULL;

  g_assert_true(mock_host_run(host, argv, &result.out, &result.err, &result.status, &error));
  g_assert_no_error(error);
  g_test_message("sh: %s -> %d %s", command, result.status, result.err);
  g_assert_cmpint(result.status, ==, 0);
}
