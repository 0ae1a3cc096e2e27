// SPDX-License-Identifier: LGPL-2.1-or-later
/* `prepare` fits QEMU's arguments to the QEMU at hand (--qemu-version,
 * --qemu PATH asked with -version) on the realistic fake host, which has
 * /dev/iommu and cdevs: iommufd forms from 9.0, group forms before and by
 * default; bad versions are usage errors that change nothing. */
#include <glib/gstdio.h>

#include "managed-test-util.h"

/* A fake QEMU binary in DIR printing ANSWER to -version. */
static char *fake_qemu(const char *dir, const char *name, const char *answer)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autofree char *script = g_strdup_printf("#!/bin/sh\n[ \"$1\" = -version ] || exit 9\nprintf '%%s\\n' '%s'\n", answer);

  g_assert_true(g_file_set_contents(path, script, -1, NULL));
  g_assert_cmpint(g_chmod(path, 0755), ==, 0);
  return g_steal_pointer(&path);
}

/* The last line of plain output: "qemu-args: ..." after preparing ADDRESS
 * on a fresh realistic host (/dev/iommu, cdevs) with OPTION VALUE. */
static char *qemu_args_with(const char *option, const char *value, int expected_status)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "prepare", "--owner", "vm1", option, value, "0000:00:02.0", NULL);
  g_assert_cmpint(result.status, ==, expected_status);
  if (expected_status != 0) {
    cli_assert_one_line(result.err);
    g_assert_false(mt_has_journal(host, "vm1"));
    return NULL;
  }
  const char *line = strstr(result.out, "qemu-args:");
  g_assert_nonnull(line);
  return g_strdup(line);
}

/* The QEMU at hand picks the form: iommufd from 9.0, group before, and
 * group when not told (the group node exists); a bad version is exit 2
 * with nothing changed. */
static void test_prepare_qemu_version(void)
{
  g_autofree char *dir = g_dir_make_tmp("vh-qemu-XXXXXX", NULL);
  g_autofree char *old = fake_qemu(dir, "qemu-7.2", "QEMU emulator version 7.2.19 (Debian 1:7.2+dfsg-7+deb12u16)");
  g_autofree char *new = fake_qemu(dir, "qemu-9.1", "QEMU emulator version 9.1.0");
  g_autofree char *garbage = fake_qemu(dir, "qemu-garbage", "Usage: not a qemu");
  const char *const group = "qemu-args: -device vfio-pci,host=0000:00:02.0\n";
  const char *const iommufd = "qemu-args: -object iommufd,id=iommufd0 -device vfio-pci,host=0000:00:02.0,iommufd=iommufd0\n";
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_autofree char *by_default = NULL;

  g_autofree char *by_old = qemu_args_with("--qemu", old, 0);
  g_assert_cmpstr(by_old, ==, group);
  g_autofree char *by_new = qemu_args_with("--qemu", new, 0);
  g_assert_cmpstr(by_new, ==, iommufd);
  g_autofree char *by_8_2 = qemu_args_with("--qemu-version", "8.2", 0);
  g_assert_cmpstr(by_8_2, ==, group);
  g_autofree char *by_9_0 = qemu_args_with("--qemu-version", "9.0.1", 0);
  g_assert_cmpstr(by_9_0, ==, iommufd);
  cli_run(host, &result, "prepare", "--owner", "vm1", "0000:00:02.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  by_default = g_strdup(strstr(result.out, "qemu-args:"));
  g_assert_cmpstr(by_default, ==, group);

  g_assert_null(qemu_args_with("--qemu", garbage, 2));
  g_autofree char *missing = g_build_filename(dir, "no-such-qemu", NULL);
  g_assert_null(qemu_args_with("--qemu", missing, 2));
  const char *const bad[] = {"9", "9.", "9.x", "x.1", "9.1.", "9.1.0.1", "-9.1", "", "0.0", "99999.1"};
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
    g_assert_null(qemu_args_with("--qemu-version", bad[i], 2));
  cli_run(host, &result, "prepare", "--owner", "vm2", "--qemu", new, "--qemu-version", "9.1", "0000:00:03.0", NULL);
  g_assert_cmpint(result.status, ==, 2);
  g_assert_cmpint(g_remove(old), ==, 0);
  g_assert_cmpint(g_remove(new), ==, 0);
  g_assert_cmpint(g_remove(garbage), ==, 0);
  g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/prepare/qemu-version", test_prepare_qemu_version);
  return g_test_run();
}
