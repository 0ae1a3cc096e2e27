// SPDX-License-Identifier: LGPL-2.1-or-later
/* `bind`'s block check and deny list (src/hostdev/shared/host-use-*.c,
 * deny-list.c) against the host-use-block fixture: NVMe disks used through
 * dm, swap, a mount and a loop device on it, a process holding a node, an
 * exclusive claim, an md holder and native multipath with two controllers.
 * Each use is refused (exit 4) with the whole chain, nothing changed; freed,
 * the device binds; --force overrides everything but the deny list. The
 * /proc fd scan is made once per invocation whatever the device count. */
#include <fcntl.h>
#include <unistd.h>

#include "bind-test-util.h"

#define ARROW " \xe2\x86\x92 "
#define NVME_ROOT "0000:00:02.0"     /* nvme0n1p2 → dm-0 → / */
#define NVME_SWAP "0000:00:03.0"     /* nvme1n1 active swap */
#define NVME_LOOP "0000:00:04.0"     /* nvme2n1p1 on /srv, loop0 on /srv/disk.img on /mnt/img */
#define NVME_OPEN "0000:00:05.0"     /* idle: the test holds /dev/nvme3n1 */
#define NVME_PATH_A "0000:00:06.0"   /* nvme4: path nvme5c4n1 to head nvme5n1 on /data */
#define NVME_PATH_B "0000:00:07.0"   /* nvme6: path nvme5c6n1 to the same head */
#define NVME_CLAIMED "0000:00:08.0"  /* nvme7n1 claimed exclusively */
#define NVME_GENERIC "0000:00:09.0"  /* idle: the test holds /dev/ng8n1 */
#define NVME_MD "0000:00:0a.0"       /* nvme9n1 held by md0 */
#define NVME_IDLE "0000:00:0b.0"

/* NAME's exclusive claim ends (.mock/claimed: the mock does not derive
 * claims from the tables, so freeing a device in a test ends both). */
static void unclaim(MockHost *host, const char *name)
{
  g_autofree char *claimed = mock_host_read(host, "/.mock/claimed");
  g_auto(GStrv) lines = g_strsplit(claimed, "\n", -1);
  g_autoptr(GString) kept = g_string_new(NULL);
  g_autofree char *suffix = g_strconcat(" ", name, NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && !g_str_has_suffix(lines[i], suffix))
      g_string_append_printf(kept, "%s\n", lines[i]);
  mock_host_write(host, "/.mock/claimed", kept->str);
}

/* The root filesystem on dm on a partition: the chain down to the mount,
 * and the device is on the default deny list, which --force does not
 * override. */
static void test_root_on_dm(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-block");
  const char *const needles[] = {"nvme0n1" ARROW "nvme0n1p2" ARROW "dm-0" ARROW "mounted on /;",
                                 NVME_ROOT " is protected: on the deny list by default: the root filesystem is on it",
                                 "--force does not override this", NULL};

  g_free(bt_assert_refused(host, FALSE, NVME_ROOT, "nvme", needles));
  g_free(bt_assert_refused(host, TRUE, NVME_ROOT, "nvme", (const char *const[]){"the root filesystem is on it (dm-0)", NULL}));
}

/* Active swap on a namespace: denied by default; swapoff frees it. */
static void test_swap(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-block");

  g_free(bt_assert_refused(host, TRUE, NVME_SWAP, "nvme",
                 (const char *const[]){"active swap /dev/nvme1n1 is on it (nvme1n1)", NULL}));
  g_free(bt_assert_refused(host, FALSE, NVME_SWAP, "nvme", (const char *const[]){"nvme1n1" ARROW "active swap", NULL}));
  mock_host_write(host, "/proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
  unclaim(host, "nvme1n1");
  bt_assert_binds(host, FALSE, NVME_SWAP);
}

/* A mounted partition and a loop device backed by a file on it, mounted
 * in turn: both chains named; --force takes it. */
static void test_mount_and_loop(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-block");
  const char *const needles[] = {
    "nvme2n1" ARROW "nvme2n1p1" ARROW "mounted on /srv",
    "nvme2n1" ARROW "nvme2n1p1" ARROW "/srv/disk.img" ARROW "loop0" ARROW "mounted on /mnt/img",
    "--force unbinds it anyway", NULL};

  g_free(bt_assert_refused(host, FALSE, NVME_LOOP, "nvme", needles));
  bt_assert_binds(host, TRUE, NVME_LOOP);
}

/* A process holding the namespace's block node open: named with its pid
 * and command; once it closes the node, the device binds. The same for
 * the generic character node /dev/ngXnY. */
static void test_open_by_process(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-block");
  g_autofree char *disk = g_build_filename(mock_host_root(host), "dev", "nvme3n1", NULL);
  g_autofree char *generic = g_build_filename(mock_host_root(host), "dev", "ng8n1", NULL);
  g_autofree char *comm = NULL;
  int disk_fd = open(disk, O_RDONLY | O_CLOEXEC);
  int generic_fd = open(generic, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint(disk_fd, >=, 0);
  g_assert_cmpint(generic_fd, >=, 0);
  g_assert_true(g_file_get_contents("/proc/self/comm", &comm, NULL, NULL));
  g_strchomp(comm);
  g_autofree char *by_disk = g_strdup_printf("nvme3n1" ARROW "open by process %d (%s)", (int)getpid(), comm);
  g_autofree char *by_generic = g_strdup_printf("ng8n1 (/dev/ng8n1)" ARROW "open by process %d (%s)", (int)getpid(),
                                                comm);
  g_free(bt_assert_refused(host, FALSE, NVME_OPEN, "nvme", (const char *const[]){by_disk, NULL}));
  g_free(bt_assert_refused(host, FALSE, NVME_GENERIC, "nvme", (const char *const[]){by_generic, NULL}));
  close(disk_fd);
  close(generic_fd);
  bt_assert_binds(host, FALSE, NVME_OPEN);
  bt_assert_binds(host, FALSE, NVME_GENERIC);
}

/* Claimed with nothing in the tables to explain it (a ZFS member): the
 * O_EXCL open says so. Held by an md array nothing uses: still held. */
static void test_claimed_and_held(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-block");

  g_free(bt_assert_refused(host, FALSE, NVME_CLAIMED, "nvme", (const char *const[]){"nvme7n1" ARROW "claimed exclusively", NULL}));
  g_free(bt_assert_refused(host, FALSE, NVME_MD, "nvme", (const char *const[]){"nvme9n1" ARROW "held by md0", NULL}));
  bt_assert_binds(host, FALSE, NVME_IDLE);
}

/* Native multipath: the head lives under nvme-subsystem, only the path
 * device below each controller. Another live path remains: said, and
 * --force goes on; when the other controller is not live this one holds
 * the last path. */
static void test_multipath(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-block");
  const char *const other_live[] = {"nvme5c4n1" ARROW "nvme5n1" ARROW "mounted on /data",
                                    "another live path remains through nvme6", NULL};
  const char *const last[] = {"nvme5c4n1" ARROW "nvme5n1" ARROW "mounted on /data",
                              "nvme5c4n1 holds the last live path", NULL};

  g_free(bt_assert_refused(host, FALSE, NVME_PATH_A, "nvme", other_live));
  mock_host_write(host, "/sys/class/nvme/nvme6/state", "connecting\n");
  g_free(bt_assert_refused(host, FALSE, NVME_PATH_A, "nvme", last));
  mock_host_write(host, "/sys/class/nvme/nvme6/state", "live\n");
  bt_assert_binds(host, TRUE, NVME_PATH_A);
}

/* status shows the deny list: each rule with where it comes from and the
 * devices it protects (text), one "denied" entry per protected device
 * (--json). deny.conf holds "class 0108" on line 1. */
static void assert_status_shows_deny_list(MockHost *host)
{
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "status", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "Deny list (never bound, --force or not):"));
  g_assert_nonnull(strstr(result.out, "/etc/vfio-hostdev/deny.conf line 1: 0000:00:02.0, 0000:00:03.0"));
  g_assert_nonnull(strstr(result.out, "address " NVME_SWAP "     by default: active swap /dev/nvme1n1 is on it "
                                      "(nvme1n1): " NVME_SWAP "\n"));
  cli_run(host, &result, "status", "--json", NULL);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonArray *array = json_node_get_array(root);
  guint by_class = 0, root_entries = 0;
  for (guint i = 0; i < json_array_get_length(array); i++) {
    JsonObject *entry = json_array_get_object_element(array, i);
    const char *source = json_object_get_string_member(entry, "source");
    g_assert_cmpstr(json_object_get_string_member(entry, "state"), ==, "denied");
    if (g_str_equal(source, "file")) {
      g_assert_cmpstr(json_object_get_string_member(entry, "rule"), ==, "class 0108");
      g_assert_cmpstr(json_object_get_string_member(entry, "file"), ==, "/etc/vfio-hostdev/deny.conf");
      g_assert_cmpint(json_object_get_int_member(entry, "line"), ==, 1);
      by_class++;
    } else if (g_str_equal(source, "root")) {
      g_assert_cmpstr(json_object_get_string_member(entry, "address"), ==, NVME_ROOT);
      g_assert_true(JSON_NODE_HOLDS_NULL(json_object_get_member(entry, "line")));
      root_entries++;
    } else {
      g_assert_cmpstr(source, ==, "swap");
    }
  }
  g_assert_cmpuint(by_class, ==, 10); /* the fixture's ten NVMe controllers */
  g_assert_cmpuint(root_entries, ==, 1);
}

/* deny.conf: each kind of rule protects, --force or not; a bad line
 * protects every device, and doctor fails on it. */
static void test_deny_conf(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-block");
  g_auto(CliResult) result = {0};

  mock_host_write(host, "/etc/vfio-hostdev/deny.conf", "# keep the spare\naddress " NVME_IDLE "   # spare\n");
  g_free(bt_assert_refused(host, TRUE, NVME_IDLE, "nvme",
                 (const char *const[]){"/etc/vfio-hostdev/deny.conf line 2: address " NVME_IDLE, NULL}));
  mock_host_write(host, "/etc/vfio-hostdev/deny.conf", "id 144d:*\n");
  g_free(bt_assert_refused(host, TRUE, NVME_IDLE, "nvme", (const char *const[]){"line 1: id 144d:*", NULL}));
  mock_host_write(host, "/etc/vfio-hostdev/deny.conf", "class 0108\n");
  g_free(bt_assert_refused(host, TRUE, NVME_IDLE, "nvme", (const char *const[]){"line 1: class 0108", NULL}));
  cli_run(host, &result, "doctor", NULL);
  g_assert_nonnull(strstr(result.out, "class 0108 (/etc/vfio-hostdev/deny.conf line 1)"));
  g_assert_nonnull(strstr(result.out, NVME_ROOT " (the root filesystem is on it (dm-0))"));
  assert_status_shows_deny_list(host);
  mock_host_write(host, "/etc/vfio-hostdev/deny.conf", "class 01080\n");
  g_free(bt_assert_refused(host, TRUE, NVME_IDLE, "nvme", (const char *const[]){"the deny list protects every device", "01080", NULL}));
  cli_run(host, &result, "doctor", "--json", NULL);
  g_assert_nonnull(strstr(result.out, "deny.conf line 1"));
  mock_host_remove(host, "/etc/vfio-hostdev/deny.conf");
  bt_assert_binds(host, FALSE, NVME_IDLE);
}

static guint count_host_fds(void)
{
  g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
  const char *pid;
  guint count = 0;

  while ((pid = g_dir_read_name(proc)) != NULL) {
    g_autofree char *fd_dir = g_build_filename("/proc", pid, "fd", NULL);
    g_autoptr(GDir) fds = g_ascii_isdigit(pid[0]) ? g_dir_open(fd_dir, 0, NULL) : NULL;
    while (fds != NULL && g_dir_read_name(fds) != NULL)
      count++;
  }
  return count;
}

/* The "read WHAT N" lines of the ops log, summed. */
static guint64 ops_reads(MockHost *host, const char *what)
{
  g_autofree char *log = mock_host_ops_log(host);
  g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
  g_autofree char *prefix = g_strdup_printf("read %s ", what);
  guint64 total = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix(lines[i], prefix))
      total += g_ascii_strtoull(lines[i] + strlen(prefix), NULL, 10);
  return total;
}

/* Six devices with nodes to look for, and every process's fds read once in
 * all: at most the host's fds (this process holds 500 more, so that one
 * scan per device could not pass) plus a margin for processes started
 * meanwhile. The deny list is read once too. */
static void test_one_fd_scan(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-block");
  g_auto(CliResult) result = {0};
  int extra[500];

  for (guint i = 0; i < G_N_ELEMENTS(extra); i++)
    g_assert_cmpint(extra[i] = open("/dev/null", O_RDONLY | O_CLOEXEC), >=, 0);
  guint host_fds = count_host_fds();
  cli_run(host, &result, "bind", "--dry-run", "--force", NVME_LOOP, NVME_OPEN, NVME_PATH_A, NVME_CLAIMED,
          NVME_GENERIC, NVME_MD, NVME_IDLE, NULL);
  g_assert_cmpint(result.status, ==, 0);
  guint64 reads = ops_reads(host, "proc-fd");
  g_test_message("host fds %u, read %" G_GUINT64_FORMAT, host_fds, reads);
  g_assert_cmpuint(reads, >=, G_N_ELEMENTS(extra));
  g_assert_cmpuint(reads, <=, host_fds + 64);
  g_assert_cmpuint(ops_reads(host, "deny.conf"), ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS(extra); i++)
    close(extra[i]);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/host-use-block/root-on-dm", test_root_on_dm);
  g_test_add_func("/host-use-block/swap", test_swap);
  g_test_add_func("/host-use-block/mount-and-loop", test_mount_and_loop);
  g_test_add_func("/host-use-block/open-by-process", test_open_by_process);
  g_test_add_func("/host-use-block/claimed-and-held", test_claimed_and_held);
  g_test_add_func("/host-use-block/multipath", test_multipath);
  g_test_add_func("/host-use-block/deny-conf", test_deny_conf);
  g_test_add_func("/host-use-block/one-fd-scan", test_one_fd_scan);
  return g_test_run();
}
