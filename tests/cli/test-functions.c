// SPDX-License-Identifier: LGPL-2.1-or-later
/* `bind --functions`: whole devices (tests/fixtures/whole-device.ini): every
 * function of the slot even in separate IOMMU groups, the devices linked by
 * kernel device links, refusal for one member's host use, rollback of all,
 * reattach of the set from any member, and `show` listing them. */
#include "bind-test-util.h"

#define GPU "0000:01:00.0"
#define HDA "0000:01:00.1"
#define USB "0000:01:00.2"
#define UCSI "0000:01:00.3"
#define LINKED "0000:03:00.0" /* a consumer of GPU on another slot */
#define BOOT_GPU "0000:02:00.0"
#define BOOT_HDA "0000:02:00.1"
#define NIC "0000:05:00.0" /* in the AMD card's group, on r8169 */

static const struct {
  const char *address, *driver, *group;
} card[] = {
  {GPU, "nouveau", "2"}, {HDA, "snd_hda_intel", "3"}, {USB, "xhci_hcd", "4"},
  {UCSI, "nvidia-gpu", "5"}, {LINKED, "nvidia-gpu", "10"},
};

static void assert_card_original(MockHost *host)
{
  for (guint i = 0; i < G_N_ELEMENTS(card); i++)
    bt_assert_original(host, card[i].address, card[i].driver, 0);
}

static JsonArray *string_array(JsonObject *object, const char *member)
{
  return json_object_get_array_member(object, member);
}

static void assert_addresses(JsonArray *array, const char *const *expected)
{
  guint n = g_strv_length((char **)expected);

  g_assert_cmpuint(json_array_get_length(array), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr(json_array_get_string_element(array, i), ==, expected[i]);
}

/* Naming the audio function binds the whole card, each function in its own
 * group, and the device linked from another slot; reattaching any one
 * function brings back all of them. The kernel's links stay (stateless). */
static void test_functions_bind_and_reattach(void)
{
  g_autoptr(MockHost) host = cli_host("whole-device");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--functions", "--json", "01:00.1", NULL);
  g_assert_cmpstr(result.err, ==, "");
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonArray *results = json_node_get_array(root);
  g_assert_cmpuint(json_array_get_length(results), ==, G_N_ELEMENTS(card));
  for (guint i = 0; i < G_N_ELEMENTS(card); i++) {
    JsonObject *entry = cli_find_device(results, card[i].address);
    g_assert_nonnull(entry);
    g_assert_cmpstr(json_object_get_string_member(entry, "outcome"), ==, "bound");
    g_assert_cmpint(json_object_get_boolean_member(entry, "function_member"), ==,
                    !g_str_equal(card[i].address, HDA));
    bt_assert_vfio(host, card[i].address, "vfio-pci", card[i].group);
    g_autofree char *record_path = g_strdup_printf("/run/vfio-hostdev/%s.record", card[i].address);
    g_autofree char *record = mock_host_read(host, record_path);
    g_assert_nonnull(strstr(record, "functions=true"));
  }
  g_assert_true(mock_host_exists(host, "/sys/bus/pci/devices/" GPU "/consumer:pci:" HDA));

  cli_run(host, &result, "reattach", UCSI, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, GPU ": back on nouveau (function of its device)"));
  assert_card_original(host);
  g_assert_cmpuint(bt_count_records(host), ==, 0);
}

/* bind --functions --persist persists every function; unpersist --reattach
 * of one gives all back and unpersists all, or the others would be bound
 * alone at the next boot. */
static void test_functions_persisted(void)
{
  g_autoptr(MockHost) host = cli_host("whole-device");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--functions", "--persist", GPU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS(card); i++) {
    g_autofree char *conf = g_strdup_printf("/etc/vfio-hostdev/devices/%s.conf", card[i].address);
    g_assert_true(mock_host_exists(host, conf));
  }
  cli_run(host, &result, "unpersist", "--reattach", HDA, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, UCSI ": no longer bound at boot; back on nvidia-gpu"));
  assert_card_original(host);
  for (guint i = 0; i < G_N_ELEMENTS(card); i++) {
    g_autofree char *conf = g_strdup_printf("/etc/vfio-hostdev/devices/%s.conf", card[i].address);
    g_assert_false(mock_host_exists(host, conf));
  }
}

/* The boot VGA function of the AMD card is the host's, and its group has a
 * NIC on r8169: naming only its audio function with --functions is refused
 * for both, in one line, and nothing changes. */
static void test_functions_member_in_host_use(void)
{
  g_autoptr(MockHost) host = cli_host("whole-device");
  g_auto(CliResult) result = {0};
  g_autofree char *before = bt_kernel_hash(host);

  cli_run(host, &result, "bind", "--functions", BOOT_HDA, NULL);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, BOOT_GPU " (amdgpu)"));
  g_assert_nonnull(strstr(result.err, "boot VGA"));
  g_assert_nonnull(strstr(result.err, NIC " (bound to r8169)"));
  /* one reason per group, however many of its members are named */
  g_assert_null(strstr(strstr(result.err, NIC) + 1, NIC));
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_assert_cmpuint(bt_count_records(host), ==, 0);
}

/* The UCSI function cannot be probed by vfio-pci: the whole card, every
 * group of it, goes back to its host drivers. */
static void test_functions_rollback(void)
{
  g_autoptr(MockHost) host = cli_host("whole-device");
  g_auto(CliResult) result = {0};

  mock_host_inject_probe_fault(host, "vfio-pci", UCSI, 19 /* ENODEV */);
  cli_run(host, &result, "bind", "--functions", GPU, NULL);
  g_assert_cmpint(result.status, ==, 1);
  g_assert_nonnull(strstr(result.err, UCSI));
  g_assert_nonnull(strstr(result.err, "rolled back"));
  assert_card_original(host);
  g_assert_cmpuint(bt_count_records(host), ==, 0);
}

/* A USB4 host's NHI: its xHCI comes along, its PCIe tunnel port, a bridge
 * that is a consumer of the NHI too, does not (VFIO cannot take it). */
static void test_functions_leave_bridges(void)
{
  g_autoptr(MockHost) host = cli_host("whole-device");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--functions", "--dry-run", "0000:00:0d.2", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "0000:00:0d.0: would unbind it from xhci_hcd"));
  g_assert_null(strstr(result.out, "0000:00:07.0"));
}

/* A VF that ARI puts in its PF's slot (realistic.ini: the ConnectX-7 PF
 * 04:00.0 and its VF 04:00.1) is no function of the PF, nor the PF of it:
 * the PF's VFs are its SR-IOV handling's. */
static void test_functions_leave_vfs(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", "--functions", "--dry-run", "--json", "0000:04:00.1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonArray *results = json_node_get_array(root);
  g_assert_cmpuint(json_array_get_length(results), ==, 1);
  g_assert_nonnull(cli_find_device(results, "0000:04:00.1"));
}

/* show lists the slot's other functions with their groups and the device
 * links both ways, as the kernel names them in sysfs. */
static void test_show_functions(void)
{
  g_autoptr(MockHost) host = cli_host("whole-device");
  g_auto(CliResult) result = {0};
  const char *const functions[] = {HDA, USB, UCSI, NULL};
  const char *const consumers[] = {HDA, USB, UCSI, LINKED, NULL};
  const char *const none[] = {NULL};

  cli_run(host, &result, "show", "--json", GPU, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *device = json_node_get_object(root);
  assert_addresses(string_array(device, "functions"), functions);
  JsonObject *links = json_object_get_object_member(device, "device_links");
  assert_addresses(string_array(links, "consumers"), consumers);
  assert_addresses(string_array(links, "suppliers"), none);

  cli_run(host, &result, "show", LINKED, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "Link suppliers:    " GPU "\n"));
  g_assert_null(strstr(result.out, "Functions:"));

  /* the link's own device, as drivers/base/core.c makes it */
  g_autofree char *target = mock_host_readlink(host, "/sys/bus/pci/devices/" GPU "/consumer:pci:" HDA);
  g_assert_cmpstr(target, ==, "../../../virtual/devlink/pci:" GPU "--pci:" HDA);
  g_autofree char *supplier = cli_link_basename(host, "/sys/class/devlink/pci:" GPU "--pci:" HDA "/supplier");
  g_assert_cmpstr(supplier, ==, GPU);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/functions/bind-and-reattach", test_functions_bind_and_reattach);
  g_test_add_func("/functions/persisted", test_functions_persisted);
  g_test_add_func("/functions/member-in-host-use", test_functions_member_in_host_use);
  g_test_add_func("/functions/rollback", test_functions_rollback);
  g_test_add_func("/functions/leave-bridges", test_functions_leave_bridges);
  g_test_add_func("/functions/leave-vfs", test_functions_leave_vfs);
  g_test_add_func("/functions/show", test_show_functions);
  return g_test_run();
}
