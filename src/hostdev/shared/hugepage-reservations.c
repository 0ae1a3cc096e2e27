// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/shared/hugepage-reservations.h"

#include "util/hugepage-pool.h"

typedef struct {
  guint64 size_kb;
  guint64 added;
} Grown;

struct _HdHugepageReservations {
  GArray *grown; /* Grown, one per pool size */
  HdHugepageGrowHook hook;
  gpointer hook_data;
};

void hd_hugepage_reservations_set_hook(HdHugepageReservations *self, HdHugepageGrowHook hook, gpointer data)
{
  self->hook = hook;
  self->hook_data = data;
}

HdHugepageReservations *hd_hugepage_reservations_new(void)
{
  HdHugepageReservations *self = g_new0(HdHugepageReservations, 1);

  self->grown = g_array_new(FALSE, FALSE, sizeof(Grown));
  return self;
}

void hd_hugepage_reservations_free(HdHugepageReservations *self)
{
  if (self == NULL)
    return;
  g_array_unref(self->grown);
  g_free(self);
}

char *hd_hugepage_size_name(guint64 size_kb)
{
  if (size_kb % (1024 * 1024) == 0)
    return g_strdup_printf("%" G_GUINT64_FORMAT "G", size_kb / (1024 * 1024));
  if (size_kb % 1024 == 0)
    return g_strdup_printf("%" G_GUINT64_FORMAT "M", size_kb / 1024);
  return g_strdup_printf("%" G_GUINT64_FORMAT "kB", size_kb);
}

static void remember(HdHugepageReservations *self, guint64 size_kb, guint64 added)
{
  for (guint i = 0; i < self->grown->len; i++)
    if (g_array_index(self->grown, Grown, i).size_kb == size_kb) {
      g_array_index(self->grown, Grown, i).added += added;
      return;
    }
  Grown grown = {size_kb, added};
  g_array_append_val(self->grown, grown);
}

gboolean hd_hugepages_make_free(HdHugepageReservations *self, guint64 size_kb, guint64 count, char **reason,
                                char **done)
{
  g_autofree char *name = hd_hugepage_size_name(size_kb);
  g_autoptr(GError) error = NULL;
  HdHugepagePool pool, after;

  if (done != NULL)
    *done = NULL;
  if (!hd_hugepage_pool_exists(size_kb)) {
    *reason = g_strdup_printf("the kernel has no %s hugepage pool (no hugepages-%" G_GUINT64_FORMAT "kB in sysfs)",
                              name, size_kb);
    return FALSE;
  }
  if (!hd_hugepage_pool_read(size_kb, &pool, &error)) {
    *reason = g_strdup(error->message);
    return FALSE;
  }
  guint64 available = hd_hugepage_pool_available(&pool);
  if (available >= count)
    return TRUE;
  guint64 adding = count - available, wanted = pool.nr + adding;
  if (self->hook != NULL && !self->hook(size_kb, pool.nr, adding, self->hook_data, &error)) {
    *reason = g_strdup_printf("the %s hugepage pool was not grown: %s", name, error->message);
    return FALSE;
  }
  if (!hd_hugepage_pool_set_nr(size_kb, wanted, &error)) {
    *reason = g_strdup_printf("cannot grow the %s hugepage pool to %" G_GUINT64_FORMAT ": %s", name, wanted,
                              error->message);
    return FALSE;
  }
  /* read back at once: whatever the kernel granted is ours to give back */
  if (!hd_hugepage_pool_read(size_kb, &after, &error)) {
    remember(self, size_kb, adding);
    *reason = g_strdup(error->message);
    return FALSE;
  }
  remember(self, size_kb, after.nr > pool.nr ? MIN(after.nr - pool.nr, adding) : 0);
  if (hd_hugepage_pool_available(&after) < count) {
    *reason = g_strdup_printf("asked the kernel for %" G_GUINT64_FORMAT " free %s hugepages, it has %" G_GUINT64_FORMAT
                              " (memory too fragmented? reserve them at boot: hugepagesz=%s hugepages=N)",
                              count, name, hd_hugepage_pool_available(&after), name);
    return FALSE;
  }
  if (done != NULL)
    *done = g_strdup_printf("grew the %s hugepage pool from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT " pages",
                            name, pool.nr, after.nr);
  return TRUE;
}

GPtrArray *hd_hugepage_reservations_restore(HdHugepageReservations *self)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < self->grown->len; i++) {
    const Grown *grown = &g_array_index(self->grown, Grown, i);
    g_autoptr(GError) error = NULL;
    g_autofree char *name = hd_hugepage_size_name(grown->size_kb);
    guint64 given = 0;

    if (!hd_hugepage_pool_shrink(grown->size_kb, grown->added, &given, &error))
      g_ptr_array_add(problems, g_strdup_printf("the %" G_GUINT64_FORMAT " pages added to the %s hugepage pool were "
                                                "not given back: %s", grown->added, name, error->message));
    else if (given != grown->added)
      g_ptr_array_add(problems, g_strdup_printf("the %s hugepage pool keeps %" G_GUINT64_FORMAT " of the %"
                                                G_GUINT64_FORMAT " pages added to it (in use or reserved)",
                                                name, grown->added - given, grown->added));
  }
  g_array_set_size(self->grown, 0);
  return problems;
}
