// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/kernel-cmdline.h"

#include <string.h>

#include "util/host-paths.h"

struct _HdCmdline {
  GPtrArray *names;  /* char*, owned */
  GPtrArray *values; /* char* or NULL, owned */
};

static gboolean is_blank(char c)
{
  return g_ascii_isspace(c);
}

/* Length of the parameter starting at P: up to the first blank outside
 * double quotes (an unclosed quote runs to the end). */
static gsize param_length(const char *p)
{
  gboolean quoted = FALSE;
  gsize i;

  for (i = 0; p[i] != '\0'; i++) {
    if (is_blank(p[i]) && !quoted)
      break;
    if (p[i] == '"')
      quoted = !quoted;
  }
  return i;
}

/* A copy of LEN bytes of P without its double quotes: the kernel drops the
 * quotes around a value or a whole parameter, and nobody quotes mid-word. */
static char *unquote(const char *p, gsize len)
{
  GString *out = g_string_sized_new(len);

  for (gsize i = 0; i < len; i++)
    if (p[i] != '"')
      g_string_append_c(out, p[i]);
  return g_string_free(out, FALSE);
}

static void add_param(HdCmdline *cmdline, const char *p, gsize len)
{
  g_autofree char *word = unquote(p, len);
  char *equals = strchr(word, '=');

  if (equals == NULL) {
    g_ptr_array_add(cmdline->names, g_steal_pointer(&word));
    g_ptr_array_add(cmdline->values, NULL);
    return;
  }
  g_ptr_array_add(cmdline->names, g_strndup(word, (gsize)(equals - word)));
  g_ptr_array_add(cmdline->values, g_strdup(equals + 1));
}

HdCmdline *hd_cmdline_parse(const char *text)
{
  HdCmdline *cmdline = g_new0(HdCmdline, 1);
  const char *p = text;

  cmdline->names = g_ptr_array_new_with_free_func(g_free);
  cmdline->values = g_ptr_array_new_with_free_func(g_free);
  for (;;) {
    while (is_blank(*p))
      p++;
    if (*p == '\0')
      break;
    gsize len = param_length(p);
    if (len == 2 && p[0] == '-' && p[1] == '-')
      break;
    add_param(cmdline, p, len);
    p += len;
  }
  return cmdline;
}

HdCmdline *hd_cmdline_read(GError **error)
{
  g_autofree char *path = hd_path_kernel_cmdline();
  g_autofree char *text = NULL;

  if (!g_file_get_contents(path, &text, NULL, error))
    return NULL;
  return hd_cmdline_parse(text);
}

void hd_cmdline_free(HdCmdline *cmdline)
{
  if (cmdline == NULL)
    return;
  g_ptr_array_unref(cmdline->names);
  g_ptr_array_unref(cmdline->values);
  g_free(cmdline);
}

guint hd_cmdline_n_params(const HdCmdline *cmdline)
{
  return cmdline->names->len;
}

const char *hd_cmdline_name(const HdCmdline *cmdline, guint index)
{
  g_return_val_if_fail(index < cmdline->names->len, NULL);
  return g_ptr_array_index(cmdline->names, index);
}

const char *hd_cmdline_value(const HdCmdline *cmdline, guint index)
{
  g_return_val_if_fail(index < cmdline->values->len, NULL);
  return g_ptr_array_index(cmdline->values, index);
}

/* parameq(): names are equal when they differ only in '-' versus '_'. */
static gboolean name_equal(const char *a, const char *b)
{
  for (; *a != '\0' && *b != '\0'; a++, b++) {
    char ca = *a == '-' ? '_' : *a, cb = *b == '-' ? '_' : *b;
    if (ca != cb)
      return FALSE;
  }
  return *a == *b;
}

gboolean hd_cmdline_has_word(const HdCmdline *cmdline, const char *name, const char *word)
{
  for (guint i = cmdline->names->len; i-- > 0;) {
    const char *value = g_ptr_array_index(cmdline->values, i);
    if (!name_equal(g_ptr_array_index(cmdline->names, i), name))
      continue;
    if (value == NULL)
      return FALSE;
    g_auto(GStrv) words = g_strsplit(value, ",", -1);
    return g_strv_contains((const char *const *)words, word);
  }
  return FALSE;
}
