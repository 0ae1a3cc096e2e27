// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/atomic-file.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/crash-point.h"

static gboolean fail_errno(GError **error, int err, const char *what, const char *path)
{
  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "%s %s: %s", what, path, g_strerror(err));
  return FALSE;
}

static gboolean write_all(int fd, const char *data, gsize length)
{
  while (length > 0) {
    ssize_t n = write(fd, data, length);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    data += n;
    length -= (gsize)n;
  }
  return TRUE;
}

/* The rename is durable only once the directory entry itself is on disk. */
static void sync_parent(const char *path)
{
  g_autofree char *dir = g_path_get_dirname(path);
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return;
  fsync(fd);
  close(fd);
}

/* The writer's pid in NAME ("<file>.tmp-<pid>-<random>"), 0 when NAME is
 * not such a temporary. */
static pid_t temporary_owner(const char *name)
{
  const char *tmp = g_strrstr(name, ".tmp-");
  char *end = NULL;
  guint64 pid = 0;

  if (tmp == NULL)
    return 0;
  pid = g_ascii_strtoull(tmp + strlen(".tmp-"), &end, 10);
  if (end == NULL || *end != '-' || pid == 0 || pid > G_MAXINT32)
    return 0;
  return (pid_t)pid;
}

gboolean hd_atomic_remove(const char *path, GError **error)
{
  hd_crash_point();
  if (g_unlink(path) < 0 && errno != ENOENT) {
    int saved = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot remove %s: %s", path, g_strerror(saved));
    return FALSE;
  }
  return TRUE;
}


void hd_atomic_remove_stale(const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name(listing)) != NULL) {
    pid_t pid = temporary_owner(name);
    if (pid == 0 || kill(pid, 0) == 0 || errno != ESRCH)
      continue;
    g_autofree char *path = g_build_filename(dir, name, NULL);
    unlink(path);
  }
}

gboolean hd_atomic_write(const char *path, const char *contents, gsize length, mode_t mode, GError **error)
{
  /* A name unique to this process and thread, so that concurrent writers of
   * the same file never share a temporary; O_EXCL refuses a leftover. */
  g_autofree char *tmp = g_strdup_printf("%s.tmp-%d-%08x", path, (int)getpid(), g_random_int());
  int fd = -1;

  hd_crash_point();
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

  if (fd < 0)
    return fail_errno(error, errno, "cannot create", tmp);
  if (!write_all(fd, contents, length) || fsync(fd) < 0) {
    int saved = errno != 0 ? errno : EIO;
    close(fd);
    unlink(tmp);
    return fail_errno(error, saved, "cannot write", tmp);
  }
  close(fd);
  if (rename(tmp, path) < 0) {
    int saved = errno;
    unlink(tmp);
    return fail_errno(error, saved, "cannot rename to", path);
  }
  sync_parent(path);
  return TRUE;
}
