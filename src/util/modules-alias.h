/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading modules.alias files and matching a key against their patterns,
 * the way kmod matches (fnmatch), plus the wildcard count used to rank matches.
 * Mechanism only: which prefix to consider and how to choose is the caller's. */
#pragma once

#include <glib.h>

typedef struct {
  char *pattern; /* the alias's second field, as written */
  char *module;  /* the third field */
  guint source;  /* index of the file it came from, in load order */
  guint line;    /* 1-based line number in that file */
} HdAlias;

typedef struct _HdAliasTable HdAliasTable;

HdAliasTable *hd_alias_table_new(void);
void hd_alias_table_free(HdAliasTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdAliasTable, hd_alias_table_free)

/* Appends the `alias PATTERN MODULE` lines of PATH whose pattern starts with
 * PREFIX (NULL: all). A line must have exactly three whitespace-separated
 * fields, the first being "alias"; a trailing CR is stripped; other lines are
 * skipped. Lines of any length are handled. Fails (G_FILE_ERROR) when the file
 * cannot be read; the table is then left as it was. */
gboolean hd_alias_table_load(HdAliasTable *table, const char *path, const char *prefix, GError **error);

/* The same for LENGTH bytes of DATA already in memory (a file read
 * elsewhere, a test, a fuzzer), counted as one more source. Lines end at
 * '\n'; the last may lack it. Cannot fail. */
void hd_alias_table_load_data(HdAliasTable *table, const char *data, gsize length, const char *prefix);

/* Number of sources loaded so far (successful hd_alias_table_load calls and
 * hd_alias_table_load_data calls). */
guint hd_alias_table_n_sources(const HdAliasTable *table);

/* Number of aliases kept so far, over all sources. */
guint hd_alias_table_n_aliases(const HdAliasTable *table);

/* The INDEX-th alias kept (0-based, load order); owned by TABLE. */
const HdAlias *hd_alias_table_get(const HdAliasTable *table, guint index);

/* Every alias whose pattern matches the whole KEY under fnmatch(3) with no
 * flags, in load order. The returned array holds pointers into TABLE. */
GPtrArray *hd_alias_table_match(const HdAliasTable *table, const char *key);

/* Each unescaped '*', each '?' and each bracket expression counts one.
 * A backslash escapes the next character; a '[' that does not open a complete
 * bracket expression counts nothing: fnmatch takes it as a literal, or (glibc,
 * for a few malformed ones such as an unclosed "[[." or "[\\") lets the whole
 * pattern match nothing, in which case its count never matters. */
guint hd_alias_pattern_wildcards(const char *pattern);

/* The match with the fewest wildcards; ties go to the earliest (load order).
 * NULL when MATCHES is empty. */
const HdAlias *hd_alias_best(const GPtrArray *matches);
