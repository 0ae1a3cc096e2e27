// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bind-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *device_path(const char *address, const char *attr)
{
  return g_build_filename("/sys/bus/pci/devices", address, attr, NULL);
}

void bt_make_numa_pools(MockHost *host, const char *address)
{
  g_autofree char *numa_node = device_path(address, "numa_node");
  const char *const pools[][2] = {{BT_POOL_2M, "1\n"}, {BT_NODE_POOL_2M("0"), "1\n"}, {BT_NODE_POOL_2M("1"), "0\n"}};

  for (guint i = 0; i < G_N_ELEMENTS(pools); i++) {
    g_autofree char *nr = g_build_filename(pools[i][0], "nr_hugepages", NULL);
    g_autofree char *free_pages = g_build_filename(pools[i][0], "free_hugepages", NULL);
    mock_host_write(host, nr, pools[i][1]);
    mock_host_write(host, free_pages, pools[i][1]);
  }
  mock_host_write(host, BT_POOL_2M "/resv_hugepages", "0\n");
  mock_host_write(host, numa_node, "1\n");
}

void bt_assert_numa_pools(MockHost *host, const char *node0, const char *node1, const char *whole)
{
  g_autofree char *nr0 = mock_host_read_trim(host, BT_NODE_POOL_2M("0") "/nr_hugepages");
  g_autofree char *nr1 = mock_host_read_trim(host, BT_NODE_POOL_2M("1") "/nr_hugepages");
  g_autofree char *nr = mock_host_read_trim(host, BT_POOL_2M "/nr_hugepages");

  g_assert_cmpstr(nr0, ==, node0);
  g_assert_cmpstr(nr1, ==, node1);
  g_assert_cmpstr(nr, ==, whole);
}

char *bt_driver(MockHost *host, const char *address)
{
  g_autofree char *path = device_path(address, "driver");

  return cli_link_basename(host, path);
}

char *bt_override(MockHost *host, const char *address)
{
  g_autofree char *path = device_path(address, "driver_override");

  return mock_host_read_trim(host, path);
}

guint bt_numvfs(MockHost *host, const char *address)
{
  g_autofree char *path = device_path(address, "sriov_numvfs");
  g_autofree char *text = mock_host_read_trim(host, path);

  g_assert_nonnull(text);
  return (guint)g_ascii_strtoull(text, NULL, 10);
}

gboolean bt_has_record(MockHost *host, const char *address)
{
  g_autofree char *path = g_strdup_printf("/run/vfio-hostdev/%s.record", address);

  return mock_host_exists(host, path);
}

guint bt_count_records(MockHost *host)
{
  g_autofree char *dir = g_build_filename(mock_host_root(host), "run/vfio-hostdev", NULL);
  g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
  const char *name;
  guint count = 0;

  while (listing != NULL && (name = g_dir_read_name(listing)) != NULL)
    count += g_str_has_suffix(name, ".record");
  return count;
}

void bt_assert_original(MockHost *host, const char *address, const char *driver, guint numvfs)
{
  g_autofree char *now = bt_driver(host, address);
  g_autofree char *override = bt_override(host, address);

  g_assert_cmpstr(now, ==, driver);
  g_assert_cmpstr(override, ==, "(null)");
  if (numvfs > 0)
    g_assert_cmpuint(bt_numvfs(host, address), ==, numvfs);
  g_assert_false(bt_has_record(host, address));
}

void bt_assert_vfio(MockHost *host, const char *address, const char *driver, const char *group)
{
  g_autofree char *now = bt_driver(host, address);
  g_autofree char *vfio_dev = device_path(address, "vfio-dev");
  g_autofree char *node = g_strdup_printf("/dev/vfio/%s", group);

  g_assert_cmpstr(now, ==, driver);
  g_assert_true(mock_host_exists(host, vfio_dev));
  g_assert_true(mock_host_exists(host, node));
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void hash_dir(GChecksum *sum, const char *root, const char *rel)
{
  g_autofree char *dir_path = g_build_filename(root, rel, NULL);
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL)
    if (!(*rel == '\0' && g_str_equal(name, ".mock")))
      g_ptr_array_add(names, g_strdup(name));
  g_ptr_array_sort(names, compare_strings);
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *child = g_build_filename(rel, g_ptr_array_index(names, i), NULL);
    g_autofree char *path = g_build_filename(root, child, NULL);
    struct stat st;
    g_assert_cmpint(lstat(path, &st), ==, 0);
    g_checksum_update(sum, (const guchar *)child, -1);
    g_checksum_update(sum, (const guchar *)&st.st_mode, sizeof(st.st_mode));
    if (S_ISLNK(st.st_mode)) {
      g_autofree char *target = g_file_read_link(path, NULL);
      g_checksum_update(sum, (const guchar *)target, -1);
    } else if (S_ISDIR(st.st_mode)) {
      hash_dir(sum, root, child);
    } else {
      g_autofree char *contents = NULL;
      gsize length = 0;
      g_assert_true(g_file_get_contents(path, &contents, &length, NULL));
      g_checksum_update(sum, (const guchar *)contents, (gssize)length);
    }
  }
}

char *bt_tree_hash(MockHost *host)
{
  g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

  hash_dir(sum, mock_host_root(host), "");
  return g_strdup(g_checksum_get_string(sum));
}

char *bt_kernel_hash(MockHost *host)
{
  g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

  hash_dir(sum, mock_host_root(host), "sys");
  hash_dir(sum, mock_host_root(host), "dev");
  return g_strdup(g_checksum_get_string(sum));
}


/* The device's enabled VFs, 0 when it has no SR-IOV. */
static guint numvfs_or_zero(MockHost *host, const char *address)
{
  g_autofree char *path = device_path(address, "sriov_numvfs");

  return mock_host_exists(host, path) ? bt_numvfs(host, address) : 0;
}

static void run_bind(MockHost *host, CliResult *result, gboolean force, const char *address)
{
  if (force)
    cli_run(host, result, "bind", "--force", address, NULL);
  else
    cli_run(host, result, "bind", address, NULL);
}

char *bt_assert_refused(MockHost *host, gboolean force, const char *address, const char *driver,
                        const char *const *needles)
{
  g_auto(CliResult) result = {0};
  g_autofree char *before = bt_kernel_hash(host);
  guint numvfs = numvfs_or_zero(host, address);

  run_bind(host, &result, force, address);
  g_assert_cmpint(result.status, ==, 4);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "refusing to bind, nothing changed"));
  g_assert_nonnull(strstr(result.err, address));
  g_assert_nonnull(strstr(result.err, "--force"));
  for (; *needles != NULL; needles++)
    if (strstr(result.err, *needles) == NULL)
      g_error("no \"%s\" in: %s", *needles, result.err);
  g_autofree char *after = bt_kernel_hash(host);
  g_assert_cmpstr(before, ==, after);
  bt_assert_original(host, address, driver, numvfs);
  g_assert_cmpuint(bt_count_records(host), ==, 0);
  g_autofree char *modprobes = mock_host_modprobe_log(host);
  g_assert_cmpstr(modprobes, ==, "");
  return g_steal_pointer(&result.err);
}

void bt_assert_binds(MockHost *host, gboolean force, const char *address)
{
  g_auto(CliResult) result = {0};
  g_autofree char *path = g_strdup_printf("/sys/bus/pci/devices/%s/iommu_group", address);

  run_bind(host, &result, force, address);
  if (result.status != 0)
    g_error("bind %s: exit %d: %s", address, result.status, result.err);
  if (!force)
    g_assert_cmpstr(result.err, ==, "");
  g_autofree char *target = mock_host_readlink(host, path);
  g_assert_nonnull(target);
  g_autofree char *group = g_path_get_basename(target);
  bt_assert_vfio(host, address, "vfio-pci", group);
}

/* Bounds a broken test only: the helper lets go as soon as the hold goes. */
#define LOCK_WAIT_MAX_US (120 * G_USEC_PER_SEC)

static char *host_path(MockHost *host, const char *path)
{
  return g_build_filename(mock_host_root(host), path, NULL);
}

/* Whether someone holds the flock of PATH in the fake host (the lock
 * itself, not a pid: the test asks exactly what the tool asks). */
gboolean bt_lock_held(MockHost *host, const char *path)
{
  g_autofree char *real = host_path(host, path);
  int fd = open(real, O_RDONLY | O_CLOEXEC);
  gboolean held;

  if (fd < 0)
    return FALSE;
  held = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
  close(fd);
  return held;
}

void bt_wait_lock_free(MockHost *host, const char *path)
{
  gint64 deadline = g_get_monotonic_time() + LOCK_WAIT_MAX_US;

  while (bt_lock_held(host, path)) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_usleep(2000);
  }
}

int bt_wait_exit(GPid pid)
{
  int status = 0;

  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

static GPid spawn(MockHost *host, const char *const *args, GSpawnFlags output)
{
  g_auto(GStrv) env = mock_host_environ(host);
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autoptr(GError) error = NULL;
  GPid pid = 0;

  g_ptr_array_add(argv, (gpointer)VFIO_HOSTDEV_BIN);
  for (; *args != NULL; args++)
    g_ptr_array_add(argv, (gpointer)*args);
  g_ptr_array_add(argv, NULL);
  g_assert_true(g_spawn_async(NULL, (char **)argv->pdata, env, G_SPAWN_DO_NOT_REAP_CHILD | output, NULL, NULL, &pid,
                              &error));
  g_assert_no_error(error);
  return pid;
}

GPid bt_spawn(MockHost *host, const char *const *args)
{
  return spawn(host, args, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL);
}

GPid bt_spawn_with_stderr(MockHost *host, const char *const *args)
{
  return spawn(host, args, G_SPAWN_STDOUT_TO_DEV_NULL);
}

/* Another card at the address: the kernel's uevent (where the tool reads
 * IDs) and the ID files say so. */
void bt_change_ids(MockHost *host, const char *address, const char *pci_id, const char *subsys_id)
{
  g_autofree char *uevent_path = g_strdup_printf("/sys/bus/pci/devices/%s/uevent", address);
  g_autofree char *uevent = mock_host_read(host, uevent_path);
  g_auto(GStrv) lines = g_strsplit(uevent, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    if (g_str_has_prefix(lines[i], "PCI_ID=")) {
      g_free(lines[i]);
      lines[i] = g_strconcat("PCI_ID=", pci_id, NULL);
    } else if (g_str_has_prefix(lines[i], "PCI_SUBSYS_ID=")) {
      g_free(lines[i]);
      lines[i] = g_strconcat("PCI_SUBSYS_ID=", subsys_id, NULL);
    }
  }
  g_autofree char *changed = g_strjoinv("\n", lines);
  mock_host_write(host, uevent_path, changed);
}
