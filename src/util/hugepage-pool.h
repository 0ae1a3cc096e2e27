/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's hugetlb pools, one per page size, as sysfs publishes them
 * (Documentation/admin-guide/mm/hugetlbpage.rst): nr_hugepages is the
 * pool's size and can be written, free_hugepages what nobody holds. NODE
 * -1 is the whole pool (/sys/kernel/mm/hugepages); NODE >= 0 that NUMA
 * node's share of it (/sys/devices/system/node/nodeN/hugepages), whose
 * nr_hugepages grows and shrinks pages on that node only.
 * Mechanism only: who reserves what, and restoring it, is the caller's. */
#pragma once

#include <glib.h>

typedef struct {
  guint64 nr;   /* nr_hugepages */
  guint64 free; /* free_hugepages */
  guint64 resv; /* resv_hugepages: free but promised to a mapping (0 when the file is missing); the
                 * whole pool's, also for a node */
} HdHugepagePool;

/* Pages nobody holds or has been promised: free minus reserved. */
guint64 hd_hugepage_pool_available(const HdHugepagePool *pool);

/* FALSE without error when the kernel has no pool of that size (no
 * hugepages-<size_kb>kB directory: no such page size, or no hugetlbfs). */
gboolean hd_hugepage_pool_exists(guint64 size_kb, gint64 node);

/* A node's RESV is the whole pool's: reservations are not per node. */
gboolean hd_hugepage_pool_read(guint64 size_kb, gint64 node, HdHugepagePool *pool, GError **error);

/* Writes nr_hugepages. The kernel may grant fewer pages than asked (memory
 * too fragmented) without an error: read the pool back to know. */
gboolean hd_hugepage_pool_set_nr(guint64 size_kb, gint64 node, guint64 nr, GError **error);

/* Gives back to the kernel up to COUNT pages of the pool, never one that is
 * in use or reserved; *GIVEN says how many went. */
gboolean hd_hugepage_pool_shrink(guint64 size_kb, gint64 node, guint64 count, guint64 *given, GError **error);
