// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-mock-stdio: every way a program writes a file reaches the kernel
 * emulation or fails loudly, never lands silently in the fake file: a
 * shell's `echo > attr` (builtin and /bin/echo), stdio (fopen + fprintf +
 * fclose, fwrite + fflush, fputs), dprintf, writev, and a raw write(2)
 * syscall the preload cannot see (EBADF).
 *
 * The stdio cases re-run this test under the preload with --child-*. */
#include "test-mock-common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define DEV(bdf, attr) "/sys/bus/pci/devices/" bdf "/" attr
#define E1000E "0000:01:00.0"
#define UNBIND "/sys/bus/pci/drivers/e1000e/unbind"
#define PROBE "/sys/bus/pci/drivers_probe"

static char *self_path;

/* Prints "OK" or "ERR <errno name>" for the last step of each way. */
static void report(int failed)
{
  printf(failed ? "ERR %s\n" : "OK\n", failed ? strerrorname_np(errno) : "");
}

static int child_stdio(const char *way, const char *path, const char *value)
{
  FILE *f;
  int fd, failed = 0;

  if (strcmp(way, "fprintf") == 0) {
    if ((f = fopen(path, "w")) == NULL)
      return report(1), 0;
    fprintf(f, "%s\n", value);
    failed = fclose(f) != 0;
  } else if (strcmp(way, "fwrite") == 0) {
    if ((f = fopen(path, "we")) == NULL)
      return report(1), 0;
    failed = fwrite(value, 1, strlen(value), f) != strlen(value) || fflush(f) != 0;
    int saved = errno;
    fclose(f);
    errno = saved;
  } else if (strcmp(way, "fputs-fd") == 0) {
    /* A stream on an fd opened with open(2): stdio's internal write. */
    if ((fd = open(path, O_WRONLY)) < 0 || (f = fdopen(dup(fd), "w")) == NULL)
      return report(1), 0;
    fputs(value, f);
    failed = fclose(f) != 0;
    close(fd);
  } else if (strcmp(way, "dprintf") == 0) {
    if ((fd = open(path, O_WRONLY)) < 0)
      return report(1), 0;
    failed = dprintf(fd, "%s", value) < 0;
    close(fd);
  } else if (strcmp(way, "writev") == 0) {
    struct iovec iov[2] = { { (void *)value, 4 }, { (void *)(value + 4), strlen(value) - 4 } };
    if ((fd = open(path, O_WRONLY)) < 0)
      return report(1), 0;
    failed = writev(fd, iov, 2) != (ssize_t)strlen(value);
    close(fd);
  } else if (strcmp(way, "syscall") == 0) {
    if ((fd = open(path, O_WRONLY)) < 0)
      return report(1), 0;
    failed = syscall(SYS_write, fd, value, strlen(value)) < 0;
    close(fd);
  } else {
    return 2;
  }
  report(failed);
  return 0;
}

static char *run(MockHost *host, const char *const *argv, char **err, int *status)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_assert_true(mock_host_run(host, argv, &out, err, status, &error));
  g_assert_no_error(error);
  return g_strchomp(out);
}

static char *stdio_way(MockHost *host, const char *way, const char *path, const char *value)
{
  const char *argv[] = { self_path, "--child", way, path, value, NULL };
  int status = -1;
  char *out = run(host, argv, NULL, &status);

  g_assert_cmpint(status, ==, 0);
  return out;
}

static char *driver_of(MockHost *host, const char *bdf)
{
  g_autofree char *path = g_strdup_printf("/sys/bus/pci/devices/%s/driver", bdf);
  g_autofree char *target = mock_host_readlink(host, path);

  return target ? g_path_get_basename(target) : g_strdup("");
}

#define assert_driver(host, bdf, expected)                      \
  do {                                                          \
    g_autofree char *drv_ = driver_of(host, bdf);               \
    g_assert_cmpstr(drv_, ==, expected);                        \
  } while (0)

static void shell(MockHost *host, const char *script, int expect_status, const char *expect_err)
{
  const char *argv[] = { "bash", "-c", script, NULL };
  g_autofree char *err = NULL;
  int status = -1;
  g_autofree char *out = run(host, argv, &err, &status);

  g_test_message("%s: status %d, stdout %s, stderr %s", script, status, out, err);
  g_assert_cmpint(status, ==, expect_status);
  if (expect_err == NULL)
    g_assert_cmpstr(err, ==, "");
  else
    g_assert_nonnull(strstr(err, expect_err));
}

/* /bin/echo is a new process image that inherits the redirected fd and
 * writes it through stdio at exit; bash's builtin printf writes stdout
 * through stdio and fflush()es it.  bash's builtin echo writes a line on a
 * line-buffered stdout, which stdio flushes through its internal write:
 * the preload cannot see that write, so it fails loudly. */
static void test_shell_echo(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");
  g_autofree char *none = NULL, *resets = NULL;

  shell(host, "echo 1 > " DEV(E1000E, "reset"), 1, "echo: write error");
  none = mock_host_resets(host);
  g_assert_cmpstr(none, ==, "");
  shell(host, "/bin/echo 1 > " DEV(E1000E, "reset"), 0, NULL);
  shell(host, "printf 1 > " DEV(E1000E, "reset"), 0, NULL);
  resets = mock_host_resets(host);
  g_assert_cmpstr(resets, ==, E1000E " pm\n" E1000E " pm\n");
  shell(host, "/bin/echo " E1000E " > " UNBIND, 0, NULL);
  assert_driver(host, E1000E, "");
  /* The kernel's error is the shell's: ENODEV, not a quiet success. */
  shell(host, "/bin/echo " E1000E " > " UNBIND, 1, "No such device");
  shell(host, "/bin/echo " E1000E " > " PROBE, 0, NULL);
  assert_driver(host, E1000E, "e1000e");
  shell(host, "printf %s 2 > " DEV(E1000E, "reset"), 1, "Invalid argument");
  shell(host, "exec 3> " UNBIND "; printf " E1000E " >&3", 0, NULL);
  assert_driver(host, E1000E, "");
}

static void test_stdio_ways(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");
  const char *ways[] = { "fprintf", "fwrite", "fputs-fd", "dprintf", "writev" };

  for (guint i = 0; i < G_N_ELEMENTS(ways); i++) {
    g_autofree char *unbound = NULL, *again = NULL, *probed = NULL;

    g_test_message("%s", ways[i]);
    unbound = stdio_way(host, ways[i], UNBIND, E1000E);
    g_assert_cmpstr(unbound, ==, "OK");
    assert_driver(host, E1000E, "");
    again = stdio_way(host, ways[i], UNBIND, E1000E);
    g_assert_cmpstr(again, ==, "ERR ENODEV");
    probed = stdio_way(host, ways[i], PROBE, E1000E);
    g_assert_cmpstr(probed, ==, "OK");
    assert_driver(host, E1000E, "e1000e");
  }
}

/* A write the preload cannot see fails instead of writing the fake file. */
static void test_unseen_write_fails(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");
  g_autofree char *out = stdio_way(host, "syscall", UNBIND, E1000E);

  g_assert_cmpstr(out, ==, "ERR EBADF");
  assert_driver(host, E1000E, "e1000e");
  assert_file(host, UNBIND, "");
}

int main(int argc, char **argv)
{
  if (argc == 5 && strcmp(argv[1], "--child") == 0)
    return child_stdio(argv[2], argv[3], argv[4]);
  self_path = g_file_read_link("/proc/self/exe", NULL);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mock/stdio/shell-echo", test_shell_echo);
  g_test_add_func("/mock/stdio/ways", test_stdio_ways);
  g_test_add_func("/mock/stdio/unseen-write-fails", test_unseen_write_fails);
  return g_test_run();
}
