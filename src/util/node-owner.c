// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/node-owner.h"

#include <errno.h>
#include <gio/gio.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
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

/* ---- POSIX ACLs ------------------------------------------------------------ */

#define ACL_XATTR "system.posix_acl_access"
#define ACL_RW (ACL_READ | ACL_WRITE)
/* more entries than any ACL a node is given */
#define ACL_MAX_ENTRIES 256

typedef struct {
  guint16 tag;
  guint16 perm;
  guint32 id;
} AclEntry;

/* The ACL the kernel keeps for a file without the xattr: its mode bits. */
static void acl_from_mode(guint mode, GArray *entries)
{
  AclEntry base[] = {{ACL_USER_OBJ, (mode >> 6) & 7, ACL_UNDEFINED_ID},
                     {ACL_GROUP_OBJ, (mode >> 3) & 7, ACL_UNDEFINED_ID},
                     {ACL_OTHER, mode & 7, ACL_UNDEFINED_ID}};
  g_array_append_vals(entries, base, G_N_ELEMENTS(base));
}

/* PATH's access ACL as entries (the mode's three when it has none). */
static GArray *acl_read(const char *path, GError **error)
{
  g_autoptr(GArray) entries = g_array_new(FALSE, FALSE, sizeof(AclEntry));
  guint8 buffer[sizeof(struct posix_acl_xattr_header) + ACL_MAX_ENTRIES * sizeof(struct posix_acl_xattr_entry)];
  ssize_t size = getxattr(path, ACL_XATTR, buffer, sizeof(buffer));
  struct posix_acl_xattr_header header;
  HdNodeOwner owner;

  if (size < 0 && errno == ENODATA) {
    if (!hd_node_owner_get(path, &owner, error))
      return NULL;
    acl_from_mode(owner.mode, entries);
    return g_steal_pointer(&entries);
  }
  if (size < 0) {
    fail_errno(error, "read the ACL of", path);
    return NULL;
  }
  memcpy(&header, buffer, MIN((gsize)size, sizeof(header)));
  if ((gsize)size < sizeof(header) || (size - sizeof(header)) % sizeof(struct posix_acl_xattr_entry) != 0 ||
      GUINT32_FROM_LE(header.a_version) != POSIX_ACL_XATTR_VERSION) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot read the ACL of %s: not a version %d ACL", path,
                POSIX_ACL_XATTR_VERSION);
    return NULL;
  }
  for (gsize at = sizeof(header); at < (gsize)size; at += sizeof(struct posix_acl_xattr_entry)) {
    struct posix_acl_xattr_entry raw;
    memcpy(&raw, buffer + at, sizeof(raw));
    AclEntry entry = {GUINT16_FROM_LE(raw.e_tag), GUINT16_FROM_LE(raw.e_perm), GUINT32_FROM_LE(raw.e_id)};
    g_array_append_val(entries, entry);
  }
  return g_steal_pointer(&entries);
}

/* The kernel takes entries ordered by tag, then by id. */
static gint acl_entry_compare(gconstpointer a, gconstpointer b)
{
  const AclEntry *x = a, *y = b;

  if (x->tag != y->tag)
    return x->tag < y->tag ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static gboolean acl_write(const char *path, GArray *entries, GError **error)
{
  gsize size = sizeof(struct posix_acl_xattr_header) + entries->len * sizeof(struct posix_acl_xattr_entry);
  g_autofree guint8 *buffer = g_malloc(size);
  struct posix_acl_xattr_header header = {GUINT32_TO_LE(POSIX_ACL_XATTR_VERSION)};

  g_array_sort(entries, acl_entry_compare);
  memcpy(buffer, &header, sizeof(header));
  for (guint i = 0; i < entries->len; i++) {
    const AclEntry *entry = &g_array_index(entries, AclEntry, i);
    struct posix_acl_xattr_entry raw = {GUINT16_TO_LE(entry->tag), GUINT16_TO_LE(entry->perm),
                                        GUINT32_TO_LE(entry->id)};
    memcpy(buffer + sizeof(header) + i * sizeof(raw), &raw, sizeof(raw));
  }
  hd_crash_point();
  if (setxattr(path, ACL_XATTR, buffer, size, 0) < 0)
    return fail_errno(error, "set the ACL of", path);
  return TRUE;
}

static AclEntry *acl_find(GArray *entries, guint16 tag, guint32 id)
{
  for (guint i = 0; i < entries->len; i++) {
    AclEntry *entry = &g_array_index(entries, AclEntry, i);
    if (entry->tag == tag && (tag != ACL_USER || entry->id == id))
      return entry;
  }
  return NULL;
}

/* The mask bounds every named entry and the owning group: a new one is
 * the union of those, as setfacl computes it. */
static guint16 acl_group_class(GArray *entries)
{
  guint16 perm = 0;

  for (guint i = 0; i < entries->len; i++) {
    const AclEntry *entry = &g_array_index(entries, AclEntry, i);
    if (entry->tag == ACL_USER || entry->tag == ACL_GROUP || entry->tag == ACL_GROUP_OBJ)
      perm |= entry->perm;
  }
  return perm;
}

static gboolean acl_has_named(GArray *entries)
{
  for (guint i = 0; i < entries->len; i++) {
    guint16 tag = g_array_index(entries, AclEntry, i).tag;
    if (tag == ACL_USER || tag == ACL_GROUP)
      return TRUE;
  }
  return FALSE;
}

gboolean hd_node_acl_user_add(const char *path, guint uid, GError **error)
{
  g_autoptr(GArray) entries = acl_read(path, error);
  AclEntry *mask;

  if (entries == NULL)
    return FALSE;
  AclEntry *user = acl_find(entries, ACL_USER, uid);
  if (user != NULL && (user->perm & ACL_RW) == ACL_RW && (mask = acl_find(entries, ACL_MASK, 0)) != NULL &&
      (mask->perm & ACL_RW) == ACL_RW)
    return TRUE;
  if (user == NULL) {
    AclEntry entry = {ACL_USER, ACL_RW, uid};
    g_array_append_val(entries, entry);
  } else {
    user->perm |= ACL_RW;
  }
  if ((mask = acl_find(entries, ACL_MASK, 0)) != NULL) {
    mask->perm |= ACL_RW;
  } else {
    AclEntry entry = {ACL_MASK, acl_group_class(entries), ACL_UNDEFINED_ID};
    g_array_append_val(entries, entry);
  }
  return acl_write(path, entries, error);
}

gboolean hd_node_acl_user_remove(const char *path, guint uid, GError **error)
{
  g_autoptr(GArray) entries = acl_read(path, error);

  if (entries == NULL)
    return FALSE;
  AclEntry *user = acl_find(entries, ACL_USER, uid);
  if (user == NULL)
    return TRUE;
  g_array_remove_index(entries, user - &g_array_index(entries, AclEntry, 0));
  if (!acl_has_named(entries)) {
    /* a mask without named entries is the group's bits: the plain mode again */
    AclEntry *mask = acl_find(entries, ACL_MASK, 0);
    if (mask != NULL)
      g_array_remove_index(entries, mask - &g_array_index(entries, AclEntry, 0));
  }
  return acl_write(path, entries, error);
}

/* ---- users ----------------------------------------------------------------- */

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
