#include <stdio.h>

#include "commands.h"
#include "hd-error.h"
#include "status.h"

static int run_status(int argc, char **argv);

const CliCommand cmd_status = {
  "status", "", "List the devices vfio-hostdev has bound: original and current driver, owner, since when, state.",
  run_status,
};

static char *format_time(gint64 since)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local(since);

  return time != NULL ? g_date_time_format_iso8601(time) : g_strdup("?");
}

static JsonNode *entry_to_json(const HdStatusEntry *entry)
{
  const HdDeviceRecord *record = entry->record;
  JsonObject *object = json_object_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  g_autofree char *since = format_time(record->since);

  json_object_set_string_member(object, "address", record->address);
  json_object_set_string_member(object, "state", hd_record_state_name(record->state));
  json_object_set_boolean_member(object, "present", entry->present);
  if (record->original_driver != NULL)
    json_object_set_string_member(object, "original_driver", record->original_driver);
  else
    json_object_set_null_member(object, "original_driver");
  if (record->original_override != NULL)
    json_object_set_string_member(object, "original_override", record->original_override);
  else
    json_object_set_null_member(object, "original_override");
  if (entry->current_driver != NULL)
    json_object_set_string_member(object, "current_driver", entry->current_driver);
  else
    json_object_set_null_member(object, "current_driver");
  if (record->target_driver != NULL)
    json_object_set_string_member(object, "target_driver", record->target_driver);
  else
    json_object_set_null_member(object, "target_driver");
  json_object_set_int_member(object, "sriov_numvfs", record->sriov_numvfs);
  json_object_set_boolean_member(object, "group_member", record->group);
  if (record->owner != NULL)
    json_object_set_string_member(object, "owner", record->owner);
  else
    json_object_set_null_member(object, "owner");
  json_object_set_boolean_member(object, "managed", record->managed);
  json_object_set_int_member(object, "since", record->since);
  json_object_set_string_member(object, "since_text", since);
  if (record->problem != NULL)
    json_object_set_string_member(object, "problem", record->problem);
  else
    json_object_set_null_member(object, "problem");
  json_node_take_object(node, object);
  return node;
}

/* "vm1 (managed)", "vm1 (unmanaged)", or "-" when bound by bind. */
static char *format_owner(const HdDeviceRecord *record)
{
  if (record->owner == NULL)
    return g_strdup("-");
  return g_strdup_printf("%s (%s)", record->owner, record->managed ? "managed" : "unmanaged");
}

static void print_entry(const HdStatusEntry *entry)
{
  const HdDeviceRecord *record = entry->record;
  g_autofree char *since = format_time(record->since);
  g_autofree char *owner = format_owner(record);

  printf("%-13s %-8s %-14s %-14s %-20s %s%s%s\n", record->address, hd_record_state_name(record->state),
         record->original_driver != NULL ? record->original_driver : "(none)",
         entry->present ? (entry->current_driver != NULL ? entry->current_driver : "(none)") : "(gone)", owner,
         since, record->problem != NULL ? "  " : "", record->problem != NULL ? record->problem : "");
}

static int run_status(int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON array", NULL},
    {NULL},
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);

  if (!cli_parse(&cmd_status, entries, "Reads /run/vfio-hostdev/; works without privileges.", &argc, &argv))
    return HD_ERROR_INVALID;
  if (argc > 1)
    return cli_usage_error(&cmd_status, "unexpected argument \"%s\"", argv[1]);
  g_autoptr(GPtrArray) entries_list = hd_status(problems, &error);
  if (entries_list == NULL)
    return cli_fail(error);
  if (json) {
    JsonArray *array = json_array_new();
    JsonNode *root = json_node_new(JSON_NODE_ARRAY);
    for (guint i = 0; i < entries_list->len; i++)
      json_array_add_element(array, entry_to_json(g_ptr_array_index(entries_list, i)));
    json_node_take_array(root, array);
    cli_print_json(root);
  } else if (entries_list->len == 0) {
    printf("no device is bound by vfio-hostdev\n");
  } else {
    printf("%-13s %-8s %-14s %-14s %-20s %s\n", "ADDRESS", "STATE", "ORIGINAL", "CURRENT", "OWNER", "SINCE");
    for (guint i = 0; i < entries_list->len; i++)
      print_entry(g_ptr_array_index(entries_list, i));
  }
  for (guint i = 0; i < problems->len; i++)
    fprintf(stderr, "vfio-hostdev: warning: %s\n", (const char *)g_ptr_array_index(problems, i));
  return 0;
}
