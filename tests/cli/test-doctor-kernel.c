// SPDX-License-Identifier: LGPL-2.1-or-later
/* `doctor` reading the kernel's build configuration and the machine it
 * runs on: a kernel without VFIO is told apart from VFIO built as a
 * module but not loaded; a virtual machine gets advice for its VMM, not
 * for firmware; AMD's IOMMU turned off by amd_iommu=off is named and
 * amd_iommu=on is never advised; vfio loaded without vfio_iommu_type1;
 * no-IOMMU mode; iommufd and the cdev explained by the config. */
#include <gio/gio.h>

#include "doctor-test-util.h"

#define Q35_CONFIG "/boot/config-6.12.117+deb12-amd64"

/* The q35 guest's config with LINE_FILTER's lines replaced: each line
 * starting with a key of REPLACE becomes its value ("" drops it). */
static void rewrite_config(MockHost *host, const char *const *replace)
{
  g_autofree char *text = mock_host_read(host, Q35_CONFIG);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_autoptr(GString) out = g_string_new(NULL);

  for (char **line = lines; *line != NULL; line++) {
    gboolean replaced = FALSE;
    for (guint i = 0; replace[i] != NULL && !replaced; i += 2) {
      if (g_str_has_prefix(*line, replace[i])) {
        if (replace[i + 1][0] != '\0' && strstr(out->str, replace[i + 1]) == NULL)
          g_string_append_printf(out, "%s\n", replace[i + 1]);
        replaced = TRUE;
      }
    }
    if (!replaced && **line != '\0')
      g_string_append_printf(out, "%s\n", *line);
  }
  mock_host_write(host, Q35_CONFIG, out->str);
}

/* modules.dep without the lines naming any of MODULES ("/vfio.ko"). */
static void drop_modules(MockHost *host, const char *const *modules)
{
  g_autofree char *dep = mock_host_read(host, Q35_MODULES "/modules.dep");
  g_auto(GStrv) lines = g_strsplit(dep, "\n", -1);
  g_autoptr(GString) kept = g_string_new(NULL);

  for (char **line = lines; *line != NULL; line++) {
    gboolean drop = **line == '\0';
    for (guint i = 0; modules[i] != NULL; i++)
      drop |= strstr(*line, modules[i]) != NULL;
    if (!drop)
      g_string_append_printf(kept, "%s\n", *line);
  }
  mock_host_write(host, Q35_MODULES "/modules.dep", kept->str);
}

static void assert_no_load_advice(JsonNode *root, const char *id)
{
  g_assert_null(strstr(check_fix(root, id), "modprobe"));
  g_assert_null(strstr(check_fix(root, id), "depmod"));
}

/* CONFIG_VFIO is not set (Kconfig then leaves the VFIO_* options out) and
 * no VFIO module exists: "built without", never "load it". */
static void test_no_vfio_built(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  const char *const replace[] = {"CONFIG_VFIO=", "# CONFIG_VFIO is not set", "CONFIG_VFIO_", "",
                                 "# CONFIG_VFIO_", "", NULL};
  const char *const modules[] = {"/vfio", NULL};
  g_autoptr(JsonNode) root = NULL;

  rewrite_config(host, replace);
  drop_modules(host, modules);
  mock_host_remove(host, "/dev/vfio/vfio");
  root = doctor_json(host, 1);
  assert_check(root, "vfio", "fail");
  g_assert_nonnull(strstr(check_message(root, "vfio"), "built without VFIO: CONFIG_VFIO is not set in " Q35_CONFIG));
  assert_no_load_advice(root, "vfio");
  assert_check(root, "vfio-pci", "fail");
  assert_no_load_advice(root, "vfio-pci");
  assert_check(root, "dev-vfio", "warn");
  assert_no_load_advice(root, "dev-vfio");
  /* no version-based pass for a VFIO that is not there */
  assert_check(root, "vfio-dev", "warn");
  assert_check(root, "vfio-iommu-type1", "warn");
}

/* CONFIG_VFIO=m, not loaded: fine, bind loads it; without the module
 * files it fails naming the missing modules, not the kernel. */
static void test_vfio_module_not_loaded(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  const char *const modules[] = {"/vfio.ko", NULL};

  {
    g_autoptr(JsonNode) root = doctor_json(host, 0);
    assert_check(root, "vfio", "pass");
    g_assert_nonnull(strstr(check_message(root, "vfio"), "built as a module (CONFIG_VFIO=m) and not loaded"));
    assert_check(root, "vfio-dev", "pass");
    g_assert_nonnull(strstr(check_message(root, "vfio-dev"), "CONFIG_VFIO_GROUP"));
  }
  drop_modules(host, modules);
  {
    g_autoptr(JsonNode) root = doctor_json(host, 1);
    assert_check(root, "vfio", "fail");
    g_assert_nonnull(strstr(check_message(root, "vfio"), "module vfio is not installed"));
    g_assert_true(g_str_has_prefix(check_fix(root, "vfio"), "install the kernel's modules"));
  }
}

/* Without any config the version is no evidence: vfio-dev is unknown
 * until vfio registers its class. */
static void test_vfio_dev_by_presence(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");

  mock_host_remove(host, Q35_CONFIG);
  {
    g_autoptr(JsonNode) root = doctor_json(host, 0);
    assert_check(root, "vfio-dev", "warn");
    g_assert_nonnull(strstr(check_message(root, "vfio-dev"), "unknown"));
  }
  mock_host_write(host, "/sys/class/vfio-dev/.keep", "");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 0);
    assert_check(root, "vfio-dev", "pass");
  }
}

/* A QEMU guest without a vIOMMU: what QEMU must be given, not firmware. */
static void test_qemu_guest_without_iommu(void)
{
  g_autoptr(MockHost) host = cli_host("no-iommu");
  g_autoptr(JsonNode) root = NULL;

  mock_host_write(host, "/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu sse2 lm hypervisor\n\n");
  mock_host_write(host, "/sys/class/dmi/id/sys_vendor", "QEMU\n");
  mock_host_write(host, "/sys/class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n");
  root = doctor_json(host, 1);
  assert_check(root, "iommu", "fail");
  g_assert_nonnull(strstr(check_message(root, "iommu"), "QEMU virtual machine"));
  g_assert_nonnull(strstr(check_fix(root, "iommu"), "-device intel-iommu,intremap=on,caching-mode=on"));
  g_assert_nonnull(strstr(check_fix(root, "iommu"), "-machine q35,kernel-irqchip=split"));
  g_assert_nonnull(strstr(check_fix(root, "iommu"), "virtio-iommu"));
  g_assert_null(strstr(check_fix(root, "iommu"), "firmware"));
}

/* Only the CPU flag: a guest, advice for any hypervisor. */
static void test_unknown_hypervisor(void)
{
  g_autoptr(MockHost) host = cli_host("no-iommu");
  g_autoptr(JsonNode) root = NULL;

  mock_host_write(host, "/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu hypervisor sse2\n\n");
  root = doctor_json(host, 1);
  g_assert_nonnull(strstr(check_message(root, "iommu"), "hypervisor CPU flag"));
  g_assert_nonnull(strstr(check_fix(root, "iommu"), "virtual IOMMU"));
  g_assert_null(strstr(check_fix(root, "iommu"), "firmware setup"));
}

/* VT-d in the firmware: what the kernel's config says changes the advice. */
static void test_intel_from_config(void)
{
  g_autoptr(MockHost) host = cli_host("no-iommu");
  const char *config = "/boot/config-6.12.48+deb13-amd64";

  mock_host_write(host, "/sys/firmware/acpi/tables/DMAR", "");
  mock_host_write(host, config, "CONFIG_VFIO=m\nCONFIG_INTEL_IOMMU=y\nCONFIG_INTEL_IOMMU_DEFAULT_ON=y\n");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 1);
    g_assert_nonnull(strstr(check_message(root, "iommu"), "CONFIG_INTEL_IOMMU_DEFAULT_ON=y"));
    g_assert_null(strstr(check_fix(root, "iommu"), "intel_iommu=on"));
  }
  mock_host_write(host, config, "CONFIG_VFIO=m\n# CONFIG_INTEL_IOMMU is not set\n");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 1);
    g_assert_nonnull(strstr(check_message(root, "iommu"), "built without CONFIG_INTEL_IOMMU (" ));
    g_assert_true(g_str_has_prefix(check_fix(root, "iommu"), "use a kernel built with CONFIG_INTEL_IOMMU"));
  }
  mock_host_write(host, config, "CONFIG_VFIO=m\nCONFIG_INTEL_IOMMU=y\n");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 1);
    g_assert_true(g_str_has_prefix(check_fix(root, "iommu"), "add intel_iommu=on"));
  }
}

/* Nothing anywhere in doctor, list or show advises amd_iommu=on. */
static void assert_never_amd_iommu_on(MockHost *host)
{
  const char *const commands[][3] = {{"doctor", NULL}, {"doctor", "--json"}, {"list", NULL},
                                     {"show", "0000:01:00.0"}};

  for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
    g_auto(CliResult) result = {0};
    cli_run(host, &result, commands[i][0], commands[i][1], NULL);
    g_assert_null(strstr(result.out, "amd_iommu=on"));
    g_assert_null(strstr(result.err, "amd_iommu=on"));
  }
}

/* The AMD server booted with amd_iommu=off (its config in /proc/config.gz). */
static void test_amd_iommu_off(void)
{
  g_autoptr(MockHost) host = cli_host("amd-iommu-off");

  {
    g_autoptr(JsonNode) root = doctor_json(host, 1);
    assert_check(root, "iommu", "fail");
    g_assert_nonnull(strstr(check_message(root, "iommu"), "amd_iommu=off"));
    g_assert_nonnull(strstr(check_message(root, "iommu"), "on by default"));
    g_assert_true(g_str_has_prefix(check_fix(root, "iommu"), "remove amd_iommu=off"));
    /* the gzipped config was read */
    g_assert_nonnull(strstr(check_message(root, "iommufd"), "(/proc/config.gz)"));
  }
  assert_never_amd_iommu_on(host);
  mock_host_write(host, "/proc/cmdline", "root=/dev/sda1 ro iommu=off\n");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 1);
    g_assert_true(g_str_has_prefix(check_fix(root, "iommu"), "remove iommu=off"));
  }
  /* nothing on the command line: AMD-Vi is on by default, so it failed */
  mock_host_write(host, "/proc/cmdline", "root=/dev/sda1 ro\n");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 1);
    g_assert_nonnull(strstr(check_message(root, "iommu"), "enables by default"));
    g_assert_nonnull(strstr(check_fix(root, "iommu"), "AMD-Vi errors in the kernel log"));
  }
  assert_never_amd_iommu_on(host);
}

/* vfio loaded without kmod's softdep (insmod, busybox modprobe). */
static void test_type1_not_loaded(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");

  mock_host_write(host, "/sys/module/vfio/initstate", "live\n");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 1);
    assert_check(root, "vfio-iommu-type1", "fail");
    g_assert_nonnull(strstr(check_message(root, "vfio-iommu-type1"), "VFIO_SET_IOMMU"));
    g_assert_nonnull(strstr(check_message(root, "vfio-iommu-type1"), "softdep"));
    g_assert_true(g_str_has_prefix(check_fix(root, "vfio-iommu-type1"), "modprobe vfio_iommu_type1"));
  }
  /* built in: nothing to load */
  {
    const char *const replace[] = {"CONFIG_VFIO_IOMMU_TYPE1=", "CONFIG_VFIO_IOMMU_TYPE1=y", NULL};
    g_autoptr(JsonNode) root = NULL;
    rewrite_config(host, replace);
    root = doctor_json(host, 0);
    assert_check(root, "vfio-iommu-type1", "pass");
  }
}

/* With iommufd the container is not the only way: a warning. */
static void test_type1_not_loaded_iommufd(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autoptr(JsonNode) root = NULL;

  mock_host_remove(host, "/sys/module/vfio_iommu_type1");
  root = doctor_json(host, 0);
  assert_check(root, "vfio-iommu-type1", "warn");
  g_assert_nonnull(strstr(check_message(root, "vfio-iommu-type1"), "VMMs using iommufd are not affected"));
}

static void test_noiommu(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");

  mock_host_write(host, "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "N\n");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 1);
    assert_check(root, "noiommu", "pass");
  }
  mock_host_write(host, "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "Y\n");
  mock_host_write(host, "/dev/vfio/noiommu-0", "");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 1);
    assert_check(root, "noiommu", "warn");
    g_assert_nonnull(strstr(check_message(root, "noiommu"), "enable_unsafe_noiommu_mode=Y, noiommu-0"));
    g_assert_nonnull(strstr(check_fix(root, "noiommu"), "echo N >"));
  }
}

/* iommufd and the cdev: absent explained by the config, or passing. */
static void test_iommufd_cdev_from_config(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");

  {
    g_autoptr(JsonNode) root = doctor_json(host, 0);
    assert_check(root, "iommufd", "warn");
    g_assert_nonnull(strstr(check_message(root, "iommufd"), "built without CONFIG_IOMMUFD (" Q35_CONFIG ")"));
    assert_check(root, "vfio-cdev", "warn");
    g_assert_nonnull(strstr(check_message(root, "vfio-cdev"), "CONFIG_IOMMUFD"));
  }
  {
    const char *const replace[] = {"# CONFIG_IOMMUFD is not set", "CONFIG_IOMMUFD=m\nCONFIG_VFIO_DEVICE_CDEV=y",
                                   NULL};
    g_autoptr(JsonNode) root = NULL;
    rewrite_config(host, replace);
    root = doctor_json(host, 0);
    assert_check(root, "vfio-cdev", "pass");
    assert_check(root, "iommufd", "warn");
    g_assert_nonnull(strstr(check_fix(root, "iommufd"), "modprobe iommufd"));
  }
  {
    /* as on a kernel with iommufd: vfio's iommufd glue makes vfio need it */
    g_autofree char *deps = mock_host_read(host, Q35_MODULES "/modules.dep");
    g_autoptr(GString) more = g_string_new(deps);
    g_assert_cmpuint(g_string_replace(more, "/vfio.ko:\n", "/vfio.ko: kernel/drivers/mock/iommufd.ko\n", 1), ==, 1);
    g_string_append(more, "kernel/drivers/mock/iommufd.ko:\n");
    mock_host_write(host, Q35_MODULES "/modules.dep", more->str);
    g_autoptr(JsonNode) root = doctor_json(host, 0);
    assert_check(root, "iommufd", "pass");
    g_assert_nonnull(strstr(check_message(root, "iommufd"), "CONFIG_IOMMUFD=m"));
    g_assert_nonnull(strstr(check_message(root, "iommufd"), "module vfio depends on it"));
  }
  mock_host_write(host, "/dev/iommu", "");
  {
    g_autoptr(JsonNode) root = doctor_json(host, 0);
    assert_check(root, "iommufd", "pass");
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/doctor/kernel-config/no-vfio", test_no_vfio_built);
  g_test_add_func("/doctor/kernel-config/vfio-module-not-loaded", test_vfio_module_not_loaded);
  g_test_add_func("/doctor/kernel-config/vfio-dev-by-presence", test_vfio_dev_by_presence);
  g_test_add_func("/doctor/kernel-config/iommufd-cdev", test_iommufd_cdev_from_config);
  g_test_add_func("/doctor/hypervisor/qemu-without-iommu", test_qemu_guest_without_iommu);
  g_test_add_func("/doctor/hypervisor/unknown", test_unknown_hypervisor);
  g_test_add_func("/doctor/iommu/amd-iommu-off", test_amd_iommu_off);
  g_test_add_func("/doctor/iommu/intel-from-config", test_intel_from_config);
  g_test_add_func("/doctor/type1/not-loaded", test_type1_not_loaded);
  g_test_add_func("/doctor/type1/not-loaded-iommufd", test_type1_not_loaded_iommufd);
  g_test_add_func("/doctor/noiommu", test_noiommu);
  return g_test_run();
}
