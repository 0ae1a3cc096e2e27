// SPDX-License-Identifier: LGPL-2.1-or-later
/* hd_alias_pattern_wildcards against glibc's fnmatch(3), the matcher it
 * ranks for. Input: PATTERN, a NUL, then a CANDIDATE string (empty when
 * there is no NUL). A pattern counted as having no wildcard must behave as
 * a literal under fnmatch: it matches nothing but its own text (backslash
 * escapes removed). A bracket expression the counter missed, or a '*' it
 * skipped, breaks that. */
#include <fnmatch.h>
#include <string.h>

#include "fuzz-common.h"
#include "util/modules-alias.h"

/* PATTERN's literal text: each backslash escape becomes the character it
 * escapes. NULL when a lone backslash ends it (fnmatch then never matches). */
static char *literal_text(const char *pattern)
{
  GString *text = g_string_new(NULL);

  for (const char *p = pattern; *p != '\0'; p++) {
    if (*p == '\\') {
      if (p[1] == '\0') {
        g_string_free(text, TRUE);
        return NULL;
      }
      p++;
    }
    g_string_append_c(text, *p);
  }
  return g_string_free(text, FALSE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  const char *nul = memchr(text, '\0', size);
  g_autofree char *pattern = g_strndup(text, nul != NULL ? (gsize)(nul - text) : size);
  g_autofree char *candidate = nul != NULL ? g_strndup(nul + 1, size - (gsize)(nul - text) - 1) : g_strdup("");
  guint wildcards = hd_alias_pattern_wildcards(pattern);
  g_autofree char *literal = NULL;

  FUZZ_ASSERT(wildcards <= strlen(pattern));
  if (wildcards > 0)
    return 0;
  literal = literal_text(pattern);
  if (literal == NULL)
    return 0;
  /* glibc makes a few malformed brackets (an unclosed "[[." or "[\\")
   * match nothing at all, not even their own text; only patterns without
   * '[' are sure to match themselves. */
  if (strchr(pattern, '[') == NULL)
    FUZZ_ASSERT(fnmatch(pattern, literal, 0) == 0);
  FUZZ_ASSERT(fnmatch(pattern, candidate, 0) != 0 || strcmp(candidate, literal) == 0);
  return 0;
}
