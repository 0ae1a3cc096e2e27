// SPDX-License-Identifier: LGPL-2.1-or-later
/* vfio-hostdev-write: one sysfs write that may block in the kernel, done by
 * a process that holds nothing else (installed in libexecdir; the library
 * runs it, never a user).
 *
 * A write to unbind, drivers_probe, sriov_numvfs or reset can sleep
 * uninterruptibly for as long as a driver's remove() or probe() likes. A
 * thread in that state keeps its whole process from being reaped, with
 * every lock and descriptor it holds. So the library hands the write to
 * this program and waits only as long as it wants to.
 *
 *   vfio-hostdev-write ATTRIBUTE VALUE
 *   fd 3: the device's .pending file, already flock()ed by the library (the
 *         lock is the open file's, so this process holds it as long as it
 *         lives: the lock says the write is in flight, pids are reused)
 *   fd 4: a pipe to the library: the result ("<errno>\n", 0 for success)
 *
 * The library starts it in its own session with stdio on /dev/null and no
 * other descriptor. It forks once and exits at once, so the library reaps
 * it right away and the writer is re-parented to init (or the nearest
 * subreaper): no library user ever sees a SIGCHLD for it. The writer
 * records the result in the .pending file ("finished=1", "errno=N") before
 * telling the library, so a later command that finds the lock free knows
 * how the write ended even when nobody waited for it. Exit status of the
 * first process: 0 when the writer was started, 2 for bad usage. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define PENDING_FD 3
#define RESULT_FD 4

static int write_attribute(const char *path, const char *value)
{
  size_t len = strlen(value);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  ssize_t written;
  int err;

  if (fd < 0)
    return errno;
  written = write(fd, value, len);
  err = written < 0 ? errno : (size_t)written != len ? EIO : 0;
  close(fd);
  return err;
}

/* Appends the outcome to the .pending record the library wrote. */
static void record_result(int err)
{
  dprintf(PENDING_FD, "finished=1\nerrno=%d\n", err);
}

int main(int argc, char **argv)
{
  pid_t pid;
  int err;

  if (argc != 3 || fcntl(PENDING_FD, F_GETFD) < 0 || fcntl(RESULT_FD, F_GETFD) < 0) {
    fprintf(stderr, "vfio-hostdev-write: run by libvfio-hostdev only (ATTRIBUTE VALUE, fds 3 and 4)\n");
    return 2;
  }
  pid = fork();
  if (pid < 0)
    return 1;
  if (pid > 0)
    _exit(0);
  /* the library may have stopped waiting: its end of the pipe is gone */
  signal(SIGPIPE, SIG_IGN);
  err = write_attribute(argv[1], argv[2]);
  lseek(PENDING_FD, 0, SEEK_END);
  record_result(err);
  dprintf(RESULT_FD, "%d\n", err);
  return 0;
}
