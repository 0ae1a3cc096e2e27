// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/hugepage-pool.h"

#include "util/host-paths.h"
#include "util/sysfs.h"

static char *pool_path(guint64 size_kb, const char *attr)
{
  g_autofree char *dir = g_strdup_printf("hugepages-%" G_GUINT64_FORMAT "kB", size_kb);

  return hd_path_hugepages(dir, attr);
}

gboolean hd_hugepage_pool_exists(guint64 size_kb)
{
  g_autofree char *path = pool_path(size_kb, "nr_hugepages");

  return hd_sysfs_exists(path);
}

static gboolean read_count(guint64 size_kb, const char *attr, guint64 *out, GError **error)
{
  g_autofree char *path = pool_path(size_kb, attr);
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

gboolean hd_hugepage_pool_read(guint64 size_kb, HdHugepagePool *pool, GError **error)
{
  g_autofree char *resv = pool_path(size_kb, "resv_hugepages");

  pool->resv = 0;
  return read_count(size_kb, "nr_hugepages", &pool->nr, error) &&
         read_count(size_kb, "free_hugepages", &pool->free, error) &&
         (!hd_sysfs_exists(resv) || read_count(size_kb, "resv_hugepages", &pool->resv, error));
}

gboolean hd_hugepage_pool_set_nr(guint64 size_kb, guint64 nr, GError **error)
{
  g_autofree char *path = pool_path(size_kb, "nr_hugepages");
  g_autofree char *value = g_strdup_printf("%" G_GUINT64_FORMAT, nr);

  return hd_sysfs_write(path, value, error);
}

gboolean hd_hugepage_pool_shrink(guint64 size_kb, guint64 count, guint64 *given, GError **error)
{
  HdHugepagePool pool, after;

  *given = 0;
  if (!hd_hugepage_pool_read(size_kb, &pool, error))
    return FALSE;
  guint64 target = pool.nr - MIN(count, hd_hugepage_pool_available(&pool));
  if (target == pool.nr)
    return TRUE;
  if (!hd_hugepage_pool_set_nr(size_kb, target, error) || !hd_hugepage_pool_read(size_kb, &after, error))
    return FALSE;
  *given = after.nr < pool.nr ? pool.nr - after.nr : 0;
  return TRUE;
}
