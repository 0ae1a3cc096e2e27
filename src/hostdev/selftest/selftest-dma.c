// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/selftest/selftest-dma.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/hd-error.h"
#include "hostdev/selftest/selftest-iommu.h"

gboolean hd_dma_buffer_alloc(HdDmaBuffer *buffer, gsize size, guint64 page_kb, GError **error)
{
  int flags = MAP_PRIVATE | MAP_ANONYMOUS;

  memset(buffer, 0, sizeof(*buffer));
  if (page_kb != 0)
    flags |= MAP_HUGETLB | (g_bit_nth_msf(page_kb * 1024, -1) << MAP_HUGE_SHIFT);
  void *va = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (va == MAP_FAILED) {
    if (page_kb != 0)
      g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "mmap of %zu bytes of %" G_GUINT64_FORMAT " kB hugepages: %s",
                  size, page_kb, g_strerror(errno));
    else
      g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "mmap of %zu bytes: %s", size, g_strerror(errno));
    return FALSE;
  }
  memset(va, 0, size);
  buffer->va = va;
  buffer->size = size;
  buffer->page_kb = page_kb;
  return TRUE;
}

void hd_dma_buffer_free(HdDmaBuffer *buffer)
{
  if (buffer->va != NULL)
    munmap(buffer->va, buffer->size);
  memset(buffer, 0, sizeof(*buffer));
}

gboolean hd_iova_find(const GArray *ranges, guint64 size, guint64 align, guint64 floor, guint64 limit,
                      guint64 *iova)
{
  for (guint i = 0; i < ranges->len; i++) {
    const HdIovaRange *range = &g_array_index(ranges, HdIovaRange, i);
    guint64 start = MAX(range->start, floor);
    guint64 last = range->last;

    if (limit != 0) {
      if (start >= limit)
        continue;
      last = MIN(last, limit - 1);
    }
    if (start > G_MAXUINT64 - (align - 1))
      continue;
    start = (start + align - 1) & ~(align - 1);
    if (start > last || last - start < size - 1)
      continue;
    *iova = start;
    return TRUE;
  }
  return FALSE;
}
