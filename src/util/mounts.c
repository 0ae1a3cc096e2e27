// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/mounts.h"

#include <libmount.h>
#include <string.h>

#include "util/hd-error.h"
#include "util/sysfs-paths.h"

void hd_mount_free(HdMount *mount)
{
  if (mount == NULL)
    return;
  g_free(mount->source);
  g_free(mount->target);
  g_free(mount->fstype);
  g_free(mount->options);
  g_free(mount);
}

GPtrArray *hd_mounts_list(GError **error)
{
  g_autofree char *path = hd_path_mountinfo();
  struct libmnt_table *table = mnt_new_table_from_file(path);
  struct libmnt_iter *iter;
  struct libmnt_fs *fs;

  if (table == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot read the mount table %s", path);
    return NULL;
  }
  GPtrArray *mounts = g_ptr_array_new_with_free_func((GDestroyNotify)hd_mount_free);
  iter = mnt_new_iter(MNT_ITER_FORWARD);
  while (mnt_table_next_fs(table, iter, &fs) == 0) {
    HdMount *mount = g_new0(HdMount, 1);
    mount->devno = mnt_fs_get_devno(fs);
    mount->source = g_strdup(mnt_fs_get_source(fs));
    mount->target = g_strdup(mnt_fs_get_target(fs));
    mount->fstype = g_strdup(mnt_fs_get_fstype(fs));
    mount->options = g_strdup(mnt_fs_get_fs_options(fs));
    g_ptr_array_add(mounts, mount);
  }
  mnt_free_iter(iter);
  mnt_unref_table(table);
  return mounts;
}

GPtrArray *hd_swaps_list(GError **error)
{
  const char *path = "/proc/swaps";
  struct libmnt_table *table = mnt_new_table();
  struct libmnt_iter *iter;
  struct libmnt_fs *fs;

  /* no /proc/swaps: a kernel without swap support has none active */
  if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
    mnt_unref_table(table);
    return g_ptr_array_new_with_free_func(g_free);
  }
  if (mnt_table_parse_swaps(table, path) != 0) {
    mnt_unref_table(table);
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot read the active swap areas %s", path);
    return NULL;
  }
  GPtrArray *swaps = g_ptr_array_new_with_free_func(g_free);
  iter = mnt_new_iter(MNT_ITER_FORWARD);
  while (mnt_table_next_fs(table, iter, &fs) == 0)
    g_ptr_array_add(swaps, g_strdup(mnt_fs_get_source(fs)));
  mnt_free_iter(iter);
  mnt_unref_table(table);
  return swaps;
}

const HdMount *hd_mount_of_path(const GPtrArray *mounts, const char *path)
{
  const HdMount *best = NULL;

  for (guint i = 0; i < mounts->len; i++) {
    const HdMount *mount = g_ptr_array_index(mounts, i);
    gsize len = strlen(mount->target);
    gboolean inside = g_str_equal(mount->target, "/") ||
                      (g_str_has_prefix(path, mount->target) && (path[len] == '/' || path[len] == '\0'));
    /* the later of equal targets: a mount over another hides it */
    if (inside && (best == NULL || len >= strlen(best->target)))
      best = mount;
  }
  return best;
}
