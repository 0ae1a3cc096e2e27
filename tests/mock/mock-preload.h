/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mock-preload.h: internals shared by the pieces of the LD_PRELOAD
 * library (libvfio-hostdev-mock.so). */
#pragma once

/* The wrappers define the libc names themselves: no redirection of open
 * to open64 and no fortified inline versions may get in the way.  This
 * header must come before any system header. */
#undef _FILE_OFFSET_BITS
#undef _TIME_BITS
#undef _FORTIFY_SOURCE

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The real libc function next in the lookup order; aborts if missing. */
void *mock_real_symbol(const char *name);

/* MOCK_REAL(open)(...) calls the real open(), resolving it once. */
#define MOCK_REAL(fn)                                                        \
  ({                                                                         \
    static __typeof__(&fn) real_;                                            \
    __typeof__(&fn) r_ = __atomic_load_n(&real_, __ATOMIC_ACQUIRE);          \
    if (r_ == NULL) {                                                        \
      r_ = (__typeof__(&fn))mock_real_symbol(#fn);                           \
      __atomic_store_n(&real_, r_, __ATOMIC_RELEASE);                        \
    }                                                                        \
    r_;                                                                      \
  })

/* ---- mock-path.c ---- */

/* The fake host's root from VFIO_HOSTDEV_MOCK_ROOT; aborts when unset so
 * that a misconfigured test never touches the real host. */
const char *mock_root(void);
/* Like mock_root() but returns false instead of aborting when unset. */
bool mock_root_known(void);
/* Maps an absolute path under a faked prefix into the root: *out is path
 * itself when it is not faked, buf (PATH_MAX) when it is; *rewritten (may
 * be NULL) tells which.  Returns false with errno set when the result
 * does not fit. */
bool mock_map(const char *path, char *buf, const char **out, bool *rewritten);
/* Turns a resolved path inside the root back into its host form, in
 * place ("$ROOT/sys/x" -> "/sys/x"). */
void mock_unmap(char *resolved);

/* ---- mock-wrap-open.c ---- */

/* open(2) of path relative to dirfd as the preload does it: mapped into
 * the root, kernel attributes tracked (mode used with O_CREAT). */
int mock_open_common(int dirfd, const char *path, int flags, mode_t mode);

/* ---- mock-fd.c ---- */

#include <limits.h>

typedef struct {
  bool special;            /* an attribute the kernel emulation handles */
  char logical[PATH_MAX];  /* its resolved host path, e.g. /sys/devices/... */
} MockOpenInfo;

/* Before a real open of path (already mapped) relative to dirfd: fills
 * info and returns the flags to open with (O_TRUNC/O_APPEND/O_CREAT are
 * dropped for kernel attributes: they would wipe the fake file). */
int mock_fd_prepare(int dirfd, const char *path, int flags, MockOpenInfo *info);
/* After the open succeeded: tracks or forgets fd. */
void mock_fd_opened(int fd, const MockOpenInfo *info);

/* ---- mock-devnodes.c ---- */

/* True when the normalised PATH is /dev/<name> and the root has that node. */
bool mock_devnode_exists(const char *norm);
/* After a successful stat of PATH (as the tool named it; MAPPED: what was
 * really stat()ed): shows a fake node, or a /proc/<pid>/fd/<n> link to
 * one, as the block or character device it stands for. */
void mock_devnode_stat(const char *path, const char *mapped, mode_t *mode, dev_t *rdev);
/* True when MAPPED is a block node claimed exclusively (O_EXCL gets EBUSY). */
bool mock_devnode_claimed(const char *mapped);
/* The logical path fd is tracked with (malloc'd), or NULL: a write on fd
 * is a kernel operation. */
char *mock_fd_lookup(int fd);
/* The kernel operation of writing count bytes of buf to the attribute at
 * logical: the bytes taken, or -1 with errno set. */
ssize_t mock_fd_kernel_write(const char *logical, const void *buf, size_t count);
