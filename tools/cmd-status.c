// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "commands.h"
#include "persist-cli.h"

static int run_status(int argc, char **argv);

const CliCommand cmd_status = {
  "status", "", "List the devices vfio-hostdev has bound: original and current driver, owner, since when, state; and the "
  "deny list.",
  run_status,
};

static char *format_time(gint64 since)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local(since);

  return time != NULL ? g_date_time_format_iso8601(time) : g_strdup("?");
}

static JsonNode *entry_to_json(const VhStatusEntry *entry)
{
  JsonObject *object = json_object_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  g_autofree char *since = format_time(vh_status_entry_get_since(entry));

  json_object_set_string_member(object, "address", vh_status_entry_get_address(entry));
  json_object_set_string_member(object, "state", vh_state_name(vh_status_entry_get_state(entry)));
  json_object_set_boolean_member(object, "present", vh_status_entry_is_present(entry));
  json_object_set_member(object, "original_driver", cli_json_string(vh_status_entry_get_original_driver(entry)));
  json_object_set_member(object, "original_override", cli_json_string(vh_status_entry_get_original_override(entry)));
  json_object_set_member(object, "current_driver", cli_json_string(vh_status_entry_get_current_driver(entry)));
  json_object_set_member(object, "target_driver", cli_json_string(vh_status_entry_get_target_driver(entry)));
  json_object_set_int_member(object, "sriov_numvfs", vh_status_entry_get_sriov_numvfs(entry));
  if (vh_status_entry_get_sriov_provisioned(entry) >= 0)
    json_object_set_int_member(object, "sriov_provisioned", vh_status_entry_get_sriov_provisioned(entry));
  else
    json_object_set_null_member(object, "sriov_provisioned");
  json_object_set_boolean_member(object, "group_member", vh_status_entry_is_group_member(entry));
  json_object_set_member(object, "owner", cli_json_string(vh_status_entry_get_owner(entry)));
  json_object_set_boolean_member(object, "managed", vh_status_entry_is_managed(entry));
  json_object_set_int_member(object, "since", vh_status_entry_get_since(entry));
  json_object_set_string_member(object, "since_text", since);
  json_object_set_member(object, "problem", cli_json_string(vh_status_entry_get_problem(entry)));
  json_object_set_member(object, "pending_write", cli_json_string(vh_status_entry_get_pending_write(entry)));
  json_node_take_object(node, object);
  return node;
}

/* "vm1 (managed)", "vm1 (unmanaged)", or "-" when bound by bind. */
static char *format_owner(const VhStatusEntry *entry)
{
  const char *owner = vh_status_entry_get_owner(entry);

  if (owner == NULL)
    return g_strdup("-");
  return g_strdup_printf("%s (%s)", owner, vh_status_entry_is_managed(entry) ? "managed" : "unmanaged");
}

/* The driver now: "(gone)" with the device, "(none)" when unbound. */
static const char *format_current(const VhStatusEntry *entry)
{
  const char *current = vh_status_entry_get_current_driver(entry);

  if (!vh_status_entry_is_present(entry))
    return "(gone)";
  return current != NULL ? current : "(none)";
}

/* "  sriov: 4 VFs, reattach gives back 2" for a record of `sriov`, else "". */
static char *format_sriov(const VhStatusEntry *entry)
{
  int provisioned = vh_status_entry_get_sriov_provisioned(entry);

  if (provisioned < 0)
    return g_strdup("");
  return g_strdup_printf("  sriov: %d VFs, reattach gives back %u", provisioned,
                         vh_status_entry_get_sriov_numvfs(entry));
}

static void print_entry(const VhStatusEntry *entry)
{
  g_autofree char *since = format_time(vh_status_entry_get_since(entry));
  g_autofree char *sriov = format_sriov(entry);
  g_autofree char *owner = format_owner(entry);
  const char *original = vh_status_entry_get_original_driver(entry);
  const char *problem = vh_status_entry_get_problem(entry);
  const char *pending = vh_status_entry_get_pending_write(entry);

  printf("%-13s %-8s %-14s %-14s %-20s %s%s%s%s%s%s\n", vh_status_entry_get_address(entry),
         vh_state_name(vh_status_entry_get_state(entry)), original != NULL ? original : "(none)",
         format_current(entry), owner, since, sriov, problem != NULL ? "  " : "", problem != NULL ? problem : "",
         pending != NULL ? "  pending: " : "", pending != NULL ? pending : "");
}

/* One element per device a deny rule protects now: "state" "denied", the
 * rule and where it comes from (a rule that matches no present device has
 * no device to list; the text output shows it). */
static void add_denied_json(JsonArray *array, const GPtrArray *rules)
{
  for (guint i = 0; i < rules->len; i++) {
    const VhDenyRule *rule = g_ptr_array_index(rules, i);
    const GPtrArray *devices = vh_deny_rule_get_devices(rule);
    for (guint j = 0; j < devices->len; j++) {
      JsonObject *object = json_object_new();
      json_object_set_string_member(object, "address", g_ptr_array_index(devices, j));
      json_object_set_string_member(object, "state", "denied");
      json_object_set_string_member(object, "rule", vh_deny_rule_get_rule(rule));
      json_object_set_string_member(object, "source", vh_deny_source_name(vh_deny_rule_get_source(rule)));
      json_object_set_string_member(object, "origin", vh_deny_rule_get_origin(rule));
      json_object_set_member(object, "file", cli_json_string(vh_deny_rule_get_file(rule)));
      if (vh_deny_rule_get_file(rule) != NULL)
        json_object_set_int_member(object, "line", vh_deny_rule_get_line(rule));
      else
        json_object_set_null_member(object, "line");
      JsonNode *node = json_node_new(JSON_NODE_OBJECT);
      json_node_take_object(node, object);
      json_array_add_element(array, node);
    }
  }
}

/* "class 0108 (/etc/vfio-hostdev/deny.conf line 1): 0000:03:00.0" */
static void print_denied(const GPtrArray *rules)
{
  if (rules->len == 0)
    return;
  printf("\nDeny list (never bound, --force or not):\n");
  for (guint i = 0; i < rules->len; i++) {
    const VhDenyRule *rule = g_ptr_array_index(rules, i);
    const GPtrArray *devices = vh_deny_rule_get_devices(rule);
    g_autoptr(GString) protects = g_string_new(devices->len == 0 ? "no device present" : NULL);
    for (guint j = 0; j < devices->len; j++)
      g_string_append_printf(protects, "%s%s", j > 0 ? ", " : "", (const char *)g_ptr_array_index(devices, j));
    printf("  %-24s %s%s: %s\n", vh_deny_rule_get_rule(rule),
           vh_deny_rule_get_source(rule) == VH_DENY_CONFIGURED ? "" : "by default: ", vh_deny_rule_get_origin(rule),
           protects->str);
  }
}

/* The deny list, or a warning that it is unusable (every bind is refused
 * until deny.conf is fixed). */
static GPtrArray *read_deny_list(VhManager *manager)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rules = vh_deny_list(manager, &error);

  if (rules == NULL) {
    g_autofree char *message = g_strdup_printf("the deny list protects every device until it is fixed: %s",
                                               error->message);
    cli_warn(message);
  }
  return rules;
}

static int run_status(int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON array", NULL},
    {NULL},
  };
  g_autoptr(GError) error = NULL;

  if (!cli_parse(&cmd_status, entries, "Reads /run/vfio-hostdev/; works without privileges.", &argc, &argv))
    return VH_ERROR_INVALID;
  if (argc > 1)
    return cli_usage_error(&cmd_status, "unexpected argument \"%s\"", argv[1]);
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  g_autoptr(GPtrArray) entries_list = vh_status_list(manager, &error);
  if (entries_list == NULL)
    return cli_fail(error);
  g_autoptr(GPtrArray) denied = read_deny_list(manager);
  if (json) {
    JsonArray *array = json_array_new();
    JsonNode *root = json_node_new(JSON_NODE_ARRAY);
    for (guint i = 0; i < entries_list->len; i++)
      json_array_add_element(array, entry_to_json(g_ptr_array_index(entries_list, i)));
    cli_status_json_persisted(array);
    if (denied != NULL)
      add_denied_json(array, denied);
    json_node_take_array(root, array);
    cli_print_json(root);
  } else if (entries_list->len == 0) {
    printf("no device is bound by vfio-hostdev\n");
  } else {
    printf("%-13s %-8s %-14s %-14s %-20s %s\n", "ADDRESS", "STATE", "ORIGINAL", "CURRENT", "OWNER", "SINCE");
    for (guint i = 0; i < entries_list->len; i++)
      print_entry(g_ptr_array_index(entries_list, i));
  }
  if (!json) {
    cli_status_print_persisted();
    if (denied != NULL)
      print_denied(denied);
  }
  cli_print_warnings(manager); /* damaged records */
  return 0;
}
