/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who owns a device node (/dev/vfio/<group>, /dev/vfio/devices/vfioN) and
 * with which permissions: read before handing a node to an unprivileged
 * VMM, so that it can be given back exactly. Mechanism only. */
#pragma once

#include <glib.h>

typedef struct {
  guint uid;
  guint gid;
  guint mode; /* permission bits (07777) */
} HdNodeOwner;

/* Reads PATH's owner, group and permission bits (stat(2), following links). */
gboolean hd_node_owner_get(const char *path, HdNodeOwner *out, GError **error);

/* Sets them (chown(2), then chmod(2)). A durable step (crash-point.h). */
gboolean hd_node_owner_set(const char *path, const HdNodeOwner *owner, GError **error);

/* A POSIX ACL entry "user:UID:rw-" on PATH (the system.posix_acl_access
 * xattr, as setfacl -m writes it): for a node every VM shares (/dev/iommu),
 * whose owner and mode must stay as they are. Other entries are kept; the
 * mask is widened to let the entry work, which shows as the mode's group
 * bits while an ACL is present. A durable step (crash-point.h). */
gboolean hd_node_acl_user_add(const char *path, guint uid, GError **error);

/* Removes UID's entry from PATH's ACL (none: nothing to do). When no named
 * entry is left, the ACL goes back to the plain mode (the kernel drops the
 * xattr), and the group bits are the group's again. A durable step. */
gboolean hd_node_acl_user_remove(const char *path, guint uid, GError **error);

/* The uid and primary gid of USER, a name or a numeric uid (getpwnam_r /
 * getpwuid_r: safe in a threaded application). HD_ERROR_INVALID for no
 * such user. */
gboolean hd_user_lookup(const char *user, guint *uid, guint *gid, GError **error);
