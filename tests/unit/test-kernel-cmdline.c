// SPDX-License-Identifier: LGPL-2.1-or-later
/* The kernel command line splitter and the module index's entry names:
 * the mechanism behind doctor's IOMMU and module checks. */
#include "util/kernel-cmdline.h"
#include "util/module-index.h"

static void test_split(void)
{
  g_autoptr(HdCmdline) cmdline =
    hd_cmdline_parse("BOOT_IMAGE=/vmlinuz  root=UUID=0f0e ro\tquiet intel_iommu=on,sm_on\n");

  g_assert_cmpuint(hd_cmdline_n_params(cmdline), ==, 5);
  g_assert_cmpstr(hd_cmdline_name(cmdline, 1), ==, "root");
  /* only the first '=' separates */
  g_assert_cmpstr(hd_cmdline_value(cmdline, 1), ==, "UUID=0f0e");
  g_assert_cmpstr(hd_cmdline_name(cmdline, 2), ==, "ro");
  g_assert_null(hd_cmdline_value(cmdline, 2));
  g_assert_true(hd_cmdline_has_word(cmdline, "intel_iommu", "on"));
  g_assert_true(hd_cmdline_has_word(cmdline, "intel_iommu", "sm_on"));
  g_assert_false(hd_cmdline_has_word(cmdline, "intel_iommu", "o"));
  g_assert_false(hd_cmdline_has_word(cmdline, "amd_iommu", "on"));
}

/* Quotes keep blanks in a value and are dropped, as next_arg() does. */
static void test_quotes(void)
{
  g_autoptr(HdCmdline) cmdline = hd_cmdline_parse("dyndbg=\"file x.c +p\" \"quoted=a b\" tail=\"open end");

  g_assert_cmpuint(hd_cmdline_n_params(cmdline), ==, 3);
  g_assert_cmpstr(hd_cmdline_value(cmdline, 0), ==, "file x.c +p");
  g_assert_cmpstr(hd_cmdline_name(cmdline, 1), ==, "quoted");
  g_assert_cmpstr(hd_cmdline_value(cmdline, 1), ==, "a b");
  g_assert_cmpstr(hd_cmdline_value(cmdline, 2), ==, "open end");
}

/* "--" ends the kernel's parameters; what follows is init's. */
static void test_double_dash(void)
{
  g_autoptr(HdCmdline) cmdline = hd_cmdline_parse("quiet -- intel_iommu=on");

  g_assert_cmpuint(hd_cmdline_n_params(cmdline), ==, 1);
  g_assert_false(hd_cmdline_has_word(cmdline, "intel_iommu", "on"));
}

/* '-' and '_' are one in names; the last occurrence decides. */
static void test_names_and_last_wins(void)
{
  g_autoptr(HdCmdline) cmdline = hd_cmdline_parse("intel-iommu=on amd_iommu=off intel_iommu=off =x");

  g_assert_true(hd_cmdline_has_word(cmdline, "intel_iommu", "off"));
  g_assert_false(hd_cmdline_has_word(cmdline, "intel_iommu", "on"));
  g_assert_true(hd_cmdline_has_word(cmdline, "amd-iommu", "off"));
  g_assert_cmpstr(hd_cmdline_name(cmdline, 3), ==, "");
}

static void test_empty(void)
{
  g_autoptr(HdCmdline) blank = hd_cmdline_parse(" \n\t ");
  g_autoptr(HdCmdline) bare = hd_cmdline_parse("intel_iommu");

  g_assert_cmpuint(hd_cmdline_n_params(blank), ==, 0);
  g_assert_false(hd_cmdline_has_word(bare, "intel_iommu", "on"));
}

static void test_module_entry_name(void)
{
  const struct {
    const char *line;
    const char *name;
  } cases[] = {
    {"kernel/drivers/vfio/pci/vfio-pci.ko.xz: kernel/drivers/vfio/vfio.ko.xz", "vfio_pci"},
    {"kernel/drivers/vfio/vfio.ko\n", "vfio"},
    {"kernel/drivers/mock/qedu_mig.ko:", "qedu_mig"},
    {"updates/dkms/nvidia.ko.zst: ", "nvidia"},
    {"kernel/drivers/iommu/iommufd/iommufd.ko", "iommufd"},
    {"", NULL},
    {"# comment", NULL},
    {"kernel/.ko:", NULL},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *name = hd_module_index_entry_name(cases[i].line);
    g_assert_cmpstr(name, ==, cases[i].name);
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/kernel-cmdline/split", test_split);
  g_test_add_func("/kernel-cmdline/quotes", test_quotes);
  g_test_add_func("/kernel-cmdline/double-dash", test_double_dash);
  g_test_add_func("/kernel-cmdline/names-and-last-wins", test_names_and_last_wins);
  g_test_add_func("/kernel-cmdline/empty", test_empty);
  g_test_add_func("/module-index/entry-name", test_module_entry_name);
  return g_test_run();
}
