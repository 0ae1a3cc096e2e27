/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hugepages on demand: when a case (or `run --hugepages`) needs free pages
 * of a size and the pool has too few, grow the pool through sysfs by what
 * is missing and remember how many pages were added, so that restore()
 * gives back exactly those (a pool others changed meanwhile keeps their
 * change). Reserved pages (resv_hugepages) count as used both ways. */
#pragma once

#include <glib.h>

typedef struct _HdHugepageReservations HdHugepageReservations;

HdHugepageReservations *hd_hugepage_reservations_new(void);

/* Pools are taken from NODE (a NUMA node, the devices' numa_node) when
 * that node has its own pool of the size, else from the whole pool (-1,
 * the default): a device's DMA is fastest to memory on its own node. */
void hd_hugepage_reservations_set_node(HdHugepageReservations *self, gint64 node);

/* Called before a pool grows: the pool of SIZE_KB on NODE (-1: the whole
 * pool), NR_BEFORE pages, ADDING more asked for. FALSE with ERROR stops
 * the growth (a journal that cannot be written). */
typedef gboolean (*HdHugepageGrowHook)(guint64 size_kb, gint64 node, guint64 nr_before, guint64 adding, gpointer data,
                                       GError **error);
void hd_hugepage_reservations_set_hook(HdHugepageReservations *self, HdHugepageGrowHook hook, gpointer data);

/* Makes sure COUNT pages of SIZE_KB are free, growing the pool when needed.
 * FALSE with *REASON (newly allocated) when they cannot be had: no pool of
 * that size, sysfs not writable, or the kernel granted fewer pages (memory
 * too fragmented). *DONE (may be NULL) says what was changed, or NULL. */
gboolean hd_hugepages_make_free(HdHugepageReservations *self, guint64 size_kb, guint64 count, char **reason,
                                char **done);

/* Gives back the pages added to every pool grown. Returns the problems, one
 * line each (empty when all went back); the record is emptied either way. */
GPtrArray *hd_hugepage_reservations_restore(HdHugepageReservations *self);

/* Frees without restoring (call restore() first). */
void hd_hugepage_reservations_free(HdHugepageReservations *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdHugepageReservations, hd_hugepage_reservations_free)

/* "2M" for 2048, "1G" for 1048576, else "<n>kB". */
char *hd_hugepage_size_name(guint64 size_kb);
