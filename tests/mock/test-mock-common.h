/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-mock-common.h: helpers shared by the mock self-tests. */
#pragma once

#include "mock-host.h"

#include <string.h>

/* Runs "mock-fsop ARGS..." under the mock; returns its stdout (with
 * trailing whitespace stripped). */
static inline char *fsop(MockHost *host, const char *op, const char *path, const char *value)
{
  g_autofree char *prog = g_build_filename(g_getenv("MOCK_BIN_DIR"), "mock-fsop", NULL);
  const char *argv[] = { prog, op, path, value, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = -1;

  g_assert_true(mock_host_run(host, argv, &out, NULL, &status, &error));
  g_assert_no_error(error);
  return g_strchomp(out);
}

static inline MockHost *host_new(const char *fixture)
{
  g_autoptr(GError) error = NULL;
  MockHost *host = mock_host_new(fixture, &error);

  g_assert_no_error(error);
  g_assert_nonnull(host);
  return host;
}

#define assert_fsop(host, op, path, value, expected)                  \
  do {                                                                \
    g_autofree char *out_ = fsop(host, op, path, value);              \
    g_assert_cmpstr(out_, ==, expected);                              \
  } while (0)

#define assert_file(host, path, expected)                             \
  do {                                                                \
    g_autofree char *got_ = mock_host_read_trim(host, path);          \
    g_assert_cmpstr(got_, ==, expected);                              \
  } while (0)
