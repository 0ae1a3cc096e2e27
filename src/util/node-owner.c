#include "util/node-owner.h"

#include <errno.h>
#include <gio/gio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/crash-point.h"

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
