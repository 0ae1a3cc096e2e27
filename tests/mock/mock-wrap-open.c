// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-wrap-open.c: the open family, mapped into the root.  Every variant
 * funnels into one helper that calls the real openat(); the fopen family
 * is in mock-wrap-stdio.c. */
#include "mock-preload.h"
#include "mock-tree.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

/* Opens of the deny list's file by this process (found or not), appended
 * as "read deny.conf <count>" to ops.log at exit: the tool reads it once
 * per invocation, whatever the device count. */
static unsigned long deny_conf_opens;

__attribute__((destructor)) static void report_deny_conf_opens(void)
{
  if (deny_conf_opens > 0 && mock_root_known())
    mt_log("ops.log", "read deny.conf %lu\n", deny_conf_opens);
}

int mock_open_common(int dirfd, const char *path, int flags, mode_t mode)
{
  char buf[PATH_MAX];
  MockOpenInfo info;
  bool rewritten;
  const char *mapped;
  int fd;

  if (path != NULL && strcmp(path, "/etc/vfio-hostdev/deny.conf") == 0)
    __atomic_add_fetch(&deny_conf_opens, 1, __ATOMIC_RELAXED);
  if (!mock_map(path, buf, &mapped, &rewritten))
    return -1;
  /* sysfs never creates files: a missing attribute stays ENOENT. */
  if (rewritten && strncmp(path, "/sys", 4) == 0)
    flags &= ~O_CREAT;
  /* Only the tool's own view counts: a faked path or one relative to a
   * directory (possibly inside the root).  Root-prefixed absolute paths
   * are the mock's own files, e.g. the emulation storing driver_override. */
  if (rewritten && (flags & O_EXCL) && !(flags & O_CREAT) && mock_devnode_claimed(mapped)) {
    errno = EBUSY;
    return -1;
  }
  info.special = false;
  if (rewritten || (path != NULL && path[0] != '/'))
    flags = mock_fd_prepare(dirfd, mapped, flags, &info);
  fd = MOCK_REAL(openat)(dirfd, mapped, flags, mode);
  if (fd >= 0) {
    int saved = errno;
    mock_fd_opened(fd, &info);
    errno = saved;
  }
  return fd;
}

/* The mode argument exists only with O_CREAT or O_TMPFILE. */
#define MODE_ARG(flags, mode)                                   \
  do {                                                          \
    if ((flags) & (O_CREAT | __O_TMPFILE)) {                    \
      va_list ap_;                                              \
      va_start(ap_, flags);                                     \
      mode = (mode_t)va_arg(ap_, int);                          \
      va_end(ap_);                                              \
    }                                                           \
  } while (0)

int open(const char *path, int flags, ...)
{
  mode_t mode = 0;

  MODE_ARG(flags, mode);
  return mock_open_common(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
  mode_t mode = 0;

  MODE_ARG(flags, mode);
  return mock_open_common(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
  mode_t mode = 0;

  MODE_ARG(flags, mode);
  return mock_open_common(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
  mode_t mode = 0;

  MODE_ARG(flags, mode);
  return mock_open_common(dirfd, path, flags | O_LARGEFILE, mode);
}

int __open_2(const char *path, int flags)
{
  return mock_open_common(AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
  return mock_open_common(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

int __openat_2(int dirfd, const char *path, int flags)
{
  return mock_open_common(dirfd, path, flags, 0);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
  return mock_open_common(dirfd, path, flags | O_LARGEFILE, 0);
}

int creat(const char *path, mode_t mode)
{
  return mock_open_common(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int creat64(const char *path, mode_t mode)
{
  return mock_open_common(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_LARGEFILE, mode);
}
