// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/shared/hugepage-reservations.h"

#include "util/hugepage-pool.h"

typedef struct {
  guint64 size_kb;
  gint64 node; /* -1: the whole pool */
  guint64 added;
} Grown;

struct _HdHugepageReservations {
  GArray *grown; /* Grown, one per pool (size and node) */
  gint64 node;   /* the devices' NUMA node, or -1 */
  HdHugepageGrowHook hook;
  gpointer hook_data;
};

void hd_hugepage_reservations_set_node(HdHugepageReservations *self, gint64 node)
{
  self->node = node;
}

void hd_hugepage_reservations_set_hook(HdHugepageReservations *self, HdHugepageGrowHook hook, gpointer data)
{
  self->hook = hook;
  self->hook_data = data;
}

HdHugepageReservations *hd_hugepage_reservations_new(void)
{
  HdHugepageReservations *self = g_new0(HdHugepageReservations, 1);

  self->grown = g_array_new(FALSE, FALSE, sizeof(Grown));
  self->node = -1;
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

/* "the 2M hugepage pool" or "the 2M hugepage pool of NUMA node 1" */
static char *pool_name(guint64 size_kb, gint64 node)
{
  g_autofree char *size = hd_hugepage_size_name(size_kb);

  if (node < 0)
    return g_strdup_printf("the %s hugepage pool", size);
  return g_strdup_printf("the %s hugepage pool of NUMA node %" G_GINT64_FORMAT, size, node);
}

static void remember(HdHugepageReservations *self, guint64 size_kb, gint64 node, guint64 added)
{
  for (guint i = 0; i < self->grown->len; i++) {
    Grown *grown = &g_array_index(self->grown, Grown, i);
    if (grown->size_kb == size_kb && grown->node == node) {
      grown->added += added;
      return;
    }
  }
  Grown grown = {size_kb, node, added};
  g_array_append_val(self->grown, grown);
}

/* The node's own pool when the devices' node has one, else the whole pool. */
static gint64 pool_node(const HdHugepageReservations *self, guint64 size_kb)
{
  return self->node >= 0 && hd_hugepage_pool_exists(size_kb, self->node) ? self->node : -1;
}

gboolean hd_hugepages_make_free(HdHugepageReservations *self, guint64 size_kb, guint64 count, char **reason,
                                char **done)
{
  g_autofree char *name = hd_hugepage_size_name(size_kb);
  gint64 node = pool_node(self, size_kb);
  g_autofree char *pool_label = pool_name(size_kb, node);
  g_autoptr(GError) error = NULL;
  HdHugepagePool pool, after;

  if (done != NULL)
    *done = NULL;
  if (!hd_hugepage_pool_exists(size_kb, node)) {
    *reason = g_strdup_printf("the kernel has no %s hugepage pool (no hugepages-%" G_GUINT64_FORMAT "kB in sysfs)",
                              name, size_kb);
    return FALSE;
  }
  if (!hd_hugepage_pool_read(size_kb, node, &pool, &error)) {
    *reason = g_strdup(error->message);
    return FALSE;
  }
  guint64 available = hd_hugepage_pool_available(&pool);
  if (available >= count)
    return TRUE;
  guint64 adding = count - available, wanted = pool.nr + adding;
  if (self->hook != NULL && !self->hook(size_kb, node, pool.nr, adding, self->hook_data, &error)) {
    *reason = g_strdup_printf("%s was not grown: %s", pool_label, error->message);
    return FALSE;
  }
  if (!hd_hugepage_pool_set_nr(size_kb, node, wanted, &error)) {
    *reason = g_strdup_printf("cannot grow %s to %" G_GUINT64_FORMAT ": %s", pool_label, wanted, error->message);
    return FALSE;
  }
  /* read back at once: whatever the kernel granted is ours to give back */
  if (!hd_hugepage_pool_read(size_kb, node, &after, &error)) {
    remember(self, size_kb, node, adding);
    *reason = g_strdup(error->message);
    return FALSE;
  }
  remember(self, size_kb, node, after.nr > pool.nr ? MIN(after.nr - pool.nr, adding) : 0);
  if (hd_hugepage_pool_available(&after) < count) {
    *reason = g_strdup_printf("asked the kernel for %" G_GUINT64_FORMAT " free %s hugepages, it has %" G_GUINT64_FORMAT
                              " (memory too fragmented? reserve them at boot: hugepagesz=%s hugepages=N)",
                              count, name, hd_hugepage_pool_available(&after), name);
    return FALSE;
  }
  if (done != NULL)
    *done = g_strdup_printf("grew %s from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT " pages", pool_label,
                            pool.nr, after.nr);
  return TRUE;
}

GPtrArray *hd_hugepage_reservations_restore(HdHugepageReservations *self)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < self->grown->len; i++) {
    const Grown *grown = &g_array_index(self->grown, Grown, i);
    g_autoptr(GError) error = NULL;
    g_autofree char *name = pool_name(grown->size_kb, grown->node);
    guint64 given = 0;

    if (!hd_hugepage_pool_shrink(grown->size_kb, grown->node, grown->added, &given, &error))
      g_ptr_array_add(problems, g_strdup_printf("the %" G_GUINT64_FORMAT " pages added to %s were not given back: %s",
                                                grown->added, name, error->message));
    else if (given != grown->added)
      g_ptr_array_add(problems, g_strdup_printf("%s keeps %" G_GUINT64_FORMAT " of the %" G_GUINT64_FORMAT
                                                " pages added to it (in use or reserved)",
                                                name, grown->added - given, grown->added));
  }
  g_array_set_size(self->grown, 0);
  return problems;
}
