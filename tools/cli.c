// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli.h"

#include <stdio.h>

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
  return vh_error_exit_code(error);
}

GError *cli_results_error(const GPtrArray *errors)
{
  g_autoptr(GString) text = g_string_new(NULL);
  int code = 0;

  for (guint i = 0; i < errors->len; i++) {
    const GError *error = g_ptr_array_index(errors, i);
    if (error == NULL)
      continue;
    code = MAX(code, vh_error_exit_code(error));
    g_string_append_printf(text, "%s%s", text->len > 0 ? "; " : "", error->message);
  }
  return code != 0 ? g_error_new_literal(VH_ERROR, code, text->str) : NULL;
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
  return VH_ERROR_INVALID;
}

void cli_warn(const char *message)
{
  print_one_line(PROGRAM ": warning: ", message);
}

void cli_print_warnings(VhManager *manager)
{
  const GPtrArray *warnings = vh_manager_get_warnings(manager);

  for (guint i = 0; i < warnings->len; i++)
    cli_warn(g_ptr_array_index(warnings, i));
}

/* OBJECT with "schema_version" as its first member, then OBJECT's. */
static JsonObject *versioned(JsonObject *object)
{
  JsonObject *copy = json_object_new();
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_set_int_member(copy, "schema_version", CLI_JSON_SCHEMA_VERSION);
  json_object_iter_init_ordered(&iter, object);
  while (json_object_iter_next_ordered(&iter, &name, &member))
    json_object_set_member(copy, name, json_node_ref(member));
  return copy;
}

/* Every object the command prints carries the schema version: the top
 * level one, or each object of a top-level array (arrays stay arrays). */
static void add_schema_version(JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT(node)) {
    json_node_take_object(node, versioned(json_node_get_object(node)));
    return;
  }
  if (!JSON_NODE_HOLDS_ARRAY(node))
    return;
  JsonArray *array = json_node_get_array(node);
  for (guint i = 0; i < json_array_get_length(array); i++) {
    JsonNode *element = json_array_get_element(array, i);
    if (JSON_NODE_HOLDS_OBJECT(element))
      json_node_take_object(element, versioned(json_node_get_object(element)));
  }
}

void cli_print_json(JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new();
  g_autofree char *text = NULL;

  add_schema_version(node);
  json_generator_set_pretty(generator, TRUE);
  json_generator_set_root(generator, node);
  text = json_generator_to_data(generator, NULL);
  puts(text);
  json_node_unref(node);
}

JsonNode *cli_json_string(const char *text)
{
  JsonNode *node = json_node_new(text != NULL ? JSON_NODE_VALUE : JSON_NODE_NULL);

  if (text != NULL)
    json_node_set_string(node, text);
  return node;
}

JsonNode *cli_json_strings(const GPtrArray *strings)
{
  JsonArray *array = json_array_new();
  JsonNode *node = json_node_new(JSON_NODE_ARRAY);

  for (guint i = 0; i < strings->len; i++)
    json_array_add_string_element(array, g_ptr_array_index(strings, i));
  json_node_take_array(node, array);
  return node;
}
