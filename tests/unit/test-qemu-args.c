// SPDX-License-Identifier: LGPL-2.1-or-later
/* QEMU's arguments for one device: host= for the 16-bit PCI domains,
 * sysfsdev= for wider ones (Intel VMD's 10000:...), either with iommufd=;
 * and the version rule (iommufd from 9.0). The fake hosts have no VMD
 * device, so the naming is checked here, without a host. */
#include "hostdev/managed/qemu-args.h"
#include "util/hd-error.h"

static char *device_arg(const char *address, gboolean iommufd)
{
  HdPrepareResult result = {.address = (char *)address};
  g_autoptr(GPtrArray) args = hd_qemu_device_args(&result, iommufd);

  g_assert_cmpuint(args->len, ==, 2);
  g_assert_cmpstr(g_ptr_array_index(args, 0), ==, "-device");
  return g_strdup(g_ptr_array_index(args, 1));
}

static void test_device_naming(void)
{
  g_autofree char *plain = device_arg("0000:01:00.0", FALSE);
  g_autofree char *top = device_arg("ffff:01:00.0", FALSE);
  g_autofree char *vmd = device_arg("10000:00:02.0", FALSE);
  g_autofree char *vmd_iommufd = device_arg("10000:e1:00.0", TRUE);

  g_assert_cmpstr(plain, ==, "vfio-pci,host=0000:01:00.0");
  g_assert_cmpstr(top, ==, "vfio-pci,host=ffff:01:00.0");
  g_assert_cmpstr(vmd, ==, "vfio-pci,sysfsdev=/sys/bus/pci/devices/10000:00:02.0");
  g_assert_cmpstr(vmd_iommufd, ==, "vfio-pci,sysfsdev=/sys/bus/pci/devices/10000:e1:00.0,iommufd=iommufd0");
}

static void test_version_parse(void)
{
  const struct {
    const char *text;
    guint major, minor;
  } good[] = {{"9.0", 9, 0}, {"7.2.19", 7, 2}, {"10.1.0", 10, 1}, {"0.15", 0, 15}};
  const char *const bad[] = {"9", "9.", ".1", "9.x", "9.1.", "9.1.0.1", " 9.1", "9.1 ", "", "0.0", "12345.1"};

  for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
    HdQemuVersion version = {0, 0};
    g_assert_true(hd_qemu_version_parse(good[i].text, &version, NULL));
    g_assert_cmpuint(version.major, ==, good[i].major);
    g_assert_cmpuint(version.minor, ==, good[i].minor);
  }
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    HdQemuVersion version = {0, 0};
    g_assert_false(hd_qemu_version_parse(bad[i], &version, &error));
    g_assert_error(error, HD_ERROR, HD_ERROR_INVALID);
  }
}

static void test_version_order(void)
{
  const HdQemuVersion old = {8, 2}, first = {9, 0}, later = {10, 0};

  g_assert_false(hd_qemu_version_at_least(&old, HD_QEMU_IOMMUFD_MAJOR, HD_QEMU_IOMMUFD_MINOR));
  g_assert_true(hd_qemu_version_at_least(&first, HD_QEMU_IOMMUFD_MAJOR, HD_QEMU_IOMMUFD_MINOR));
  g_assert_true(hd_qemu_version_at_least(&later, HD_QEMU_IOMMUFD_MAJOR, HD_QEMU_IOMMUFD_MINOR));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/qemu-args/device-naming", test_device_naming);
  g_test_add_func("/qemu-args/version-parse", test_version_parse);
  g_test_add_func("/qemu-args/version-order", test_version_order);
  return g_test_run();
}
