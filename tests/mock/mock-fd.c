// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-fd.c: remembers which fds are open on kernel attributes (sysfs
 * files whose writes act) and turns write(2) on them into kernel
 * operations.
 *
 * A write never silently lands in the fake file instead: the real fd
 * behind a tracked one cannot write (O_PATH for a write-only open,
 * O_RDONLY for read-write), so a path the preload cannot see (stdio's
 * glibc-internal write, a syscall made directly) fails with EBADF.  The
 * paths it can see reach the emulation: write, pwrite, writev, pwritev
 * here, stdio in mock-wrap-stdio.c.  Tracking follows dup/dup2/dup3 and
 * close, and across exec: a new process tracks the O_PATH fds on kernel
 * attributes it inherited (`/bin/echo 1 > reset` from a shell).  Each
 * tracked fd remembers the file's device and inode so that an fd number
 * reused behind our back (socket(), pipe(), glibc-internal opens) is never
 * mistaken for an attribute.
 */
#include "mock-preload.h"
#include "mock-tree.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

typedef struct {
  char *logical;
  dev_t dev;
  ino_t ino;
} Tracked;

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static Tracked *table;
static size_t table_size;
/* Lets write() and close() skip the mutex in processes that never opened
 * an attribute, which is nearly all writes. */
static int tracked_count;

/* Physical path of path relative to dirfd, as a host path inside the
 * root; false when it is outside the root or does not exist. */
static bool logical_path(int dirfd, const char *path, char *out)
{
  char joined[PATH_MAX], resolved[PATH_MAX];
  const char *root;

  if (path[0] != '/' && dirfd != AT_FDCWD) {
    char link[64], dir[PATH_MAX];
    ssize_t n;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
    if ((n = MOCK_REAL(readlink)(link, dir, sizeof(dir) - 1)) < 0)
      return false;
    dir[n] = '\0';
    if (mt_fmt(joined, "%s/%s", dir, path) < 0)
      return false;
    path = joined;
  }
  if (MOCK_REAL(realpath)(path, resolved) == NULL)
    return false;
  root = mock_root();
  if (strncmp(resolved, root, strlen(root)) != 0 || resolved[strlen(root)] != '/')
    return false;
  snprintf(out, PATH_MAX, "%s", resolved + strlen(root));
  return true;
}

int mock_fd_prepare(int dirfd, const char *path, int flags, MockOpenInfo *info)
{
  int saved = errno;

  info->special = false;
  if ((flags & O_ACCMODE) == O_RDONLY || path == NULL || !mock_root_known())
    return flags;
  if (logical_path(dirfd, path, info->logical))
    info->special = mt_kernel_is_special(info->logical);
  errno = saved;
  if (!info->special)
    return flags;
  /* The real fd must not be able to write the fake file: see the top. */
  int access = flags & O_ACCMODE;
  flags &= ~(O_TRUNC | O_APPEND | O_CREAT | O_EXCL | O_ACCMODE);
  return access == O_WRONLY ? flags | O_PATH : flags | O_RDONLY;
}

/* Grows the table to hold fd; call with the lock held. */
static bool table_reserve(int fd)
{
  size_t want = (size_t)fd + 1;
  Tracked *nt;

  if (want <= table_size)
    return true;
  if (want < 64)
    want = 64;
  if (want < table_size * 2)
    want = table_size * 2;
  if ((nt = realloc(table, want * sizeof(*nt))) == NULL)
    return false;
  memset(nt + table_size, 0, (want - table_size) * sizeof(*nt));
  table = nt;
  table_size = want;
  return true;
}

/* Call with the lock held. */
static void forget_locked(int fd)
{
  if (fd >= 0 && (size_t)fd < table_size && table[fd].logical != NULL) {
    free(table[fd].logical);
    table[fd].logical = NULL;
    __atomic_sub_fetch(&tracked_count, 1, __ATOMIC_RELEASE);
  }
}

static void track(int fd, const char *logical, dev_t dev, ino_t ino)
{
  pthread_mutex_lock(&table_lock);
  forget_locked(fd);
  if (table_reserve(fd) && (table[fd].logical = strdup(logical)) != NULL) {
    table[fd].dev = dev;
    table[fd].ino = ino;
    __atomic_add_fetch(&tracked_count, 1, __ATOMIC_RELEASE);
  }
  pthread_mutex_unlock(&table_lock);
}

static void forget(int fd)
{
  if (__atomic_load_n(&tracked_count, __ATOMIC_ACQUIRE) == 0)
    return;
  pthread_mutex_lock(&table_lock);
  forget_locked(fd);
  pthread_mutex_unlock(&table_lock);
}

void mock_fd_opened(int fd, const MockOpenInfo *info)
{
  struct stat st;

  if (fd < 0)
    return;
  if (!info->special || fstat(fd, &st) < 0) {
    forget(fd);
    return;
  }
  track(fd, info->logical, st.st_dev, st.st_ino);
}

char *mock_fd_lookup(int fd)
{
  char *logical = NULL;
  dev_t dev = 0;
  ino_t ino = 0;
  struct stat st;

  if (__atomic_load_n(&tracked_count, __ATOMIC_ACQUIRE) == 0 || fd < 0)
    return NULL;
  pthread_mutex_lock(&table_lock);
  if ((size_t)fd < table_size && table[fd].logical != NULL) {
    logical = strdup(table[fd].logical);
    dev = table[fd].dev;
    ino = table[fd].ino;
  }
  pthread_mutex_unlock(&table_lock);
  if (logical != NULL && (fstat(fd, &st) < 0 || st.st_dev != dev || st.st_ino != ino)) {
    free(logical);
    forget(fd);
    return NULL;
  }
  return logical;
}

ssize_t mock_fd_kernel_write(const char *logical, const void *buf, size_t count)
{
  ssize_t rc = mt_kernel_write(logical, buf, count);

  if (rc < 0) {
    errno = (int)-rc;
    return -1;
  }
  return rc;
}

ssize_t write(int fd, const void *buf, size_t count)
{
  char *logical = mock_fd_lookup(fd);
  ssize_t rc;

  if (logical == NULL)
    return MOCK_REAL(write)(fd, buf, count);
  rc = mock_fd_kernel_write(logical, buf, count);
  free(logical);
  return rc;
}

/* sysfs ignores the offset of a store; so does the emulation. */
ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
  char *logical = mock_fd_lookup(fd);
  ssize_t rc;

  if (logical == NULL)
    return MOCK_REAL(pwrite)(fd, buf, count, offset);
  rc = mock_fd_kernel_write(logical, buf, count);
  free(logical);
  return rc;
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset)
{
  char *logical = mock_fd_lookup(fd);
  ssize_t rc;

  if (logical == NULL)
    return MOCK_REAL(pwrite64)(fd, buf, count, offset);
  rc = mock_fd_kernel_write(logical, buf, count);
  free(logical);
  return rc;
}

/* One kernel write of the gathered buffers, as sysfs takes a writev: the
 * attribute's store() sees one buffer. */
static ssize_t kernel_writev(const char *logical, const struct iovec *iov, int iovcnt)
{
  size_t total = 0, at = 0;
  ssize_t rc;
  char *buf;

  if (iovcnt < 0) {
    errno = EINVAL;
    return -1;
  }
  for (int i = 0; i < iovcnt; i++)
    total += iov[i].iov_len;
  if ((buf = malloc(total + 1)) == NULL)
    return -1;
  for (int i = 0; i < iovcnt; i++) {
    memcpy(buf + at, iov[i].iov_base, iov[i].iov_len);
    at += iov[i].iov_len;
  }
  rc = mock_fd_kernel_write(logical, buf, total);
  free(buf);
  return rc;
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
  char *logical = mock_fd_lookup(fd);
  ssize_t rc;

  if (logical == NULL)
    return MOCK_REAL(writev)(fd, iov, iovcnt);
  rc = kernel_writev(logical, iov, iovcnt);
  free(logical);
  return rc;
}

ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, off_t offset)
{
  char *logical = mock_fd_lookup(fd);
  ssize_t rc;

  if (logical == NULL)
    return MOCK_REAL(pwritev)(fd, iov, iovcnt, offset);
  rc = kernel_writev(logical, iov, iovcnt);
  free(logical);
  return rc;
}

ssize_t pwritev64(int fd, const struct iovec *iov, int iovcnt, off64_t offset)
{
  char *logical = mock_fd_lookup(fd);
  ssize_t rc;

  if (logical == NULL)
    return MOCK_REAL(pwritev64)(fd, iov, iovcnt, offset);
  rc = kernel_writev(logical, iov, iovcnt);
  free(logical);
  return rc;
}

int close(int fd)
{
  forget(fd);
  return MOCK_REAL(close)(fd);
}

/* Copies the tracking of oldfd to newfd after a successful dup. */
static void copy_tracking(int oldfd, int newfd)
{
  char *logical;
  struct stat st;

  if (newfd < 0)
    return;
  forget(newfd);
  if ((logical = mock_fd_lookup(oldfd)) != NULL && fstat(newfd, &st) == 0)
    track(newfd, logical, st.st_dev, st.st_ino);
  free(logical);
}

int dup(int oldfd)
{
  int fd = MOCK_REAL(dup)(oldfd);

  copy_tracking(oldfd, fd);
  return fd;
}

int dup2(int oldfd, int newfd)
{
  int fd = MOCK_REAL(dup2)(oldfd, newfd);

  if (fd >= 0 && fd != oldfd)
    copy_tracking(oldfd, fd);
  return fd;
}

int dup3(int oldfd, int newfd, int flags)
{
  int fd = MOCK_REAL(dup3)(oldfd, newfd, flags);

  copy_tracking(oldfd, fd);
  return fd;
}

/* Tracks fd when it is an O_PATH fd on a kernel attribute: only the
 * preload opens those, for a write-only open in an earlier process image. */
static void track_inherited(int fd)
{
  char link[64], target[PATH_MAX], logical[PATH_MAX];
  int flags = fcntl(fd, F_GETFL);
  struct stat st;
  ssize_t n;

  if (flags < 0 || !(flags & O_PATH))
    return;
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  if ((n = MOCK_REAL(readlink)(link, target, sizeof(target) - 1)) < 0)
    return;
  target[n] = '\0';
  if (logical_path(AT_FDCWD, target, logical) && mt_kernel_is_special(logical) && fstat(fd, &st) == 0)
    track(fd, logical, st.st_dev, st.st_ino);
}

/* At load: the fds this process image inherited (see the top). */
__attribute__((constructor)) static void track_inherited_fds(void)
{
  int saved = errno;
  char entries[4096];
  long n;
  int dir;

  if (!mock_root_known())
    return;
  if ((dir = MOCK_REAL(openat)(AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return;
  while ((n = syscall(SYS_getdents64, dir, entries, sizeof(entries))) > 0) {
    for (long at = 0; at < n;) {
      struct dirent64 *entry = (struct dirent64 *)(entries + at);
      if (entry->d_name[0] != '.' && atoi(entry->d_name) != dir)
        track_inherited(atoi(entry->d_name));
      at += entry->d_reclen;
    }
  }
  MOCK_REAL(close)(dir);
  errno = saved;
}
