// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/device/migration.h"

HdMigration *hd_migration_new(const char *source)
{
  HdMigration *migration = g_new0(HdMigration, 1);

  migration->source = source;
  return migration;
}

static HdMigration *unknown(HdMigration *migration, char *reason)
{
  migration->supported = HD_MIGRATION_UNKNOWN;
  migration->reason = reason;
  return migration;
}

/* NULL when debugfs is there to read, else why not. An unmounted
 * /sys/kernel/debug is an empty directory; a mounted debugfs never is
 * empty. Only root may read it (mode 0700). */
static char *debugfs_problem(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open(HD_DEBUGFS_ROOT, 0, &error);

  if (dir == NULL && g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_ACCES))
    return g_strdup("debugfs (" HD_DEBUGFS_ROOT ") is readable by root only");
  if (dir == NULL && !g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return g_strdup_printf("cannot read debugfs: %s", error->message);
  if (dir == NULL || g_dir_read_name(dir) == NULL)
    return g_strdup("debugfs is not mounted at " HD_DEBUGFS_ROOT);
  return NULL;
}

/* migration/features (kernels after 6.12): the flags and dirty tracking. */
static void read_features(HdMigration *migration, const char *migration_dir)
{
  g_autofree char *path = g_build_filename(migration_dir, "features", NULL);
  g_autofree char *text = NULL;

  if (!g_file_get_contents(path, &text, NULL, NULL))
    return;
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  migration->flags_known = TRUE;
  migration->dirty_tracking = HD_MIGRATION_UNSUPPORTED;
  for (guint i = 0; lines[i] != NULL; i++) {
    if (g_str_equal(lines[i], "stop-copy"))
      migration->flags |= HD_MIGRATION_STOP_COPY;
    else if (g_str_equal(lines[i], "p2p"))
      migration->flags |= HD_MIGRATION_P2P;
    else if (g_str_equal(lines[i], "pre-copy"))
      migration->flags |= HD_MIGRATION_PRE_COPY;
    else if (g_str_equal(lines[i], "dirty-tracking"))
      migration->dirty_tracking = HD_MIGRATION_SUPPORTED;
  }
}

HdMigration *hd_migration_from_debugfs(const char *address, gboolean vfio_bound)
{
  HdMigration *migration = hd_migration_new("debugfs");
  g_autofree char *problem = NULL;

  if (!vfio_bound)
    return unknown(migration, g_strdup("not bound to a VFIO driver: only a VFIO device can say"));
  if ((problem = debugfs_problem()) != NULL)
    return unknown(migration, g_steal_pointer(&problem));
  if (!g_file_test(HD_DEBUGFS_ROOT "/vfio", G_FILE_TEST_IS_DIR))
    return unknown(migration, g_strdup("the kernel has no VFIO debugfs (CONFIG_VFIO_DEBUGFS is off)"));
  g_autofree char *device_dir = g_build_filename(HD_DEBUGFS_ROOT, "vfio", address, NULL);
  if (!g_file_test(device_dir, G_FILE_TEST_IS_DIR))
    return unknown(migration, g_strdup_printf("debugfs has no vfio/%s", address));
  g_autofree char *migration_dir = g_build_filename(device_dir, "migration", NULL);
  if (!g_file_test(migration_dir, G_FILE_TEST_IS_DIR)) {
    /* the driver registered no migration ops: no flags, certainly */
    migration->supported = HD_MIGRATION_UNSUPPORTED;
    migration->flags_known = TRUE;
    return migration;
  }
  migration->supported = HD_MIGRATION_SUPPORTED;
  read_features(migration, migration_dir);
  return migration;
}

void hd_migration_free(HdMigration *migration)
{
  if (migration == NULL)
    return;
  g_free(migration->reason);
  g_free(migration);
}
