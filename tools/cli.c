#include "cli.h"

#include <stdio.h>

#include "hd-error.h"

#define PROGRAM "vfio-hostdev"

gboolean cli_parse(const CliCommand *command, const GOptionEntry *entries, const char *description, int *argc,
                   char ***argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new(command->parameters);
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_strdup_printf(PROGRAM " %s", command->name);
  g_autofree char *full_description = g_strdup_printf("%s%s%s", description != NULL ? description : "",
                                                      description != NULL ? "\n\n" : "", CLI_EXIT_CODES_HELP);

  /* --help's usage line reads "vfio-hostdev COMMAND [OPTION…] PARAMETERS" */
  g_set_prgname(program);
  g_option_context_set_summary(context, command->summary);
  g_option_context_set_description(context, full_description);
  g_option_context_add_main_entries(context, entries, NULL);
  if (!g_option_context_parse(context, argc, argv, &error)) {
    fprintf(stderr, "%s: %s (see --help)\n", program, error->message);
    return FALSE;
  }
  return TRUE;
}

/* Errors are one line: fold any newline a lower layer let through. */
static void print_one_line(const char *prefix, const char *message)
{
  g_autofree char *line = g_strdelimit(g_strdup(message), "\r\n", ' ');

  fprintf(stderr, "%s%s\n", prefix, line);
}

int cli_fail(const GError *error)
{
  print_one_line(PROGRAM ": ", error->message);
  return hd_error_exit_code(error);
}

int cli_usage_error(const CliCommand *command, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;
  g_autofree char *prefix = g_strdup_printf(PROGRAM " %s: ", command->name);

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  print_one_line(prefix, message);
  return HD_ERROR_INVALID;
}

void cli_print_warnings(HdManager *manager)
{
  const GPtrArray *warnings = hd_manager_warnings(manager);

  for (guint i = 0; i < warnings->len; i++)
    print_one_line(PROGRAM ": warning: ", g_ptr_array_index(warnings, i));
}

void cli_print_json(JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new();
  g_autofree char *text = NULL;

  json_generator_set_pretty(generator, TRUE);
  json_generator_set_root(generator, node);
  text = json_generator_to_data(generator, NULL);
  puts(text);
  json_node_unref(node);
}
