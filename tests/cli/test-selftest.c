// SPDX-License-Identifier: LGPL-2.1-or-later
/* `vfio-hostdev test` against fake hosts whose device nodes answer the
 * VFIO and iommufd uAPI (the mock's uAPI preload, tests/mock/README-uapi.md):
 * KTAP as the kernel writes it, case selection, the backends on a healthy
 * device, injected ioctl failures, refusals and hugepage restoration. A
 * signal mid-run: test-selftest-signal.c. */
#include "selftest-test-util.h"

#define MLX5_VF "0000:04:00.1"   /* realistic: a VF on mlx5_vfio_pci; raw config IDs read ffff */
#define GPU "0000:01:00.0"       /* realistic: on nouveau, not VFIO */
#define POOL_2M "/sys/kernel/mm/hugepages/hugepages-2048kB"

/* The cases `test --list` shows, "open" first. */
static const char *const all_cases[] = {
  "open", "iommufd.bind", "iommufd.get_info_without_bind_fails", "iommufd.bind_bad_iommufd_fails",
  "iommufd.repeated_bind_fails", "iommufd.attach_detach_pt", "iommufd.attach_invalid_pt_fails", "device.info",
  "config.ids", "config.bus_master_off_at_open", "config.bus_master", "bars.mmap", "irq.msi", "irq.msix",
  "device.reset", "dma.iova_ranges", "dma.map_anonymous", "dma.map_hugetlb_2m", "dma.map_hugetlb_1g",
  "dma.map_top", "dma.unmap_all", "dma.map_bar", "dma.overflow", "driver.memcpy", "driver.memcpy_from_unmapped",
  "driver.memcpy_to_unmapped", "driver.msi", "driver.init_remove", "driver.mix_and_match",
};

static void test_list(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(GStrv) lines = NULL;

  cli_run(host, &result, "test", "--list", NULL);
  g_assert_cmpint(result.status, ==, 0);
  lines = g_strsplit(g_strchomp(result.out), "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, G_N_ELEMENTS(all_cases));
  for (guint i = 0; i < G_N_ELEMENTS(all_cases); i++)
    g_assert_true(g_str_has_prefix(lines[i], all_cases[i]));
}

static void test_list_filter_json(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "test", "--list", "--filter", "dma.map_*", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonArray *array = json_node_get_array(root);
  g_assert_cmpuint(json_array_get_length(array), ==, 6); /* open + 5 map cases */
  g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(array, 0), "name"), ==, "open");
  g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(array, 5), "name"), ==, "dma.map_bar");

  cli_run(host, &result, "test", "--list", "--filter", "nothing*", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_assert_one_line(result.err);
}

/* Every case of the catalogue runs, and those that apply to edu pass. */
static void assert_edu_passes(const Ktap *ktap)
{
  static const char *const skipped[] = {"irq.msix", "device.reset", "dma.map_hugetlb_2m", "dma.map_hugetlb_1g"};

  g_assert_cmpuint(ktap->plan, ==, G_N_ELEMENTS(all_cases));
  for (guint i = 0; i < G_N_ELEMENTS(all_cases); i++) {
    gboolean skip = g_strv_contains((const char *const *)skipped, all_cases[i]);
    g_assert_cmpstr(g_ptr_array_index(ktap->names, i), ==, all_cases[i]);
    g_assert_cmpstr(ktap_status(ktap, all_cases[i]), ==, skip ? "skip" : "ok");
  }
}

static void test_edu_iommufd(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(Ktap) ktap = {0};

  cli_run(host, &result, "test", EDU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  ktap_parse(result.out, &ktap);
  assert_edu_passes(&ktap);
  /* auto chose iommufd: /dev/iommu and the cdev exist */
  g_assert_nonnull(strstr(result.out, "iommufd backend"));
  g_assert_nonnull(strstr(result.out, "VFIO_DEVICE_BIND_IOMMUFD"));
  g_assert_nonnull(strstr(result.out, "the device read zeros"));
  g_assert_nonnull(strstr(result.out, "blocked: the memory behind it stayed zero\n"));
  g_assert_cmpstr(ktap_line(&ktap, "irq.msix"), ==, "ok 14 irq.msix # SKIP the device has no MSI-X");
  /* iommufd pins pages: a BAR's mmap (VM_PFNMAP) is refused, and there is nothing to unmap */
  g_assert_nonnull(strstr(result.out, "# map refused: Bad address\n# unmap refused: No such file or directory\n"));
  g_assert_nonnull(strstr(result.out, "# a second VFIO_DEVICE_BIND_IOMMUFD refused: Invalid argument\n"));
  g_assert_nonnull(strstr(result.out, "# VFIO_DEVICE_BIND_IOMMUFD with iommufd -2 refused: Invalid argument\n"));
  g_assert_nonnull(strstr(result.out, "# 10 rounds of remove and init\n"));
  g_assert_nonnull(strstr(result.out, "# Totals: pass:25 fail:0 skip:4\n"));
}

static void test_edu_type1(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(Ktap) ktap = {0};

  cli_run(host, &result, "test", EDU, "--iommu", "type1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  ktap_parse(result.out, &ktap);
  assert_edu_passes(&ktap);
  g_assert_nonnull(strstr(result.out, "type1 backend"));
  g_assert_nonnull(strstr(result.out, "VFIO_GROUP_GET_DEVICE_FD(\"" EDU "\")"));
  /* type1 maps a BAR's mmap by its PFNs */
  g_assert_nonnull(strstr(result.out, "# mapped and unmapped 1048576 bytes at IOVA 0x100000\n"));
}

/* The original type1 model, chosen explicitly, runs the same cases. */
static void test_edu_type1_legacy(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(Ktap) ktap = {0};

  cli_run(host, &result, "test", EDU, "--iommu", "type1-legacy", "--filter", "dma.*", NULL);
  g_assert_cmpint(result.status, ==, 0);
  ktap_parse(result.out, &ktap);
  g_assert_nonnull(strstr(result.out, "type1-legacy backend"));
  g_assert_nonnull(strstr(result.out, "# VFIO_CHECK_EXTENSION(VFIO_TYPE1_IOMMU) = yes\n"));
  g_assert_nonnull(strstr(result.out, "# VFIO_GROUP_SET_CONTAINER, VFIO_SET_IOMMU(VFIO_TYPE1_IOMMU)\n"));
  g_assert_cmpstr(ktap_status(&ktap, "dma.map_bar"), ==, "ok");
  g_assert_cmpstr(ktap_status(&ktap, "dma.overflow"), ==, "ok");
}

/* Without vfio_iommu_type1 the container is iommufd's emulation, which
 * must refuse a BAR's mmap like iommufd (the kernel's mmio test). */
static void test_map_bar_iommufd_compat(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(Ktap) ktap = {0};

  mock_host_remove(host, "/sys/module/vfio_iommu_type1");
  cli_run(host, &result, "test", EDU, "--iommu", "type1", "--filter", "dma.map_bar", NULL);
  g_assert_cmpint(result.status, ==, 0);
  ktap_parse(result.out, &ktap);
  g_assert_cmpstr(ktap_status(&ktap, "dma.map_bar"), ==, "ok");
  g_assert_nonnull(strstr(result.out, "# expected: the container is iommufd's emulation"));
  g_assert_nonnull(strstr(result.out, "# map refused: Bad address\n# unmap refused: No such file or directory\n"));
}

/* A device left mastering the bus (a stray setpci): the kernel's check
 * that bus mastering is off at open fails, and only that one. */
static void test_bus_master_on_at_open(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(Ktap) ktap = {0};
  g_autofree char *path = g_build_filename(mock_host_root(host), "sys/bus/pci/devices", EDU, "config", NULL);
  g_autofree char *config = NULL;
  gsize size = 0;

  g_assert_true(g_file_get_contents(path, &config, &size, NULL));
  config[4] |= 0x4;
  g_assert_true(g_file_set_contents(path, config, (gssize)size, NULL));
  cli_run(host, &result, "test", EDU, "--filter", "config.*", NULL);
  g_assert_cmpint(result.status, ==, 1);
  ktap_parse(result.out, &ktap);
  g_assert_cmpstr(ktap_status(&ktap, "config.bus_master_off_at_open"), ==, "not ok");
  g_assert_cmpstr(ktap_status(&ktap, "config.bus_master"), ==, "ok");
  g_assert_nonnull(strstr(result.out, "# command register after opening: 0x0004\n"));
}

/* Without /dev/iommu, auto falls back to type1 and iommufd is refused
 * before anything is opened. */
static void test_backend_choice(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};

  mock_host_remove(host, "/dev/iommu");
  cli_run(host, &result, "test", EDU, "--filter", "device.info", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "type1 backend"));
  /* the iommufd cases do not apply to a kernel without it */
  cli_run(host, &result, "test", EDU, "--filter", "iommufd.bind", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "ok 2 iommufd.bind # SKIP /dev/iommu does not exist: the kernel has no iommufd"));
  cli_run(host, &result, "test", EDU, "--iommu", "iommufd", NULL);
  g_assert_cmpint(result.status, ==, 1);
  g_assert_cmpstr(result.out, ==, "");
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "CONFIG_IOMMUFD"));
}

/* A VF: VFIO shows the IDs sysfs has although its raw config reads ffff;
 * more MSI and MSI-X vectors; no self-test driver. */
static void test_vf_both_backends(void)
{
  static const char *const backends[] = {"type1", "iommufd"};
  g_autoptr(MockHost) host = cli_host("realistic");

  for (guint b = 0; b < G_N_ELEMENTS(backends); b++) {
    g_auto(CliResult) result = {0};
    g_auto(Ktap) ktap = {0};
    cli_run(host, &result, "test", MLX5_VF, "--iommu", backends[b], NULL);
    g_assert_cmpint(result.status, ==, 0);
    ktap_parse(result.out, &ktap);
    g_assert_cmpstr(ktap_status(&ktap, "config.ids"), ==, "ok");
    g_assert_nonnull(strstr(result.out, "VFIO config space 15b3:101e (a VF)"));
    g_assert_cmpstr(ktap_status(&ktap, "irq.msix"), ==, "ok");
    g_assert_nonnull(strstr(result.out, "MSI-X: 8 vectors, testing 8"));
    g_assert_cmpstr(ktap_status(&ktap, "driver.memcpy"), ==, "skip");
    g_assert_nonnull(strstr(ktap_line(&ktap, "driver.msi"), "# SKIP no self-test driver for 15b3:101e"));
  }
}

static void test_filter(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(Ktap) ktap = {0};

  cli_run(host, &result, "test", EDU, "--filter", "irq.*", NULL);
  g_assert_cmpint(result.status, ==, 0);
  ktap_parse(result.out, &ktap);
  g_assert_cmpuint(ktap.plan, ==, 3);
  g_assert_cmpstr(g_ptr_array_index(ktap.names, 0), ==, "open");
  g_assert_cmpstr(g_ptr_array_index(ktap.names, 1), ==, "irq.msi");
  g_assert_cmpstr(g_ptr_array_index(ktap.names, 2), ==, "irq.msix");

  cli_run(host, &result, "test", EDU, "--filter", "nothing*", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_assert_one_line(result.err);
}

static void test_fault_in_case(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(Ktap) ktap = {0};

  st_inject(host, "VFIO_DEVICE_SET_IRQS EIO\n");
  cli_run(host, &result, "test", EDU, "--filter", "irq.msi", NULL);
  g_assert_cmpint(result.status, ==, 1);
  ktap_parse(result.out, &ktap);
  g_assert_cmpstr(ktap_line(&ktap, "irq.msi"), ==, "not ok 2 irq.msi");
  g_assert_nonnull(strstr(result.out, "# VFIO_DEVICE_SET_IRQS (enable MSI vectors 0-0): Input/output error\n"));
}

/* Only the second map of the run fails: one case, not the others. */
static void test_fault_nth_map(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(Ktap) ktap = {0};

  st_inject(host, "IOMMU_IOAS_MAP ENOMEM 2\n");
  cli_run(host, &result, "test", EDU, "--filter", "dma.map_*", NULL);
  g_assert_cmpint(result.status, ==, 1);
  ktap_parse(result.out, &ktap);
  g_assert_cmpstr(ktap_status(&ktap, "dma.map_anonymous"), ==, "ok");
  g_assert_cmpstr(ktap_status(&ktap, "dma.map_top"), ==, "not ok");
  g_assert_nonnull(strstr(result.out, "Cannot allocate memory"));
}

static void test_fault_in_open(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(Ktap) ktap = {0};

  st_inject(host, "VFIO_GROUP_SET_CONTAINER EBUSY\n");
  cli_run(host, &result, "test", EDU, "--iommu", "type1", NULL);
  g_assert_cmpint(result.status, ==, 1);
  ktap_parse(result.out, &ktap);
  g_assert_cmpstr(ktap_status(&ktap, "open"), ==, "not ok");
  for (guint i = 1; i < ktap.names->len; i++)
    g_assert_cmpstr(g_ptr_array_index(ktap.statuses, i), ==, "skip");
  g_assert_nonnull(strstr(result.out, "# VFIO_GROUP_SET_CONTAINER on /dev/vfio/9: Device or resource busy\n"));
}

/* The iommufd cases close the run's device and open it again: when that
 * fails, the case says so and the cases after it are skipped. */
static void test_fault_reopen(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(Ktap) ktap = {0};

  st_inject(host, "VFIO_DEVICE_DETACH_IOMMUFD_PT EIO\nVFIO_GROUP_GET_DEVICE_FD ENODEV 7\n");
  cli_run(host, &result, "test", EDU, "--iommu", "type1", NULL);
  g_assert_cmpint(result.status, ==, 1);
  ktap_parse(result.out, &ktap);
  g_assert_cmpstr(ktap_status(&ktap, "iommufd.attach_detach_pt"), ==, "not ok");
  g_assert_nonnull(strstr(result.out, "# VFIO_DEVICE_DETACH_IOMMUFD_PT: Input/output error\n"));
  /* the 7th open of the device (the run's is the 1st) follows attach_invalid_pt_fails */
  g_assert_cmpstr(ktap_line(&ktap, "iommufd.attach_invalid_pt_fails"), ==, "not ok 7 iommufd.attach_invalid_pt_fails");
  g_assert_nonnull(strstr(result.out, "the device could not be opened again after the case"));
  g_assert_cmpstr(ktap_line(&ktap, "device.info"), ==,
                  "ok 8 device.info # SKIP the device could not be opened again after iommufd.attach_invalid_pt_fails");
  g_assert_cmpstr(ktap_status(&ktap, "driver.msi"), ==, "skip");
}

static void test_fault_iova_ranges(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(Ktap) ktap = {0};

  st_inject(host, "IOMMU_IOAS_IOVA_RANGES EIO\n");
  cli_run(host, &result, "test", EDU, "--filter", "dma.*", NULL);
  g_assert_cmpint(result.status, ==, 1);
  ktap_parse(result.out, &ktap);
  g_assert_cmpstr(ktap_status(&ktap, "open"), ==, "ok");
  g_assert_cmpstr(ktap_status(&ktap, "dma.iova_ranges"), ==, "not ok");
  g_assert_cmpstr(ktap_status(&ktap, "dma.map_anonymous"), ==, "not ok");
}

static void test_refused(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "test", GPU, NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_assert_cmpstr(result.out, ==, "");
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "not bound to a VFIO driver (driver: nouveau)"));
}

static void test_usage(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "test", EDU, "--iommu", "vfio", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_assert_one_line(result.err);
  cli_run(host, &result, "test", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_run(host, &result, "test", "zz:00.0", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_run(host, &result, "test", "0000:0f:1f.7", NULL);
  g_assert_cmpint(result.status, ==, 3);
  cli_assert_one_line(result.err);
}

/* The pool is grown for the case and put back; here the fake kernel grants
 * nothing (free_hugepages stays 0), so the case is skipped with why. */
static void test_hugepages_restored(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(Ktap) ktap = {0};

  mock_host_write(host, POOL_2M "/nr_hugepages", "3\n");
  mock_host_write(host, POOL_2M "/free_hugepages", "0\n");
  mock_host_write(host, "/.mock/hugepages-max/hugepages-2048kB", "3\n"); /* the kernel finds no page */
  cli_run(host, &result, "test", EDU, "--filter", "dma.map_hugetlb_*", NULL);
  g_assert_cmpint(result.status, ==, 0);
  ktap_parse(result.out, &ktap);
  g_assert_nonnull(strstr(ktap_line(&ktap, "dma.map_hugetlb_2m"),
                          "# SKIP asked the kernel for 1 free 2M hugepages, it has 0"));
  g_assert_nonnull(strstr(ktap_line(&ktap, "dma.map_hugetlb_1g"), "# SKIP the kernel has no 1G hugepage pool"));
  g_autofree char *nr = mock_host_read_trim(host, POOL_2M "/nr_hugepages");
  g_assert_cmpstr(nr, ==, "3");
}

static void test_json(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};

  st_inject(host, "VFIO_DEVICE_RESET EIO\n");
  mock_host_write(host, "/sys/bus/pci/devices/" MLX5_VF "/reset", "");
  cli_run(host, &result, "test", MLX5_VF, "--filter", "device.*", "--json", NULL);
  g_assert_cmpint(result.status, ==, 1);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *object = json_node_get_object(root);
  JsonArray *results = json_object_get_array_member(object, "results");
  JsonObject *totals = json_object_get_object_member(object, "totals");
  g_assert_cmpint(json_object_get_int_member(object, "plan"), ==, 3);
  g_assert_cmpuint(json_array_get_length(results), ==, 3);
  g_assert_cmpint(json_object_get_int_member(totals, "pass"), ==, 2);
  g_assert_cmpint(json_object_get_int_member(totals, "fail"), ==, 1);
  JsonObject *reset = json_array_get_object_element(results, 2);
  g_assert_cmpstr(json_object_get_string_member(reset, "name"), ==, "device.reset");
  g_assert_cmpstr(json_object_get_string_member(reset, "status"), ==, "fail");
  g_assert_cmpstr(json_object_get_string_member(reset, "reason"), ==, "VFIO_DEVICE_RESET: Input/output error");
  g_assert_true(json_object_get_null_member(object, "interrupted_by_signal"));
}

/* A case whose unmap fails leaves nothing mapped for the next ones, which
 * map at the same IOVA. The first unmap of the run is the runner's sweep
 * after dma.iova_ranges, the second dma.map_anonymous's own. */
static void test_failed_case_cleans_up(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  g_auto(Ktap) ktap = {0};

  st_inject(host, "IOMMU_IOAS_UNMAP EIO 2\n");
  cli_run(host, &result, "test", EDU, "--filter", "dma.*", NULL);
  g_test_message("%s", result.out);
  g_assert_cmpint(result.status, ==, 1);
  ktap_parse(result.out, &ktap);
  g_assert_cmpstr(ktap_status(&ktap, "dma.map_anonymous"), ==, "not ok");
  g_assert_cmpstr(ktap_status(&ktap, "dma.map_top"), ==, "ok");
  g_assert_cmpstr(ktap_status(&ktap, "dma.unmap_all"), ==, "ok");
  g_assert_cmpstr(ktap_status(&ktap, "dma.overflow"), ==, "ok");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  st_use_uapi_preload();
  g_test_add_func("/test/list", test_list);
  g_test_add_func("/test/list/filter-json", test_list_filter_json);
  g_test_add_func("/test/edu/iommufd", test_edu_iommufd);
  g_test_add_func("/test/edu/type1", test_edu_type1);
  g_test_add_func("/test/edu/type1-legacy", test_edu_type1_legacy);
  g_test_add_func("/test/bus-master-on-at-open", test_bus_master_on_at_open);
  g_test_add_func("/test/map-bar-iommufd-compat", test_map_bar_iommufd_compat);
  g_test_add_func("/test/fault/reopen", test_fault_reopen);
  g_test_add_func("/test/backend-choice", test_backend_choice);
  g_test_add_func("/test/vf/both-backends", test_vf_both_backends);
  g_test_add_func("/test/filter", test_filter);
  g_test_add_func("/test/fault/case", test_fault_in_case);
  g_test_add_func("/test/fault/nth-map", test_fault_nth_map);
  g_test_add_func("/test/fault/open", test_fault_in_open);
  g_test_add_func("/test/fault/iova-ranges", test_fault_iova_ranges);
  g_test_add_func("/test/refused", test_refused);
  g_test_add_func("/test/usage", test_usage);
  g_test_add_func("/test/hugepages-restored", test_hugepages_restored);
  g_test_add_func("/test/json", test_json);
  g_test_add_func("/test/fault/case-cleans-up", test_failed_case_cleans_up);
  return g_test_run();
}
