/* What every command shares: option parsing, error and warning reporting,
 * JSON printing. Commands only parse words and print results. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "manager.h"

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

/* Usage error: one line, exit code 2. */
int cli_usage_error(const CliCommand *command, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* Prints the manager's warnings to stderr, one line each. */
void cli_print_warnings(HdManager *manager);

/* Prints NODE as pretty JSON followed by a newline, and frees it. */
void cli_print_json(JsonNode *node);
