/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Memory for DMA and where to put it in the IO address space. */
#pragma once

#include <glib.h>

typedef struct {
  void *va;
  gsize size;
  guint64 page_kb; /* 0: base pages; else the hugetlb page size */
} HdDmaBuffer;

/* mmap()s SIZE bytes of private anonymous memory, from the hugetlb pool of
 * PAGE_KB when it is not 0 (MAP_HUGETLB with the size encoded: this needs
 * no hugetlbfs mount), and touches every page so that it is backed. */
gboolean hd_dma_buffer_alloc(HdDmaBuffer *buffer, gsize size, guint64 page_kb, GError **error);

/* munmap()s; safe on a zeroed or already freed buffer. */
void hd_dma_buffer_free(HdDmaBuffer *buffer);

/* The lowest IOVA >= FLOOR, a multiple of ALIGN (a power of two), such that
 * [iova, iova + SIZE) lies inside one of RANGES (HdIovaRange, sorted) and
 * below LIMIT (0: no limit). FALSE when there is none. */
gboolean hd_iova_find(const GArray *ranges, guint64 size, guint64 align, guint64 floor, guint64 limit,
                      guint64 *iova);
