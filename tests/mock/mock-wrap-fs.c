// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-wrap-fs.c: directories, links, renames and metadata calls mapped
 * into the root.  realpath() of a faked path answers in host form
 * ("/sys/devices/..."), as the tool compares such paths. */
#include "mock-preload.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#define MAP_AS(path, mapped, fail)                          \
  char mapped##_buf[PATH_MAX];                              \
  const char *mapped;                                       \
  if (!mock_map(path, mapped##_buf, &mapped, NULL))         \
    return fail

DIR *opendir(const char *path)
{
  MAP_AS(path, mapped, NULL);
  return MOCK_REAL(opendir)(mapped);
}

int scandir(const char *path, struct dirent ***list, int (*filter)(const struct dirent *),
            int (*compar)(const struct dirent **, const struct dirent **))
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(scandir)(mapped, list, filter, compar);
}

int scandir64(const char *path, struct dirent64 ***list, int (*filter)(const struct dirent64 *),
              int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(scandir64)(mapped, list, filter, compar);
}

ssize_t readlink(const char *path, char *buf, size_t size)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(readlink)(mapped, buf, size);
}

ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(readlinkat)(dirfd, mapped, buf, size);
}

char *realpath(const char *path, char *resolved)
{
  bool rewritten;
  char buf[PATH_MAX];
  const char *mapped;
  char *out;

  if (!mock_map(path, buf, &mapped, &rewritten))
    return NULL;
  out = MOCK_REAL(realpath)(mapped, resolved);
  if (rewritten)
    mock_unmap(out);
  return out;
}

char *canonicalize_file_name(const char *path)
{
  bool rewritten;
  char buf[PATH_MAX];
  const char *mapped;
  char *out;

  if (!mock_map(path, buf, &mapped, &rewritten))
    return NULL;
  out = MOCK_REAL(canonicalize_file_name)(mapped);
  if (rewritten)
    mock_unmap(out);
  return out;
}

int chdir(const char *path)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(chdir)(mapped);
}

int mkdir(const char *path, mode_t mode)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(mkdir)(mapped, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(mkdirat)(dirfd, mapped, mode);
}

int rmdir(const char *path)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(rmdir)(mapped);
}

int unlink(const char *path)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(unlink)(mapped);
}

int unlinkat(int dirfd, const char *path, int flags)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(unlinkat)(dirfd, mapped, flags);
}

int rename(const char *from, const char *to)
{
  MAP_AS(from, mfrom, -1);
  MAP_AS(to, mto, -1);
  return MOCK_REAL(rename)(mfrom, mto);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
  MAP_AS(from, mfrom, -1);
  MAP_AS(to, mto, -1);
  return MOCK_REAL(renameat)(fromfd, mfrom, tofd, mto);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags)
{
  MAP_AS(from, mfrom, -1);
  MAP_AS(to, mto, -1);
  return MOCK_REAL(renameat2)(fromfd, mfrom, tofd, mto, flags);
}

/* The link's contents (target) are data, not a path to map. */
int symlink(const char *target, const char *path)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(symlink)(target, mapped);
}

int symlinkat(const char *target, int dirfd, const char *path)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(symlinkat)(target, dirfd, mapped);
}

int link(const char *from, const char *to)
{
  MAP_AS(from, mfrom, -1);
  MAP_AS(to, mto, -1);
  return MOCK_REAL(link)(mfrom, mto);
}

int linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
  MAP_AS(from, mfrom, -1);
  MAP_AS(to, mto, -1);
  return MOCK_REAL(linkat)(fromfd, mfrom, tofd, mto, flags);
}

int chmod(const char *path, mode_t mode)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(chmod)(mapped, mode);
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(fchmodat)(dirfd, mapped, mode, flags);
}

int chown(const char *path, uid_t uid, gid_t gid)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(chown)(mapped, uid, gid);
}

int lchown(const char *path, uid_t uid, gid_t gid)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(lchown)(mapped, uid, gid);
}

int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(fchownat)(dirfd, mapped, uid, gid, flags);
}

/* Extended attributes (POSIX ACLs: system.posix_acl_access) go to the
 * faked file, where the host's kernel keeps them as it would on the node:
 * validating the ACL and moving the mode's group bits with its mask. */
ssize_t getxattr(const char *path, const char *name, void *value, size_t size)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(getxattr)(mapped, name, value, size);
}

ssize_t lgetxattr(const char *path, const char *name, void *value, size_t size)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(lgetxattr)(mapped, name, value, size);
}

int setxattr(const char *path, const char *name, const void *value, size_t size, int flags)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(setxattr)(mapped, name, value, size, flags);
}

int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(lsetxattr)(mapped, name, value, size, flags);
}

int removexattr(const char *path, const char *name)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(removexattr)(mapped, name);
}

int lremovexattr(const char *path, const char *name)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(lremovexattr)(mapped, name);
}

ssize_t listxattr(const char *path, char *list, size_t size)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(listxattr)(mapped, list, size);
}

int truncate(const char *path, off_t length)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(truncate)(mapped, length);
}

int truncate64(const char *path, off64_t length)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(truncate64)(mapped, length);
}

int mkfifo(const char *path, mode_t mode)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(mkfifo)(mapped, mode);
}

int mkfifoat(int dirfd, const char *path, mode_t mode)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(mkfifoat)(dirfd, mapped, mode);
}

int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(utimensat)(dirfd, mapped, times, flags);
}

int utimes(const char *path, const struct timeval times[2])
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(utimes)(mapped, times);
}

int utime(const char *path, const struct utimbuf *times)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(utime)(mapped, times);
}

int inotify_add_watch(int fd, const char *path, uint32_t mask)
{
  MAP_AS(path, mapped, -1);
  return MOCK_REAL(inotify_add_watch)(fd, mapped, mask);
}
