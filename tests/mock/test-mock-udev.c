// SPDX-License-Identifier: LGPL-2.1-or-later
/* test-mock-udev: the libudev entry points served by the preload (device
 * enumeration and hwdb names), and lspci -k under the mock.
 *
 * The test re-runs itself under the preload with --child-* arguments so
 * that its own calls to libudev reach the mock. */
#include "test-mock-common.h"

#include <libudev.h>
#include <stdio.h>

static int child_enumerate(void)
{
  struct udev *udev = udev_new();
  struct udev_enumerate *e = udev_enumerate_new(udev);
  struct udev_list_entry *entry;

  if (udev_enumerate_add_match_subsystem(e, "pci") < 0 || udev_enumerate_scan_devices(e) < 0)
    return 1;
  for (entry = udev_enumerate_get_list_entry(e); entry; entry = udev_list_entry_get_next(entry))
    printf("%s\n", udev_list_entry_get_name(entry));
  udev_enumerate_unref(e);
  udev_unref(udev);
  return 0;
}

static int child_hwdb(const char *modalias)
{
  struct udev *udev = udev_new();
  struct udev_hwdb *hwdb = udev_hwdb_new(udev);
  struct udev_list_entry *entry;

  if (hwdb == NULL) {
    printf("no hwdb\n");
  } else {
    for (entry = udev_hwdb_get_properties_list_entry(hwdb, modalias, 0); entry;
         entry = udev_list_entry_get_next(entry))
      printf("%s=%s\n", udev_list_entry_get_name(entry), udev_list_entry_get_value(entry));
    udev_hwdb_unref(hwdb);
  }
  udev_unref(udev);
  return 0;
}

static char *self_path;

static char *run_child(MockHost *host, const char *mode, const char *arg)
{
  const char *argv[] = { self_path, mode, arg, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = -1;

  g_assert_true(mock_host_run(host, argv, &out, NULL, &status, &error));
  g_assert_no_error(error);
  g_assert_cmpint(status, ==, 0);
  return out;
}

static void test_enumerate(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");
  g_autofree char *out = run_child(host, "--child-enumerate", NULL);
  g_auto(GStrv) lines = g_strsplit(g_strchomp(out), "\n", -1);

  g_assert_cmpuint(g_strv_length(lines), ==, 13);
  g_assert_cmpstr(lines[0], ==, "/sys/devices/pci0000:00/0000:00:00.0");
  g_assert_cmpstr(lines[3], ==, "/sys/devices/pci0000:00/0000:00:03.0");
  /* Sorted by path: a device behind a bridge follows its bridge. */
  g_assert_cmpstr(lines[4], ==, "/sys/devices/pci0000:00/0000:00:03.0/0000:01:00.0");
  g_assert_cmpstr(lines[12], ==, "/sys/devices/pci0000:00/0000:00:1f.3");
}

static void test_hwdb(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");
  g_autofree char *out = run_child(host, "--child-hwdb",
                                   "pci:v00008086d000010D3sv00008086sd00000000bc02sc00i00");
  g_autofree char *vendor_only = run_child(host, "--child-hwdb", "pci:v00008086");
  g_autofree char *none = NULL;

  g_assert_cmpstr(out, ==,
                  "ID_VENDOR_FROM_DATABASE=Intel Corporation\n"
                  "ID_MODEL_FROM_DATABASE=82574L Gigabit Network Connection\n");
  g_assert_cmpstr(vendor_only, ==, "ID_VENDOR_FROM_DATABASE=Intel Corporation\n");
  mock_host_remove(host, "/.mock/hwdb");
  none = run_child(host, "--child-hwdb", "pci:v00008086");
  g_assert_cmpstr(none, ==, "no hwdb\n");
}

/* The hwdb has the subsystem's name under the longer pattern, as systemd's
 * 20-pci-vendor-model.hwdb has: the full modalias finds it, a lookup by
 * vendor and device (what lspci and the tool ask) does not. */
static void test_hwdb_subsystem_and_class(void)
{
  g_autoptr(MockHost) host = host_new("realistic");
  g_autofree char *full = run_child(host, "--child-hwdb",
                                    "pci:v00008086d00001521sv00008086sd00000001bc02sc00i00");
  g_autofree char *model = run_child(host, "--child-hwdb", "pci:v00008086d00001521*");
  g_autofree char *subclass = run_child(host, "--child-hwdb", "pci:v*d*sv*sd*bc02sc00*");

  g_assert_cmpstr(full, ==,
                  "ID_VENDOR_FROM_DATABASE=Intel Corporation\n"
                  "ID_MODEL_FROM_DATABASE=Ethernet Server Adapter I350-T4\n"
                  "ID_PCI_CLASS_FROM_DATABASE=Network controller\n"
                  "ID_PCI_SUBCLASS_FROM_DATABASE=Ethernet controller\n");
  g_assert_cmpstr(model, ==,
                  "ID_VENDOR_FROM_DATABASE=Intel Corporation\n"
                  "ID_MODEL_FROM_DATABASE=I350 Gigabit Network Connection\n");
  g_assert_cmpstr(subclass, ==,
                  "ID_PCI_CLASS_FROM_DATABASE=Network controller\n"
                  "ID_PCI_SUBCLASS_FROM_DATABASE=Ethernet controller\n");
}

/* lspci (libpci reads sysfs and asks udev's hwdb for names) lists the
 * fake devices with their drivers. */
static void test_lspci(void)
{
  g_autoptr(MockHost) host = host_new("q35-zoo");
  g_autofree char *lspci = g_find_program_in_path("lspci");
  g_autofree char *out = NULL, *err = NULL;
  int status = -1;

  if (lspci == NULL) {
    g_test_skip("lspci is not installed");
    return;
  }
  {
    const char *argv[] = { lspci, "-k", "-nn", NULL };
    g_assert_true(mock_host_run(host, argv, &out, &err, &status, NULL));
  }
  g_assert_cmpint(status, ==, 0);
  g_assert_cmpstr(err, ==, "");
  g_assert_nonnull(strstr(out, "00:02.0 Unclassified device [00ff]: "));
  g_assert_nonnull(strstr(out, "[1234:11e8] (rev 10)"));
  g_assert_nonnull(strstr(out, "[8086:10d3]\n\tSubsystem: "));
  g_assert_nonnull(strstr(out, "\tKernel driver in use: e1000e\n"));
  g_assert_nonnull(strstr(out, "03:00.0 Non-Volatile memory controller [0108]"));
  g_assert_null(strstr(out, "04:00.0"));
}

int main(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "--child-enumerate") == 0)
    return child_enumerate();
  if (argc >= 3 && strcmp(argv[1], "--child-hwdb") == 0)
    return child_hwdb(argv[2]);
  self_path = g_file_read_link("/proc/self/exe", NULL);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mock/udev/enumerate", test_enumerate);
  g_test_add_func("/mock/udev/hwdb", test_hwdb);
  g_test_add_func("/mock/udev/hwdb-subsystem-and-class", test_hwdb_subsystem_and_class);
  g_test_add_func("/mock/udev/lspci", test_lspci);
  return g_test_run();
}
