/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mock-host.h: test harness for the fake host (tests/mock/README.md).
 *
 * A MockHost is a fresh temporary root built by mock-mkhost from
 * tests/fixtures/<name>.ini; programs run with mock_host_run() see it as
 * the real host through the LD_PRELOAD library.  The harness finds its
 * pieces through MOCK_PRELOAD, MOCK_MKHOST, MOCK_BIN_DIR and MOCK_FIXTURES,
 * which meson's mock_test_env sets.  Paths given to the accessors are host
 * paths such as "/sys/bus/pci/devices/0000:00:02.0/driver_override".
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MockHost MockHost;

/* Fresh temp root built from tests/fixtures/<fixture_name>.ini. */
MockHost *mock_host_new(const char *fixture_name, GError **error);
/* A fresh temp root holding a copy of HOST's tree as it is now, its .mock/
 * bookkeeping (logs, counters, faults) included: a test that repeats a run
 * from one prepared state builds and prepares the host once. */
MockHost *mock_host_copy(MockHost *host, GError **error);
/* Removes the tree unless the environment has MOCK_KEEP=1. */
void mock_host_free(MockHost *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MockHost, mock_host_free)

const char *mock_host_root(MockHost *host);

/* Runs argv (argv[0] a program path, or a name looked up in PATH) with
 * LD_PRELOAD=<mock> and VFIO_HOSTDEV_MOCK_ROOT; PATH gets the mock modprobe
 * dir first; captures stdout/stderr (out/err may be NULL to discard);
 * *exit_status is the exit code, or 128+signal. */
gboolean mock_host_run(MockHost *host, const char *const *argv, char **out, char **err,
                       int *exit_status, GError **error);
/* The environment mock_host_run() uses, for callers spawning themselves
 * (asynchronously, with timeouts...).  Free with g_strfreev(). */
char **mock_host_environ(MockHost *host);

/* Contents of a fake path, NULL if missing. */
char *mock_host_read(MockHost *host, const char *path);
/* Contents with trailing whitespace removed, NULL if missing. */
char *mock_host_read_trim(MockHost *host, const char *path);
/* Symlink target, NULL if missing or not a link. */
char *mock_host_readlink(MockHost *host, const char *path);
gboolean mock_host_exists(MockHost *host, const char *path);
/* Tweaks the fake host (creates parents). */
void mock_host_write(MockHost *host, const char *path, const char *contents);
/* Removes a file or tree. */
void mock_host_remove(MockHost *host, const char *path);

/* The nth write (1-based, counted from now, across processes) to the
 * attribute named attr ("unbind", "driver_override", "drivers_probe",
 * "bind", "reset", "sriov_numvfs"...) fails with errno err. */
void mock_host_inject_fault(MockHost *host, const char *attr, guint nth, int err);
/* Same, counting only writes concerning device bdf. */
void mock_host_inject_fault_device(MockHost *host, const char *attr, const char *bdf, guint nth,
                                   int err);
/* Kernel writes: every write to a sysfs attribute the fake kernel acts on
 * (the tool's and its write helpers', any attribute, any device) is
 * numbered host-wide in the order the kernel saw it, and logged in the ops
 * log as "write <n> <attr> <bdf> [<errno>]" (bdf "-" for a file of no
 * device; errno when a fault failed it).
 *
 * Writes so far on this host. */
guint mock_host_write_count(MockHost *host);
/* The writes numbered after FROM (a mock_host_write_count()), in order, as
 * "<attr> <bdf>" or "<attr> <bdf> <errno>". Free with g_strfreev(). */
char **mock_host_writes_since(MockHost *host, guint from);
/* The nth kernel write from now (1-based), whatever its attribute, fails
 * with errno err and changes nothing. Several may be pending at once, all
 * counted from the same calls' "now" when made back to back. */
void mock_host_fail_write(MockHost *host, guint nth, int err);
/* Every probe of driver on devices matching bdf_glob fails with err. */
void mock_host_inject_probe_fault(MockHost *host, const char *driver, const char *bdf_glob,
                                  int err);
/* Operation op ("unbind", "probe", "reset", "sriov", "override") takes ms
 * milliseconds (0 removes the delay). */
void mock_host_set_delay(MockHost *host, const char *op, guint ms);
void mock_host_set_delay_device(MockHost *host, const char *op, const char *bdf, guint ms);
/* Operation op blocks for an hour (timeout tests); optionally only for bdf. */
void mock_host_hang(MockHost *host, const char *op, const char *bdf);

/* Gates: operations ordered by events, never by durations, so that a test
 * holds however slowly the machine runs its programs.
 *
 * A barrier: operation OP, once begun, waits until N operations OP have
 * begun from now on (in any process), so N of them are in flight at once
 * and mock_host_ops_overlapped() holds for a program that runs them
 * concurrently, whatever the skew between its threads. A program that
 * runs them one by one is let go after a minute, and the ops log shows
 * it. N = 0 removes the barrier. */
void mock_host_barrier(MockHost *host, const char *op, guint n);
/* A hold: operation OP on BDF (any device when NULL), once begun, waits
 * until mock_host_release() (or the host is freed): the test acts while
 * the program is inside that kernel operation. */
void mock_host_hold(MockHost *host, const char *op, const char *bdf);
void mock_host_release(MockHost *host, const char *op, const char *bdf);
/* Waits until COUNT operations OP on BDF (any device when NULL) have
 * begun in all, by the ops log; FALSE when that takes over two minutes
 * (a broken test, not a slow machine). */
gboolean mock_host_wait_begun(MockHost *host, const char *op, const char *bdf, guint count);

/* $ROOT/.mock/resets.log ("<bdf> <method>" lines) and modprobe.log
 * ("<module>" lines); "" when empty. */
char *mock_host_resets(MockHost *host);
char *mock_host_modprobe_log(MockHost *host);
/* Every emulated kernel operation's "begin OP BDF" and "end OP BDF", in order. */
char *mock_host_ops_log(MockHost *host);
/* TRUE when OP began on every device of BDFS (canonical addresses) before
 * it ended on any: the operations ran concurrently. */
gboolean mock_host_ops_overlapped(MockHost *host, const char *op, const char *const *bdfs);

G_END_DECLS
