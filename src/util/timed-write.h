/* A sysfs write that may block in the kernel for a long time (unbinding a
 * busy driver): the write runs in its own thread and the caller stops
 * waiting after a timeout. A write that times out cannot be cancelled; its
 * thread finishes (or not) on its own and cleans up after itself. */
#pragma once

#include <glib.h>

/* Like hd_sysfs_write(), but gives up waiting after TIMEOUT_MS and fails
 * with G_IO_ERROR_TIMED_OUT; the write may still complete later. */
gboolean hd_sysfs_write_timed(const char *path, const char *value, guint timeout_ms, GError **error);
