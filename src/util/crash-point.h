/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A test hook for crash safety: the process kills itself (SIGKILL, as a
 * crash or `kill -9` would) just before its Nth durable step, N taken from
 * the environment variable VFIO_HOSTDEV_TEST_CRASH_AT. A durable step is
 * anything that survives the process: a sysfs write, a state file written
 * or removed, a device node's owner changed. Every such step calls
 * hd_crash_point() first, so a test can stop the tool before each one in
 * turn and check that recovery puts every device where it belongs.
 * Compiled only with -Dtest_hooks=true (HD_TEST_HOOKS): a production build
 * has empty inline functions here and no reader of the variable at all. */
#pragma once

#include <glib.h>

#ifdef HD_TEST_HOOKS

#define HD_CRASH_AT_ENV "VFIO_HOSTDEV_TEST_CRASH_AT"

/* Counts a durable step; at the configured one, kills the process. Safe
 * from any thread (steps of different threads are counted in the order
 * they happen). */
void hd_crash_point(void);

/* Bracket a sysfs write. A process dies between system calls, never in the
 * middle of one, so a crash waits until no write of another thread is in
 * progress (the mock emulates one write with several file operations, which
 * a kill from another thread could otherwise cut in half). */
void hd_crash_write_begin(void);
void hd_crash_write_end(void);

#else

static inline void hd_crash_point(void)
{
}

static inline void hd_crash_write_begin(void)
{
}

static inline void hd_crash_write_end(void)
{
}

#endif
