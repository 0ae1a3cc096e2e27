// SPDX-License-Identifier: LGPL-2.1-or-later
/* `exec` on the realistic fake host (/dev/iommu, cdevs): a fake VMM (a
 * shell script answering -version as QEMU would, asked through --qemu; the
 * VM scenario has exec ask the VMM itself) prints its uid, gid and
 * arguments, and where each fd=N of its arguments points. iommufd form:
 * /dev/iommu and the cdev are open in the VMM, which runs as the owner's
 * user; group form: nothing is passed; refusals before anything runs. */
#include <glib/gstdio.h>

#include "managed-test-util.h"

#define EDU_R "0000:00:02.0"

/* A fake VMM in a directory every user can reach. */
static char *fake_vmm(const char *dir, const char *version)
{
  g_autofree char *path = g_build_filename(dir, "vmm", NULL);
  g_autofree char *script = g_strdup_printf(
    "#!/bin/sh\n"
    "if [ \"$1\" = -version ]; then echo 'QEMU emulator version %s'; exit 0; fi\n"
    "echo \"uid=$(id -u) gid=$(id -g)\"\n"
    "echo \"args: $*\"\n"
    "for arg in \"$@\"; do\n"
    "  case $arg in *fd=*) n=${arg##*fd=}; echo \"fd $n: $(readlink /proc/$$/fd/$n)\" ;; esac\n"
    "done\n",
    version);

  g_assert_true(g_file_set_contents(path, script, -1, NULL));
  g_assert_cmpint(g_chmod(path, 0755), ==, 0);
  return g_steal_pointer(&path);
}

static char *world_dir(void)
{
  g_autofree char *dir = g_dir_make_tmp("vh-exec-XXXXXX", NULL);

  g_assert_nonnull(dir);
  g_assert_cmpint(g_chmod(dir, 0755), ==, 0);
  return g_steal_pointer(&dir);
}

static void remove_dir(const char *dir, const char *vmm)
{
  g_assert_cmpint(g_remove(vmm), ==, 0);
  g_assert_cmpint(g_rmdir(dir), ==, 0);
}

/* The number N of "PREFIX...fd=N" in TEXT's "args:" line. */
static int fd_after(const char *text, const char *prefix)
{
  const char *at = strstr(text, prefix);

  g_assert_nonnull(at);
  at = strstr(at + strlen(prefix), "fd=");
  g_assert_nonnull(at);
  return (int)g_ascii_strtoll(at + 3, NULL, 10);
}

static void assert_fd_points(MockHost *host, const char *out, int fd, const char *node)
{
  g_autofree char *line = g_strdup_printf("fd %d: %s%s\n", fd, mock_host_root(host), node);

  g_assert_nonnull(strstr(out, line));
}

static void test_exec_iommufd(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_autofree char *dir = world_dir();
  g_autofree char *vmm = fake_vmm(dir, "9.1.0");

  cli_run(host, &result, "prepare", "--owner", "vm1", "--user", "nobody", EDU_R, NULL);
  g_assert_cmpint(result.status, ==, 0);
  /* the VMM runs through /bin/sh, which valgrind (CI) does not trace: a
   * traced child that changed its user could not make valgrind's files */
  cli_run(host, &result, "exec", "--owner", "vm1", "--qemu", vmm, "--", "/bin/sh", vmm, "-m", "1G", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "uid=65534 gid=65534\n"));
  g_assert_nonnull(strstr(result.out, "args: -m 1G -object iommufd,id=iommufd0,fd="));
  int iommu = fd_after(result.out, "-object iommufd,id=iommufd0,");
  int cdev = fd_after(result.out, "-device vfio-pci,host=" EDU_R ",iommufd=iommufd0,");
  g_assert_cmpint(iommu, >, 2);
  g_assert_cmpint(cdev, >, 2);
  assert_fd_points(host, result.out, iommu, "/dev/iommu");
  assert_fd_points(host, result.out, cdev, "/dev/vfio/devices/vfio0");

  /* QEMU 7.2: the group form, QEMU opens the node itself, nothing passed */
  cli_run(host, &result, "exec", "--owner", "vm1", "--qemu-version", "7.2", "--", "/bin/sh", vmm, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "uid=65534 gid=65534\nargs: -device vfio-pci,host=" EDU_R "\n"));
  g_assert_null(strstr(result.out, "fd "));

  /* another user: only where descriptors carry the access */
  cli_run(host, &result, "exec", "--owner", "vm1", "--user", "daemon", "--qemu-version", "7.2", "--", vmm, NULL);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  cli_run(host, &result, "exec", "--owner", "vm1", "--user", "daemon", "--qemu", vmm, "--", "/bin/sh", vmm, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "uid=1 gid=1\n"));
  remove_dir(dir, vmm);
}

static void test_exec_refusals(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_autofree char *dir = world_dir();
  g_autofree char *vmm = fake_vmm(dir, "9.1.0");
  g_autofree char *not_qemu = g_build_filename(dir, "true", NULL);

  cli_run(host, &result, "exec", "--owner", "vm9", "--qemu-version", "9.0", "--", vmm, NULL);
  g_assert_cmpint(result.status, ==, 3);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "owner vm9 holds no devices"));
  cli_run(host, &result, "exec", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_run(host, &result, "exec", "--owner", "bad/name", "--", vmm, NULL);
  g_assert_cmpint(result.status, ==, 2);
  /* a VMM that does not say its QEMU version, and none given */
  g_assert_true(g_file_set_contents(not_qemu, "#!/bin/sh\nexit 0\n", -1, NULL));
  g_assert_cmpint(g_chmod(not_qemu, 0755), ==, 0);
  cli_run(host, &result, "exec", "--owner", "vm1", "--", not_qemu, NULL);
  g_assert_cmpint(result.status, ==, 2);
  g_assert_nonnull(strstr(result.err, "--qemu-version"));
  g_assert_cmpint(g_remove(not_qemu), ==, 0);
  remove_dir(dir, vmm);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/exec/iommufd-and-group", test_exec_iommufd);
  g_test_add_func("/exec/refusals", test_exec_refusals);
  return g_test_run();
}
