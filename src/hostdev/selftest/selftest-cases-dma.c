// SPDX-License-Identifier: LGPL-2.1-or-later
/* Cases on the IO address space: its ranges, and mapping memory of each
 * kind into it, at the bottom and at the very top, and a request that
 * wraps around the 64-bit space. */
#include "hostdev/selftest/selftest-context.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hostdev/selftest/selftest-dma.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

/* Keep test mappings off IOVA 0: legal, but a NULL look-alike. */
#define IOVA_FLOOR (G_GUINT64_CONSTANT(1) << 20)
#define SIZE_2M (G_GUINT64_CONSTANT(2) << 20)
#define KB_2M G_GUINT64_CONSTANT(2048)
#define KB_1G G_GUINT64_CONSTANT(1048576)

static guint64 page_size(void)
{
  return (guint64)sysconf(_SC_PAGESIZE);
}

static HdCaseStatus need_ranges(HdSelftest *t)
{
  if (t->ranges == NULL || t->ranges->len == 0)
    return hd_selftest_fail(t, "no usable IOVA range (see dma.iova_ranges)");
  return HD_CASE_PASS;
}

static HdCaseStatus dma_iova_ranges(HdSelftest *t)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ranges = t->iommu->ops->iova_ranges(t->iommu, &error);

  if (ranges == NULL)
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  if (ranges->len == 0)
    return hd_selftest_fail(t, "the IO address space has no usable range");
  for (guint i = 0; i < ranges->len; i++) {
    const HdIovaRange *range = &g_array_index(ranges, HdIovaRange, i);
    hd_selftest_diag(t, "0x%016" G_GINT64_MODIFIER "x-0x%016" G_GINT64_MODIFIER "x", range->start, range->last);
    if (range->start > range->last)
      return hd_selftest_fail(t, "range %u starts after it ends", i);
    if (i > 0 && range->start <= g_array_index(ranges, HdIovaRange, i - 1).last)
      return hd_selftest_fail(t, "range %u overlaps or precedes range %u", i, i - 1);
  }
  guint64 iova;
  if (!hd_iova_find(ranges, page_size(), page_size(), 0, 0, &iova))
    return hd_selftest_fail(t, "no range holds a single aligned page");
  return HD_CASE_PASS;
}

/* Maps BUFFER at IOVA, then unmaps exactly that and checks the count. */
static HdCaseStatus map_unmap(HdSelftest *t, const HdDmaBuffer *buffer, guint64 iova)
{
  HdSelftestIommu *iommu = t->iommu;
  guint64 unmapped = 0;
  int rc;

  if ((rc = iommu->ops->map(iommu, buffer->va, iova, buffer->size)) < 0)
    return hd_selftest_fail(t, "map of %zu bytes at IOVA %#" G_GINT64_MODIFIER "x: %s", buffer->size, iova,
                            g_strerror(-rc));
  hd_selftest_diag(t, "mapped %zu bytes at IOVA %#" G_GINT64_MODIFIER "x", buffer->size, iova);
  if ((rc = iommu->ops->unmap(iommu, iova, buffer->size, &unmapped)) < 0) {
    iommu->ops->unmap_all(iommu, NULL); /* the buffer is freed next: leave nothing pointing at it */
    return hd_selftest_fail(t, "unmap of IOVA %#" G_GINT64_MODIFIER "x: %s", iova, g_strerror(-rc));
  }
  if (unmapped != buffer->size) {
    iommu->ops->unmap_all(iommu, NULL);
    return hd_selftest_fail(t, "unmap says %" G_GUINT64_FORMAT " bytes unmapped, %zu were mapped", unmapped,
                            buffer->size);
  }
  return HD_CASE_PASS;
}

/* SIZE bytes of PAGE_KB pages (0: base pages) mapped at an IOVA aligned to SIZE. */
static HdCaseStatus map_memory(HdSelftest *t, gsize size, guint64 page_kb)
{
  g_autoptr(GError) error = NULL;
  HdDmaBuffer buffer;
  guint64 iova;

  if (need_ranges(t) == HD_CASE_FAIL)
    return HD_CASE_FAIL;
  if (!hd_iova_find(t->ranges, size, size, IOVA_FLOOR, 0, &iova))
    return hd_selftest_fail(t, "no IOVA range holds %zu aligned bytes", size);
  if (!hd_dma_buffer_alloc(&buffer, size, page_kb, &error))
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  HdCaseStatus status = map_unmap(t, &buffer, iova);
  hd_dma_buffer_free(&buffer);
  return status;
}

static HdCaseStatus dma_map_anonymous(HdSelftest *t)
{
  return map_memory(t, SIZE_2M, 0);
}

static HdCaseStatus map_hugetlb(HdSelftest *t, guint64 page_kb)
{
  g_autofree char *reason = NULL, *done = NULL;

  if (!hd_hugepages_make_free(t->hugepages, page_kb, 1, &reason, &done))
    return hd_selftest_skip(t, "%s", reason);
  if (done != NULL)
    hd_selftest_diag(t, "%s (restored after the run)", done);
  hd_selftest_diag(t, "memory from mmap(MAP_HUGETLB): no hugetlbfs mount needed");
  return map_memory(t, page_kb * 1024, page_kb);
}

static HdCaseStatus dma_map_hugetlb_2m(HdSelftest *t)
{
  return map_hugetlb(t, KB_2M);
}

static HdCaseStatus dma_map_hugetlb_1g(HdSelftest *t)
{
  return map_hugetlb(t, KB_1G);
}

/* The last page of the last range: where IOVA arithmetic overflows first. */
static guint64 top_page(HdSelftest *t)
{
  const HdIovaRange *last = &g_array_index(t->ranges, HdIovaRange, t->ranges->len - 1);

  return (last->last - (page_size() - 1)) & ~(page_size() - 1);
}

static HdCaseStatus dma_map_top(HdSelftest *t)
{
  g_autoptr(GError) error = NULL;
  HdDmaBuffer buffer;

  if (need_ranges(t) == HD_CASE_FAIL)
    return HD_CASE_FAIL;
  if (!hd_dma_buffer_alloc(&buffer, page_size(), 0, &error))
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  HdCaseStatus status = map_unmap(t, &buffer, top_page(t));
  hd_dma_buffer_free(&buffer);
  return status;
}

static HdCaseStatus unmap_all_of(HdSelftest *t, const HdDmaBuffer *low, const HdDmaBuffer *top)
{
  HdSelftestIommu *iommu = t->iommu;
  guint64 low_iova, unmapped = 0;
  int rc;

  if (!hd_iova_find(t->ranges, low->size, low->size, IOVA_FLOOR, 0, &low_iova))
    return hd_selftest_fail(t, "no IOVA range holds a page");
  if ((rc = iommu->ops->map(iommu, low->va, low_iova, low->size)) < 0 ||
      (rc = iommu->ops->map(iommu, top->va, top_page(t), top->size)) < 0) {
    iommu->ops->unmap_all(iommu, NULL);
    return hd_selftest_fail(t, "map: %s", g_strerror(-rc));
  }
  if ((rc = iommu->ops->unmap_all(iommu, &unmapped)) < 0) {
    /* Both pages one by one, so that the buffers can be freed. */
    iommu->ops->unmap(iommu, low_iova, low->size, NULL);
    iommu->ops->unmap(iommu, top_page(t), top->size, NULL);
    if (rc == -EOPNOTSUPP)
      return hd_selftest_skip(t, "the kernel cannot unmap everything at once (no VFIO_UNMAP_ALL, Linux < 5.12)");
    return hd_selftest_fail(t, "unmap all: %s", g_strerror(-rc));
  }
  hd_selftest_diag(t, "mapped pages at IOVA %#" G_GINT64_MODIFIER "x and %#" G_GINT64_MODIFIER "x, unmapped %"
                   G_GUINT64_FORMAT " bytes at once", low_iova, top_page(t), unmapped);
  if (unmapped != low->size + top->size) {
    iommu->ops->unmap(iommu, low_iova, low->size, NULL);
    iommu->ops->unmap(iommu, top_page(t), top->size, NULL);
    return hd_selftest_fail(t, "unmap all says %" G_GUINT64_FORMAT " bytes, %zu were mapped", unmapped,
                            low->size + top->size);
  }
  return HD_CASE_PASS;
}

static HdCaseStatus dma_unmap_all(HdSelftest *t)
{
  g_autoptr(GError) error = NULL;
  HdDmaBuffer low, top;

  if (need_ranges(t) == HD_CASE_FAIL)
    return HD_CASE_FAIL;
  if (!hd_dma_buffer_alloc(&low, page_size(), 0, &error))
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  if (!hd_dma_buffer_alloc(&top, page_size(), 0, &error)) {
    hd_dma_buffer_free(&low);
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  }
  HdCaseStatus status = unmap_all_of(t, &low, &top);
  hd_dma_buffer_free(&low);
  hd_dma_buffer_free(&top);
  return status;
}

/* iommufd always said EOVERFLOW; type1 said EINVAL until the fix that came
 * with the kernel's own overflow selftest (vfio_dma_mapping_test). Both
 * refuse without mapping anything, which is what matters. */
static gboolean refused_as_overflow(HdSelftest *t, int rc, const char *what)
{
  if (rc == -EOVERFLOW)
    return TRUE;
  if (rc == -EINVAL && hd_selftest_iommu_is_container(t->iommu)) {
    hd_selftest_diag(t, "%s: EINVAL, as type1 of kernels before the overflow fix says (newer ones: EOVERFLOW)", what);
    return TRUE;
  }
  return FALSE;
}

static HdCaseStatus overflow_with(HdSelftest *t, const HdDmaBuffer *buffer)
{
  guint64 iova = G_MAXUINT64 & ~(page_size() - 1);
  int rc = t->iommu->ops->map(t->iommu, buffer->va, iova, buffer->size);

  hd_selftest_diag(t, "%zu bytes at IOVA %#" G_GINT64_MODIFIER "x wrap around 2^64", buffer->size, iova);
  if (rc == 0) {
    t->iommu->ops->unmap_all(t->iommu, NULL);
    return hd_selftest_fail(t, "the wrapping map succeeded");
  }
  if (!refused_as_overflow(t, rc, "map"))
    return hd_selftest_fail(t, "the wrapping map failed with %s, not EOVERFLOW", g_strerror(-rc));
  rc = t->iommu->ops->unmap(t->iommu, iova, buffer->size, NULL);
  if (rc == 0)
    return hd_selftest_fail(t, "the wrapping unmap succeeded");
  if (!refused_as_overflow(t, rc, "unmap"))
    return hd_selftest_fail(t, "the wrapping unmap failed with %s, not EOVERFLOW", g_strerror(-rc));
  return HD_CASE_PASS;
}

static HdCaseStatus dma_overflow(HdSelftest *t)
{
  g_autoptr(GError) error = NULL;
  HdDmaBuffer buffer;

  if (!hd_dma_buffer_alloc(&buffer, 2 * page_size(), 0, &error))
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  HdCaseStatus status = overflow_with(t, &buffer);
  hd_dma_buffer_free(&buffer);
  return status;
}

/* The largest mmap-able area of a readable and writable BAR: the IOMMU
 * maps read+write, so the region must allow both (as the kernel's test
 * picks it). FALSE when there is none. */
static gboolean largest_bar_area(HdSelftest *t, guint *bar, HdVfioMmapArea *largest)
{
  const guint32 rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;

  largest->size = 0;
  for (guint index = VFIO_PCI_BAR0_REGION_INDEX; index <= VFIO_PCI_BAR5_REGION_INDEX; index++) {
    const struct vfio_region_info *region = hd_vfio_device_region(&t->vdev, index);
    g_autoptr(GArray) areas = NULL;
    if (region == NULL || (region->flags & rw) != rw ||
        (areas = hd_vfio_region_mmap_areas(&t->vdev, index, NULL)) == NULL)
      continue;
    for (guint i = 0; i < areas->len; i++)
      if (g_array_index(areas, HdVfioMmapArea, i).size > largest->size) {
        *largest = g_array_index(areas, HdVfioMmapArea, i);
        *bar = index;
      }
  }
  return largest->size > 0;
}

/* Memory mapped from a BAR is VM_PFNMAP: type1 maps it (it follows the
 * PFNs, no page to pin), iommufd pins pages and so refuses it. The
 * kernel's vfio_dma_mapping_mmio_test expects exactly that, also for
 * iommufd's emulation of the container (CONFIG_IOMMUFD_VFIO_CONTAINER),
 * which is there when vfio_iommu_type1 is not. */
static gboolean bar_dma_expected(HdSelftest *t, const char **why)
{
  g_autofree char *type1_module = hd_path_module("vfio_iommu_type1", NULL);

  if (!hd_selftest_iommu_is_container(t->iommu)) {
    *why = "iommufd pins pages and cannot map VM_PFNMAP memory: it must refuse";
    return FALSE;
  }
  if (!hd_sysfs_exists(type1_module)) {
    *why = "the container is iommufd's emulation (no vfio_iommu_type1): it must refuse like iommufd";
    return FALSE;
  }
  *why = "type1 maps VM_PFNMAP memory by its PFNs: it must succeed";
  return TRUE;
}

static HdCaseStatus map_bar_at(HdSelftest *t, void *va, gsize size, guint64 iova)
{
  const char *why;
  gboolean expected = bar_dma_expected(t, &why);
  guint64 unmapped = 0;
  int rc = t->iommu->ops->map(t->iommu, va, iova, size);

  hd_selftest_diag(t, "expected: %s", why);
  if (rc == 0 && !expected) {
    t->iommu->ops->unmap_all(t->iommu, NULL);
    return hd_selftest_fail(t, "the map of the BAR succeeded");
  }
  if (rc < 0 && expected)
    return hd_selftest_fail(t, "the map of the BAR at IOVA %#" G_GINT64_MODIFIER "x: %s", iova, g_strerror(-rc));
  if (rc < 0) {
    hd_selftest_diag(t, "map refused: %s", g_strerror(-rc));
    rc = t->iommu->ops->unmap(t->iommu, iova, size, NULL);
    if (rc == 0)
      return hd_selftest_fail(t, "the unmap of the BAR's IOVA succeeded though nothing was mapped");
    hd_selftest_diag(t, "unmap refused: %s", g_strerror(-rc));
    return HD_CASE_PASS;
  }
  if ((rc = t->iommu->ops->unmap(t->iommu, iova, size, &unmapped)) < 0 || unmapped != size) {
    t->iommu->ops->unmap_all(t->iommu, NULL);
    return hd_selftest_fail(t, "the unmap of the BAR: %s", rc < 0 ? g_strerror(-rc) : "not all of it unmapped");
  }
  hd_selftest_diag(t, "mapped and unmapped %zu bytes at IOVA %#" G_GINT64_MODIFIER "x", size, iova);
  return HD_CASE_PASS;
}

static HdCaseStatus dma_map_bar(HdSelftest *t)
{
  HdVfioMmapArea area;
  guint bar = 0;
  guint64 iova;

  if (need_ranges(t) == HD_CASE_FAIL)
    return HD_CASE_FAIL;
  if (!largest_bar_area(t, &bar, &area))
    return hd_selftest_skip(t, "the device has no mmap-able read-write BAR");
  if (!hd_iova_find(t->ranges, area.size, page_size(), IOVA_FLOOR, 0, &iova))
    return hd_selftest_fail(t, "no IOVA range holds %" G_GUINT64_FORMAT " bytes", area.size);
  const struct vfio_region_info *region = hd_vfio_device_region(&t->vdev, bar);
  void *va = mmap(NULL, area.size, PROT_READ | PROT_WRITE, MAP_SHARED, t->vdev.fd,
                  (off_t)(region->offset + area.offset));
  if (va == MAP_FAILED)
    return hd_selftest_fail(t, "mmap of BAR%u: %s", bar, g_strerror(errno));
  hd_selftest_diag(t, "BAR%u+%#" G_GINT64_MODIFIER "x: %" G_GUINT64_FORMAT " bytes", bar, area.offset, area.size);
  HdCaseStatus status = map_bar_at(t, va, area.size, iova);
  munmap(va, area.size);
  return status;
}

const HdSelftestCase hd_selftest_dma_cases[] = {
  {{"dma.iova_ranges", "the IOVA ranges are non-empty, ordered and disjoint"}, dma_iova_ranges},
  {{"dma.map_anonymous", "map and unmap 2 MiB of anonymous memory"}, dma_map_anonymous},
  {{"dma.map_hugetlb_2m", "map and unmap a 2 MiB hugepage (reserved for the run if none is free)"},
   dma_map_hugetlb_2m},
  {{"dma.map_hugetlb_1g", "map and unmap a 1 GiB hugepage (reserved for the run if none is free)"},
   dma_map_hugetlb_1g},
  {{"dma.map_top", "map and unmap the last page of the IOVA space"}, dma_map_top},
  {{"dma.unmap_all", "unmap everything at once, the top page included"}, dma_unmap_all},
  {{"dma.map_bar", "DMA-map a BAR's mmap: type1 maps it, iommufd refuses (VM_PFNMAP)"}, dma_map_bar},
  {{"dma.overflow", "a map and an unmap wrapping around 2^64 fail with EOVERFLOW"}, dma_overflow},
};
const guint hd_selftest_n_dma_cases = G_N_ELEMENTS(hd_selftest_dma_cases);
