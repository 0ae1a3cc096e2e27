/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Exclusive locks between invocations (and between threads of one
 * invocation): flock(2) on a lock file. A flock belongs to the open file,
 * so it is released when the holder exits, even by a crash: a lock file
 * left on disk never blocks anyone. */
#pragma once

#include <glib.h>

typedef struct _HdFileLock HdFileLock;

/* Takes the lock on PATH (created, mode 0600, when missing), waiting at most
 * TIMEOUT_MS for the current holder. A timeout fails with G_IO_ERROR_BUSY. */
HdFileLock *hd_file_lock_acquire(const char *path, guint timeout_ms, GError **error);

/* Releases the lock; NULL is allowed. */
void hd_file_lock_release(HdFileLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdFileLock, hd_file_lock_release)
