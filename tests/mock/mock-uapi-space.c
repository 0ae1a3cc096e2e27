// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-uapi-space.c: an IO address space as the kernel keeps it for a
 * type1 container or an iommufd IOAS: mappings IOVA -> process memory,
 * the usable ranges of an Intel IOMMU with 39-bit addresses (QEMU's
 * default) minus the MSI window, and the checks map and unmap make. */
#include "mock-uapi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ULL

static const struct vfio_iova_range device_ranges[] = {
  {0x0, 0xfedfffff},
  {0xfef00000, 0x7fffffffffULL},
};
static const struct vfio_iova_range full_range[] = {{0x0, UINT64_MAX}};

MuSpace *mu_space_new(void)
{
  MuSpace *space = calloc(1, sizeof(*space));

  if (space != NULL)
    space->refs = 1;
  return space;
}

MuSpace *mu_space_ref(MuSpace *space)
{
  space->refs++;
  return space;
}

void mu_space_unref(MuSpace *space)
{
  if (space == NULL || --space->refs > 0)
    return;
  free(space->maps);
  free(space);
}

const struct vfio_iova_range *mu_space_ranges(const MuSpace *space, size_t *n)
{
  if (space->attached == 0) {
    *n = 1;
    return full_range;
  }
  *n = sizeof(device_ranges) / sizeof(device_ranges[0]);
  return device_ranges;
}

static bool in_ranges(const MuSpace *space, uint64_t iova, uint64_t last)
{
  size_t n;
  const struct vfio_iova_range *ranges = mu_space_ranges(space, &n);

  for (size_t i = 0; i < n; i++)
    if (iova >= ranges[i].start && last <= ranges[i].end)
      return true;
  return false;
}

/* What pinning would find: every page of the range mapped in the process. */
static bool process_memory(void *vaddr, uint64_t size)
{
  size_t pages = size / PAGE;
  unsigned char *vec = malloc(pages);
  bool ok = vec != NULL && mincore(vaddr, size, vec) == 0;

  free(vec);
  return ok;
}

/* Whether part of [vaddr, vaddr+size) maps a fake BAR (the memfd that
 * mock-uapi-device.c hands out): what the kernel marks VM_PFNMAP. */
static bool bar_memory(void *vaddr, uint64_t size)
{
  uintptr_t first = (uintptr_t)vaddr, last = first + (size - 1);
  FILE *maps = fopen("/proc/self/maps", "re");
  char line[512];
  bool bar = false;

  while (maps != NULL && !bar && fgets(line, sizeof(line), maps) != NULL) {
    unsigned long start, end;
    if (sscanf(line, "%lx-%lx", &start, &end) == 2 && start <= last && first < end)
      bar = strstr(line, "mock-vfio-bar") != NULL;
  }
  if (maps != NULL)
    fclose(maps);
  return bar;
}

int mu_space_map(MuSpace *space, uint64_t iova, uint64_t size, void *vaddr, bool pins)
{
  uint64_t last;

  if (size == 0 || (iova | size | (uintptr_t)vaddr) & (PAGE - 1))
    return -EINVAL;
  if (__builtin_add_overflow(iova, size - 1, &last))
    return -EOVERFLOW;
  if (!in_ranges(space, iova, last))
    return -EINVAL;
  for (size_t i = 0; i < space->n_maps; i++) {
    const MuMapping *m = &space->maps[i];
    if (iova <= m->iova + (m->size - 1) && m->iova <= last)
      return -EEXIST;
  }
  if (!process_memory(vaddr, size) || (pins && bar_memory(vaddr, size)))
    return -EFAULT;
  if (space->n_maps == space->cap_maps) {
    size_t cap = space->cap_maps ? space->cap_maps * 2 : 8;
    MuMapping *maps = realloc(space->maps, cap * sizeof(*maps));
    if (maps == NULL)
      return -ENOMEM;
    space->maps = maps;
    space->cap_maps = cap;
  }
  space->maps[space->n_maps++] = (MuMapping){iova, size, vaddr};
  return 0;
}

int mu_space_unmap(MuSpace *space, uint64_t iova, uint64_t size, bool all, uint64_t *unmapped)
{
  uint64_t last = UINT64_MAX, total = 0;
  size_t kept = 0;

  if (!all) {
    if (size == 0 || (iova | size) & (PAGE - 1))
      return -EINVAL;
    if (__builtin_add_overflow(iova, size - 1, &last))
      return -EOVERFLOW;
    /* type1v2 and iommufd never split a mapping. */
    for (size_t i = 0; i < space->n_maps; i++) {
      const MuMapping *m = &space->maps[i];
      uint64_t m_last = m->iova + (m->size - 1);
      bool overlaps = m->iova <= last && iova <= m_last;
      if (overlaps && (m->iova < iova || m_last > last))
        return -EINVAL;
    }
  }
  for (size_t i = 0; i < space->n_maps; i++) {
    const MuMapping *m = &space->maps[i];
    if (all || (m->iova >= iova && m->iova + (m->size - 1) <= last))
      total += m->size;
    else
      space->maps[kept++] = *m;
  }
  space->n_maps = kept;
  *unmapped = total;
  return 0;
}

void *mu_space_translate(const MuSpace *space, uint64_t iova, uint64_t len)
{
  for (size_t i = 0; space != NULL && len > 0 && i < space->n_maps; i++) {
    const MuMapping *m = &space->maps[i];
    if (iova >= m->iova && iova - m->iova <= m->size - len && len <= m->size)
      return (char *)m->vaddr + (iova - m->iova);
  }
  return NULL;
}
