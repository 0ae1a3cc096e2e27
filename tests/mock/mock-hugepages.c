// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-hugepages.c: the kernel's hugetlb pools
 * (/sys/kernel/mm/hugepages/hugepages-<size>kB/) and, on a NUMA host, each
 * node's share of them (/sys/devices/system/node/nodeN/hugepages/
 * hugepages-<size>kB/: nr_hugepages and free_hugepages; reservations are
 * the whole pool's only), as writes of nr_hugepages change them
 * (mm/hugetlb.c, set_max_huge_pages()):
 *  - growing adds free pages, as many as the kernel can find: all of them,
 *    unless $ROOT/.mock/hugepages-max/hugepages-<size>kB caps the whole
 *    pool's size (memory too fragmented); no error either way;
 *  - shrinking frees only pages that are free and not reserved
 *    (resv_hugepages, counted against the whole pool): a pool with pages
 *    in use stays larger than asked.
 * A node's write changes that node's pages; a write of the whole pool
 * spreads its pages over the nodes that have the pool, one page at a time
 * in turn (the kernel interleaves over the allowed nodes). The whole
 * pool's counters stay the sum of the nodes'. Pages in use are nr - free;
 * a test sets free_hugepages and resv_hugepages directly to model users.
 * (The kernel would show pages in use beyond the asked size as
 * surplus_hugepages; not modelled.) */
#include "mock-tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 64

typedef struct {
  char dir[PATH_MAX];
  unsigned long nr, free_pages;
} Pool;

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

static void load(Pool *pool)
{
  pool->nr = read_count(pool->dir, "nr_hugepages", 0);
  pool->free_pages = read_count(pool->dir, "free_hugepages", 0);
}

static int save(const Pool *pool)
{
  char rel[PATH_MAX];

  if (mt_fmt(rel, "%s/nr_hugepages", pool->dir) < 0 || mt_writef(rel, "%lu\n", pool->nr) < 0 ||
      mt_fmt(rel, "%s/free_hugepages", pool->dir) < 0 || mt_writef(rel, "%lu\n", pool->free_pages) < 0)
    return -EIO;
  return 0;
}

/* The nodes that have SIZE's pool, in node order. */
static int load_nodes(const char *size, Pool *nodes)
{
  char **names;
  int n = mt_list_dir("/sys/devices/system/node", &names), count = 0;

  for (int i = 0; i < n && count < MAX_NODES; i++) {
    Pool *node = &nodes[count];
    char rel[PATH_MAX];
    if (strncmp(names[i], "node", 4) != 0 || mt_fmt(node->dir, "/sys/devices/system/node/%s/hugepages/%s",
                                                     names[i], size) < 0 ||
        mt_fmt(rel, "%s/nr_hugepages", node->dir) < 0 || !mt_exists(rel))
      continue;
    load(node);
    count++;
  }
  if (n > 0)
    mt_strv_free(names);
  return count;
}

/* Pages that can go from POOL: free ones not promised, of the whole pool. */
static unsigned long unused(const Pool *pool, const Pool *whole, unsigned long resv)
{
  unsigned long whole_unused = whole->free_pages > resv ? whole->free_pages - resv : 0;

  return pool->free_pages < whole_unused ? pool->free_pages : whole_unused;
}

/* One page more (GROW) or less on POOL and the whole pool. */
static void move_page(Pool *pool, Pool *whole, bool grow)
{
  Pool *changed[] = {whole, pool != whole ? pool : NULL};

  for (size_t i = 0; i < sizeof(changed) / sizeof(changed[0]) && changed[i] != NULL; i++) {
    if (grow) {
      changed[i]->nr++;
      changed[i]->free_pages++;
    } else {
      changed[i]->nr--;
      changed[i]->free_pages--;
    }
  }
}

/* Changes TARGET (a node, or the whole pool spread over NODES) towards
 * WANTED pages, as far as the cap and the unused pages allow. */
static void resize(Pool *target, Pool *whole, Pool *nodes, int n_nodes, unsigned long wanted, unsigned long max,
                   unsigned long resv)
{
  bool grow = wanted > target->nr;
  int turn = 0, idle = 0;

  while (target->nr != wanted && idle <= n_nodes) {
    Pool *pool = target != whole || n_nodes == 0 ? target : &nodes[turn++ % n_nodes];
    bool can = grow ? whole->nr < max : unused(pool, whole, resv) > 0;
    if (!can) {
      if (pool == target)
        break;
      idle++;
      continue;
    }
    idle = 0;
    move_page(pool, whole, grow);
  }
}

int mt_hugepages_set_nr(const char *pool_id, unsigned long wanted)
{
  char size[64], cap[PATH_MAX];
  int node_number = -1;
  Pool whole, nodes[MAX_NODES], *target = &whole;

  if (sscanf(pool_id, "node%d:%63s", &node_number, size) != 2)
    snprintf(size, sizeof(size), "%s", pool_id);
  if (mt_fmt(whole.dir, "/sys/kernel/mm/hugepages/%s", size) < 0 || mt_fmt(cap, "/.mock/hugepages-max/%s", size) < 0)
    return -ENAMETOOLONG;
  load(&whole);
  int n_nodes = load_nodes(size, nodes);
  for (int i = 0; i < n_nodes && node_number >= 0; i++) {
    char want[PATH_MAX];
    mt_fmt(want, "/sys/devices/system/node/node%d/hugepages/%s", node_number, size);
    if (strcmp(nodes[i].dir, want) == 0)
      target = &nodes[i];
  }
  if (node_number >= 0 && target == &whole)
    return -ENOENT;
  resize(target, &whole, nodes, n_nodes, wanted, read_count("/.mock/hugepages-max", size, (unsigned long)-1),
         read_count(whole.dir, "resv_hugepages", 0));
  for (int i = 0; i < n_nodes; i++)
    if (save(&nodes[i]) < 0)
      return -EIO;
  return save(&whole);
}
