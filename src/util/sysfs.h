/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading and writing sysfs attributes and links. Paths are absolute; this
 * layer builds none itself. Writes use open(2)+write(2) (never stdio) so that
 * the kernel's errno for a write reaches the caller intact. */
#pragma once

#include <glib.h>

/* Contents of an attribute with trailing whitespace removed. */
char *hd_sysfs_read(const char *path, GError **error);

/* Contents, or NULL without error when the file does not exist. */
char *hd_sysfs_read_optional(const char *path, GError **error);

/* Parses a "0x1234"-style (or plain hex) attribute. */
gboolean hd_sysfs_read_hex(const char *path, guint32 *out, GError **error);

/* Parses a decimal (possibly negative) attribute. */
gboolean hd_sysfs_read_int(const char *path, gint64 *out, GError **error);

/* Basename of a symlink's target ("driver" -> "vfio-pci"); NULL without error
 * when the link does not exist. */
char *hd_sysfs_link_basename(const char *path, GError **error);

/* One write(2) of VALUE; errors carry the kernel's errno text and the path.
 * A durable step (crash-point.h). */
gboolean hd_sysfs_write(const char *path, const char *value, GError **error);

gboolean hd_sysfs_exists(const char *path);
gboolean hd_sysfs_is_dir(const char *path);

/* Sorted names in a directory (no "." or ".."); NULL with error when it
 * cannot be opened. */
GPtrArray *hd_sysfs_list_dir(const char *path, GError **error);
