// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-wrap-stat.c: stat, access and statfs families mapped into the root.
 * glibc >= 2.33 exports stat/lstat/fstatat directly; the __xstat family is
 * kept for programs built against older glibc. */
#include "mock-preload.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);

/* Declares buf/mapped for path and returns -1 when mapping failed. */
#define MAP(path)                                           \
  char buf_[PATH_MAX];                                      \
  const char *mapped;                                       \
  if (!mock_map(path, buf_, &mapped, NULL))                 \
    return -1

int stat(const char *path, struct stat *st)
{
  MAP(path);
  int rc = MOCK_REAL(stat)(mapped, st);
  if (rc == 0)
    mock_devnode_stat(path, mapped, &st->st_mode, &st->st_rdev);
  return rc;
}

int stat64(const char *path, struct stat64 *st)
{
  MAP(path);
  int rc = MOCK_REAL(stat64)(mapped, st);
  if (rc == 0)
    mock_devnode_stat(path, mapped, &st->st_mode, &st->st_rdev);
  return rc;
}

int lstat(const char *path, struct stat *st)
{
  MAP(path);
  int rc = MOCK_REAL(lstat)(mapped, st);
  if (rc == 0)
    mock_devnode_stat(path, mapped, &st->st_mode, &st->st_rdev);
  return rc;
}

int lstat64(const char *path, struct stat64 *st)
{
  MAP(path);
  int rc = MOCK_REAL(lstat64)(mapped, st);
  if (rc == 0)
    mock_devnode_stat(path, mapped, &st->st_mode, &st->st_rdev);
  return rc;
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
  MAP(path);
  int rc = MOCK_REAL(fstatat)(dirfd, mapped, st, flags);
  if (rc == 0 && path[0] == '/')
    mock_devnode_stat(path, mapped, &st->st_mode, &st->st_rdev);
  return rc;
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
  MAP(path);
  int rc = MOCK_REAL(fstatat64)(dirfd, mapped, st, flags);
  if (rc == 0 && path[0] == '/')
    mock_devnode_stat(path, mapped, &st->st_mode, &st->st_rdev);
  return rc;
}

int __xstat(int ver, const char *path, struct stat *st)
{
  MAP(path);
  return MOCK_REAL(__xstat)(ver, mapped, st);
}

int __xstat64(int ver, const char *path, struct stat64 *st)
{
  MAP(path);
  return MOCK_REAL(__xstat64)(ver, mapped, st);
}

int __lxstat(int ver, const char *path, struct stat *st)
{
  MAP(path);
  return MOCK_REAL(__lxstat)(ver, mapped, st);
}

int __lxstat64(int ver, const char *path, struct stat64 *st)
{
  MAP(path);
  return MOCK_REAL(__lxstat64)(ver, mapped, st);
}

int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
  MAP(path);
  return MOCK_REAL(__fxstatat)(ver, dirfd, mapped, st, flags);
}

int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{
  MAP(path);
  return MOCK_REAL(__fxstatat64)(ver, dirfd, mapped, st, flags);
}

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx)
{
  MAP(path);
  return MOCK_REAL(statx)(dirfd, mapped, flags, mask, stx);
}

int access(const char *path, int mode)
{
  MAP(path);
  return MOCK_REAL(access)(mapped, mode);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
  MAP(path);
  return MOCK_REAL(faccessat)(dirfd, mapped, mode, flags);
}

int euidaccess(const char *path, int mode)
{
  MAP(path);
  return MOCK_REAL(euidaccess)(mapped, mode);
}

int eaccess(const char *path, int mode)
{
  MAP(path);
  return MOCK_REAL(eaccess)(mapped, mode);
}

int statfs(const char *path, struct statfs *st)
{
  MAP(path);
  return MOCK_REAL(statfs)(mapped, st);
}

int statfs64(const char *path, struct statfs64 *st)
{
  MAP(path);
  return MOCK_REAL(statfs64)(mapped, st);
}

int statvfs(const char *path, struct statvfs *st)
{
  MAP(path);
  return MOCK_REAL(statvfs)(mapped, st);
}

int statvfs64(const char *path, struct statvfs64 *st)
{
  MAP(path);
  return MOCK_REAL(statvfs64)(mapped, st);
}
