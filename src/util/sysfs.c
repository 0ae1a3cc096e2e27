// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/crash-point.h"
#include "util/hd-error.h"

static void set_errno_error(GError **error, int err, const char *what, const char *path)
{
  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "%s %s: %s", what, path, g_strerror(err));
}

char *hd_sysfs_read(const char *path, GError **error)
{
  char *contents = NULL;

  if (!g_file_get_contents(path, &contents, NULL, error))
    return NULL;
  return g_strchomp(contents);
}

char *hd_sysfs_read_optional(const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  char *value = hd_sysfs_read(path, &local);

  if (value == NULL && !g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_propagate_error(error, g_steal_pointer(&local));
  return value;
}

gboolean hd_sysfs_read_hex(const char *path, guint32 *out, GError **error)
{
  g_autofree char *text = hd_sysfs_read(path, error);
  guint64 value = 0;

  if (text == NULL)
    return FALSE;
  const char *digits = g_str_has_prefix(text, "0x") ? text + 2 : text;
  if (!g_ascii_string_to_unsigned(digits, 16, 0, G_MAXUINT32, &value, NULL)) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s: not a hexadecimal number: \"%s\"", path, text);
    return FALSE;
  }
  *out = (guint32)value;
  return TRUE;
}

gboolean hd_sysfs_read_int(const char *path, gint64 *out, GError **error)
{
  g_autofree char *text = hd_sysfs_read(path, error);

  if (text == NULL)
    return FALSE;
  if (!g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, out, NULL)) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s: not a number: \"%s\"", path, text);
    return FALSE;
  }
  return TRUE;
}

char *hd_sysfs_link_basename(const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *target = g_file_read_link(path, &local);

  if (target == NULL) {
    if (!g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      g_propagate_error(error, g_steal_pointer(&local));
    return NULL;
  }
  return g_path_get_basename(target);
}

/* open + write + close, one step for the crash hook (a crash never falls
 * inside it). FALSE when the open failed; ERR is errno of what failed. */
static gboolean write_once(const char *path, const char *value, size_t len, ssize_t *written, int *err)
{
  int fd = -1;

  hd_crash_write_begin();
  fd = open(path, O_WRONLY | O_CLOEXEC);
  *err = errno;
  if (fd >= 0) {
    *written = write(fd, value, len);
    *err = errno;
    close(fd);
  }
  hd_crash_write_end();
  return fd >= 0;
}

gboolean hd_sysfs_write(const char *path, const char *value, GError **error)
{
  size_t len = strlen(value);
  ssize_t written = -1;
  int err = 0;

  hd_crash_point();
  if (!write_once(path, value, len, &written, &err)) {
    set_errno_error(error, err, "cannot open", path);
    return FALSE;
  }
  if (written < 0) {
    set_errno_error(error, err, "writing to", path);
    return FALSE;
  }
  if ((size_t)written != len) {
    set_errno_error(error, EIO, "short write to", path);
    return FALSE;
  }
  return TRUE;
}

gboolean hd_sysfs_exists(const char *path)
{
  struct stat st;

  return lstat(path, &st) == 0;
}

gboolean hd_sysfs_is_dir(const char *path)
{
  struct stat st;

  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *hd_sysfs_list_dir(const char *path, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open(path, 0, error);
  GPtrArray *names;
  const char *name;

  if (dir == NULL)
    return NULL;
  names = g_ptr_array_new_with_free_func(g_free);
  while ((name = g_dir_read_name(dir)) != NULL)
    g_ptr_array_add(names, g_strdup(name));
  g_ptr_array_sort(names, compare_strings);
  return names;
}
