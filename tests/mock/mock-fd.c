// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-fd.c: remembers which fds are open on kernel attributes (sysfs
 * files whose writes act) and turns write(2) on them into kernel
 * operations.
 *
 * Constraint for the tool: write sysfs attributes with open() + write() +
 * close() (glib's g_file_set_contents() or stdio would write elsewhere or
 * through glibc-internal calls the preload cannot see).  Tracking follows
 * dup/dup2/dup3 and close; an fd inherited across exec is not tracked.
 * Each tracked fd remembers the file's device and inode so that an fd
 * number reused behind our back (socket(), pipe(), glibc-internal opens)
 * is never mistaken for an attribute.
 */
#include "mock-preload.h"
#include "mock-tree.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
  return info->special ? flags & ~(O_TRUNC | O_APPEND | O_CREAT | O_EXCL) : flags;
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

/* The logical path fd is tracked with (malloc'd), or NULL. */
static char *lookup(int fd)
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

static ssize_t kernel_write(const char *logical, const void *buf, size_t count)
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
  char *logical = lookup(fd);
  ssize_t rc;

  if (logical == NULL)
    return MOCK_REAL(write)(fd, buf, count);
  rc = kernel_write(logical, buf, count);
  free(logical);
  return rc;
}

/* sysfs ignores the offset of a store; so does the emulation. */
ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
  char *logical = lookup(fd);
  ssize_t rc;

  if (logical == NULL)
    return MOCK_REAL(pwrite)(fd, buf, count, offset);
  rc = kernel_write(logical, buf, count);
  free(logical);
  return rc;
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset)
{
  char *logical = lookup(fd);
  ssize_t rc;

  if (logical == NULL)
    return MOCK_REAL(pwrite64)(fd, buf, count, offset);
  rc = kernel_write(logical, buf, count);
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
  if ((logical = lookup(oldfd)) != NULL && fstat(newfd, &st) == 0)
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
