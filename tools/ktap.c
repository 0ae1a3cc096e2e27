// SPDX-License-Identifier: LGPL-2.1-or-later
#include "ktap.h"

void ktap_diag(GString *out, const char *text)
{
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf(out, "# %s\n", lines[i]);
}

void ktap_begin(GString *out, guint plan, const char *header)
{
  g_string_append(out, "KTAP version 1\n");
  if (header != NULL)
    ktap_diag(out, header);
  g_string_append_printf(out, "1..%u\n", plan);
}

/* A result line's text cannot hold a newline, and '#' would start a directive. */
static char *one_line(const char *text, gboolean in_name)
{
  char *line = g_strdup(text);

  g_strdelimit(line, in_name ? "\r\n#" : "\r\n", in_name ? '_' : ' ');
  return line;
}

void ktap_result(GString *out, const VhSelftestResult *result)
{
  g_autofree char *name = one_line(vh_selftest_result_get_name(result), TRUE);
  const GPtrArray *diagnostics = vh_selftest_result_get_diagnostics(result);
  guint number = vh_selftest_result_get_number(result);

  for (guint i = 0; i < diagnostics->len; i++)
    ktap_diag(out, g_ptr_array_index(diagnostics, i));
  switch (vh_selftest_result_get_status(result)) {
  case VH_CASE_PASS:
    g_string_append_printf(out, "ok %u %s\n", number, name);
    break;
  case VH_CASE_FAIL:
    ktap_diag(out, vh_selftest_result_get_reason(result));
    g_string_append_printf(out, "not ok %u %s\n", number, name);
    break;
  case VH_CASE_SKIP: {
    g_autofree char *reason = one_line(vh_selftest_result_get_reason(result), FALSE);
    g_string_append_printf(out, "ok %u %s # SKIP %s\n", number, name, reason);
    break;
  }
  }
}

void ktap_totals(GString *out, guint pass, guint fail, guint skip)
{
  g_string_append_printf(out, "# Totals: pass:%u fail:%u skip:%u\n", pass, fail, skip);
}

void ktap_not_run(GString *out, const VhSelftestResult *result)
{
  g_autofree char *name = one_line(vh_selftest_result_get_name(result), TRUE);
  g_autofree char *reason = one_line(vh_selftest_result_get_reason(result), FALSE);

  g_string_append_printf(out, "not ok %u %s # SKIP %s\n", vh_selftest_result_get_number(result), name, reason);
}

void ktap_bail_out(GString *out, const char *reason)
{
  g_autofree char *line = one_line(reason, FALSE);

  g_string_append_printf(out, "Bail out! %s\n", line);
}
