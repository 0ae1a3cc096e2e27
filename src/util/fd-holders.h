/* Which processes hold a file open, found the way fuser(1) does: every
 * /proc/<pid>/fd/<n> is stat()ed and compared with the file. Character
 * devices match by device number (st_rdev), anything else by st_dev and
 * st_ino, so a regular file standing in for a device node matches too. */
#pragma once

#include <glib.h>

typedef struct {
  int pid;
  char *comm; /* /proc/<pid>/comm, "?" when unreadable */
  char *path; /* which of the paths asked about it holds */
} HdFdHolder;

void hd_fd_holder_free(HdFdHolder *holder);

/* HdFdHolder* for every process other than this one holding any of PATHS
 * (NULL-terminated; paths that do not exist are skipped) open, by pid.
 * Processes whose fds cannot be read (another user's, when unprivileged)
 * are skipped silently: they cannot be checked, not "not holding". */
GPtrArray *hd_fd_holders(const char *const *paths);
