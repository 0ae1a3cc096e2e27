// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/file-lock.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <sys/file.h>
#include <unistd.h>

/* How often a waiter retries: short next to the kernel work a holder does. */
#define RETRY_US 2000

struct _HdFileLock {
  int fd;
};

HdFileLock *hd_file_lock_acquire(const char *path, guint timeout_ms, GError **error)
{
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0) {
    int saved = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot open lock %s: %s", path,
                g_strerror(saved));
    return NULL;
  }
  /* Polling with LOCK_NB rather than a blocking flock bounds the wait. */
  while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
    int saved = errno;
    if (saved != EWOULDBLOCK && saved != EINTR) {
      close(fd);
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot lock %s: %s", path, g_strerror(saved));
      return NULL;
    }
    if (g_get_monotonic_time() >= deadline) {
      close(fd);
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY, "%s is still locked by another vfio-hostdev after %u ms",
                  path, timeout_ms);
      return NULL;
    }
    g_usleep(RETRY_US);
  }
  HdFileLock *lock = g_new0(HdFileLock, 1);
  lock->fd = fd;
  return lock;
}

void hd_file_lock_release(HdFileLock *lock)
{
  if (lock == NULL)
    return;
  close(lock->fd);
  g_free(lock);
}
