// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/modules-alias.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _HdAliasTable {
  /* HdAlias *, owned, in load order. Each alias is its own allocation so the
   * pointers handed out by hd_alias_table_match stay valid when later loads
   * grow the array. */
  GPtrArray *aliases;
  guint n_sources;
};

static void alias_free(gpointer data)
{
  HdAlias *alias = data;

  g_free(alias->pattern);
  g_free(alias->module);
  g_free(alias);
}

HdAliasTable *hd_alias_table_new(void)
{
  HdAliasTable *table = g_new0(HdAliasTable, 1);

  table->aliases = g_ptr_array_new_with_free_func(alias_free);
  return table;
}

void hd_alias_table_free(HdAliasTable *table)
{
  if (table == NULL)
    return;
  g_ptr_array_unref(table->aliases);
  g_free(table);
}

guint hd_alias_table_n_sources(const HdAliasTable *table)
{
  g_return_val_if_fail(table != NULL, 0);
  return table->n_sources;
}

guint hd_alias_table_n_aliases(const HdAliasTable *table)
{
  g_return_val_if_fail(table != NULL, 0);
  return table->aliases->len;
}

const HdAlias *hd_alias_table_get(const HdAliasTable *table, guint index)
{
  g_return_val_if_fail(table != NULL, NULL);
  g_return_val_if_fail(index < table->aliases->len, NULL);
  return g_ptr_array_index(table->aliases, index);
}

/* ---- Parsing lines ---------------------------------------------------- */

/* A field of a line as a slice of the line buffer: the ~30k lines we skip
 * because of the prefix then cost no allocation at all. */
typedef struct {
  const char *start;
  gsize len;
} Field;

/* Stores the whitespace-separated fields of LINE (LEN bytes) in FIELDS and
 * returns how many there are, stopping at 4 since any more than 3 already
 * means the line is skipped. Blanks are g_ascii_isspace: space, tab, and
 * also CR, LF, VT and FF, none of which belongs in a pattern or module. */
static guint split_fields(const char *line, gsize len, Field fields[3])
{
  guint n = 0;
  gsize i = 0;

  for (;;) {
    while (i < len && g_ascii_isspace(line[i]))
      i++;
    if (i == len)
      return n;
    if (n == 3)
      return 4;
    fields[n].start = line + i;
    while (i < len && !g_ascii_isspace(line[i]))
      i++;
    fields[n].len = (gsize)(line + i - fields[n].start);
    n++;
  }
}

static gboolean field_equals(const Field *field, const char *word)
{
  return field->len == strlen(word) && memcmp(field->start, word, field->len) == 0;
}

static gboolean field_has_prefix(const Field *field, const char *prefix)
{
  gsize n = strlen(prefix);

  return field->len >= n && memcmp(field->start, prefix, n) == 0;
}

/* The alias on LINE (LEN bytes, the newline included or not), or NULL when
 * the line is not exactly `alias PATTERN MODULE` with PATTERN starting with
 * PREFIX. The trailing "\n" or "\r\n" needs no stripping: split_fields
 * treats both as blanks, so a CR never ends up in the module name. */
static HdAlias *parse_line(const char *line, gsize len, const char *prefix)
{
  Field fields[3];
  HdAlias *alias;

  /* An embedded NUL would silently cut a field short; such a line is junk. */
  if (memchr(line, '\0', len) != NULL)
    return NULL;

  if (split_fields(line, len, fields) != 3 || !field_equals(&fields[0], "alias"))
    return NULL;
  if (prefix != NULL && !field_has_prefix(&fields[1], prefix))
    return NULL;

  alias = g_new0(HdAlias, 1);
  alias->pattern = g_strndup(fields[1].start, fields[1].len);
  alias->module = g_strndup(fields[2].start, fields[2].len);
  return alias;
}

/* Parses one line (LEN bytes) and, when it is an alias, appends it to TABLE
 * as line LINENO of the source being loaded. */
static void add_line(HdAliasTable *table, const char *line, gsize len, const char *prefix, guint lineno)
{
  HdAlias *alias = parse_line(line, len, prefix);

  if (alias == NULL)
    return;
  alias->source = table->n_sources;
  alias->line = lineno;
  g_ptr_array_add(table->aliases, alias);
}

/* Appends the aliases of FILE (opened from PATH) to TABLE as source SOURCE.
 * getline() grows its buffer as needed, so no line is too long. */
static gboolean read_aliases(HdAliasTable *table, FILE *file, const char *path, const char *prefix,
                             GError **error)
{
  char *line = NULL;
  size_t capacity = 0;
  ssize_t len;
  guint lineno = 0;
  int saved;

  errno = 0;
  while ((len = getline(&line, &capacity, file)) >= 0)
    add_line(table, line, (gsize)len, prefix, ++lineno);
  saved = errno;
  free(line);

  /* getline() returns -1 both at end of file and on error (EISDIR for a
   * directory, EIO, ENOMEM); only the former is success. */
  if (!feof(file) || ferror(file)) {
    if (saved == 0)
      saved = EIO;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "cannot read %s: %s", path,
                g_strerror(saved));
    return FALSE;
  }
  return TRUE;
}

gboolean hd_alias_table_load(HdAliasTable *table, const char *path, const char *prefix, GError **error)
{
  guint old_len;
  gboolean ok;
  FILE *file;

  g_return_val_if_fail(table != NULL, FALSE);
  g_return_val_if_fail(path != NULL, FALSE);

  file = fopen(path, "re");
  if (file == NULL) {
    int saved = errno;

    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "cannot open %s: %s", path,
                g_strerror(saved));
    return FALSE;
  }

  old_len = table->aliases->len;
  ok = read_aliases(table, file, path, prefix, error);
  fclose(file);

  if (!ok) {
    /* A half-read file must not take part in matching: drop what it added. */
    g_ptr_array_set_size(table->aliases, (gint)old_len);
    return FALSE;
  }
  table->n_sources++;
  return TRUE;
}

void hd_alias_table_load_data(HdAliasTable *table, const char *data, gsize length, const char *prefix)
{
  guint lineno = 0;

  g_return_if_fail(table != NULL);
  g_return_if_fail(data != NULL || length == 0);

  for (gsize start = 0; start < length;) {
    const char *newline = memchr(data + start, '\n', length - start);
    gsize next = newline != NULL ? (gsize)(newline - data) + 1 : length;

    add_line(table, data + start, next - start, prefix, ++lineno);
    start = next;
  }
  table->n_sources++;
}

/* ---- Matching and ranking --------------------------------------------- */

GPtrArray *hd_alias_table_match(const HdAliasTable *table, const char *key)
{
  GPtrArray *matches;

  g_return_val_if_fail(table != NULL, NULL);
  g_return_val_if_fail(key != NULL, NULL);

  matches = g_ptr_array_new();
  for (guint i = 0; i < table->aliases->len; i++) {
    HdAlias *alias = g_ptr_array_index(table->aliases, i);

    /* No flags, as kmod: '/' and leading '.' are ordinary, '\' escapes. */
    if (fnmatch(alias->pattern, key, 0) == 0)
      g_ptr_array_add(matches, alias);
  }
  return matches;
}

/* Whether '^' negates a bracket expression like '!'. glibc's fnmatch says
 * yes unless POSIXLY_CORRECT is set; other libcs (musl) always do. */
static gboolean caret_negates(void)
{
#ifdef __GLIBC__
  return g_getenv("POSIXLY_CORRECT") == NULL;
#else
  return TRUE;
#endif
}

/* P points at a '[' inside a bracket expression. For "[:name:]" (name in
 * a-y, glibc's own test) and "[=c=]", returns the character after the
 * construct; otherwise NULL: the '[' is then an ordinary member. */
static const char *skip_class(const char *p)
{
  const char *q = p + 2;

  if (p[1] == ':') {
    while (*q >= 'a' && *q < 'z')
      q++;
    return q[0] == ':' && q[1] == ']' ? q + 2 : NULL;
  }
  if (p[1] == '=' && p[2] != '\0' && p[3] == '=' && p[4] == ']')
    return p + 5;
  return NULL;
}

/* P points just after "[.". Returns the character after the closing ".]",
 * or NULL when there is none. */
static const char *skip_collating_symbol(const char *p)
{
  const char *end = strstr(p, ".]");

  return end != NULL ? end + 2 : NULL;
}

/* P points after a member that may start a range. When a range follows
 * ('-' not followed by ']'), returns the character after its end point;
 * otherwise P itself. NULL when the pattern ends inside the range. */
static const char *skip_range_end(const char *p)
{
  if (p[0] != '-' || p[1] == ']')
    return p;
  p++;
  if (p[0] == '[' && p[1] == '.')
    return skip_collating_symbol(p + 2);
  if (p[0] == '\\')
    p++;
  return p[0] != '\0' ? p + 1 : NULL;
}

/* P points at one member of a bracket expression (a character, an escaped
 * character, a class, a collating symbol, possibly starting a range).
 * Returns the character after it, or NULL when the pattern ends first. */
static const char *skip_member(const char *p)
{
  const char *after;

  switch (p[0]) {
  case '\0':
    return NULL;
  case '\\':
    if (p[1] == '\0')
      return NULL;
    return skip_range_end(p + 2);
  case '[':
    after = skip_class(p);
    if (after != NULL)
      return after;
    if (p[1] == '.') {
      after = skip_collating_symbol(p + 2);
      return after != NULL ? skip_range_end(after) : NULL;
    }
    return skip_range_end(p + 1);
  default:
    return skip_range_end(p + 1);
  }
}

/* P points just after a '['. Returns the character after the ']' that closes
 * the bracket expression, or NULL when it is never closed, in which case
 * fnmatch matches the '[' literally. This follows glibc's matcher: the first
 * member is taken before looking for ']', which is why "[]a]" and "[!]a]"
 * contain a literal ']'. */
static const char *bracket_end(const char *p)
{
  if (*p == '!' || (*p == '^' && caret_negates()))
    p++;
  do {
    p = skip_member(p);
    if (p == NULL)
      return NULL;
  } while (*p != ']');
  return p + 1;
}

guint hd_alias_pattern_wildcards(const char *pattern)
{
  const char *p = pattern;
  guint n = 0;

  g_return_val_if_fail(pattern != NULL, 0);

  while (*p != '\0') {
    const char *end;

    switch (*p) {
    case '\\':
      /* A trailing lone backslash makes fnmatch fail; nothing follows it. */
      if (p[1] == '\0')
        return n;
      p += 2;
      break;
    case '*':
    case '?':
      n++;
      p++;
      break;
    case '[':
      end = bracket_end(p + 1);
      if (end != NULL) {
        n++;
        p = end;
      } else {
        p++;
      }
      break;
    default:
      p++;
      break;
    }
  }
  return n;
}

/* Whether A was loaded before B. */
static gboolean loaded_before(const HdAlias *a, const HdAlias *b)
{
  if (a->source != b->source)
    return a->source < b->source;
  return a->line < b->line;
}

const HdAlias *hd_alias_best(const GPtrArray *matches)
{
  const HdAlias *best = NULL;
  guint best_count = 0;

  g_return_val_if_fail(matches != NULL, NULL);

  /* Ties are broken by (source, line) rather than array position so that
   * the result does not depend on how the caller assembled MATCHES. */
  for (guint i = 0; i < matches->len; i++) {
    const HdAlias *alias = g_ptr_array_index(matches, i);
    guint count = hd_alias_pattern_wildcards(alias->pattern);

    if (best == NULL || count < best_count || (count == best_count && loaded_before(alias, best))) {
      best = alias;
      best_count = count;
    }
  }
  return best;
}
