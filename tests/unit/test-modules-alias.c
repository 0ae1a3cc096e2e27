// SPDX-License-Identifier: LGPL-2.1-or-later
/* In-process tests of modules.alias loading, fnmatch matching and ranking.
 * Each test writes its fixture files into a fresh temporary directory. */
#include <fnmatch.h>
#include <glib/gstdio.h>
#include <string.h>

#include "util/modules-alias.h"

/* Real-looking keys and lines, as depmod writes them and as the kernel's
 * modalias reads with the "vfio_" prefix added. */
#define KEY_MLX5 "vfio_pci:v000015B3d0000101Esv000015B3sd00000001bc02sc00i00"
#define KEY_OTHER "vfio_pci:v00008086d00001572sv00008086sd00000000bc02sc00i00"
#define LINE_GENERIC "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n"
#define LINE_MLX5 "alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_vfio_pci\n"
#define LINE_PDS "alias vfio_pci:v00001DD8d00001003sv*sd*bc*sc*i* pds_vfio_pci\n"
#define PATTERN_GENERIC "vfio_pci:v*d*sv*sd*bc*sc*i*"
#define PATTERN_MLX5 "vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*"

typedef struct {
  char *dir;
  HdAliasTable *table;
} Fixture;

static void fixture_setup(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp("test-modules-alias-XXXXXX", &error);
  g_assert_no_error(error);
  fx->table = hd_alias_table_new();
}

/* The fixture directories are flat: remove their files, then them. */
static void fixture_teardown(Fixture *fx, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open(fx->dir, 0, NULL);
  const char *name;

  g_assert_nonnull(dir);
  while ((name = g_dir_read_name(dir)) != NULL) {
    g_autofree char *path = g_build_filename(fx->dir, name, NULL);

    g_assert_cmpint(g_remove(path), ==, 0);
  }
  g_assert_cmpint(g_rmdir(fx->dir), ==, 0);
  hd_alias_table_free(fx->table);
  g_free(fx->dir);
}

/* Writes LEN bytes of CONTENTS (-1: up to the NUL) to NAME in the fixture
 * directory and returns its path. */
static char *write_file(Fixture *fx, const char *name, const char *contents, gssize len)
{
  char *path = g_build_filename(fx->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents(path, contents, len, &error);
  g_assert_no_error(error);
  return path;
}

/* Writes CONTENTS to NAME and loads it with PREFIX, asserting success. */
static void load(Fixture *fx, const char *name, const char *contents, const char *prefix)
{
  g_autofree char *path = write_file(fx, name, contents, -1);
  g_autoptr(GError) error = NULL;

  g_assert_true(hd_alias_table_load(fx->table, path, prefix, &error));
  g_assert_no_error(error);
}

/* The best match for KEY, asserting there is one. */
static const HdAlias *best_for(Fixture *fx, const char *key)
{
  g_autoptr(GPtrArray) matches = hd_alias_table_match(fx->table, key);
  const HdAlias *best = hd_alias_best(matches);

  g_assert_nonnull(best);
  return best;
}

static void assert_alias(const HdAlias *alias, const char *pattern, const char *module, guint source,
                         guint line)
{
  g_assert_nonnull(alias);
  g_assert_cmpstr(alias->pattern, ==, pattern);
  g_assert_cmpstr(alias->module, ==, module);
  g_assert_cmpuint(alias->source, ==, source);
  g_assert_cmpuint(alias->line, ==, line);
}

/* ---- Wildcard counting ------------------------------------------------ */

typedef struct {
  const char *pattern;
  guint wildcards;
  const char *matching;     /* a key fnmatch must accept, or NULL */
  const char *not_matching; /* a key fnmatch must reject, or NULL */
} WildcardCase;

/* The sample keys check that fnmatch reads each pattern the way the count
 * does: a construct counted as a wildcard matches more than its own text,
 * one counted as literal matches exactly its text. */
static const WildcardCase wildcard_cases[] = {
  { "", 0, "", "a" },
  { "abc", 0, "abc", "abd" },
  { "*", 1, "anything", NULL },
  { "?", 1, "x", "xy" },
  { "**", 2, "ab", NULL },
  { "a*b?c", 2, "axxbyc", "abc" },
  { PATTERN_GENERIC, 7, KEY_MLX5, "pci:v1" },
  { PATTERN_MLX5, 5, KEY_MLX5, KEY_OTHER },
  { "vfio_pci:v000015B3d0000101Esv000015B3sd00000001bc02sc00i00", 0, KEY_MLX5, KEY_OTHER },
  /* bracket expressions */
  { "[ab]", 1, "b", "c" },
  { "[a-z]", 1, "q", "Q" },
  { "[a-]", 1, "-", "b" },
  { "[!a]", 1, "b", "a" },
  { "[^a]", 1, "b", "a" },
  { "[]]", 1, "]", "a" },
  { "[]a]", 1, "a", "b" },
  { "[!]]", 1, "a", "]" },
  { "[!]a]x", 1, "bx", "ax" },
  { "[*]", 1, "*", "a" },
  { "[?]", 1, "?", "a" },
  { "[\\]]", 1, "]", "\\" },
  { "[[:digit:]]", 1, "7", "a" },
  { "[[:alpha:][:digit:]]", 1, "7", "-" },
  { "[[=a=]]", 1, "a", "b" },
  { "[[.a.]]", 1, "a", "b" },
  { "[ab][cd]*", 3, "bdzz", "ba" },
  { "v[0-9A-F]d?*", 3, "v7dxx", "vgdx" },
  /* unterminated brackets are literal '[', what follows is read normally */
  { "[", 0, "[", "a" },
  { "[ab", 0, "[ab", "a" },
  { "[]", 0, "[]", "]" },
  { "[!]", 0, "[!]", "a" },
  { "[*", 1, "[anything", "a" },
  { "[?", 1, "[x", "x" },
  { "[[:alpha:]", 1, "[a", "a" },
  { "[a\\]", 0, "[a]", "a" },
  /* escapes */
  { "\\*", 0, "*", "a" },
  { "\\?", 0, "?", "a" },
  { "\\[ab]", 0, "[ab]", "a" },
  { "a\\*b*", 1, "a*bcd", "axb" },
  { "\\\\*", 1, "\\abc", "abc" },
  { "\\a", 0, "a", "\\a" },
  /* a trailing lone backslash: fnmatch never matches, nothing counted */
  { "a\\", 0, NULL, "a\\" },
  { "*\\", 1, NULL, "a\\" },
};

static void test_wildcards(void)
{
  for (gsize i = 0; i < G_N_ELEMENTS(wildcard_cases); i++) {
    const WildcardCase *c = &wildcard_cases[i];

    g_test_message("pattern: %s", c->pattern);
    g_assert_cmpuint(hd_alias_pattern_wildcards(c->pattern), ==, c->wildcards);
  }
}

static void test_wildcards_agree_with_fnmatch(void)
{
  for (gsize i = 0; i < G_N_ELEMENTS(wildcard_cases); i++) {
    const WildcardCase *c = &wildcard_cases[i];

    g_test_message("pattern: %s", c->pattern);
    if (c->matching != NULL)
      g_assert_cmpint(fnmatch(c->pattern, c->matching, 0), ==, 0);
    if (c->not_matching != NULL)
      g_assert_cmpint(fnmatch(c->pattern, c->not_matching, 0), ==, FNM_NOMATCH);
  }
}

/* ---- Matching and ranking --------------------------------------------- */

/* The variant (5 wildcards) beats vfio-pci's catch-all (7), whichever comes
 * first in the file. */
static void test_variant_beats_generic(Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) matches = NULL;

  load(fx, "modules.alias", "# Aliases extracted from modules themselves.\n" LINE_GENERIC LINE_MLX5,
       "vfio_pci:");

  matches = hd_alias_table_match(fx->table, KEY_MLX5);
  g_assert_cmpuint(matches->len, ==, 2);
  assert_alias(g_ptr_array_index(matches, 0), PATTERN_GENERIC, "vfio_pci", 0, 2);
  assert_alias(g_ptr_array_index(matches, 1), PATTERN_MLX5, "mlx5_vfio_pci", 0, 3);
  assert_alias(hd_alias_best(matches), PATTERN_MLX5, "mlx5_vfio_pci", 0, 3);

  /* A device no variant claims gets vfio_pci. */
  g_assert_cmpstr(best_for(fx, KEY_OTHER)->module, ==, "vfio_pci");
}

static void test_fewest_wildcards(Fixture *fx, gconstpointer data)
{
  load(fx, "modules.alias",
       LINE_GENERIC
       "alias vfio_pci:v000015B3d*sv*sd*bc*sc*i* vendor_wide\n"
       "alias vfio_pci:v000015B3d0000101Esv000015B3sd*bc*sc*i* subvendor_variant\n"
       LINE_MLX5
       LINE_PDS,
       "vfio_pci:");

  assert_alias(best_for(fx, KEY_MLX5), "vfio_pci:v000015B3d0000101Esv000015B3sd*bc*sc*i*",
               "subvendor_variant", 0, 3);
}

/* Counting only '*' (as libvirt does) would tie these at 5 and pick the
 * earlier line; '?' and '[...]' count too, so the later, exact line wins. */
static void test_question_and_class_counted(Fixture *fx, gconstpointer data)
{
  load(fx, "modules.alias",
       "alias vfio_pci:v000015B3d0000101?sv*sd*bc*sc*i* with_question\n"
       "alias vfio_pci:v000015B3d0000101[Ee]sv*sd*bc*sc*i* with_class\n"
       LINE_MLX5,
       "vfio_pci:");

  g_autoptr(GPtrArray) matches = hd_alias_table_match(fx->table, KEY_MLX5);
  g_assert_cmpuint(matches->len, ==, 3);
  g_assert_cmpuint(hd_alias_pattern_wildcards(((HdAlias *)g_ptr_array_index(matches, 0))->pattern), ==, 6);
  g_assert_cmpuint(hd_alias_pattern_wildcards(((HdAlias *)g_ptr_array_index(matches, 1))->pattern), ==, 6);
  assert_alias(hd_alias_best(matches), PATTERN_MLX5, "mlx5_vfio_pci", 0, 3);
}

static void test_tie_earliest_line(Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GPtrArray) reversed = g_ptr_array_new();

  load(fx, "modules.alias",
       LINE_GENERIC
       "alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* first_variant\n"
       "alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* second_variant\n"
       "alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*?* third_variant\n",
       "vfio_pci:");

  matches = hd_alias_table_match(fx->table, KEY_MLX5);
  g_assert_cmpuint(matches->len, ==, 4);
  assert_alias(hd_alias_best(matches), PATTERN_MLX5, "first_variant", 0, 2);

  /* The tie is broken by load order, not by position in the array. */
  for (guint i = matches->len; i > 0; i--)
    g_ptr_array_add(reversed, g_ptr_array_index(matches, i - 1));
  assert_alias(hd_alias_best(reversed), PATTERN_MLX5, "first_variant", 0, 2);
}

/* modules.alias is loaded first, so on a tie it wins over
 * modules.builtin.alias even from a later line. */
static void test_tie_alias_before_builtin(Fixture *fx, gconstpointer data)
{
  load(fx, "modules.alias", "# comment\n\n\n" LINE_GENERIC LINE_MLX5, "vfio_pci:");
  load(fx, "modules.builtin.alias",
       "alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* builtin_variant\n", "vfio_pci:");

  g_assert_cmpuint(hd_alias_table_n_sources(fx->table), ==, 2);
  g_assert_cmpuint(hd_alias_table_n_aliases(fx->table), ==, 3);
  assert_alias(hd_alias_table_get(fx->table, 2), PATTERN_MLX5, "builtin_variant", 1, 1);
  assert_alias(best_for(fx, KEY_MLX5), PATTERN_MLX5, "mlx5_vfio_pci", 0, 5);
}

/* vfio-pci built into the kernel: its alias is only in the builtin file. */
static void test_builtin_only(Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) matches = NULL;

  load(fx, "modules.alias", LINE_PDS "alias pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_core\n",
       "vfio_pci:");
  load(fx, "modules.builtin.alias", "alias pci:v*d*sv*sd*bc*sc*i* pcieport\n" LINE_GENERIC,
       "vfio_pci:");

  matches = hd_alias_table_match(fx->table, KEY_MLX5);
  g_assert_cmpuint(matches->len, ==, 1);
  assert_alias(hd_alias_best(matches), PATTERN_GENERIC, "vfio_pci", 1, 2);
}

static void test_no_match(Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) matches = NULL;

  load(fx, "modules.alias", LINE_MLX5 LINE_PDS, "vfio_pci:");

  matches = hd_alias_table_match(fx->table, KEY_OTHER);
  g_assert_cmpuint(matches->len, ==, 0);
  g_assert_null(hd_alias_best(matches));

  /* A prefix of a matching key is not a match: fnmatch covers the whole key. */
  g_ptr_array_unref(matches);
  matches = hd_alias_table_match(fx->table, "vfio_pci:v000015B3d0000101E");
  g_assert_cmpuint(matches->len, ==, 0);
}

static void test_empty_table(Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) matches = hd_alias_table_match(fx->table, KEY_MLX5);

  g_assert_cmpuint(matches->len, ==, 0);
  g_assert_null(hd_alias_best(matches));
  g_assert_cmpuint(hd_alias_table_n_sources(fx->table), ==, 0);
}

/* "\*" is a literal star: it matches the key "a*b" and nothing else. */
static void test_literal_star(Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) star = NULL;
  g_autoptr(GPtrArray) other = NULL;

  load(fx, "modules.alias", "alias a\\*b literal_star\n", NULL);

  star = hd_alias_table_match(fx->table, "a*b");
  other = hd_alias_table_match(fx->table, "axb");
  g_assert_cmpuint(star->len, ==, 1);
  assert_alias(g_ptr_array_index(star, 0), "a\\*b", "literal_star", 0, 1);
  g_assert_cmpuint(other->len, ==, 0);
  g_assert_cmpuint(hd_alias_pattern_wildcards("a\\*b"), ==, 0);
}

/* ---- Loading ---------------------------------------------------------- */

static void test_missing_file(Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename(fx->dir, "modules.alias", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false(hd_alias_table_load(fx->table, path, "vfio_pci:", &error));
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull(strstr(error->message, path));
  g_assert_cmpuint(hd_alias_table_n_sources(fx->table), ==, 0);

  /* The failed load took no source index: the next file gets 0. */
  load(fx, "modules.builtin.alias", LINE_GENERIC, NULL);
  assert_alias(hd_alias_table_get(fx->table, 0), PATTERN_GENERIC, "vfio_pci", 0, 1);
}

/* Opening a directory succeeds, reading it fails: still an error, and the
 * table is unchanged. */
static void test_unreadable_file(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  load(fx, "modules.alias", LINE_GENERIC, NULL);
  g_assert_false(hd_alias_table_load(fx->table, fx->dir, NULL, &error));
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_assert_nonnull(strstr(error->message, fx->dir));
  g_assert_cmpuint(hd_alias_table_n_sources(fx->table), ==, 1);
  g_assert_cmpuint(hd_alias_table_n_aliases(fx->table), ==, 1);
}

static void test_malformed_lines_skipped(Fixture *fx, gconstpointer data)
{
  static const char text[] =
       "# Aliases extracted from modules themselves.\n"       /* 1: comment */
       "\n"                                                    /* 2: blank */
       "alias vfio_pci:v*d*sv*sd*bc*sc*i*\n"                   /* 3: 2 fields */
       "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci extra\n"    /* 4: 4 fields */
       "softdep vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n"        /* 5: other keyword */
       "Alias vfio_pci:v*d* upper_keyword\n"                   /* 6: keyword is case-sensitive */
       "aliasvfio_pci:v*d* glued\n"                            /* 7: 2 fields */
       "alias\tvfio_pci:v*d*sv*sd*bc*sc*i*\ttabbed\n"          /* 8: tabs: kept */
       "   alias  vfio_pci:v1*   spaced   \n"                  /* 9: extra blanks: kept */
       "alias\n"                                               /* 10: 1 field */
       "   \t  \n"                                             /* 11: blank */
       "alias vfio_pci:v2* with\0nul\n"                        /* 12: NUL byte */
       "alias vfio_pci:v3* last";                              /* 13: no final newline: kept */
  g_autofree char *path = write_file(fx, "modules.alias", text, sizeof(text) - 1);
  g_autoptr(GError) error = NULL;

  g_assert_true(hd_alias_table_load(fx->table, path, NULL, &error));
  g_assert_no_error(error);

  g_assert_cmpuint(hd_alias_table_n_aliases(fx->table), ==, 3);
  assert_alias(hd_alias_table_get(fx->table, 0), PATTERN_GENERIC, "tabbed", 0, 8);
  assert_alias(hd_alias_table_get(fx->table, 1), "vfio_pci:v1*", "spaced", 0, 9);
  assert_alias(hd_alias_table_get(fx->table, 2), "vfio_pci:v3*", "last", 0, 13);
}

static void test_crlf(Fixture *fx, gconstpointer data)
{
  load(fx, "modules.alias",
       "# comment\r\n"
       "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\r\n"
       "alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_vfio_pci\r\n",
       "vfio_pci:");

  g_assert_cmpuint(hd_alias_table_n_aliases(fx->table), ==, 2);
  assert_alias(hd_alias_table_get(fx->table, 0), PATTERN_GENERIC, "vfio_pci", 0, 2);
  assert_alias(best_for(fx, KEY_MLX5), PATTERN_MLX5, "mlx5_vfio_pci", 0, 3);
}

/* A 2 MiB junk line, then a 2 MiB alias line, then normal lines: nothing
 * is cut, merged or renumbered. */
static void test_huge_line(Fixture *fx, gconstpointer data)
{
  const gsize huge = 2 * 1024 * 1024;
  g_autoptr(GString) text = g_string_new(NULL);
  g_autofree char *long_pattern = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  g_string_append_c(text, '#');
  for (gsize i = 0; i < huge; i++)
    g_string_append_c(text, 'x');
  g_string_append(text, "\nalias vfio_pci:");
  for (gsize i = 0; i < huge; i++)
    g_string_append_c(text, 'y');
  g_string_append(text, "* huge_module\n" LINE_GENERIC LINE_MLX5);

  path = write_file(fx, "modules.alias", text->str, (gssize)text->len);
  g_assert_true(hd_alias_table_load(fx->table, path, "vfio_pci:", &error));
  g_assert_no_error(error);

  g_assert_cmpuint(hd_alias_table_n_aliases(fx->table), ==, 3);
  long_pattern = g_strdup(hd_alias_table_get(fx->table, 0)->pattern);
  g_assert_cmpuint(strlen(long_pattern), ==, strlen("vfio_pci:") + huge + 1);
  g_assert_cmpstr(hd_alias_table_get(fx->table, 0)->module, ==, "huge_module");
  g_assert_cmpuint(hd_alias_table_get(fx->table, 0)->line, ==, 2);
  assert_alias(hd_alias_table_get(fx->table, 1), PATTERN_GENERIC, "vfio_pci", 0, 3);
  assert_alias(best_for(fx, KEY_MLX5), PATTERN_MLX5, "mlx5_vfio_pci", 0, 4);
}

static void test_prefix_filter(Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) matches = NULL;

  load(fx, "modules.alias",
       "alias pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_core\n"
       LINE_GENERIC
       "alias usb:v*p*d*dc*dsc*dp*ic*isc*ip*in* usbcore\n"
       "alias vfio_pcie:v* lookalike\n"
       "alias xvfio_pci:v* not_at_start\n"
       LINE_MLX5,
       "vfio_pci:");

  g_assert_cmpuint(hd_alias_table_n_aliases(fx->table), ==, 2);
  assert_alias(hd_alias_table_get(fx->table, 0), PATTERN_GENERIC, "vfio_pci", 0, 2);
  assert_alias(hd_alias_table_get(fx->table, 1), PATTERN_MLX5, "mlx5_vfio_pci", 0, 6);
  matches = hd_alias_table_match(fx->table, "pci:v000015B3d0000101Esv000015B3sd00000001bc02sc00i00");
  g_assert_cmpuint(matches->len, ==, 0);
}

static void test_no_prefix_loads_all(Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) matches = NULL;

  load(fx, "modules.alias", "alias pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_core\n" LINE_GENERIC, NULL);

  g_assert_cmpuint(hd_alias_table_n_aliases(fx->table), ==, 2);
  matches = hd_alias_table_match(fx->table, "pci:v000015B3d0000101Esv000015B3sd00000001bc02sc00i00");
  g_assert_cmpuint(matches->len, ==, 1);
  assert_alias(g_ptr_array_index(matches, 0), "pci:v000015B3d0000101Esv*sd*bc*sc*i*", "mlx5_core", 0, 1);
}

/* A file the size of a real modules.alias, mostly lines the prefix drops. */
static void test_realistic_size(Fixture *fx, gconstpointer data)
{
  g_autoptr(GString) text = g_string_new("# Aliases extracted from modules themselves.\n");
  g_autoptr(GTimer) timer = NULL;

  for (guint i = 0; i < 30000; i++)
    g_string_append_printf(text, "alias pci:v%08Xd%08Xsv*sd*bc*sc*i* module_%u\n", i % 97, i, i);
  g_string_append(text, LINE_GENERIC LINE_MLX5);

  timer = g_timer_new();
  load(fx, "modules.alias", text->str, "vfio_pci:");
  g_test_message("loaded 30002 lines in %.3f s", g_timer_elapsed(timer, NULL));

  g_assert_cmpuint(hd_alias_table_n_aliases(fx->table), ==, 2);
  assert_alias(best_for(fx, KEY_MLX5), PATTERN_MLX5, "mlx5_vfio_pci", 0, 30003);
}

/* From memory: the same aliases and line numbers as from a file, a last
 * line without newline, CRLF, NULs inside data; each call is one source. */
static void test_load_data(Fixture *fx, gconstpointer data)
{
  static const char text[] = "# comment\r\n" LINE_GENERIC "alias vfio_pci:v0000\0ABCD* junk\n"
                             "alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_vfio_pci\r\n";
  static const char tail[] = "alias vfio_pci:v00001AF4d00001041sv*sd*bc*sc*i* virtio_vfio_pci";

  hd_alias_table_load_data(fx->table, text, sizeof(text) - 1, "vfio_pci:");
  hd_alias_table_load_data(fx->table, tail, sizeof(tail) - 1, NULL);
  hd_alias_table_load_data(fx->table, NULL, 0, NULL);

  g_assert_cmpuint(hd_alias_table_n_sources(fx->table), ==, 3);
  g_assert_cmpuint(hd_alias_table_n_aliases(fx->table), ==, 3);
  assert_alias(hd_alias_table_get(fx->table, 0), "vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci", 0, 2);
  assert_alias(hd_alias_table_get(fx->table, 1), PATTERN_MLX5, "mlx5_vfio_pci", 0, 4);
  assert_alias(hd_alias_table_get(fx->table, 2), "vfio_pci:v00001AF4d00001041sv*sd*bc*sc*i*", "virtio_vfio_pci", 1, 1);
  assert_alias(best_for(fx, KEY_MLX5), PATTERN_MLX5, "mlx5_vfio_pci", 0, 4);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);

  g_test_add_func("/modules-alias/wildcards/count", test_wildcards);
  g_test_add_func("/modules-alias/wildcards/agree-with-fnmatch", test_wildcards_agree_with_fnmatch);

#define ADD(path, func) g_test_add("/modules-alias/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD("match/variant-beats-generic", test_variant_beats_generic);
  ADD("match/fewest-wildcards", test_fewest_wildcards);
  ADD("match/question-and-class-counted", test_question_and_class_counted);
  ADD("match/tie-earliest-line", test_tie_earliest_line);
  ADD("match/tie-alias-before-builtin", test_tie_alias_before_builtin);
  ADD("match/builtin-only", test_builtin_only);
  ADD("match/none", test_no_match);
  ADD("match/empty-table", test_empty_table);
  ADD("match/literal-star", test_literal_star);
  ADD("load/missing-file", test_missing_file);
  ADD("load/unreadable-file", test_unreadable_file);
  ADD("load/malformed-lines-skipped", test_malformed_lines_skipped);
  ADD("load/crlf", test_crlf);
  ADD("load/huge-line", test_huge_line);
  ADD("load/prefix-filter", test_prefix_filter);
  ADD("load/no-prefix-loads-all", test_no_prefix_loads_all);
  ADD("load/realistic-size", test_realistic_size);
  ADD("load/from-memory", test_load_data);
#undef ADD

  return g_test_run();
}
