/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which mount a path lives on, and whether it is read-only, read from a
 * mountinfo file with libmount. The answer is lexical: the mount whose
 * target is the longest whole-component prefix of the path (symlinks are
 * not followed), the last one in file order when mounts are stacked on the
 * same target, since that one hides the others. */
#pragma once

#include <glib.h>

typedef struct {
  char *target;       /* the mount point, "/sys" */
  char *fstype;       /* "sysfs" */
  gboolean read_only; /* "ro" in the per-mount or the superblock options */
} HdMountPoint;

void hd_mount_point_free(HdMountPoint *mount);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdMountPoint, hd_mount_point_free)

/* The mount PATH (absolute) is on according to MOUNTINFO (a
 * /proc/<pid>/mountinfo file). NULL without error when no entry covers
 * PATH (not even "/"); NULL with HD_ERROR_FAILED when the file cannot be
 * parsed. */
HdMountPoint *hd_mount_point_of(const char *mountinfo, const char *path, GError **error);
