// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/kernel-write.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "util/crash-point.h"
#include "util/hd-error.h"
#include "util/sysfs-paths.h"

extern char **environ;

/* A reader (hd_kernel_write_pending) holds the lock shared for a moment:
 * a writer retries this long before it takes a held lock for a write in
 * flight, which lasts far longer. */
#define LOCK_RETRY_MS 500
#define LOCK_RETRY_US 2000

/* The descriptors the helper expects (tools/vfio-hostdev-write.c). */
#define HELPER_PENDING_FD 3
#define HELPER_RESULT_FD 4

static char *pending_path(const char *device)
{
  g_autofree char *name = g_strdup_printf("%s.pending", device);

  return hd_path_state_file(name);
}

/* The .pending text: "key=value" lines. */
static char *pending_field(const char *text, const char *key)
{
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_autofree char *prefix = g_strconcat(key, "=", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix(lines[i], prefix))
      return g_strdup(lines[i] + strlen(prefix));
  return NULL;
}

static char *describe_pending(int fd)
{
  char text[4096];
  ssize_t n = pread(fd, text, sizeof(text) - 1, 0);

  text[MAX(n, 0)] = '\0';
  g_autofree char *attribute = pending_field(text, "attribute");
  g_autofree char *value = pending_field(text, "value");
  g_autofree char *started = pending_field(text, "started");
  gint64 since = started != NULL ? g_ascii_strtoll(started, NULL, 10) : 0;
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local(since);
  g_autofree char *clock = when != NULL ? g_date_time_format(when, "%H:%M:%S") : g_strdup("?");

  return g_strdup_printf("writing \"%s\" to %s since %s", value != NULL ? value : "?",
                         attribute != NULL ? attribute : "?", clock);
}

char *hd_kernel_write_pending(const char *device)
{
  g_autofree char *path = pending_path(device);
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return NULL;
  char *description = NULL;
  if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
    description = describe_pending(fd);
  close(fd); /* drops a shared lock taken */
  return description;
}

static void set_pending_error(GError **error, const char *device, const char *description)
{
  g_set_error(error, HD_ERROR, HD_ERROR_UNFINISHED,
              "a kernel write for %s has not returned (%s): nothing more is written to it until it does; "
              "`vfio-hostdev status` shows it, `vfio-hostdev reattach` or `recover` finish once it has",
              device, description);
}

gboolean hd_kernel_write_check_idle(const char *device, GError **error)
{
  g_autofree char *description = hd_kernel_write_pending(device);

  if (description == NULL)
    return TRUE;
  set_pending_error(error, device, description);
  return FALSE;
}

static void set_errno_error(GError **error, int err, const char *what, const char *path)
{
  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "%s %s: %s", what, path, g_strerror(err));
}

/* Opens and locks the .pending file of DEVICE; -1 with ERROR when a write
 * is in flight or the file cannot be had. */
static int lock_pending(const char *device, GError **error)
{
  g_autofree char *dir = hd_path_state_dir();
  g_autofree char *path = pending_path(device);
  gint64 deadline = g_get_monotonic_time() + LOCK_RETRY_MS * 1000;

  if (g_mkdir_with_parents(dir, 0755) < 0) {
    set_errno_error(error, errno, "cannot create", dir);
    return -1;
  }
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    set_errno_error(error, errno, "cannot open", path);
    return -1;
  }
  while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      set_errno_error(error, errno, "cannot lock", path);
      close(fd);
      return -1;
    }
    if (g_get_monotonic_time() >= deadline) {
      g_autofree char *description = describe_pending(fd);
      set_pending_error(error, device, description);
      close(fd);
      return -1;
    }
    g_usleep(LOCK_RETRY_US);
  }
  return fd;
}

static gboolean record_start(int fd, const char *path, const char *value, GError **error)
{
  g_autofree char *text = g_strdup_printf("attribute=%s\nvalue=%s\nstarted=%" G_GINT64_FORMAT "\n", path, value,
                                          g_get_real_time() / G_USEC_PER_SEC);
  size_t len = strlen(text);

  if (ftruncate(fd, 0) < 0 || pwrite(fd, text, len, 0) != (ssize_t)len) {
    set_errno_error(error, errno, "cannot record the write to", path);
    return FALSE;
  }
  return TRUE;
}

/* Starts the helper: own session, default signals, stdio on /dev/null,
 * the locked .pending file and the result pipe as fds 3 and 4, nothing
 * else. Reaps its first process, which exits once the writer is forked. */
static gboolean start_helper(int pending_fd, int result_fd, const char *path, const char *value, GError **error)
{
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t all, none;
  char *argv[] = {(char *)VFIO_HOSTDEV_WRITE_HELPER, (char *)path, (char *)value, NULL};
  pid_t pid = -1;
  int status = 0;

  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawn_file_actions_init(&actions);
  for (int stdio = 0; stdio <= 2; stdio++)
    posix_spawn_file_actions_addopen(&actions, stdio, "/dev/null", stdio == 0 ? O_RDONLY : O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pending_fd, HELPER_PENDING_FD);
  posix_spawn_file_actions_adddup2(&actions, result_fd, HELPER_RESULT_FD);
  posix_spawn_file_actions_addclosefrom_np(&actions, HELPER_RESULT_FD + 1);
  int err = posix_spawn(&pid, argv[0], &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) {
    set_errno_error(error, err, "cannot run the kernel write helper", argv[0]);
    return FALSE;
  }
  /* a library user reaping every child (SIGCHLD ignored, or waitpid(-1))
   * may have taken it first: ECHILD */
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "the kernel write helper %s could not start (exit %d)", argv[0],
                WEXITSTATUS(status));
    return FALSE;
  }
  return TRUE;
}

/* Waits until the deadline for the helper's "<errno>\n". Returns the
 * number of bytes read: 0 when the helper died without a word, -1 at the
 * deadline. */
static ssize_t wait_result(int fd, gint64 deadline, char *buffer, size_t size)
{
  for (;;) {
    gint64 left_ms = (deadline - g_get_monotonic_time()) / 1000;
    struct pollfd pfd = {fd, POLLIN, 0};
    int ready = poll(&pfd, 1, (int)CLAMP(left_ms, 0, G_MAXINT));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      return -1;
    ssize_t n = read(fd, buffer, size - 1);
    if (n < 0 && errno == EINTR)
      continue;
    buffer[MAX(n, 0)] = '\0';
    return MAX(n, 0);
  }
}

static gboolean finish(const char *pending, const char *path, const char *answer, GError **error)
{
  gint64 err = 0;

  if (*answer == '\0' || !g_ascii_string_to_signed(g_strchomp((char *)answer), 10, 0, G_MAXINT, &err, NULL)) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "writing to %s: the kernel write helper ended without a result",
                path);
    return FALSE;
  }
  unlink(pending);
  if (err != 0) {
    set_errno_error(error, (int)err, "writing to", path);
    return FALSE;
  }
  return TRUE;
}

static gboolean write_through_helper(const char *device, const char *path, const char *value, guint timeout_ms,
                                     GError **error)
{
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  g_autofree char *pending = pending_path(device);
  int pipe_fds[2];
  char answer[32];

  int pending_fd = lock_pending(device, error);
  if (pending_fd < 0)
    return FALSE;
  if (!record_start(pending_fd, path, value, error) || pipe2(pipe_fds, O_CLOEXEC) < 0) {
    if (error != NULL && *error == NULL)
      set_errno_error(error, errno, "cannot make a pipe for", path);
    close(pending_fd);
    return FALSE;
  }
  gboolean started = start_helper(pending_fd, pipe_fds[1], path, value, error);
  /* the lock now lives as long as the helper */
  close(pending_fd);
  close(pipe_fds[1]);
  if (!started) {
    close(pipe_fds[0]);
    unlink(pending);
    return FALSE;
  }
  ssize_t n = wait_result(pipe_fds[0], deadline, answer, sizeof(answer));
  close(pipe_fds[0]);
  if (n >= 0)
    return finish(pending, path, answer, error);
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
              "writing \"%s\" to %s did not return within %u ms; the kernel still holds the device (%s)", value, path,
              timeout_ms, pending);
  return FALSE;
}

gboolean hd_kernel_write(const char *device, const char *path, const char *value, guint timeout_ms, GError **error)
{
  hd_crash_point();
  /* the crash hook kills between steps, never inside one: not while the
   * .pending file is there for a write whose result is on its way */
  hd_crash_write_begin();
  gboolean ok = write_through_helper(device, path, value, timeout_ms, error);
  hd_crash_write_end();
  return ok;
}
