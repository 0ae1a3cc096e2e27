// SPDX-License-Identifier: LGPL-2.1-or-later
/* The public API: the deny list. */
#include "api/api-private.h"

#include "hostdev/shared/deny-list.h"

G_STATIC_ASSERT((int)VH_DENY_CONFIGURED == (int)HD_DENY_CONFIGURED);
G_STATIC_ASSERT((int)VH_DENY_ROOT == (int)HD_DENY_ROOT);
G_STATIC_ASSERT((int)VH_DENY_SWAP == (int)HD_DENY_SWAP);

GPtrArray *vh_deny_list(VhManager *manager, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  g_autoptr(GPtrArray) rules = hd_deny_list_rules(error);

  if (rules == NULL || !hd_deny_list_devices(api_hd_manager(manager), rules, error))
    return NULL;
  return g_steal_pointer(&rules);
}

const char *vh_deny_source_name(VhDenySource source)
{
  switch (source) {
  case VH_DENY_CONFIGURED:
    return "file";
  case VH_DENY_ROOT:
    return "root";
  case VH_DENY_SWAP:
    return "swap";
  }
  return "unknown";
}

VhDenySource vh_deny_rule_get_source(const VhDenyRule *rule) { return (VhDenySource)rule->source; }
const char *vh_deny_rule_get_rule(const VhDenyRule *rule) { return rule->rule; }
const char *vh_deny_rule_get_origin(const VhDenyRule *rule) { return rule->origin; }
const char *vh_deny_rule_get_file(const VhDenyRule *rule) { return rule->file; }
guint vh_deny_rule_get_line(const VhDenyRule *rule) { return rule->line; }
const GPtrArray *vh_deny_rule_get_devices(const VhDenyRule *rule) { return rule->devices; }
