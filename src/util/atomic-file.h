/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replacing a small file so that a reader (or a crash) sees either the old
 * contents or the new ones, never a mix: write a temporary file next to it,
 * fsync it, rename it over the old name, fsync the directory. */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* Replaces PATH with LENGTH bytes of CONTENTS, created with MODE. The
 * directory must exist. On failure PATH is unchanged and no temporary file
 * is left behind. A durable step (crash-point.h). */
gboolean hd_atomic_write(const char *path, const char *contents, gsize length, mode_t mode, GError **error);

/* Removes PATH; a missing PATH is no error. A durable step (crash-point.h). */
gboolean hd_atomic_remove(const char *path, GError **error);

/* Removes the temporary files hd_atomic_write() left in DIR when its
 * process died between creating one and renaming it (a crash, SIGKILL):
 * names "<file>.tmp-<pid>-<random>" whose process no longer exists. A
 * temporary of a live process is its write in progress and is kept. */
void hd_atomic_remove_stale(const char *dir);
