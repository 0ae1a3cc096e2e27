/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which processes hold a file open, found the way fuser(1) does, but with
 * one pass over /proc for a whole invocation: every /proc/<pid>/fd/<n> is
 * stat()ed once and indexed by what it is, and each question afterwards is
 * a lookup. Device nodes are indexed by type and device number (st_rdev),
 * so any node of the device matches whatever its path; anything else by
 * st_dev and st_ino, so a regular file standing in for a node matches too. */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef struct {
  int pid;
  char *comm; /* /proc/<pid>/comm, "?" when unreadable */
  char *path; /* which of the paths asked about it holds */
} HdFdHolder;

void hd_fd_holder_free(HdFdHolder *holder);

typedef struct _HdFdScan HdFdScan;

/* Reads every fd of every process other than this one. Processes whose fds
 * cannot be read (another user's, when unprivileged) are skipped silently:
 * they cannot be checked, not "not holding". */
HdFdScan *hd_fd_scan_new(void);
void hd_fd_scan_free(HdFdScan *scan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdFdScan, hd_fd_scan_free)

/* HdFdHolder* for every process holding any of PATHS (NULL-terminated;
 * paths that do not exist are skipped) open, by pid, each process once. */
GPtrArray *hd_fd_scan_holders(const HdFdScan *scan, const char *const *paths);

/* HdFdHolder* for every process holding a node of the block (BLOCK) or
 * character device RDEV open, by pid; their path is LABEL. */
GPtrArray *hd_fd_scan_node_holders(const HdFdScan *scan, gboolean block, dev_t rdev, const char *label);
