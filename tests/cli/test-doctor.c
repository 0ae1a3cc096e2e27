// SPDX-License-Identifier: LGPL-2.1-or-later
/* `doctor` against fake hosts: each check must say pass, warn or fail for
 * what the fake host holds, name the fix, and the exit status must be 1
 * exactly when a check fails. The fake hosts are tweaked per test the way a
 * real host differs: firmware tables, VT-d registers, huge pages, mount
 * table, module index. */
#include <glib/gstdio.h>

#include "doctor-test-util.h"

/* What a healthy VT-d host has beyond the fixture: /dev/vfio/vfio 0666 as
 * the kernel creates it, a VT-d unit that remaps interrupts, huge pages. */
static void make_healthy(MockHost *host)
{
  g_autofree char *container = root_path(host, "/dev/vfio/vfio");

  g_assert_cmpint(g_chmod(container, 0666), ==, 0);
  mock_host_write(host, "/sys/firmware/acpi/tables/DMAR", "");
  mock_host_write(host, "/sys/class/iommu/dmar0/intel-iommu/ecap", "f0205e\n");
  mock_host_write(host, "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "512\n");
  mock_host_write(host, "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "512\n");
}

static void test_q35_healthy(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;

  make_healthy(host);
  root = doctor_json(host, 0);
  g_assert_cmpstr(json_object_get_string_member(json_node_get_object(root), "status"), ==, "warn");
  assert_check(root, "iommu", "pass");
  assert_check(root, "interrupt-remapping", "pass");
  assert_check(root, "vfio", "pass");
  assert_check(root, "vfio-pci", "pass");
  assert_check(root, "dev-vfio", "pass");
  assert_check(root, "sysfs-writable", "pass");
  assert_check(root, "modules-alias", "pass");
  assert_check(root, "hugepages", "pass");
  assert_check(root, "vfio-dev", "pass");
  /* the q35 guest kernel has neither the cdev nor iommufd: optional */
  assert_check(root, "vfio-cdev", "warn");
  assert_check(root, "iommufd", "warn");
  g_assert_nonnull(strstr(check_message(root, "vfio-pci"), "built as a module (CONFIG_VFIO_PCI=m) and not loaded"));
  g_assert_nonnull(strstr(check_message(root, "modules-alias"), "3 for variant drivers"));
}

/* The fixture as it is: warnings (no huge pages, /dev/vfio/vfio 0644, no
 * VT-d unit to read) but nothing failing, so exit 0. */
static void test_q35_plain_output(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "doctor", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_cmpstr(result.err, ==, "");
  g_assert_true(g_str_has_prefix(result.out, "PASS  IOMMU enabled"));
  g_assert_nonnull(strstr(result.out, "WARN  Huge pages"));
  g_assert_nonnull(strstr(result.out, "fix: "));
  g_assert_nonnull(strstr(result.out, "\nwarn: 0 failed, "));
}

/* Every check has the documented keys; ids are unique; the overall status
 * is the worst one. */
static void test_json_shape(void)
{
  g_autoptr(MockHost) host = cli_host("no-iommu");
  g_autoptr(JsonNode) root = doctor_json(host, 1);
  JsonObject *object = json_node_get_object(root);
  JsonArray *checks = json_object_get_array_member(object, "checks");
  g_autoptr(GHashTable) ids = g_hash_table_new(g_str_hash, g_str_equal);
  gboolean any_fail = FALSE;

  g_assert_cmpuint(json_array_get_length(checks), ==, 14);
  for (guint i = 0; i < json_array_get_length(checks); i++) {
    JsonObject *check = json_array_get_object_element(checks, i);
    const char *status = json_object_get_string_member(check, "status");
    JsonNode *fix = json_object_get_member(check, "fix");

    g_assert_true(g_hash_table_add(ids, (gpointer)json_object_get_string_member(check, "id")));
    g_assert_nonnull(json_object_get_string_member(check, "title"));
    g_assert_cmpstr(json_object_get_string_member(check, "message"), !=, "");
    g_assert_true(g_str_equal(status, "pass") || g_str_equal(status, "warn") || g_str_equal(status, "fail"));
    /* a fix exactly when something is wrong */
    g_assert_true(g_str_equal(status, "pass") ? JSON_NODE_HOLDS_NULL(fix) : JSON_NODE_HOLDS_VALUE(fix));
    any_fail |= g_str_equal(status, "fail");
  }
  g_assert_true(any_fail);
  g_assert_cmpstr(json_object_get_string_member(object, "status"), ==, "fail");
}

/* No groups and nothing to tell the vendor: the firmware switch for
 * both, intel_iommu=on for Intel, and never amd_iommu=on (the kernel
 * rejects it: AMD's IOMMU is on by default). */
static void test_no_iommu(void)
{
  g_autoptr(MockHost) host = cli_host("no-iommu");
  g_autoptr(JsonNode) root = doctor_json(host, 1);

  assert_check(root, "iommu", "fail");
  g_assert_nonnull(strstr(check_message(root, "iommu"), "no IOMMU groups"));
  g_assert_nonnull(strstr(check_fix(root, "iommu"), "in the firmware setup"));
  g_assert_nonnull(strstr(check_fix(root, "iommu"), "intel_iommu=on"));
  g_assert_null(strstr(check_fix(root, "iommu"), "amd_iommu"));
}

/* With the firmware's DMAR table the fix names the one option missing. */
static void test_no_iommu_intel_firmware(void)
{
  g_autoptr(MockHost) host = cli_host("no-iommu");
  g_autoptr(JsonNode) root = NULL;

  mock_host_write(host, "/sys/firmware/acpi/tables/DMAR", "");
  root = doctor_json(host, 1);
  assert_check(root, "iommu", "fail");
  g_assert_nonnull(strstr(check_message(root, "iommu"), "lacks intel_iommu=on"));
  g_assert_true(g_str_has_prefix(check_fix(root, "iommu"), "add intel_iommu=on to the kernel command line"));
  g_assert_null(strstr(check_fix(root, "iommu"), "amd_iommu"));
}

/* An option turning the IOMMU off is named for removal; the last
 * occurrence of a parameter decides. */
static void test_no_iommu_turned_off(void)
{
  g_autoptr(MockHost) host = cli_host("no-iommu");
  g_autoptr(JsonNode) root = NULL;

  mock_host_write(host, "/proc/cmdline", "root=/dev/sda1 intel-iommu=on \"intel_iommu=off\" quiet\n");
  mock_host_write(host, "/sys/firmware/acpi/tables/DMAR", "");
  root = doctor_json(host, 1);
  g_assert_true(g_str_has_prefix(check_fix(root, "iommu"), "remove intel_iommu=off"));
}

static void test_interrupt_remapping_missing(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;

  make_healthy(host);
  mock_host_write(host, "/sys/class/iommu/dmar1/intel-iommu/ecap", "f02056\n");
  root = doctor_json(host, 1);
  assert_check(root, "interrupt-remapping", "fail");
  g_assert_nonnull(strstr(check_message(root, "interrupt-remapping"), "dmar1"));
  g_assert_null(strstr(check_message(root, "interrupt-remapping"), "dmar0"));
  /* q35-zoo is a QEMU guest: the VMM's intel-iommu is what lacks it */
  g_assert_nonnull(strstr(check_fix(root, "interrupt-remapping"), "intel-iommu,intremap=on"));
  g_assert_nonnull(strstr(check_fix(root, "interrupt-remapping"), "kernel-irqchip=split"));
}

/* The same on bare metal (no DMI, no hypervisor CPU flag): the platform. */
static void test_interrupt_remapping_missing_bare_metal(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;

  make_healthy(host);
  mock_host_remove(host, "/proc/cpuinfo");
  mock_host_remove(host, "/sys/devices/virtual/dmi");
  mock_host_write(host, "/sys/class/iommu/dmar1/intel-iommu/ecap", "f02056\n");
  root = doctor_json(host, 1);
  assert_check(root, "interrupt-remapping", "fail");
  g_assert_nonnull(strstr(check_fix(root, "interrupt-remapping"), "allow_unsafe_interrupts"));
  g_assert_null(strstr(check_fix(root, "interrupt-remapping"), "intel-iommu"));
}

/* allow_unsafe_interrupts makes VFIO accept it: a warning, not a failure. */
static void test_interrupt_remapping_unsafe_allowed(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;

  make_healthy(host);
  mock_host_write(host, "/sys/class/iommu/dmar0/intel-iommu/ecap", "f02056\n");
  mock_host_write(host, "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
  root = doctor_json(host, 0);
  assert_check(root, "interrupt-remapping", "warn");
}

static void test_interrupt_remapping_cmdline_off(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;

  make_healthy(host);
  mock_host_write(host, "/proc/cmdline", "intel_iommu=on intremap=off\n");
  root = doctor_json(host, 1);
  assert_check(root, "interrupt-remapping", "fail");
  g_assert_nonnull(strstr(check_fix(root, "interrupt-remapping"), "remove intremap=off"));
}

/* Interrupts delivered through remapping chips prove it is in use; without
 * any, a capable unit is only a warning. */
static void test_interrupt_remapping_from_irqs(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");

  make_healthy(host);
  mock_host_write(host, "/sys/kernel/irq/24/chip_name", "IR-PCI-MSI-0000:00:02.0\n");
  mock_host_write(host, "/sys/kernel/irq/9/chip_name", "IR-IO-APIC\n");
  mock_host_write(host, "/sys/kernel/irq/0/chip_name", "IO-APIC\n");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 0);
    assert_check(root, "interrupt-remapping", "pass");
    g_assert_nonnull(strstr(check_message(root, "interrupt-remapping"), "2 interrupts"));
  }
  mock_host_remove(host, "/sys/kernel/irq/24");
  mock_host_remove(host, "/sys/kernel/irq/9");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 0);
    assert_check(root, "interrupt-remapping", "warn");
  }
}

/* A missing modules.alias is a warning (bind falls back to vfio_pci), as
 * everywhere in the tool, never a failure. */
static void test_no_modules_alias(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;

  make_healthy(host);
  mock_host_remove(host, Q35_MODULES "/modules.alias");
  root = doctor_json(host, 0);
  assert_check(root, "modules-alias", "warn");
  g_assert_nonnull(strstr(check_message(root, "modules-alias"), "modules.alias"));
  g_assert_nonnull(strstr(check_message(root, "modules-alias"), "falls back to vfio_pci"));
  g_assert_nonnull(strstr(check_fix(root, "modules-alias"), "depmod 6.12.117+deb12-amd64"));
}

/* A container's read-only sysfs: the mount stacked last on /sys decides. */
static void test_sysfs_read_only(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;

  make_healthy(host);
  mock_host_write(host, "/proc/self/mountinfo",
                  "600 500 0:52 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
                  "601 600 0:55 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
                  "602 600 0:56 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw\n"
                  "603 602 0:56 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro\n"
                  "604 600 0:57 / /dev rw,nosuid - tmpfs tmpfs rw,mode=755\n");
  root = doctor_json(host, 1);
  assert_check(root, "sysfs-writable", "fail");
  g_assert_nonnull(strstr(check_message(root, "sysfs-writable"), "read-only"));
  g_assert_nonnull(strstr(check_fix(root, "sysfs-writable"), "remount,rw"));
}

/* A read-only mount below /sys that does not cover the PCI tree does not count. */
static void test_sysfs_read_only_elsewhere(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;

  make_healthy(host);
  mock_host_write(host, "/proc/self/mountinfo",
                  "21 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
                  "22 21 0:20 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw\n"
                  "30 22 0:26 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 ro\n"
                  "31 22 0:27 / /sys/bus/pcie rw - tmpfs tmpfs ro\n");
  root = doctor_json(host, 0);
  assert_check(root, "sysfs-writable", "pass");
}

/* Without vfio_pci in the module index and not registered: fail. */
static void test_no_vfio_pci(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *dep = mock_host_read(host, Q35_MODULES "/modules.dep");
  g_auto(GStrv) lines = g_strsplit(dep, "\n", -1);
  g_autoptr(GString) kept = g_string_new(NULL);

  for (char **line = lines; *line != NULL; line++)
    if (**line != '\0' && strstr(*line, "/vfio_pci.ko") == NULL)
      g_string_append_printf(kept, "%s\n", *line);
  make_healthy(host);
  mock_host_write(host, Q35_MODULES "/modules.dep", kept->str);
  root = doctor_json(host, 1);
  assert_check(root, "vfio-pci", "fail");
  assert_check(root, "vfio", "pass");
  /* the config says module: it is the modules that are missing */
  g_assert_nonnull(strstr(check_message(root, "vfio-pci"), "CONFIG_VFIO_PCI=m"));
  g_assert_true(g_str_has_prefix(check_fix(root, "vfio-pci"), "install the kernel's modules"));
}

/* Loaded modules are seen in sysfs, whatever the index says. */
static void test_vfio_loaded(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;
  g_auto(CliResult) load = {0};
  const char *const modprobe[] = {"modprobe", "vfio_pci", "vfio", NULL};
  g_autoptr(GError) error = NULL;

  g_assert_true(mock_host_run(host, modprobe, &load.out, &load.err, &load.status, &error));
  g_assert_cmpint(load.status, ==, 0);
  mock_host_remove(host, Q35_MODULES "/modules.dep");
  root = doctor_json(host, 0);
  assert_check(root, "vfio", "pass");
  assert_check(root, "vfio-pci", "pass");
  g_assert_nonnull(strstr(check_message(root, "vfio-pci"), "is loaded"));
  /* kmod's modprobe loaded type1 with vfio (softdep) */
  assert_check(root, "vfio-iommu-type1", "pass");
  g_assert_nonnull(strstr(check_message(root, "vfio-iommu-type1"), "loaded"));
}

static void test_dev_vfio(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");

  {
    g_autoptr(JsonNode) root = doctor_json(host, 0);
    assert_check(root, "dev-vfio", "warn");
    g_assert_nonnull(strstr(check_message(root, "dev-vfio"), "mode 0644"));
  }
  mock_host_remove(host, "/dev/vfio/vfio");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 0);
    assert_check(root, "dev-vfio", "warn");
    g_assert_nonnull(strstr(check_fix(root, "dev-vfio"), "modprobe"));
  }
  /* vfio loaded but no node: /dev is not what the kernel made */
  mock_host_write(host, "/sys/module/vfio/initstate", "live\n");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 1);
    assert_check(root, "dev-vfio", "fail");
  }
}

static void test_hugepages(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");

  mock_host_write(host, "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", "0\n");
  mock_host_write(host, "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "0\n");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 0);
    assert_check(root, "hugepages", "warn");
    g_assert_nonnull(strstr(check_fix(root, "hugepages"), "hugepages-2048kB/nr_hugepages"));
  }
  mock_host_write(host, "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", "4\n");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 0);
    assert_check(root, "hugepages", "pass");
    g_assert_nonnull(strstr(check_message(root, "hugepages"), "1048576kB: 4 reserved"));
  }
}

/* A VFIO-bound device shows vfio-dev/ and whether cdevs exist. */
static void test_kernel_features_after_bind(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(JsonNode) root = NULL;
  g_auto(CliResult) bind = {0};
  const char *const script[] = {
    "/bin/sh", "-c",
    "modprobe qedu_mig && echo qedu-mig > /sys/bus/pci/devices/0000:00:02.0/driver_override && "
    "echo 0000:00:02.0 > /sys/bus/pci/drivers_probe",
    NULL,
  };
  g_autoptr(GError) error = NULL;

  g_assert_true(mock_host_run(host, script, &bind.out, &bind.err, &bind.status, &error));
  g_assert_cmpint(bind.status, ==, 0);
  root = doctor_json(host, 0);
  assert_check(root, "vfio-dev", "pass");
  g_assert_nonnull(strstr(check_message(root, "vfio-dev"), "0000:00:02.0"));
  assert_check(root, "vfio-cdev", "warn");
  g_assert_nonnull(strstr(check_message(root, "vfio-cdev"), "not available"));
}

/* The realistic host has the cdev and iommufd. */
static void test_kernel_features_cdev(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autoptr(JsonNode) root = doctor_json(host, 0);

  assert_check(root, "vfio-cdev", "pass");
  assert_check(root, "iommufd", "pass");
  assert_check(root, "vfio-pci", "pass");
}

static void test_extra_argument(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "doctor", "0000:00:02.0", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_assert_one_line(result.err);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/doctor/q35/healthy", test_q35_healthy);
  g_test_add_func("/doctor/q35/plain-output", test_q35_plain_output);
  g_test_add_func("/doctor/json-shape", test_json_shape);
  g_test_add_func("/doctor/iommu/off", test_no_iommu);
  g_test_add_func("/doctor/iommu/intel-firmware", test_no_iommu_intel_firmware);
  g_test_add_func("/doctor/iommu/turned-off", test_no_iommu_turned_off);
  g_test_add_func("/doctor/interrupt-remapping/missing", test_interrupt_remapping_missing);
  g_test_add_func("/doctor/interrupt-remapping/missing-bare-metal", test_interrupt_remapping_missing_bare_metal);
  g_test_add_func("/doctor/interrupt-remapping/unsafe-allowed", test_interrupt_remapping_unsafe_allowed);
  g_test_add_func("/doctor/interrupt-remapping/cmdline-off", test_interrupt_remapping_cmdline_off);
  g_test_add_func("/doctor/interrupt-remapping/irqs", test_interrupt_remapping_from_irqs);
  g_test_add_func("/doctor/modules-alias/missing", test_no_modules_alias);
  g_test_add_func("/doctor/sysfs/read-only", test_sysfs_read_only);
  g_test_add_func("/doctor/sysfs/read-only-elsewhere", test_sysfs_read_only_elsewhere);
  g_test_add_func("/doctor/vfio-pci/missing", test_no_vfio_pci);
  g_test_add_func("/doctor/vfio/loaded", test_vfio_loaded);
  g_test_add_func("/doctor/dev-vfio", test_dev_vfio);
  g_test_add_func("/doctor/hugepages", test_hugepages);
  g_test_add_func("/doctor/kernel/after-bind", test_kernel_features_after_bind);
  g_test_add_func("/doctor/kernel/cdev", test_kernel_features_cdev);
  g_test_add_func("/doctor/usage", test_extra_argument);
  return g_test_run();
}
