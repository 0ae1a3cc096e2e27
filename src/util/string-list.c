// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/string-list.h"

char *hd_string_list_join(const GPtrArray *strings, const char *separator)
{
  g_autoptr(GString) text = g_string_new(NULL);

  for (guint i = 0; i < strings->len; i++)
    g_string_append_printf(text, "%s%s", i > 0 ? separator : "", (const char *)g_ptr_array_index(strings, i));
  return g_string_free(g_steal_pointer(&text), FALSE);
}
