// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/shared/deny-list-internal.h"

#include <stdio.h>
#include <string.h>

#include "hostdev/device/enumerate.h"
#include "hostdev/shared/host-use.h"
#include "util/hd-error.h"
#include "util/pci-address.h"
#include "util/sysfs-paths.h"

void hd_deny_rule_free(HdDenyRule *rule)
{
  if (rule == NULL)
    return;
  g_free(rule->address);
  g_free(rule->rule);
  g_free(rule->origin);
  g_free(rule->file);
  g_clear_pointer(&rule->devices, g_ptr_array_unref);
  g_free(rule);
}

static gboolean is_hex(const char *text, gsize min, gsize max)
{
  gsize len = strlen(text);

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit(*p))
      return FALSE;
  return len >= min && len <= max;
}

/* Checks the value of one rule; FALSE when it is malformed. */
static gboolean valid_rule(const char *kind, const char *value)
{
  if (g_str_equal(kind, "address"))
    return hd_pci_address_is_canonical(value);
  if (g_str_equal(kind, "class"))
    return is_hex(value, 2, 6) && strlen(value) % 2 == 0;
  if (g_str_equal(kind, "id")) {
    g_auto(GStrv) ids = g_strsplit(value, ":", -1);
    return g_strv_length(ids) == 2 && is_hex(ids[0], 4, 4) && (g_str_equal(ids[1], "*") || is_hex(ids[1], 4, 4));
  }
  return FALSE;
}

static gboolean parse_line(const char *path, guint number, const char *line, GPtrArray *rules, GError **error)
{
  g_autofree char *text = g_strstrip(g_strndup(line, strcspn(line, "#")));
  g_auto(GStrv) words = g_strsplit_set(text, " \t", -1);
  g_autoptr(GPtrArray) fields = g_ptr_array_new();

  for (char **w = words; *w != NULL; w++)
    if (**w != '\0')
      g_ptr_array_add(fields, *w);
  if (fields->len == 0)
    return TRUE;
  const char *kind = g_ptr_array_index(fields, 0);
  g_autofree char *value = fields->len == 2 ? g_ascii_strdown(g_ptr_array_index(fields, 1), -1) : NULL;
  if (value == NULL || !valid_rule(kind, value)) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID,
                "%s line %u: not \"address DDDD:BB:DD.F\", \"id VVVV:DDDD\" (or VVVV:*) or \"class CC[SS[PP]]\": %s",
                path, number, text);
    return FALSE;
  }
  HdDenyRule *rule = g_new0(HdDenyRule, 1);
  rule->rule = g_strdup_printf("%s %s", kind, value);
  rule->origin = g_strdup_printf("%s line %u", path, number);
  rule->file = g_strdup(path);
  rule->line = number;
  g_ptr_array_add(rules, rule);
  return TRUE;
}

static gboolean load_configured(GPtrArray *rules, GError **error)
{
  g_autofree char *path = hd_path_deny_list();
  g_autofree char *contents = NULL;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents(path, &contents, NULL, &local)) {
    if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return TRUE;
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot read %s: %s", path, local->message);
    return FALSE;
  }
  g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (!parse_line(path, i + 1, lines[i], rules, error))
      return FALSE;
  return TRUE;
}

GPtrArray *hd_deny_list_rules(GError **error)
{
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func((GDestroyNotify)hd_deny_rule_free);

  if (!load_configured(rules, error) || !hd_deny_defaults(rules, error))
    return NULL;
  return g_steal_pointer(&rules);
}

static gboolean rule_matches(const HdDenyRule *rule, const HdDevice *device)
{
  const char *value = strchr(rule->rule, ' ') + 1;
  char text[16];

  if (g_str_has_prefix(rule->rule, "address "))
    return g_str_equal(value, device->address);
  if (g_str_has_prefix(rule->rule, "class ")) {
    g_snprintf(text, sizeof(text), "%06x", device->class_code);
    return g_str_has_prefix(text, value);
  }
  g_snprintf(text, sizeof(text), "%04x:%04x", device->vendor_id, device->device_id);
  return g_str_has_suffix(value, ":*") ? strncmp(text, value, 5) == 0 : g_str_equal(text, value);
}

gboolean hd_deny_list_devices(HdManager *manager, GPtrArray *rules, GError **error)
{
  g_autoptr(GPtrArray) devices = hd_enumerate_devices(manager, error);

  if (devices == NULL)
    return FALSE;
  for (guint i = 0; i < rules->len; i++) {
    HdDenyRule *rule = g_ptr_array_index(rules, i);
    g_clear_pointer(&rule->devices, g_ptr_array_unref);
    rule->devices = g_ptr_array_new_with_free_func(g_free);
    for (guint j = 0; j < devices->len; j++) {
      const HdDevice *device = g_ptr_array_index(devices, j);
      if (rule_matches(rule, device))
        g_ptr_array_add(rule->devices, g_strdup(device->address));
    }
  }
  return TRUE;
}

/* The deny list as one invocation reads it: its rules, or why there are
 * none to trust. */
typedef struct {
  GPtrArray *rules;
  GError *error;
} DenyListRead;

static void deny_list_read_free(DenyListRead *read)
{
  g_clear_pointer(&read->rules, g_ptr_array_unref);
  g_clear_error(&read->error);
  g_free(read);
}

static gpointer deny_list_read(void)
{
  DenyListRead *read = g_new0(DenyListRead, 1);

  read->rules = hd_deny_list_rules(&read->error);
  return read;
}

void hd_deny_list_check(HdManager *manager, const HdDevice *device, GPtrArray *users)
{
  const DenyListRead *read = hd_manager_once(manager, "deny-list", deny_list_read, (GDestroyNotify)deny_list_read_free);

  if (read->rules == NULL) {
    hd_host_user_add(users, HD_HOST_USE_DENIED, FALSE, "the deny list protects every device until it is fixed: %s",
                     read->error->message);
    return;
  }
  for (guint i = 0; i < read->rules->len; i++) {
    const HdDenyRule *rule = g_ptr_array_index(read->rules, i);
    if (!rule_matches(rule, device))
      continue;
    if (rule->address != NULL)
      hd_host_user_add(users, HD_HOST_USE_DENIED, FALSE, "on the deny list by default: %s", rule->origin);
    else
      hd_host_user_add(users, HD_HOST_USE_DENIED, FALSE, "on the deny list (%s: %s)", rule->origin, rule->rule);
  }
}
