// SPDX-License-Identifier: LGPL-2.1-or-later
#include "selftest-test-util.h"

void ktap_clear(Ktap *ktap)
{
  g_clear_pointer(&ktap->bail_out, g_free);
  g_clear_pointer(&ktap->names, g_ptr_array_unref);
  g_clear_pointer(&ktap->statuses, g_ptr_array_unref);
  g_clear_pointer(&ktap->lines, g_ptr_array_unref);
}

void ktap_parse(const char *out, Ktap *ktap)
{
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  g_autoptr(GRegex) result = g_regex_new("^(ok|not ok) ([0-9]+) ([^ #]+)( # SKIP (.+))?$", 0, 0, NULL);
  g_autoptr(GRegex) plan = g_regex_new("^1\\.\\.([0-9]+)$", 0, 0, NULL);
  gboolean planned = FALSE;

  ktap->names = g_ptr_array_new_with_free_func(g_free);
  ktap->statuses = g_ptr_array_new_with_free_func(g_free);
  ktap->lines = g_ptr_array_new_with_free_func(g_free);
  g_assert_cmpstr(lines[0], ==, "KTAP version 1");
  for (guint i = 1; lines[i] != NULL; i++) {
    g_autoptr(GMatchInfo) match = NULL;
    if (lines[i][0] == '\0' || g_str_has_prefix(lines[i], "# "))
      continue;
    if (g_str_has_prefix(lines[i], "Bail out! ")) {
      /* The last line but a final newline's empty one. */
      g_assert_null(ktap->bail_out);
      g_assert_true(lines[i + 1] == NULL || (lines[i + 1][0] == '\0' && lines[i + 2] == NULL));
      ktap->bail_out = g_strdup(lines[i] + strlen("Bail out! "));
      continue;
    }
    if (g_regex_match(plan, lines[i], 0, &match)) {
      g_assert_false(planned);
      g_assert_cmpuint(ktap->names->len, ==, 0);
      g_autofree char *n = g_match_info_fetch(match, 1);
      ktap->plan = (guint)g_ascii_strtoull(n, NULL, 10);
      planned = TRUE;
      continue;
    }
    g_clear_pointer(&match, g_match_info_free);
    if (!g_regex_match(result, lines[i], 0, &match))
      g_error("not a KTAP line: \"%s\"", lines[i]);
    g_assert_true(planned);
    g_autofree char *status = g_match_info_fetch(match, 1);
    g_autofree char *number = g_match_info_fetch(match, 2);
    g_autofree char *skip = g_match_info_fetch(match, 4);
    g_assert_cmpuint(g_ascii_strtoull(number, NULL, 10), ==, ktap->names->len + 1);
    g_ptr_array_add(ktap->names, g_match_info_fetch(match, 3));
    g_ptr_array_add(ktap->statuses, g_strdup(skip != NULL && *skip != '\0' ? "skip" : status));
    g_ptr_array_add(ktap->lines, g_strdup(lines[i]));
  }
  g_assert_true(planned);
  g_assert_cmpuint(ktap->plan, ==, ktap->names->len);
}

const char *ktap_status(const Ktap *ktap, const char *name)
{
  for (guint i = 0; i < ktap->names->len; i++)
    if (g_str_equal(g_ptr_array_index(ktap->names, i), name))
      return g_ptr_array_index(ktap->statuses, i);
  g_error("no result for %s", name);
  return NULL;
}

const char *ktap_line(const Ktap *ktap, const char *name)
{
  for (guint i = 0; i < ktap->names->len; i++)
    if (g_str_equal(g_ptr_array_index(ktap->names, i), name))
      return g_ptr_array_index(ktap->lines, i);
  return NULL;
}

void st_inject(MockHost *host, const char *faults)
{
  mock_host_write(host, "/.mock/uapi-faults", faults);
}

void st_use_uapi_preload(void)
{
  const char *uapi = g_getenv("MOCK_UAPI_PRELOAD");
  const char *mock = g_getenv("MOCK_PRELOAD");

  /* The uAPI preload goes first: it hands every other call on to the mock. */
  if (uapi != NULL && mock != NULL) {
    g_autofree char *both = g_strdup_printf("%s:%s", uapi, mock);
    g_setenv("MOCK_PRELOAD", both, TRUE);
  }
}
