// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/mounts.h"

#include <libmount.h>

#include "util/hd-error.h"
#include "util/sysfs-paths.h"

void hd_mount_free(HdMount *mount)
{
  if (mount == NULL)
    return;
  g_free(mount->source);
  g_free(mount->target);
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
    g_ptr_array_add(mounts, mount);
  }
  mnt_free_iter(iter);
  mnt_unref_table(table);
  return mounts;
}
