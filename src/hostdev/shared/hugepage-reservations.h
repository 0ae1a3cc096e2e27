/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hugepages on demand: when a case (or `run --hugepages`) needs free pages
 * of a size and the pool has too few, grow the pool through sysfs and
 * remember its size before, so that restore() puts it back exactly. */
#pragma once

#include <glib.h>

typedef struct _HdHugepageReservations HdHugepageReservations;

HdHugepageReservations *hd_hugepage_reservations_new(void);

/* Makes sure COUNT pages of SIZE_KB are free, growing the pool when needed.
 * FALSE with *REASON (newly allocated) when they cannot be had: no pool of
 * that size, sysfs not writable, or the kernel granted fewer pages (memory
 * too fragmented). *DONE (may be NULL) says what was changed, or NULL. */
gboolean hd_hugepages_make_free(HdHugepageReservations *self, guint64 size_kb, guint64 count, char **reason,
                                char **done);

/* Puts every pool grown back to its size before. Returns the problems, one
 * line each (empty when all went back); the record is emptied either way. */
GPtrArray *hd_hugepage_reservations_restore(HdHugepageReservations *self);

/* Frees without restoring (call restore() first). */
void hd_hugepage_reservations_free(HdHugepageReservations *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdHugepageReservations, hd_hugepage_reservations_free)

/* "2M" for 2048, "1G" for 1048576, else "<n>kB". */
char *hd_hugepage_size_name(guint64 size_kb);
