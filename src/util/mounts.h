/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mounted filesystems, as libmount reads /proc/self/mountinfo. */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef struct {
  dev_t devno;  /* the major:minor field of mountinfo */
  char *source; /* "/dev/nvme0n1p2", "tmpfs", ... */
  char *target; /* the mount point */
  char *fstype;  /* "ext4", "nfs4", or NULL */
  char *options; /* the filesystem's own options ("vers=4.2,addr=192.0.2.1"), or NULL */
} HdMount;

void hd_mount_free(HdMount *mount);

/* HdMount* for every entry of /proc/self/mountinfo, in file order. */
GPtrArray *hd_mounts_list(GError **error);

/* The file or device names of the active swap areas, as /proc/swaps lists
 * them ("/dev/nvme0n1p3", "/swapfile"); empty when the kernel has no swap. */
GPtrArray *hd_swaps_list(GError **error);

/* The mount of MOUNTS (hd_mounts_list()) whose filesystem holds the absolute
 * PATH: the one with the longest target that contains it; NULL when none. */
const HdMount *hd_mount_of_path(const GPtrArray *mounts, const char *path);
