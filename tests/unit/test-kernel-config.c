// SPDX-License-Identifier: LGPL-2.1-or-later
/* hd_kernel_config_parse(): a Kconfig .config as the kernel writes it
 * (CONFIG_X=y/m/value, "# CONFIG_X is not set", comments, blank lines),
 * and what is not one of those lines. */
#include <glib.h>

#include "hostdev/doctor/kernel-config.h"

static const char config_text[] = "#\n"
                                  "# Automatically generated file; DO NOT EDIT.\n"
                                  "# Linux/x86 6.12.118 Kernel Configuration\n"
                                  "#\n"
                                  "CONFIG_VFIO=m\n"
                                  "CONFIG_VFIO_GROUP=y\n"
                                  "# CONFIG_IOMMUFD is not set\n"
                                  "CONFIG_LOCALVERSION=\"-amd64\"\n"
                                  "CONFIG_NR_CPUS=8192\n"
                                  "\n"
                                  "# CONFIG_VFIO_NOIOMMU is not set here\n"
                                  "#CONFIG_BROKEN is not set\n"
                                  "CONFIG_OLD=n\n"
                                  "CONFIG_VFIO_PCI=m\r\n"
                                  "VFIO_DEBUGFS=y\n";

static void test_states(void)
{
  g_autoptr(HdKernelConfig) config = hd_kernel_config_parse(config_text, "/boot/config-test");

  g_assert_cmpstr(hd_kernel_config_source(config), ==, "/boot/config-test");
  g_assert_cmpint(hd_kernel_config_get(config, "CONFIG_VFIO"), ==, HD_KCONFIG_MODULE);
  g_assert_cmpint(hd_kernel_config_get(config, "CONFIG_VFIO_GROUP"), ==, HD_KCONFIG_BUILTIN);
  g_assert_cmpint(hd_kernel_config_get(config, "CONFIG_IOMMUFD"), ==, HD_KCONFIG_NOT_SET);
  g_assert_cmpint(hd_kernel_config_get(config, "CONFIG_LOCALVERSION"), ==, HD_KCONFIG_VALUE);
  g_assert_cmpint(hd_kernel_config_get(config, "CONFIG_NR_CPUS"), ==, HD_KCONFIG_VALUE);
  g_assert_cmpint(hd_kernel_config_get(config, "CONFIG_OLD"), ==, HD_KCONFIG_NOT_SET);
  /* a line ending in CR LF still says module */
  g_assert_cmpint(hd_kernel_config_get(config, "CONFIG_VFIO_PCI"), ==, HD_KCONFIG_MODULE);
  g_assert_true(hd_kernel_config_enabled(config, "CONFIG_VFIO"));
  g_assert_true(hd_kernel_config_enabled(config, "CONFIG_VFIO_GROUP"));
  g_assert_false(hd_kernel_config_enabled(config, "CONFIG_IOMMUFD"));
}

/* Comments that only look like the "not set" line, and names without
 * CONFIG_, say nothing: the symbol is absent. */
static void test_not_lines(void)
{
  g_autoptr(HdKernelConfig) config = hd_kernel_config_parse(config_text, "x");

  g_assert_cmpint(hd_kernel_config_get(config, "CONFIG_VFIO_NOIOMMU"), ==, HD_KCONFIG_ABSENT);
  g_assert_cmpint(hd_kernel_config_get(config, "CONFIG_BROKEN"), ==, HD_KCONFIG_ABSENT);
  g_assert_cmpint(hd_kernel_config_get(config, "CONFIG_VFIO_DEBUGFS"), ==, HD_KCONFIG_ABSENT);
  g_assert_cmpint(hd_kernel_config_get(config, "VFIO_DEBUGFS"), ==, HD_KCONFIG_ABSENT);
  g_assert_false(hd_kernel_config_enabled(config, "CONFIG_NOT_THERE"));
}

/* The last assignment wins, as when Kconfig merges fragments. */
static void test_last_wins(void)
{
  g_autoptr(HdKernelConfig) config =
    hd_kernel_config_parse("CONFIG_VFIO=y\n# CONFIG_VFIO is not set\nCONFIG_IOMMUFD=y\nCONFIG_IOMMUFD=m\n", "x");

  g_assert_cmpint(hd_kernel_config_get(config, "CONFIG_VFIO"), ==, HD_KCONFIG_NOT_SET);
  g_assert_cmpint(hd_kernel_config_get(config, "CONFIG_IOMMUFD"), ==, HD_KCONFIG_MODULE);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/kernel-config/states", test_states);
  g_test_add_func("/kernel-config/not-lines", test_not_lines);
  g_test_add_func("/kernel-config/last-wins", test_last_wins);
  return g_test_run();
}
