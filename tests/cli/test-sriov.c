// SPDX-License-Identifier: LGPL-2.1-or-later
/* `vfio-hostdev sriov`: VFs created with sriov_drivers_autoprobe off (read
 * while the kernel is inside the sriov_numvfs write) and put back after,
 * a non-zero count replaced through 0, --bind binding the VFs in parallel,
 * --persist, reattach of the PF undoing it all, removal refused while a
 * VF is owned or the host's, bad input, a PF driver that cannot make VFs,
 * a failed VF bind rolled back, recover after sriov was killed, and the
 * persisted VF count given back by persist-apply after a reboot. */
#include <signal.h>
#include <sys/wait.h>

#include "bind-test-util.h"

/* realistic: igb PF with 2 VFs: VF 0 on igbvf, VF 1 unbound with
 * driver_override=vfio-pci; new VFs at offset 128, stride 4 */
#define IGB "0000:03:00.0"
#define IGB_VF0 "0000:03:10.0"
#define IGB_VF1 "0000:03:10.4"
#define IGB_VF2 "0000:03:11.0"
#define IGB_VF3 "0000:03:11.4"
/* q35-zoo: nvme PF, 2 VFs at most, none enabled, autoprobe 1 */
#define NVME "0000:03:00.0"
#define NVME_VF0 "0000:03:00.1"
#define NVME_VF1 "0000:03:00.2"

static char *autoprobe_of(MockHost *host, const char *pf)
{
  g_autofree char *path = g_strdup_printf("/sys/bus/pci/devices/%s/sriov_drivers_autoprobe", pf);

  return mock_host_read_trim(host, path);
}

static char *record_of(MockHost *host, const char *address)
{
  g_autofree char *path = g_strdup_printf("/run/vfio-hostdev/%s.record", address);

  return mock_host_read(host, path);
}

/* The kernel writes of the ops log, "attr@bdf" each, space-separated. */
static char *kernel_writes(MockHost *host)
{
  g_autofree char *log = mock_host_ops_log(host);
  g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
  g_autoptr(GString) writes = g_string_new("");

  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) f = g_strsplit(lines[i], " ", -1);
    if (g_strv_length(f) >= 4 && g_str_equal(f[0], "write"))
      g_string_append_printf(writes, "%s@%s ", f[2], f[3]);
  }
  return g_string_free(g_steal_pointer(&writes), FALSE);
}

/* autoprobe written before the first sriov_numvfs write and again after
 * it; with LAST, the last write of all (after the VFs' binds). */
static void assert_autoprobe_brackets(MockHost *host, const char *pf, gboolean last)
{
  g_autofree char *writes = kernel_writes(host);
  g_autofree char *autoprobe = g_strdup_printf("sriov_drivers_autoprobe@%s ", pf);
  g_autofree char *numvfs = g_strdup_printf("sriov_numvfs@%s ", pf);
  const char *first_autoprobe = strstr(writes, autoprobe);
  const char *first_numvfs = strstr(writes, numvfs);

  g_test_message("kernel writes: %s", writes);
  g_assert_nonnull(first_autoprobe);
  g_assert_nonnull(first_numvfs);
  g_assert_true(first_autoprobe < first_numvfs);
  g_assert_nonnull(strstr(first_numvfs, autoprobe));
  if (last)
    g_assert_true(g_str_has_suffix(writes, autoprobe));
}

/* igb, autoprobe 1, 2 VFs: 4 VFs replace them through 0; while the kernel
 * is inside the sriov_numvfs writes autoprobe is 0, so igbvf (whose alias
 * matches the VFs) probes none of them; afterwards it is 1 again. The
 * record keeps the 2 VFs as they were: reattach gives them back. */
static void test_create_autoprobe_off(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  const char *const sriov[] = {"sriov", IGB, "--vfs", "4", NULL};

  mock_host_hold(host, "sriov", IGB);
  GPid pid = bt_spawn(host, sriov);
  g_assert_true(mock_host_wait_begun(host, "sriov", IGB, 1));
  g_autofree char *during = autoprobe_of(host, IGB);
  g_assert_cmpstr(during, ==, "0");
  mock_host_release(host, "sriov", IGB);
  g_assert_cmpint(bt_wait_exit(pid), ==, 0);

  g_assert_cmpuint(bt_numvfs(host, IGB), ==, 4);
  const char *const vfs[] = {IGB_VF0, IGB_VF1, IGB_VF2, IGB_VF3};
  for (guint i = 0; i < G_N_ELEMENTS(vfs); i++) {
    g_autofree char *driver = bt_driver(host, vfs[i]);
    g_assert_null(driver);
  }
  g_autofree char *after = autoprobe_of(host, IGB);
  g_assert_cmpstr(after, ==, "1");
  assert_autoprobe_brackets(host, IGB, TRUE);
  g_autofree char *record = record_of(host, IGB);
  g_assert_nonnull(strstr(record, "sriov_numvfs=2\n"));
  g_assert_nonnull(strstr(record, "sriov_provisioned=4\n"));
  g_assert_nonnull(strstr(record, "[vf 0]\naddress=" IGB_VF0 "\ndriver=igbvf\n"));

  cli_run(host, &result, "reattach", IGB, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, IGB, "igb", 2);
  g_autofree char *vf0 = bt_driver(host, IGB_VF0);
  g_autofree char *vf1 = bt_driver(host, IGB_VF1);
  g_autofree char *vf1_override = bt_override(host, IGB_VF1);
  g_assert_cmpstr(vf0, ==, "igbvf");
  g_assert_null(vf1);
  g_assert_cmpstr(vf1_override, ==, "vfio-pci");
  g_assert_cmpuint(bt_count_records(host), ==, 0);
}

static void assert_vf_json(JsonArray *vfs, guint index, const char *address)
{
  JsonObject *vf = json_array_get_object_element(vfs, index);

  g_assert_cmpstr(json_object_get_string_member(vf, "address"), ==, address);
  g_assert_cmpstr(json_object_get_string_member(vf, "outcome"), ==, "bound");
  g_assert_cmpstr(json_object_get_string_member(vf, "driver"), ==, "vfio-pci");
  g_assert_true(json_object_get_boolean_member(vf, "persisted"));
}

static void assert_on_vfio(MockHost *host, const char *vf)
{
  g_autofree char *link = g_strdup_printf("/sys/bus/pci/devices/%s/iommu_group", vf);
  g_autofree char *group = cli_link_basename(host, link);

  bt_assert_vfio(host, vf, "vfio-pci", group);
}

/* nvme: --bind binds both VFs at once (a barrier holds each probe until
 * both began), --persist persists them, autoprobe is back, status tells
 * the PF's sriov record from the VFs' bind records; reattach of the PF
 * removes the VFs and their records. */
static void test_bind_parallel_and_reattach(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  mock_host_barrier(host, "probe", 2);
  cli_run(host, &result, "sriov", NVME, "--vfs", "2", "--bind", "--persist", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  mock_host_barrier(host, "probe", 0);
  const char *const vfs[] = {NVME_VF0, NVME_VF1, NULL};
  g_assert_true(mock_host_ops_overlapped(host, "probe", vfs));
  assert_on_vfio(host, NVME_VF0);
  assert_on_vfio(host, NVME_VF1);
  g_autofree char *autoprobe = autoprobe_of(host, NVME);
  g_assert_cmpstr(autoprobe, ==, "1");
  assert_autoprobe_brackets(host, NVME, TRUE);
  g_assert_true(mock_host_exists(host, "/etc/vfio-hostdev/devices/" NVME_VF0 ".conf"));
  g_assert_true(mock_host_exists(host, "/etc/vfio-hostdev/devices/" NVME_VF1 ".conf"));

  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *object = json_node_get_object(root);
  g_assert_cmpint(json_object_get_int_member(object, "numvfs"), ==, 2);
  g_assert_cmpint(json_object_get_int_member(object, "previous_numvfs"), ==, 0);
  g_assert_cmpint(json_object_get_int_member(object, "original_numvfs"), ==, 0);
  g_assert_true(json_object_get_boolean_member(object, "recorded"));
  g_assert_true(json_object_get_boolean_member(object, "sriov_drivers_autoprobe"));
  JsonArray *vf_array = json_object_get_array_member(object, "vfs");
  g_assert_cmpuint(json_array_get_length(vf_array), ==, 2);
  assert_vf_json(vf_array, 0, NVME_VF0);
  assert_vf_json(vf_array, 1, NVME_VF1);

  cli_run(host, &result, "status", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) status = cli_parse_json(&result);
  JsonObject *pf = cli_find_device(json_node_get_array(status), NVME);
  g_assert_nonnull(pf);
  g_assert_cmpint(json_object_get_int_member(pf, "sriov_provisioned"), ==, 2);
  g_assert_cmpint(json_object_get_int_member(pf, "sriov_numvfs"), ==, 0);
  JsonObject *vf = cli_find_device(json_node_get_array(status), NVME_VF0);
  g_assert_nonnull(vf);
  g_assert_true(json_object_get_null_member(vf, "sriov_provisioned"));

  cli_run(host, &result, "reattach", NVME, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, NVME, "nvme", 0);
  g_assert_false(mock_host_exists(host, "/sys/bus/pci/devices/" NVME_VF0));
  g_assert_cmpuint(bt_count_records(host), ==, 0);
}

/* An owner's VF and one the deny list protects keep the VFs: --vfs 0 and
 * reattach of the PF are refused, each naming them without pointing to a
 * --force they do not have, and bind of the PF too (its record is
 * sriov's); nothing changed. */
static void test_removal_refused(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "sriov", NVME, "--vfs", "2", NULL);
  g_assert_cmpint(result.status, ==, 0);
  cli_run(host, &result, "prepare", "--owner", "vm1", NVME_VF1, NULL);
  g_assert_cmpint(result.status, ==, 0);
  mock_host_write(host, "/etc/vfio-hostdev/deny.conf", "address " NVME_VF0 "\n");
  g_autofree char *before = bt_kernel_hash(host);
  g_autofree char *record_before = record_of(host, NVME);

  cli_run(host, &result, "sriov", NVME, "--vfs", "0", NULL);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, NVME_VF1 " belongs to owner vm1"));
  g_assert_nonnull(strstr(result.err, NVME_VF0 " is protected"));
  /* sriov has no --force, and nothing would override these */
  g_assert_null(strstr(result.err, "--force"));
  cli_run(host, &result, "reattach", NVME, NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_assert_nonnull(strstr(result.err, "owner vm1"));
  /* the PF's record is sriov's: bind must not take it for its own */
  cli_run(host, &result, "bind", NVME, "--force", NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_assert_nonnull(strstr(result.err, "`vfio-hostdev reattach " NVME "` gives back"));

  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_autofree char *record_after = record_of(host, NVME);
  g_assert_cmpstr(record_before, ==, record_after);
}

static void assert_usage(MockHost *host, int status, const char *needle, ...) G_GNUC_NULL_TERMINATED;

/* `sriov ARGS...` fails with STATUS, one line naming NEEDLE. */
static void assert_usage(MockHost *host, int status, const char *needle, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autoptr(GError) error = NULL;
  g_auto(CliResult) result = {0};
  va_list ap;

  g_ptr_array_add(argv, (gpointer)VFIO_HOSTDEV_BIN);
  g_ptr_array_add(argv, (gpointer)"sriov");
  va_start(ap, needle);
  for (const char *arg = va_arg(ap, const char *); arg != NULL; arg = va_arg(ap, const char *))
    g_ptr_array_add(argv, (gpointer)arg);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  g_assert_true(mock_host_run(host, (const char *const *)argv->pdata, &result.out, &result.err, &result.status, &error));
  g_assert_no_error(error);
  g_assert_cmpint(result.status, ==, status);
  cli_assert_one_line(result.err);
  g_assert_true(g_str_has_prefix(result.err, "vfio-hostdev"));
  g_assert_nonnull(strstr(result.err, needle));
}

/* Bad input changes nothing; a VF that does not bind undoes the VFs and
 * puts autoprobe back. */
static void test_errors_and_rollback(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autofree char *before = bt_kernel_hash(host);

  assert_usage(host, 2, "not an SR-IOV PF", "0000:00:01.0", "--vfs", "1", NULL);
  assert_usage(host, 2, "at most 2 VFs", NVME, "--vfs", "3", NULL);
  assert_usage(host, 2, "--vfs", NVME, "--vfs", "two", NULL);
  assert_usage(host, 2, "missing --vfs", NVME, NULL);
  assert_usage(host, 2, "--persist needs --bind", NVME, "--vfs", "1", "--persist", NULL);
  assert_usage(host, 3, "0000:00:1f.7", "0000:00:1f.7", "--vfs", "1", NULL);
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);

  mock_host_inject_probe_fault(host, "vfio-pci", NVME_VF1, EIO);
  assert_usage(host, 1, "rolled back", NVME, "--vfs", "2", "--bind", NULL);
  g_assert_cmpuint(bt_numvfs(host, NVME), ==, 0);
  g_autofree char *autoprobe = autoprobe_of(host, NVME);
  g_assert_cmpstr(autoprobe, ==, "1");
  g_assert_cmpuint(bt_count_records(host), ==, 0);
  assert_autoprobe_brackets(host, NVME, FALSE);

  /* after an earlier sriov the rollback goes to the record: before the first */
  g_auto(CliResult) result = {0};
  cli_run(host, &result, "sriov", NVME, "--vfs", "1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  assert_usage(host, 1, "as before the first `vfio-hostdev sriov` (0 VFs)", NVME, "--vfs", "2", "--bind", NULL);
  g_assert_cmpuint(bt_numvfs(host, NVME), ==, 0);
  g_assert_cmpuint(bt_count_records(host), ==, 0);
}

/* pci-stub has no sriov_configure(): the kernel refuses the count, and the
 * PF is left exactly as it was, autoprobe included. */
static void test_driver_without_sriov(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");

  cli_shell(host, "echo " IGB " > /sys/bus/pci/drivers/igb/unbind && modprobe pci_stub && "
                  "echo pci-stub > /sys/bus/pci/devices/" IGB "/driver_override && "
                  "echo " IGB " > /sys/bus/pci/drivers_probe");
  g_autofree char *driver = bt_driver(host, IGB);
  g_assert_cmpstr(driver, ==, "pci-stub");
  g_autofree char *before = bt_kernel_hash(host);
  assert_usage(host, 1, "pci-stub cannot make VFs", IGB, "--vfs", "1", NULL);
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_assert_cmpuint(bt_count_records(host), ==, 0);
}

/* sriov killed inside the kernel's sriov_numvfs write, autoprobe still 0:
 * recover gives the PF back as its record says (no VFs, autoprobe 1). */
static void test_recover_interrupted(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  const char *const sriov[] = {"sriov", NVME, "--vfs", "2", "--bind", NULL};
  g_autofree char *before = bt_kernel_hash(host);
  int status = 0;

  mock_host_hold(host, "sriov", NVME);
  GPid pid = bt_spawn(host, sriov);
  g_assert_true(mock_host_wait_begun(host, "sriov", NVME, 1));
  g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_spawn_close_pid(pid);
  mock_host_release(host, "sriov", NVME);
  /* the write was the helper's: it creates the VFs after the tool is gone */
  bt_wait_lock_free(host, "/run/vfio-hostdev/" NVME ".pending");
  g_assert_cmpuint(bt_numvfs(host, NVME), ==, 2);
  g_autofree char *left = autoprobe_of(host, NVME);
  g_assert_cmpstr(left, ==, "0");

  cli_run(host, &result, "recover", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_cmpuint(bt_numvfs(host, NVME), ==, 0);
  g_assert_cmpuint(bt_count_records(host), ==, 0);
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);
}

/* What a reboot does to a PF that had VFs: none any more (sriov_numvfs
 * 0, autoprobe back to the kernel's 1, here by reattach, which also puts
 * the PF back on nvme), and /run (a tmpfs) empty; /etc stays. */
static void reboot(MockHost *host, const char *pf)
{
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "reattach", pf, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_cmpuint(bt_numvfs(host, pf), ==, 0);
  mock_host_remove(host, "/run/vfio-hostdev");
  g_autofree char *autoprobe = autoprobe_of(host, pf);
  g_assert_cmpstr(autoprobe, ==, "1");
}

/* How many sriov_numvfs operations on PF have begun so far. */
static guint sriov_ops_begun(MockHost *host, const char *pf)
{
  g_autofree char *log = mock_host_ops_log(host);
  g_autofree char *begin = g_strdup_printf("begin sriov %s\n", pf);
  guint n = 0;

  for (const char *at = strstr(log, begin); at != NULL; at = strstr(at + 1, begin))
    n++;
  return n;
}

static void persist_nvme_vfs(MockHost *host)
{
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "sriov", NVME, "--vfs", "2", "--bind", "--persist", "--no-initramfs", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, NVME ": gets 2 VFs at every boot (persisted)"));
  /* the count is persisted: no warning that the VFs will be gone at boot */
  g_assert_null(strstr(result.err, "is a VF of"));
  g_autofree char *conf = mock_host_read(host, "/etc/vfio-hostdev/sriov/" NVME ".conf");
  g_assert_nonnull(conf);
  g_assert_nonnull(strstr(conf, "numvfs=2\n"));
  g_assert_nonnull(strstr(conf, "vendor_id=1b36\ndevice_id=0010\n"));
  g_assert_nonnull(strstr(conf, "vfs=" NVME_VF0 ";" NVME_VF1 ";\n"));
  reboot(host, NVME);
}

/* sriov --persist, a reboot: persist-apply --dry-run says it would make
 * the VFs and bind them, changing nothing; persist-apply makes them with
 * autoprobe 0 while the kernel adds them (1 again after), binds both and
 * leaves the PF's record for reattach; unpersist of the PF forgets the
 * count and the VFs' bindings. */
static void test_persist_count_at_boot(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  const char *const apply[] = {"persist-apply", NULL};

  persist_nvme_vfs(host);
  guint writes = mock_host_write_count(host);
  cli_run(host, &result, "persist-apply", "--dry-run", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, NVME ": would give it 2 VFs\n"));
  g_assert_nonnull(strstr(result.out, NVME_VF1 ": would bind it to vfio-pci\n"));
  g_assert_cmpuint(mock_host_write_count(host), ==, writes);

  guint begun = sriov_ops_begun(host, NVME);
  mock_host_hold(host, "sriov", NVME);
  GPid pid = bt_spawn(host, apply);
  g_assert_true(mock_host_wait_begun(host, "sriov", NVME, begun + 1));
  g_autofree char *during = autoprobe_of(host, NVME);
  g_assert_cmpstr(during, ==, "0");
  mock_host_release(host, "sriov", NVME);
  g_assert_cmpint(bt_wait_exit(pid), ==, 0);
  g_auto(GStrv) since = mock_host_writes_since(host, writes);
  g_autofree char *order = g_strjoinv(",", since);
  g_test_message("writes: %s", order);
  g_assert_true(g_str_has_prefix(order, "sriov_drivers_autoprobe " NVME ",sriov_numvfs " NVME
                                        ",sriov_drivers_autoprobe " NVME ","));
  g_assert_cmpuint(bt_numvfs(host, NVME), ==, 2);
  assert_on_vfio(host, NVME_VF0);
  assert_on_vfio(host, NVME_VF1);
  g_autofree char *after = autoprobe_of(host, NVME);
  g_assert_cmpstr(after, ==, "1");
  g_autofree char *record = record_of(host, NVME);
  g_assert_nonnull(strstr(record, "sriov_provisioned=2\n"));
  cli_run(host, &result, "status", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "Persisted VF counts (given again at boot):\n"));
  g_assert_true(g_regex_match_simple("\n" NVME " +1b36:0010 \\(subsystem 1af4:1100\\) +2 +2 VFs\n", result.out, 0, 0));
  cli_run(host, &result, "status", "--json", NULL);
  g_autoptr(JsonNode) status = cli_parse_json(&result);
  JsonObject *pf = cli_find_device(json_node_get_array(status), NVME);
  g_assert_cmpint(json_object_get_int_member(pf, "persisted_numvfs"), ==, 2);

  cli_run(host, &result, "unpersist", NVME, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, NVME_VF0 ": unpersisted too, as a VF of " NVME));
  g_assert_nonnull(strstr(result.out, NVME ": its 2 VFs are no longer made at boot\n"));
  g_assert_false(mock_host_exists(host, "/etc/vfio-hostdev/sriov/" NVME ".conf"));
  g_assert_false(mock_host_exists(host, "/etc/vfio-hostdev/devices/" NVME_VF1 ".conf"));
  cli_run(host, &result, "reattach", NVME, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, NVME, "nvme", 0);
  g_assert_cmpuint(bt_count_records(host), ==, 0);
}

/* After the reboot the PF is another card: skipped with a warning, no
 * kernel write; then the right card with 1 VF someone else made: left
 * with its 1 VF and a warning. */
static void test_persist_count_pf_changed_or_configured(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  persist_nvme_vfs(host);
  bt_change_ids(host, NVME, "1B36:0011", "1AF4:1100");
  guint writes = mock_host_write_count(host);
  cli_run(host, &result, "persist-apply", "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_cmpuint(mock_host_write_count(host), ==, writes);
  g_assert_cmpuint(bt_numvfs(host, NVME), ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *pf = cli_find_device(json_node_get_array(root), NVME);
  g_assert_cmpstr(json_object_get_string_member(pf, "outcome"), ==, "changed");
  g_assert_cmpint(json_object_get_int_member(pf, "numvfs"), ==, 2);
  g_assert_nonnull(strstr(result.err, NVME " was persisted as 1b36:0010"));

  bt_change_ids(host, NVME, "1B36:0010", "1AF4:1100");
  cli_run(host, &result, "sriov", NVME, "--vfs", "1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  writes = mock_host_write_count(host);
  cli_run(host, &result, "persist-apply", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, NVME " has 1 VFs, not the 2 persisted: someone else configured it"));
  g_assert_cmpuint(bt_numvfs(host, NVME), ==, 1);
  g_auto(GStrv) since = mock_host_writes_since(host, writes);
  for (guint i = 0; since[i] != NULL; i++)
    g_assert_false(g_str_has_suffix(since[i], " " NVME));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sriov/create-autoprobe-off", test_create_autoprobe_off);
  g_test_add_func("/sriov/bind-parallel-and-reattach", test_bind_parallel_and_reattach);
  g_test_add_func("/sriov/removal-refused", test_removal_refused);
  g_test_add_func("/sriov/errors-and-rollback", test_errors_and_rollback);
  g_test_add_func("/sriov/driver-without-sriov", test_driver_without_sriov);
  g_test_add_func("/sriov/recover-interrupted", test_recover_interrupted);
  g_test_add_func("/sriov/persist-count-at-boot", test_persist_count_at_boot);
  g_test_add_func("/sriov/persist-count-pf-changed-or-configured", test_persist_count_pf_changed_or_configured);
  return g_test_run();
}
