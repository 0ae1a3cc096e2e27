#include "selftest-ktap.h"

void hd_ktap_diag(GString *out, const char *text)
{
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf(out, "# %s\n", lines[i]);
}

void hd_ktap_begin(GString *out, guint plan, const char *header)
{
  g_string_append(out, "KTAP version 1\n");
  if (header != NULL)
    hd_ktap_diag(out, header);
  g_string_append_printf(out, "1..%u\n", plan);
}

/* A result line's text cannot hold a newline, and '#' would start a directive. */
static char *one_line(const char *text, gboolean in_name)
{
  char *line = g_strdup(text);

  g_strdelimit(line, in_name ? "\r\n#" : "\r\n", in_name ? '_' : ' ');
  return line;
}

void hd_ktap_result(GString *out, const HdSelftestResult *result)
{
  g_autofree char *name = one_line(result->name, TRUE);

  for (guint i = 0; i < result->diagnostics->len; i++)
    hd_ktap_diag(out, g_ptr_array_index(result->diagnostics, i));
  switch (result->status) {
  case HD_CASE_PASS:
    g_string_append_printf(out, "ok %u %s\n", result->number, name);
    break;
  case HD_CASE_FAIL:
    hd_ktap_diag(out, result->reason);
    g_string_append_printf(out, "not ok %u %s\n", result->number, name);
    break;
  case HD_CASE_SKIP: {
    g_autofree char *reason = one_line(result->reason, FALSE);
    g_string_append_printf(out, "ok %u %s # SKIP %s\n", result->number, name, reason);
    break;
  }
  }
}

void hd_ktap_totals(GString *out, guint pass, guint fail, guint skip)
{
  g_string_append_printf(out, "# Totals: pass:%u fail:%u skip:%u\n", pass, fail, skip);
}
