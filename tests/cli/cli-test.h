/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running the vfio-hostdev command against a fake host and reading what it
 * printed. Every test of tests/cli/ runs the real binary, as a user would. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "mock-host.h"

typedef struct {
  char *out;
  char *err;
  int status; /* exit code */
} CliResult;

void cli_result_clear(CliResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(CliResult, cli_result_clear)

/* A fresh fake host built from tests/fixtures/<fixture>; aborts the test on failure. */
MockHost *cli_host(const char *fixture);

/* Runs `vfio-hostdev ARGS...` (NULL-terminated) on HOST. */
void cli_run(MockHost *host, CliResult *result, ...) G_GNUC_NULL_TERMINATED;

/* Parses RESULT->out as JSON; fails the test when it is not. */
JsonNode *cli_parse_json(const CliResult *result);

/* The object of ARRAY whose "address" is ADDRESS, or NULL. */
JsonObject *cli_find_device(JsonArray *array, const char *address);

/* Asserts that stderr is exactly one line (ends in '\n', no other newline). */
void cli_assert_one_line(const char *text);

/* Waits until PATH (a real path) exists: the program PID, spawned by the
 * test (G_SPAWN_DO_NOT_REAP_CHILD), got that far. FALSE at once when PID
 * exits first (it is then reaped: say so, do not wait for it again), or
 * after two minutes, which bounds a broken test, never a slow machine. */
gboolean cli_wait_for_file(const char *path, GPid pid);

/* Basename of a link in the fake host, NULL when absent. */
char *cli_link_basename(MockHost *host, const char *path);

/* Runs COMMAND with /bin/sh on HOST (under the mock, as an admin would at
 * sysfs) and asserts that it succeeds. */
void cli_shell(MockHost *host, const char *command);
