// SPDX-License-Identifier: LGPL-2.1-or-later
/* modules.alias parsing and matching. Input: the first line is the key to
 * match (e.g. "vfio_pci:v0000...i00"), the rest is a modules.alias file.
 * Properties: the prefix filter keeps only what it should, every kept alias
 * has a blank-free pattern and module, matches really match, and the best
 * match has the fewest wildcards with ties to the earliest line. */
#include <fnmatch.h>
#include <string.h>

#include "fuzz-common.h"
#include "util/modules-alias.h"

#define PREFIX "vfio_pci:"

static gboolean has_blank(const char *text)
{
  for (; *text != '\0'; text++)
    if (g_ascii_isspace(*text))
      return TRUE;
  return FALSE;
}

static void check_table(const HdAliasTable *table, const char *prefix)
{
  guint previous_line = 0;

  for (guint i = 0; i < hd_alias_table_n_aliases(table); i++) {
    const HdAlias *alias = hd_alias_table_get(table, i);
    FUZZ_ASSERT(alias->pattern[0] != '\0' && alias->module[0] != '\0');
    FUZZ_ASSERT(!has_blank(alias->pattern) && !has_blank(alias->module));
    FUZZ_ASSERT(prefix == NULL || g_str_has_prefix(alias->pattern, prefix));
    FUZZ_ASSERT(alias->line > previous_line);
    previous_line = alias->line;
  }
}

static void check_best(const HdAliasTable *table, const char *key)
{
  g_autoptr(GPtrArray) matches = hd_alias_table_match(table, key);
  const HdAlias *best = hd_alias_best(matches);

  FUZZ_ASSERT((best == NULL) == (matches->len == 0));
  for (guint i = 0; i < matches->len; i++) {
    const HdAlias *alias = g_ptr_array_index(matches, i);
    guint count = hd_alias_pattern_wildcards(alias->pattern);
    guint best_count = hd_alias_pattern_wildcards(best->pattern);
    FUZZ_ASSERT(fnmatch(alias->pattern, key, 0) == 0);
    FUZZ_ASSERT(best_count <= count);
    FUZZ_ASSERT(best_count < count || best->line <= alias->line);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  const char *newline = memchr(text, '\n', size);
  gsize key_len = newline != NULL ? (gsize)(newline - text) : size;
  gsize rest = newline != NULL ? key_len + 1 : size;
  g_autofree char *key = g_strndup(text, key_len);
  g_autoptr(HdAliasTable) filtered = hd_alias_table_new();
  g_autoptr(HdAliasTable) all = hd_alias_table_new();

  hd_alias_table_load_data(filtered, text + rest, size - rest, PREFIX);
  hd_alias_table_load_data(all, text + rest, size - rest, NULL);
  check_table(filtered, PREFIX);
  check_table(all, NULL);
  FUZZ_ASSERT(hd_alias_table_n_aliases(filtered) <= hd_alias_table_n_aliases(all));
  check_best(all, key);
  return 0;
}
