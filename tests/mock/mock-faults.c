// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-faults.c: the lock serialising emulated kernel operations across
 * processes, fault injection, delays and the logs tests read.
 *
 * All state is in $ROOT/.mock/ so that it persists across processes:
 *   faults   "write <attr> <nth> <errno> [<bdf>]": the nth write to attr
 *            (counted in counters/<attr>, or counters/<attr>@<bdf> when a
 *            device is given) fails with errno and changes nothing;
 *            "write-at <n> <errno>": the nth kernel write of the host, of
 *            any attribute (counted in counters/all-writes), fails so;
 *            "probe <driver> <bdf-glob> <errno>": every probe of driver on
 *            a matching device fails with errno;
 *            "dies <bdf>": the device dies when unbound (config space all
 *            ones, power_state D3cold, probes fail with EIO).
 *   delays   "<op> <ms|hang> [<bdf>]": op (unbind, probe, reset, sriov,
 *            override) sleeps ms milliseconds, or for "hang" until
 *            the line changes, before taking the lock;
 *            "barrier <op> <n> <base>": op, once begun, waits until the
 *            ops log holds base + n begins of op (n of them in flight at
 *            once), at most BARRIER_MAX_MS;
 *            "hold <op> [<bdf>]": op (on bdf), once begun, waits as long
 *            as the line is there.
 *   counters/ one file per counted attribute.
 *   resets.log, modprobe.log: one line per reset / module load.
 *   ops.log  also "write <n> <attr> <bdf> [<errno>]" per kernel write, the
 *            errno when a fault failed it: the writes a run made, to fail
 *            each in turn.
 */
#include "mock-tree.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

int mt_lock(void)
{
  char abs[PATH_MAX];
  int fd;

  if (mt_path(abs, "/.mock/lock") < 0)
    return -1;
  fd = open(abs, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
    ;
  return fd;
}

void mt_unlock(int fd)
{
  if (fd >= 0)
    close(fd); /* releases the flock */
}

static const struct { const char *name; int value; } errno_names[] = {
  { "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EINTR", EINTR }, { "EIO", EIO },
  { "ENXIO", ENXIO }, { "E2BIG", E2BIG }, { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM },
  { "EACCES", EACCES }, { "EFAULT", EFAULT }, { "EBUSY", EBUSY }, { "EEXIST", EEXIST },
  { "ENODEV", ENODEV }, { "EINVAL", EINVAL }, { "ENOSPC", ENOSPC }, { "ERANGE", ERANGE },
  { "ENOSYS", ENOSYS }, { "ETIMEDOUT", ETIMEDOUT }, { "EOPNOTSUPP", EOPNOTSUPP },
  { "EPROBE_DEFER", EAGAIN }, { "ENOTTY", ENOTTY }, { "EROFS", EROFS },
};

int mt_errno_parse(const char *s)
{
  char *end;
  long v;

  for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
    if (strcmp(s, errno_names[i].name) == 0)
      return errno_names[i].value;
  v = strtol(s, &end, 10);
  if (*end != '\0' || v == 0)
    return 0;
  return (int)(v < 0 ? -v : v);
}

/* counters/ file of every kernel write, whatever its attribute */
#define ALL_WRITES_COUNTER "all-writes"

static unsigned counter_bump(const char *key)
{
  char rel[PATH_MAX];
  char *s;
  unsigned v = 0;

  mt_fmt(rel, "/.mock/counters/%s", key);
  if ((s = mt_read_trim(rel)) != NULL) {
    v = (unsigned)strtoul(s, NULL, 10);
    free(s);
  }
  v++;
  mt_writef(rel, "%u\n", v);
  return v;
}

/* Calls fn for each whitespace-split line of a .mock file; stops when fn
 * returns non-zero and returns that value. */
static int for_each_line(const char *rel, int (*fn)(char **f, int nf, void *data), void *data)
{
  char *text = mt_read(rel), *save = NULL;
  int rc = 0;

  if (text == NULL)
    return 0;
  for (char *line = strtok_r(text, "\n", &save); line && rc == 0;
       line = strtok_r(NULL, "\n", &save)) {
    char *f[8], *fsave = NULL;
    int nf = 0;
    for (char *w = strtok_r(line, " \t", &fsave); w && nf < 8; w = strtok_r(NULL, " \t", &fsave))
      f[nf++] = w;
    if (nf > 0 && f[0][0] != '#')
      rc = fn(f, nf, data);
  }
  free(text);
  return rc;
}

typedef struct {
  const char *attr, *bdf;
  unsigned count_all, count_dev;
} WriteCheck;

static int match_write_fault(char **f, int nf, void *data)
{
  WriteCheck *c = data;
  unsigned nth;

  if (nf < 4 || strcmp(f[0], "write") != 0 || strcmp(f[1], c->attr) != 0)
    return 0;
  nth = (unsigned)strtoul(f[2], NULL, 10);
  if (nf >= 5)
    return (c->bdf && strcmp(f[4], c->bdf) == 0 && c->count_dev == nth) ? mt_errno_parse(f[3]) : 0;
  return c->count_all == nth ? mt_errno_parse(f[3]) : 0;
}

static int match_write_at(char **f, int nf, void *data)
{
  unsigned n = *(unsigned *)data;

  if (nf < 3 || strcmp(f[0], "write-at") != 0 || strtoul(f[1], NULL, 10) != n)
    return 0;
  return mt_errno_parse(f[2]);
}

int mt_fault_check_write(const char *attr, const char *bdf)
{
  WriteCheck c = { attr, bdf, 0, 0 };
  char key[256];
  unsigned n;
  int err;

  c.count_all = counter_bump(attr);
  if (bdf != NULL && bdf[0] && strchr(bdf, '/') == NULL) {
    snprintf(key, sizeof(key), "%s@%s", attr, bdf);
    c.count_dev = counter_bump(key);
  }
  /* the host-wide count: the tool's writes and its helpers' in the order
   * the kernel saw them (the caller holds the lock) */
  n = counter_bump(ALL_WRITES_COUNTER);
  err = for_each_line("/.mock/faults", match_write_fault, &c);
  if (err == 0)
    err = for_each_line("/.mock/faults", match_write_at, &n);
  if (bdf == NULL || bdf[0] == '\0')
    bdf = "-";
  if (err != 0)
    mt_log("ops.log", "write %u %s %s %d\n", n, attr, bdf, err);
  else
    mt_log("ops.log", "write %u %s %s\n", n, attr, bdf);
  return err;
}

typedef struct {
  const char *driver, *bdf;
} ProbeCheck;

static int match_probe_fault(char **f, int nf, void *data)
{
  ProbeCheck *c = data;

  if (nf < 4 || strcmp(f[0], "probe") != 0 || strcmp(f[1], c->driver) != 0 ||
      fnmatch(f[2], c->bdf, 0) != 0)
    return 0;
  return mt_errno_parse(f[3]);
}

int mt_fault_probe(const char *driver, const char *bdf)
{
  ProbeCheck c = { driver, bdf };

  return for_each_line("/.mock/faults", match_probe_fault, &c);
}

static int match_dies(char **f, int nf, void *data)
{
  return nf >= 2 && strcmp(f[0], "dies") == 0 && strcmp(f[1], (const char *)data) == 0;
}

bool mt_fault_dies(const char *bdf)
{
  return for_each_line("/.mock/faults", match_dies, (void *)bdf) != 0;
}

typedef struct {
  const char *op, *bdf;
} DelayCheck;

/* match_delay()'s answer for "hang". */
#define HANG (-1)

static int match_delay(char **f, int nf, void *data)
{
  DelayCheck *c = data;

  if (nf < 2 || strcmp(f[0], c->op) != 0)
    return 0;
  if (nf >= 3 && (c->bdf == NULL || strcmp(f[2], c->bdf) != 0))
    return 0;
  if (strcmp(f[1], "hang") == 0)
    return HANG;
  return atoi(f[1]);
}

static void sleep_ms(int ms)
{
  struct timespec ts;

  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (long)(ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* A barrier lets a serialising program go after this long, so that its
 * test fails on the ops log instead of hanging until the suite's timeout. */
#define BARRIER_MAX_MS (60 * 1000)
#define GATE_POLL_MS 2

static int match_barrier(char **f, int nf, void *data)
{
  DelayCheck *c = data;

  if (nf < 4 || strcmp(f[0], "barrier") != 0 || strcmp(f[1], c->op) != 0)
    return 0;
  return (int)(strtoul(f[2], NULL, 10) + strtoul(f[3], NULL, 10));
}

static int match_hold(char **f, int nf, void *data)
{
  DelayCheck *c = data;

  if (nf < 2 || strcmp(f[0], "hold") != 0 || strcmp(f[1], c->op) != 0)
    return 0;
  return nf < 3 || (c->bdf != NULL && strcmp(f[2], c->bdf) == 0);
}

/* Lines "begin <op> ..." of ops.log: operations of that kind begun so far,
 * by every process. */
static unsigned count_begun(const char *op)
{
  char *log = mt_read("/.mock/ops.log"), *save = NULL;
  char prefix[64];
  unsigned n = 0;

  if (log == NULL)
    return 0;
  snprintf(prefix, sizeof(prefix), "begin %s ", op);
  for (char *line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
    n += strncmp(line, prefix, strlen(prefix)) == 0;
  free(log);
  return n;
}

/* Barriers and holds order operations by events, not durations: a test
 * proves concurrency, or acts while a program is inside an operation,
 * however the machine schedules it. */
static long long now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wait_gates(DelayCheck *c)
{
  unsigned need = (unsigned)for_each_line("/.mock/delays", match_barrier, c);
  long long deadline = now_ms() + BARRIER_MAX_MS;

  while (need > 0 && now_ms() < deadline && count_begun(c->op) < need)
    sleep_ms(GATE_POLL_MS);
  /* the root disappears with the test's host: a hold never outlives it */
  while (for_each_line("/.mock/delays", match_hold, c))
    sleep_ms(GATE_POLL_MS);
}

void mt_delay(const char *op, const char *bdf)
{
  DelayCheck c = { op, bdf };
  int ms = for_each_line("/.mock/delays", match_delay, &c);

  /* a hang lasts until its line changes (or the root goes with the
   * test's host): the helper doing the write outlives the tool, as a
   * writer blocked in the kernel does, but never the test */
  while (ms == HANG) {
    sleep_ms(GATE_POLL_MS);
    ms = for_each_line("/.mock/delays", match_delay, &c);
  }
  if (ms > 0)
    sleep_ms(ms);
  wait_gates(&c);
}

void mt_delay_each(const char *op, const char *bdf, unsigned n)
{
  DelayCheck c = { op, bdf };
  int ms = for_each_line("/.mock/delays", match_delay, &c);

  if (ms > 0 && n > 0)
    sleep_ms(ms * (int)n);
}

void mt_log(const char *log, const char *fmt, ...)
{
  char rel[PATH_MAX], *line = NULL;
  va_list ap;
  int rc;

  va_start(ap, fmt);
  rc = vasprintf(&line, fmt, ap);
  va_end(ap);
  if (rc < 0)
    return;
  mt_fmt(rel, "/.mock/%s", log);
  mt_append(rel, line);
  free(line);
}
