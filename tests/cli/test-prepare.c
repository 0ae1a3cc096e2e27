// SPDX-License-Identifier: LGPL-2.1-or-later
/* `prepare` against the fake kernel, in the spirit of libvirt's hostdev
 * tests: no devices, managed, unmanaged, mixed, explicit variants,
 * conflicting owners, repeated prepares, shared groups, failures rolled
 * back, --user, hostile XML and bad words. Each case checks the fake tree
 * and the state directory, not only what the command prints. */
#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "managed-test-util.h"

static void run_prepare_xml(MockHost *host, CliResult *result, const char *owner, const char *body, gboolean json)
{
  g_autofree char *xml = mt_domain_file(host, body);

  if (json)
    cli_run(host, result, "prepare", "--owner", owner, "--xml", xml, "--json", NULL);
  else
    cli_run(host, result, "prepare", "--owner", owner, "--xml", xml, NULL);
}

/* A domain without PCI hostdevs: nothing to do, nothing written. */
static void test_prepare_no_devices(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *before = bt_kernel_hash(host);

  run_prepare_xml(host, &result, "vm1", "<disk type='file'/>\n", TRUE);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *object = json_node_get_object(root);
  g_assert_cmpuint(json_array_get_length(json_object_get_array_member(object, "devices")), ==, 0);
  g_assert_cmpuint(json_array_get_length(json_object_get_array_member(object, "qemu_args")), ==, 0);
  g_assert_false(mt_has_journal(host, "vm1"));
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);
  cli_run(host, &result, "release", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "holds no devices"));
}

/* Two managed devices: e1000e to vfio-pci, edu to its variant driver;
 * JSON per device; records and status name the owner; release restores. */
static void test_prepare_managed_roundtrip(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *nic = mt_hostdev(E1000E, TRUE, NULL);
  g_autofree char *edu = mt_hostdev(EDU, TRUE, NULL);
  g_autofree char *body = g_strconcat(nic, edu, NULL);

  run_prepare_xml(host, &result, "vm1", body, TRUE);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
  bt_assert_vfio(host, EDU, "qedu-mig", "2");
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *object = json_node_get_object(root);
  g_assert_cmpstr(json_object_get_string_member(object, "owner"), ==, "vm1");
  g_assert_false(json_object_get_boolean_member(object, "iommufd"));
  JsonArray *devices = json_object_get_array_member(object, "devices");
  JsonObject *first = cli_find_device(devices, E1000E);
  g_assert_cmpstr(json_object_get_string_member(first, "vfio_driver"), ==, "vfio-pci");
  g_assert_cmpstr(json_object_get_string_member(first, "original_driver"), ==, "e1000e");
  g_assert_cmpstr(json_object_get_string_member(first, "group_node"), ==, "/dev/vfio/8");
  g_assert_cmpstr(json_object_get_string_member(first, "outcome"), ==, "bound");
  g_assert_true(json_object_get_boolean_member(first, "managed"));
  g_assert_true(JSON_NODE_HOLDS_NULL(json_object_get_member(first, "cdev")));
  JsonArray *args = json_object_get_array_member(first, "qemu_args");
  g_assert_cmpstr(json_array_get_string_element(args, 0), ==, "-device");
  g_assert_cmpstr(json_array_get_string_element(args, 1), ==, "vfio-pci,host=" E1000E);
  JsonObject *second = cli_find_device(devices, EDU);
  g_assert_cmpstr(json_object_get_string_member(second, "vfio_driver"), ==, "qedu-mig");
  JsonArray *all = json_object_get_array_member(object, "qemu_args");
  g_assert_cmpuint(json_array_get_length(all), ==, 4);
  g_autofree char *record = mock_host_read(host, "/run/vfio-hostdev/" E1000E ".record");
  g_assert_nonnull(strstr(record, "owner=vm1"));
  g_assert_nonnull(strstr(record, "managed=true"));
  g_assert_true(mt_has_journal(host, "vm1"));

  cli_run(host, &result, "status", "--json", NULL);
  g_autoptr(JsonNode) status = cli_parse_json(&result);
  JsonObject *entry = cli_find_device(json_node_get_array(status), EDU);
  g_assert_cmpstr(json_object_get_string_member(entry, "owner"), ==, "vm1");
  g_assert_true(json_object_get_boolean_member(entry, "managed"));
  cli_run(host, &result, "status", NULL);
  g_assert_nonnull(strstr(result.out, "vm1 (managed)"));

  cli_run(host, &result, "release", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, E1000E ": back on e1000e"));
  bt_assert_original(host, E1000E, "e1000e", 0);
  bt_assert_original(host, EDU, NULL, 0);
  g_assert_false(mt_has_journal(host, "vm1"));
  g_assert_cmpuint(bt_count_records(host), ==, 0);
}

/* <driver model=...> overrides the variant rule for that device alone;
 * addresses on the command line are managed. */
static void test_prepare_explicit_model(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *body = mt_hostdev(EDU, TRUE, "vfio_pci");

  run_prepare_xml(host, &result, "vm1", body, FALSE);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_vfio(host, EDU, "vfio-pci", "2");
  g_assert_nonnull(strstr(result.out, "qemu-args: -device vfio-pci,host=" EDU "\n"));

  cli_run(host, &result, "prepare", "--owner", "vm2", "02:00.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_vfio(host, VIRTIO, "virtio-vfio-pci", "9");
}

/* Unmanaged devices are used where they are: one bound by `bind` before
 * (its record is adopted, and kept by release), one bound by hand (a
 * record is made, and removed by release). */
static void test_prepare_unmanaged(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "bind", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *bind_record = mock_host_read(host, "/run/vfio-hostdev/" E1000E ".record");
  cli_shell(host, "modprobe qedu_mig && echo qedu-mig > /sys/bus/pci/devices/" EDU "/driver_override && "
              "echo " EDU " > /sys/bus/pci/drivers_probe");
  g_autofree char *before = bt_kernel_hash(host);
  g_autofree char *nic = mt_hostdev(E1000E, FALSE, NULL);
  g_autofree char *edu = mt_hostdev(EDU, FALSE, NULL);
  g_autofree char *body = g_strconcat(nic, edu, NULL);

  run_prepare_xml(host, &result, "vm1", body, TRUE);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonArray *devices = json_object_get_array_member(json_node_get_object(root), "devices");
  JsonObject *object = cli_find_device(devices, EDU);
  g_assert_cmpstr(json_object_get_string_member(object, "outcome"), ==, "on-vfio");
  g_assert_false(json_object_get_boolean_member(object, "managed"));
  g_autofree char *middle = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, middle);
  g_autofree char *adopted = mock_host_read(host, "/run/vfio-hostdev/" E1000E ".record");
  g_assert_nonnull(strstr(adopted, "adopted=true"));

  cli_run(host, &result, "release", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, EDU ": stays on qedu-mig (unmanaged)"));
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_autofree char *record = mock_host_read(host, "/run/vfio-hostdev/" E1000E ".record");
  g_assert_cmpstr(record, ==, bind_record);
  g_assert_false(bt_has_record(host, EDU));
}

/* An unmanaged device on its host driver fails the whole prepare before
 * anything changes, naming it; the managed device next to it is untouched. */
static void test_prepare_unmanaged_not_vfio(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *before = mt_state_hash(host);
  g_autofree char *edu = mt_hostdev(EDU, TRUE, NULL);
  g_autofree char *nic = mt_hostdev(E1000E, FALSE, NULL);
  g_autofree char *body = g_strconcat(edu, nic, NULL);

  run_prepare_xml(host, &result, "vm1", body, FALSE);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, E1000E " is unmanaged"));
  g_assert_nonnull(strstr(result.err, "on e1000e"));
  g_autofree char *after = mt_state_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_assert_false(mt_has_journal(host, "vm1"));
}

/* A device belongs to one owner: another owner is refused naming it, and
 * nothing of its request changes, not even its other devices. */
static void test_prepare_conflicting_owners(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "prepare", "--owner", "vm1", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *before = mt_state_hash(host);
  cli_run(host, &result, "prepare", "--owner", "vm2", EDU, E1000E, NULL);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, E1000E " belongs to owner vm1"));
  g_autofree char *after = mt_state_hash(host);
  g_assert_cmpstr(before, ==, after);
  bt_assert_original(host, EDU, NULL, 0);
  g_assert_false(mt_has_journal(host, "vm2"));
}

/* Preparing again for the same owner changes nothing and says so; a
 * repeat may add a device, which a later failure would not take away. */
static void test_prepare_double(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "prepare", "--owner", "vm1", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *before = bt_tree_hash(host);
  cli_run(host, &result, "prepare", "--owner", "vm1", E1000E, "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *after = bt_tree_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonArray *devices = json_object_get_array_member(json_node_get_object(root), "devices");
  g_assert_cmpstr(json_object_get_string_member(cli_find_device(devices, E1000E), "outcome"), ==, "owned");

  /* adding a device that fails to bind rolls back only that device */
  mock_host_inject_probe_fault(host, "qedu-mig", EDU, EIO);
  cli_run(host, &result, "prepare", "--owner", "vm1", E1000E, EDU, NULL);
  g_assert_cmpint(result.status, ==, 1);
  g_assert_nonnull(strstr(result.err, "rolled back"));
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
  bt_assert_original(host, EDU, NULL, 0);
  g_autofree char *journal = mock_host_read(host, "/run/vfio-hostdev/owner-vm1.journal");
  g_assert_nonnull(strstr(journal, E1000E));
  g_assert_null(strstr(journal, EDU));
  g_assert_nonnull(strstr(journal, "running=false"));
  cli_run(host, &result, "release", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, E1000E, "e1000e", 0);
}

/* VFIO gives a whole IOMMU group to one user: a member of a group another
 * owner holds is refused, naming the member and the owner. */
static void test_prepare_shared_group(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "prepare", "--owner", "vm1", SMBUS, AHCI, NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_vfio(host, AHCI, "vfio-pci", "7");
  cli_run(host, &result, "prepare", "--owner", "vm2", LPC, NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_assert_nonnull(strstr(result.err, "shares IOMMU group 7"));
  g_assert_nonnull(strstr(result.err, "owner vm1"));
  g_assert_false(mt_has_journal(host, "vm2"));
}

/* A managed device whose group is not viable is refused like bind refuses. */
static void test_prepare_group_not_viable(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  g_autofree char *before = mt_state_hash(host);

  cli_run(host, &result, "prepare", "--owner", "vm1", SMBUS, NULL);
  g_assert_cmpint(result.status, ==, 4);
  g_assert_nonnull(strstr(result.err, AHCI));
  g_autofree char *after = mt_state_hash(host);
  g_assert_cmpstr(before, ==, after);
}

/* One device failing rolls back every device of the call, its records and
 * the journal. */
static void test_prepare_failure_rolls_back(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  /* the real kernel has /sys/class/vfio-dev once vfio is loaded; the mock
   * makes it at the first VFIO bind */
  g_autofree char *class_dir = g_build_filename(mock_host_root(host), "sys/class/vfio-dev", NULL);
  g_assert_cmpint(g_mkdir_with_parents(class_dir, 0755), ==, 0);
  cli_shell(host, "modprobe vfio_pci && modprobe qedu_mig");
  g_autofree char *before = mt_state_hash(host);
  mock_host_inject_probe_fault(host, "qedu-mig", EDU, EIO);
  cli_run(host, &result, "prepare", "--owner", "vm1", "--user", "nobody", E1000E, EDU, NULL);
  g_assert_cmpint(result.status, ==, 1);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "rolled back"));
  g_autofree char *after = mt_state_hash(host);
  g_assert_cmpstr(before, ==, after);
  g_assert_false(mt_has_journal(host, "vm1"));
  mt_assert_nodes_root(host);
}

/* --user: the group nodes go to the user (0600) and come back as they
 * were; with the cdev too, which also selects QEMU's iommufd form. */
static void test_prepare_user(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  const char *const edu = "0000:00:02.0", *const virtio = "0000:00:03.0";
  g_autofree char *node_mode = NULL;

  cli_run(host, &result, "prepare", "--owner", "vm1", "--user", "nobody", "--qemu-version", "9.0", edu, virtio,
          "--json", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *object = json_node_get_object(root);
  g_assert_true(json_object_get_boolean_member(object, "iommufd"));
  JsonArray *all = json_object_get_array_member(object, "qemu_args");
  g_assert_cmpstr(json_array_get_string_element(all, 0), ==, "-object");
  g_assert_cmpstr(json_array_get_string_element(all, 1), ==, "iommufd,id=iommufd0");
  g_assert_cmpstr(json_array_get_string_element(all, 3), ==, "vfio-pci,host=0000:00:02.0,iommufd=iommufd0");
  JsonObject *device = cli_find_device(json_object_get_array_member(object, "devices"), edu);
  const char *cdev = json_object_get_string_member(device, "cdev");
  const char *node = json_object_get_string_member(device, "group_node");
  g_assert_nonnull(cdev);
  g_assert_cmpint(mt_uid(host, cdev), ==, 65534);
  g_assert_cmpint(mt_uid(host, node), ==, 65534);
  g_autofree char *real = g_build_filename(mock_host_root(host), node, NULL);
  struct stat st;
  g_assert_cmpint(stat(real, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 07777, ==, 0600);
  g_autofree char *journal = mock_host_read(host, "/run/vfio-hostdev/owner-vm1.journal");
  g_assert_nonnull(strstr(journal, "user=nobody"));

  /* another user for the same owner is refused */
  cli_run(host, &result, "prepare", "--owner", "vm1", "--user", "root", edu, NULL);
  g_assert_cmpint(result.status, ==, 4);

  cli_run(host, &result, "release", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  mt_assert_nodes_root(host);
  g_assert_cmpint(stat(real, &st), ==, 0);
  node_mode = g_strdup_printf("%o", st.st_mode & 07777);
  g_assert_cmpstr(node_mode, !=, "600");
  /* edu was on its VFIO variant driver before: it stays there */
  g_autofree char *driver = bt_driver(host, edu);
  g_assert_cmpstr(driver, ==, "qedu-mig");

  cli_run(host, &result, "prepare", "--owner", "vm1", "--user", "no-such-user-here", edu, NULL);
  g_assert_cmpint(result.status, ==, 2);
}

/* Runs `prlimit --memlock=64K [setpriv: without CAP_IPC_LOCK] vfio-hostdev
 * prepare --owner vm1 --memlock-needed 1G ARGS...`, then releases. */
static void run_memlock(MockHost *host, CliResult *result, gboolean drop_ipc_lock, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autoptr(GError) error = NULL;
  const char *const limited[] = {"prlimit", "--memlock=65536", "--", NULL};
  const char *const no_ipc_lock[] = {"setpriv", "--bounding-set=-ipc_lock", "--inh-caps=-ipc_lock", "--", NULL};
  const char *const prepare[] = {VFIO_HOSTDEV_BIN, "prepare", "--owner", "vm1", "--memlock-needed", "1G", NULL};

  for (guint i = 0; limited[i] != NULL; i++)
    g_ptr_array_add(argv, (gpointer)limited[i]);
  for (guint i = 0; drop_ipc_lock && no_ipc_lock[i] != NULL; i++)
    g_ptr_array_add(argv, (gpointer)no_ipc_lock[i]);
  for (guint i = 0; prepare[i] != NULL; i++)
    g_ptr_array_add(argv, (gpointer)prepare[i]);
  for (; *args != NULL; args++)
    g_ptr_array_add(argv, (gpointer)*args);
  g_ptr_array_add(argv, NULL);
  cli_result_clear(result);
  g_assert_true(mock_host_run(host, (const char *const *)argv->pdata, &result->out, &result->err, &result->status,
                              &error));
  g_assert_no_error(error);
  g_test_message("exit %d\nstderr:\n%s", result->status, result->err);
  g_assert_cmpint(result->status, ==, 0);
  g_auto(CliResult) release = {0};
  cli_run(host, &release, "release", "--owner", "vm1", NULL);
  g_assert_cmpint(release.status, ==, 0);
}

/* --memlock-needed: a root VMM (no --user) started from a process with
 * CAP_IPC_LOCK pins without limit, whatever the limit; without the
 * capability this process's limit is what it inherits; for another user
 * the limit cannot be known, and the warning says so and how it is
 * counted (per process with the container, per user with iommufd). */
static void test_prepare_memlock(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  const char *const device[] = {E1000E, NULL};
  const char *const for_nobody[] = {"--user", "nobody", E1000E, NULL};
  const char *const for_root[] = {"--user", "0", E1000E, NULL};

  cli_run(host, &result, "prepare", "--owner", "vm1", "--memlock-needed", "16E", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 2);
  if (getuid() != 0) {
    g_test_skip("needs root (CAP_IPC_LOCK to drop)");
    return;
  }
  run_memlock(host, &result, FALSE, device);
  g_assert_null(strstr(result.err, "locked-memory"));
  run_memlock(host, &result, FALSE, for_root);
  g_assert_null(strstr(result.err, "locked-memory"));
  run_memlock(host, &result, TRUE, device);
  g_assert_nonnull(strstr(result.err, "warning: this process has no CAP_IPC_LOCK and its locked-memory limit "
                                      "(RLIMIT_MEMLOCK) is 64 KiB, below the 1048576 KiB"));
  cli_assert_one_line(result.err);
  run_memlock(host, &result, FALSE, for_nobody);
  g_assert_nonnull(strstr(result.err, "warning: cannot check from here whether a VMM running as nobody may pin the "
                                      "1048576 KiB"));
  g_assert_nonnull(strstr(result.err, "the legacy container (type1) counts each VMM process on its own"));
}

/* Domain XML on stdin (the libvirt hook's way). */
static void test_prepare_stdin(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autofree char *body = mt_hostdev(E1000E, TRUE, NULL);
  g_autofree char *xml = mt_domain_file(host, body);
  g_autofree char *command = g_strdup_printf("'%s' prepare --owner vm1 --xml - < '%s'", VFIO_HOSTDEV_BIN, xml);

  cli_shell(host, command);
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
}

/* <interface type='hostdev'> (a NIC given as a hostdev) is prepared like a
 * <hostdev>, its address written as libvirt allows (no domain, octal bus). */
static void test_prepare_interface(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  run_prepare_xml(host, &result, "vm1",
                  "<interface type='hostdev' managed='yes'><mac address='52:54:00:00:00:01'/><source>"
                  "<address type='pci' bus='01' slot='0' function='0'/></source></interface>\n",
                  FALSE);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_vfio(host, E1000E, "vfio-pci", "8");
  g_assert_nonnull(strstr(result.out, "vfio-pci,host=" E1000E));
  cli_run(host, &result, "release", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 0);
  bt_assert_original(host, E1000E, "e1000e", 0);
}

/* Hostile or broken XML: exit 2, one line, and nothing written at all. */
static void test_prepare_hostile_xml(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autofree char *huge = g_strnfill(2 * 1024 * 1024, 'a');
  g_autofree char *long_attr = g_strnfill(200 * 1024, '1');
  g_autofree char *huge_doc = g_strdup_printf("<hostdev mode='subsystem' type='pci' managed='yes' x='%s'/>", huge);
  g_autofree char *long_doc = g_strdup_printf("<hostdev mode='subsystem' type='pci' managed='yes'><source><address "
                                              "domain='0' bus='%s' slot='0' function='0'/></source></hostdev>",
                                              long_attr);
  const char *const documents[] = {
    "<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
    "<domain><name>&xxe;</name></domain>",
    "<!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
    "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]><domain>&lol3;</domain>",
    huge_doc,
    long_doc,
    "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='zz' slot='0' "
    "function='0'/></source></hostdev>",
    "<hostdev mode='subsystem' type='pci' managed='maybe'><source><address domain='0' bus='1' slot='0' "
    "function='0'/></source></hostdev>",
    "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='1' "
    "function='0'/></source></hostdev>",
    "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='1' slot='0' "
    "function='9'/></source></hostdev>",
    "<hostdev mode='subsystem' type='pci' managed='yes'><driver name='vfio' model='../../evil'/><source>"
    "<address domain='0' bus='1' slot='0' function='0'/></source></hostdev>",
    "<domain><devices><hostdev",
    /* one root only: a second domain, a domain and a bare hostdev, junk */
    "<domain><devices><hostdev mode='subsystem' type='pci' managed='yes'><source><address bus='1' slot='0' "
    "function='0'/></source></hostdev></devices></domain>\n<domain><devices/></domain>",
    "<domain><devices/></domain>\n<hostdev mode='subsystem' type='pci' managed='yes'><source><address bus='1' "
    "slot='0' function='0'/></source></hostdev>",
    "<domain><devices/></domain> junk",
    "<devices><hostdev mode='subsystem' type='pci' managed='yes'><source><address bus='1' slot='0' "
    "function='0'/></source></hostdev></devices>",
    "<interface type='hostdev' managed='yes'><source><address type='usb' bus='1' port='1'/></source></interface>",
  };
  g_autofree char *before = bt_tree_hash(host);
  g_autofree char *path = g_build_filename(mock_host_root(host), "hostile.xml", NULL);

  for (guint i = 0; i < G_N_ELEMENTS(documents); i++) {
    g_auto(CliResult) result = {0};
    g_assert_true(g_file_set_contents(path, documents[i], -1, NULL));
    cli_run(host, &result, "prepare", "--owner", "vm1", "--xml", path, NULL);
    g_assert_cmpint(result.status, ==, 2);
    cli_assert_one_line(result.err);
    g_assert_cmpstr(result.out, ==, "");
    g_assert_null(strstr(result.err, "root:"));
    g_remove(path);
    g_autofree char *after = bt_tree_hash(host);
    g_assert_cmpstr(before, ==, after);
  }
}

static void test_prepare_bad_words(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autofree char *long_name = g_strnfill(65, 'a');
  const char *const bad_owners[] = {"", "../etc", "a b", "-x", ".hidden", "vm/1", long_name};
  g_auto(CliResult) result = {0};
  g_autofree char *before = bt_tree_hash(host);

  for (guint i = 0; i < G_N_ELEMENTS(bad_owners); i++) {
    cli_run(host, &result, "prepare", "--owner", bad_owners[i], E1000E, NULL);
    g_assert_cmpint(result.status, ==, 2);
    cli_assert_one_line(result.err);
    cli_run(host, &result, "release", "--owner", bad_owners[i], NULL);
    g_assert_cmpint(result.status, ==, 2);
  }
  cli_run(host, &result, "prepare", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_run(host, &result, "prepare", "--owner", "vm1", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_run(host, &result, "prepare", "--owner", "vm1", "--xml", "/nonexistent.xml", E1000E, NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_run(host, &result, "prepare", "--owner", "vm1", "01:00.9", NULL);
  g_assert_cmpint(result.status, ==, 2);
  cli_run(host, &result, "release", NULL);
  g_assert_cmpint(result.status, ==, 2);
  g_autofree char *after = bt_tree_hash(host);
  g_assert_cmpstr(before, ==, after);
  cli_run(host, &result, "prepare", "--owner", "vm1", "0f:00.0", NULL);
  g_assert_cmpint(result.status, ==, 3);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/prepare/no-devices", test_prepare_no_devices);
  g_test_add_func("/prepare/managed-roundtrip", test_prepare_managed_roundtrip);
  g_test_add_func("/prepare/explicit-model", test_prepare_explicit_model);
  g_test_add_func("/prepare/unmanaged", test_prepare_unmanaged);
  g_test_add_func("/prepare/unmanaged-not-vfio", test_prepare_unmanaged_not_vfio);
  g_test_add_func("/prepare/conflicting-owners", test_prepare_conflicting_owners);
  g_test_add_func("/prepare/double", test_prepare_double);
  g_test_add_func("/prepare/shared-group", test_prepare_shared_group);
  g_test_add_func("/prepare/group-not-viable", test_prepare_group_not_viable);
  g_test_add_func("/prepare/failure-rolls-back", test_prepare_failure_rolls_back);
  g_test_add_func("/prepare/user", test_prepare_user);
  g_test_add_func("/prepare/memlock", test_prepare_memlock);
  g_test_add_func("/prepare/stdin", test_prepare_stdin);
  g_test_add_func("/prepare/interface", test_prepare_interface);
  g_test_add_func("/prepare/hostile-xml", test_prepare_hostile_xml);
  g_test_add_func("/prepare/bad-words", test_prepare_bad_words);
  return g_test_run();
}
