// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/node-owner.h"

#include <errno.h>
#include <gio/gio.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/crash-point.h"
#include "util/hd-error.h"

/* Larger than any passwd entry: a lookup that needs more is an error. */
#define USER_BUFFER_MAX (1024 * 1024)

static gboolean fail_errno(GError **error, const char *what, const char *path)
{
  int saved = errno;

  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot %s %s: %s", what, path, g_strerror(saved));
  return FALSE;
}

gboolean hd_node_owner_get(const char *path, HdNodeOwner *out, GError **error)
{
  struct stat st;

  if (stat(path, &st) < 0)
    return fail_errno(error, "stat", path);
  out->uid = st.st_uid;
  out->gid = st.st_gid;
  out->mode = st.st_mode & 07777;
  return TRUE;
}

gboolean hd_node_owner_set(const char *path, const HdNodeOwner *owner, GError **error)
{
  hd_crash_point();
  if (chown(path, owner->uid, owner->gid) < 0)
    return fail_errno(error, "change the owner of", path);
  if (chmod(path, owner->mode) < 0)
    return fail_errno(error, "change the mode of", path);
  return TRUE;
}

/* getpwnam_r/getpwuid_r into a buffer that grows on ERANGE: the plain
 * getpwnam returns a static buffer another thread of the application may be
 * filling at the same time. */
static gboolean lookup_passwd(const char *name, uid_t uid, struct passwd *entry, char **buffer, int *saved_errno)
{
  long suggested = sysconf(_SC_GETPW_R_SIZE_MAX);
  gsize size = suggested > 0 ? (gsize)suggested : 1024;
  struct passwd *found = NULL;

  for (;;) {
    *buffer = g_realloc(*buffer, size);
    int status = name != NULL ? getpwnam_r(name, entry, *buffer, size, &found)
                              : getpwuid_r(uid, entry, *buffer, size, &found);
    if (status == ERANGE && size < USER_BUFFER_MAX) {
      size *= 2;
      continue;
    }
    *saved_errno = status;
    return found != NULL;
  }
}

gboolean hd_user_lookup(const char *user, guint *uid, guint *gid, GError **error)
{
  g_autofree char *buffer = NULL;
  struct passwd entry;
  guint64 number = 0;
  int saved = 0;
  gboolean numeric = g_ascii_string_to_unsigned(user, 10, 0, G_MAXUINT32 - 1, &number, NULL);

  if (!lookup_passwd(numeric ? NULL : user, (uid_t)number, &entry, &buffer, &saved)) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "no such user \"%s\"%s%s", user, saved != 0 ? ": " : "",
                saved != 0 ? g_strerror(saved) : "");
    return FALSE;
  }
  *uid = entry.pw_uid;
  *gid = entry.pw_gid;
  return TRUE;
}
