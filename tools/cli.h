/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every command shares: option parsing, error and warning reporting,
 * JSON printing. Commands only parse words and print results. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "vfio-hostdev.h"

#define CLI_EXIT_CODES_HELP                                                                        \
  "Exit status:\n"                                                                                 \
  "  0  success\n"                                                                                 \
  "  1  the operation failed; nothing was left changed\n"                                         \
  "  2  bad usage or bad input (a malformed address included)\n"                                  \
  "  3  no such device\n"                                                                          \
  "  4  refused (safety, group viability, ownership); nothing changed\n"                         \
  "  5  a device was left unfinished; `vfio-hostdev status` shows it\n"

typedef struct {
  const char *name;
  const char *parameters; /* e.g. "BDF" */
  const char *summary;
  int (*run)(int argc, char **argv);
} CliCommand;

/* Parses argv with ENTRIES for command NAME; --help prints and exits 0, bad
 * usage prints one line and returns FALSE (exit 2). */
gboolean cli_parse(const CliCommand *command, const GOptionEntry *entries, const char *description, int *argc,
                   char ***argv);

/* Prints "vfio-hostdev: MESSAGE" (one line) and returns the exit code for ERROR. */
int cli_fail(const GError *error);

/* The command's one error for the per-device ERRORS of a call's results
 * (const GError *, NULL ones skipped): the worst code, the messages joined
 * with "; "; NULL when there is none. */
GError *cli_results_error(const GPtrArray *errors);

/* Usage error: one line, exit code 2. */
int cli_usage_error(const CliCommand *command, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* Prints the manager's warnings to stderr, one line each. */
void cli_print_warnings(VhManager *manager);

/* Prints "vfio-hostdev: warning: MESSAGE" (one line). */
void cli_warn(const char *message);

/* The version of the JSON shapes (docs/json.md): additions keep it, a
 * rename, removal or change of a key's meaning or type bumps it. */
#define CLI_JSON_SCHEMA_VERSION 1

/* Prints NODE as pretty JSON followed by a newline, and frees it. Adds
 * "schema_version" to NODE when it is an object, else to each object of
 * NODE when it is an array. */
void cli_print_json(JsonNode *node);

/* A JSON string, or null for NULL. */
JsonNode *cli_json_string(const char *text);

/* A JSON array of STRINGS (char *). */
JsonNode *cli_json_strings(const GPtrArray *strings);
