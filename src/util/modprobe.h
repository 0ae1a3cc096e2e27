/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading a kernel module with the system's modprobe(8). */
#pragma once

#include <glib.h>

/* Runs `modprobe MODULE` (found through PATH, then /sbin and /usr/sbin).
 * Fails with HD_ERROR_FAILED quoting modprobe's stderr when it exits
 * non-zero, or saying why it could not run. Not for use from threads other
 * than the main one (it forks). */
gboolean hd_modprobe(const char *module, GError **error);
