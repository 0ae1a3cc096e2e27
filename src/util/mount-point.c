// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/mount-point.h"

#include <libmount.h>
#include <string.h>

#include "util/hd-error.h"

void hd_mount_point_free(HdMountPoint *mount)
{
  if (mount == NULL)
    return;
  g_free(mount->target);
  g_free(mount->fstype);
  g_free(mount);
}

/* Length of TARGET when it is PATH or a parent directory of PATH, else -1. */
static gssize covering_length(const char *target, const char *path)
{
  gsize len = strlen(target);

  if (strcmp(target, "/") == 0)
    return 1;
  if (strncmp(target, path, len) != 0 || (path[len] != '\0' && path[len] != '/'))
    return -1;
  return (gssize)len;
}

static gboolean has_ro(const char *options)
{
  return options != NULL && mnt_optstr_get_option(options, "ro", NULL, NULL) == 0;
}

HdMountPoint *hd_mount_point_of(const char *mountinfo, const char *path, GError **error)
{
  struct libmnt_table *table = mnt_new_table_from_file(mountinfo);
  struct libmnt_iter *iter;
  struct libmnt_fs *fs, *best = NULL;
  gssize best_len = -1;

  if (table == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot read the mount table %s", mountinfo);
    return NULL;
  }
  iter = mnt_new_iter(MNT_ITER_FORWARD);
  while (mnt_table_next_fs(table, iter, &fs) == 0) {
    const char *target = mnt_fs_get_target(fs);
    gssize len = target != NULL ? covering_length(target, path) : -1;
    /* >=: a later mount on the same target is stacked on top */
    if (len >= 0 && len >= best_len) {
      best = fs;
      best_len = len;
    }
  }
  HdMountPoint *mount = NULL;
  if (best != NULL) {
    mount = g_new0(HdMountPoint, 1);
    mount->target = g_strdup(mnt_fs_get_target(best));
    mount->fstype = g_strdup(mnt_fs_get_fstype(best));
    mount->read_only = has_ro(mnt_fs_get_vfs_options(best)) || has_ro(mnt_fs_get_fs_options(best));
  }
  mnt_free_iter(iter);
  mnt_unref_table(table);
  return mount;
}
