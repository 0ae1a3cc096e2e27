// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/parallel.h"

void hd_parallel_for_each(GPtrArray *items, GFunc func, gpointer user_data, guint max_threads)
{
  guint threads = MAX(MIN(items->len, max_threads), 1);
  GThreadPool *pool = items->len > 1 ? g_thread_pool_new(func, user_data, (gint)threads, FALSE, NULL) : NULL;

  for (guint i = 0; i < items->len; i++)
    if (pool == NULL)
      func(g_ptr_array_index(items, i), user_data);
    else
      g_thread_pool_push(pool, g_ptr_array_index(items, i), NULL);
  if (pool != NULL)
    g_thread_pool_free(pool, FALSE, TRUE);
}
