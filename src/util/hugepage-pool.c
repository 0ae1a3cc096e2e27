// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/hugepage-pool.h"

#include "util/host-paths.h"
#include "util/sysfs.h"

static char *pool_path(guint64 size_kb, gint64 node, const char *attr)
{
  g_autofree char *dir = g_strdup_printf("hugepages-%" G_GUINT64_FORMAT "kB", size_kb);

  return node >= 0 ? hd_path_node_hugepages(node, dir, attr) : hd_path_hugepages(dir, attr);
}

gboolean hd_hugepage_pool_exists(guint64 size_kb, gint64 node)
{
  g_autofree char *path = pool_path(size_kb, node, "nr_hugepages");

  return hd_sysfs_exists(path);
}

static gboolean read_count(guint64 size_kb, gint64 node, const char *attr, guint64 *out, GError **error)
{
  g_autofree char *path = pool_path(size_kb, node, attr);
  gint64 value = 0;

  if (!hd_sysfs_read_int(path, &value, error))
    return FALSE;
  *out = value < 0 ? 0 : (guint64)value;
  return TRUE;
}

guint64 hd_hugepage_pool_available(const HdHugepagePool *pool)
{
  return pool->free > pool->resv ? pool->free - pool->resv : 0;
}

/* Reservations are kept per page size, not per node (a node's directory
 * has no resv_hugepages): a reserved page may be taken from any node, so
 * all of them count against each node's free pages. */
gboolean hd_hugepage_pool_read(guint64 size_kb, gint64 node, HdHugepagePool *pool, GError **error)
{
  g_autofree char *resv = pool_path(size_kb, -1, "resv_hugepages");

  pool->resv = 0;
  return read_count(size_kb, node, "nr_hugepages", &pool->nr, error) &&
         read_count(size_kb, node, "free_hugepages", &pool->free, error) &&
         (!hd_sysfs_exists(resv) || read_count(size_kb, -1, "resv_hugepages", &pool->resv, error));
}

gboolean hd_hugepage_pool_set_nr(guint64 size_kb, gint64 node, guint64 nr, GError **error)
{
  g_autofree char *path = pool_path(size_kb, node, "nr_hugepages");
  g_autofree char *value = g_strdup_printf("%" G_GUINT64_FORMAT, nr);

  return hd_sysfs_write(path, value, error);
}

gboolean hd_hugepage_pool_shrink(guint64 size_kb, gint64 node, guint64 count, guint64 *given, GError **error)
{
  HdHugepagePool pool, after;

  *given = 0;
  if (!hd_hugepage_pool_read(size_kb, node, &pool, error))
    return FALSE;
  guint64 target = pool.nr - MIN(count, hd_hugepage_pool_available(&pool));
  if (target == pool.nr)
    return TRUE;
  if (!hd_hugepage_pool_set_nr(size_kb, node, target, error) || !hd_hugepage_pool_read(size_kb, node, &after, error))
    return FALSE;
  *given = after.nr < pool.nr ? pool.nr - after.nr : 0;
  return TRUE;
}
