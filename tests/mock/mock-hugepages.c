// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-hugepages.c: the kernel's hugetlb pools
 * (/sys/kernel/mm/hugepages/hugepages-<size>kB/), as writes of
 * nr_hugepages change them (mm/hugetlb.c, set_max_huge_pages()):
 *  - growing adds free pages, as many as the kernel can find: all of them,
 *    unless $ROOT/.mock/hugepages-max/hugepages-<size>kB caps the pool's
 *    size (memory too fragmented); no error either way;
 *  - shrinking frees only pages that are free and not reserved
 *    (resv_hugepages): a pool with pages in use stays larger than asked.
 * Pages in use are nr - free; a test sets free_hugepages and
 * resv_hugepages directly to model users.  (The kernel would show pages
 * in use beyond the asked size as surplus_hugepages; not modelled.) */
#include "mock-tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long read_count(const char *dir, const char *attr, unsigned long missing)
{
  char rel[PATH_MAX];
  char *text;
  unsigned long value = missing;

  if (mt_fmt(rel, "%s/%s", dir, attr) < 0 || (text = mt_read_trim(rel)) == NULL)
    return missing;
  value = strtoul(text, NULL, 10);
  free(text);
  return value;
}

int mt_hugepages_set_nr(const char *pool, unsigned long wanted)
{
  char dir[PATH_MAX], cap[PATH_MAX];

  if (mt_fmt(dir, "/sys/kernel/mm/hugepages/%s", pool) < 0 || mt_fmt(cap, "/.mock/hugepages-max/%s", pool) < 0)
    return -ENAMETOOLONG;
  unsigned long nr = read_count(dir, "nr_hugepages", 0);
  unsigned long free_pages = read_count(dir, "free_hugepages", 0);
  unsigned long resv = read_count(dir, "resv_hugepages", 0);
  unsigned long max = read_count("/.mock/hugepages-max", pool, (unsigned long)-1);

  if (wanted > nr) {
    unsigned long granted = wanted < max ? wanted : max;
    if (granted > nr) {
      free_pages += granted - nr;
      nr = granted;
    }
  } else {
    unsigned long unused = free_pages > resv ? free_pages - resv : 0;
    unsigned long removed = nr - wanted < unused ? nr - wanted : unused;
    nr -= removed;
    free_pages -= removed;
  }
  char rel[PATH_MAX];
  if (mt_fmt(rel, "%s/nr_hugepages", dir) < 0 || mt_writef(rel, "%lu\n", nr) < 0 ||
      mt_fmt(rel, "%s/free_hugepages", dir) < 0 || mt_writef(rel, "%lu\n", free_pages) < 0)
    return -EIO;
  return 0;
}
