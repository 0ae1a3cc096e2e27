// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-wrap-stdio.c: stdio on the fake host.  fopen() and friends are
 * mapped into the root; writes through stdio reach the kernel emulation.
 *
 * glibc's stdio writes with an internal write() the preload cannot
 * interpose, so:
 *  - a kernel attribute fopen()ed for writing, or an fd on one fdopen()ed,
 *    is a fopencookie() stream
 *    whose writes are kernel writes (fprintf/fputs/fwrite + fflush/fclose,
 *    as sysfs sees them: one store() per flushed buffer);
 *  - a stream on an fd that became an attribute later (a shell's
 *    `echo 1 > attr` dup2()s it onto stdout) has its buffer handed to the
 *    emulation by fflush() and fclose(), and at exit for stdout/stderr;
 *  - dprintf() formats here and write()s through the preload;
 *  - anything else reaches the real fd, which cannot write (mock-fd.c):
 *    EBADF, never a silent write into the fake file.
 */
#include "mock-preload.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* open(2) flags for an fopen() mode, or -1 when it is not one. */
static int mode_flags(const char *mode)
{
  int flags;

  switch (mode[0]) {
  case 'r': flags = O_RDONLY; break;
  case 'w': flags = O_WRONLY | O_CREAT | O_TRUNC; break;
  case 'a': flags = O_WRONLY | O_CREAT | O_APPEND; break;
  default: return -1;
  }
  for (const char *m = mode + 1; *m != '\0' && *m != ','; m++) {
    if (*m == '+')
      flags = (flags & ~O_ACCMODE) | O_RDWR;
    else if (*m == 'e')
      flags |= O_CLOEXEC;
    else if (*m == 'x')
      flags |= O_EXCL;
  }
  return flags;
}

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
  return read((int)(intptr_t)cookie, buf, size);
}

/* One kernel write per flushed buffer, all of it or an error. */
static ssize_t cookie_write(void *cookie, const char *buf, size_t size)
{
  int fd = (int)(intptr_t)cookie;
  char *logical = mock_fd_lookup(fd);
  ssize_t rc;

  if (logical == NULL) {
    errno = EBADF;
    return -1;
  }
  rc = mock_fd_kernel_write(logical, buf, size);
  free(logical);
  return rc;
}

static int cookie_seek(void *cookie, off64_t *offset, int whence)
{
  off_t at = lseek((int)(intptr_t)cookie, (off_t)*offset, whence);

  if (at < 0)
    return -1;
  *offset = at;
  return 0;
}

static int cookie_close(void *cookie)
{
  return close((int)(intptr_t)cookie);
}

static const cookie_io_functions_t kernel_io = {
  .read = cookie_read, .write = cookie_write, .seek = cookie_seek, .close = cookie_close,
};

/* A stream on fd: a cookie stream when fd is on a kernel attribute (whose
 * real fd cannot write, so glibc's fdopen() would refuse its mode). */
FILE *fdopen(int fd, const char *mode)
{
  char *logical = mock_fd_lookup(fd);

  if (logical == NULL)
    return MOCK_REAL(fdopen)(fd, mode);
  free(logical);
  return fopencookie((void *)(intptr_t)fd, mode, kernel_io);
}

/* A writing fopen() of path, through open(2) so that a kernel attribute is
 * tracked and gets a cookie stream. */
static FILE *open_for_writing(const char *path, const char *mode, int flags)
{
  FILE *stream;
  int fd = mock_open_common(AT_FDCWD, path, flags, 0666);

  if (fd < 0)
    return NULL;
  stream = fdopen(fd, mode);
  if (stream == NULL) {
    int saved = errno;
    close(fd);
    errno = saved;
  }
  return stream;
}

FILE *fopen(const char *path, const char *mode)
{
  char buf[PATH_MAX];
  const char *mapped;
  int flags = mode_flags(mode);

  if (flags >= 0 && (flags & O_ACCMODE) != O_RDONLY)
    return open_for_writing(path, mode, flags);
  if (!mock_map(path, buf, &mapped, NULL))
    return NULL;
  return MOCK_REAL(fopen)(mapped, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
  return fopen(path, mode);
}

/* Reopening a stream onto a kernel attribute for writing would need the
 * stream's own fd to write through stdio's internal path: refused, loudly. */
FILE *freopen(const char *path, const char *mode, FILE *stream)
{
  char buf[PATH_MAX];
  const char *mapped;
  bool rewritten;
  int flags = mode_flags(mode);

  if (!mock_map(path, buf, &mapped, &rewritten))
    return NULL;
  if (rewritten && flags >= 0 && (flags & O_ACCMODE) != O_RDONLY && strncmp(path, "/sys/", 5) == 0) {
    fprintf(stderr, "vfio-hostdev mock: freopen(\"%s\", \"%s\") for writing is not emulated\n", path, mode);
    errno = EOPNOTSUPP;
    return NULL;
  }
  return MOCK_REAL(freopen)(mapped, mode, stream);
}

FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
  return freopen(path, mode, stream);
}

/* Hands what stream has buffered for a tracked fd to the emulation, as
 * one write; an error marks the stream as a failed write() would. */
static int push_buffer(FILE *stream)
{
  int fd = fileno(stream);
  char *logical;
  size_t pending;
  int rc = 0;

  if (fd < 0 || (logical = mock_fd_lookup(fd)) == NULL)
    return 0;
  flockfile(stream);
  pending = (size_t)(stream->_IO_write_ptr - stream->_IO_write_base);
  if (pending > 0) {
    if (mock_fd_kernel_write(logical, stream->_IO_write_base, pending) < 0) {
      stream->_flags |= _IO_ERR_SEEN;
      rc = EOF;
    }
    stream->_IO_write_ptr = stream->_IO_write_base;
  }
  funlockfile(stream);
  free(logical);
  return rc;
}

int fflush(FILE *stream)
{
  int rc;

  if (stream == NULL) {
    rc = push_buffer(stdout);
    if (push_buffer(stderr) != 0)
      rc = EOF;
    return MOCK_REAL(fflush)(NULL) != 0 ? EOF : rc;
  }
  if (push_buffer(stream) != 0) {
    int saved = errno;
    MOCK_REAL(fflush)(stream);
    errno = saved;
    return EOF;
  }
  return MOCK_REAL(fflush)(stream);
}

int fflush_unlocked(FILE *stream)
{
  return fflush(stream);
}

int fclose(FILE *stream)
{
  int pushed = stream != NULL ? push_buffer(stream) : 0;
  int saved = errno;
  int rc = MOCK_REAL(fclose)(stream);

  if (pushed != 0) {
    errno = saved;
    return EOF;
  }
  return rc;
}

/* glibc's vdprintf() writes through a stream of its own on fd: format
 * here and write() through the preload instead. */
int vdprintf(int fd, const char *format, va_list ap)
{
  char *text = NULL;
  int len = vasprintf(&text, format, ap);
  ssize_t rc;

  if (len < 0)
    return -1;
  rc = write(fd, text, (size_t)len);
  free(text);
  return rc < 0 ? -1 : (int)rc;
}

int dprintf(int fd, const char *format, ...)
{
  va_list ap;
  int rc;

  va_start(ap, format);
  rc = vdprintf(fd, format, ap);
  va_end(ap);
  return rc;
}

/* exit() flushes stdout after the destructors, through the internal write:
 * hand its buffer over first. */
__attribute__((destructor)) static void push_standard_streams(void)
{
  int saved = errno;

  push_buffer(stdout);
  push_buffer(stderr);
  errno = saved;
}
