// SPDX-License-Identifier: LGPL-2.1-or-later
#include "managed-test-util.h"

#include <errno.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/wait.h>

/* the tool's test hook (src/util/crash-point.h) */
#define CRASH_AT_ENV "VFIO_HOSTDEV_TEST_CRASH_AT"

char *mt_hostdev(const char *address, gboolean managed, const char *model)
{
  guint domain = 0, bus = 0, slot = 0, function = 0;
  g_autofree char *driver = model != NULL ? g_strdup_printf("<driver name='vfio' model='%s'/>", model) : g_strdup("");

  g_assert_cmpint(sscanf(address, "%x:%x:%x.%x", &domain, &bus, &slot, &function), ==, 4);
  return g_strdup_printf("<hostdev mode='subsystem' type='pci' managed='%s'>%s<source><address domain='0x%04x' "
                         "bus='0x%02x' slot='0x%02x' function='0x%x'/></source></hostdev>\n",
                         managed ? "yes" : "no", driver, domain, bus, slot, function);
}

char *mt_domain_file(MockHost *host, const char *body)
{
  g_autofree char *text = g_strdup_printf("<domain type='kvm'>\n<name>vm</name>\n<devices>\n%s</devices>\n</domain>\n",
                                          body);
  char *path = g_build_filename(mock_host_root(host), "domain.xml", NULL);

  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  return path;
}

void mt_run_env(MockHost *host, CliResult *result, const char *const *env, const char *const *args)
{
  g_auto(GStrv) envp = mock_host_environ(host);
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  for (; env != NULL && *env != NULL; env++) {
    g_auto(GStrv) pair = g_strsplit(*env, "=", 2);
    envp = g_environ_setenv(envp, pair[0], pair[1], TRUE);
  }
  cli_result_clear(result);
  g_ptr_array_add(argv, (gpointer)VFIO_HOSTDEV_BIN);
  for (; *args != NULL; args++)
    g_ptr_array_add(argv, (gpointer)*args);
  g_ptr_array_add(argv, NULL);
  g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL, &result->out,
                             &result->err, &wait_status, &error));
  g_assert_no_error(error);
  result->status = WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
  g_test_message("exit %d\nstdout:\n%s\nstderr:\n%s", result->status, result->out, result->err);
}

/* Copies what a run left in /run/vfio-hostdev (records, journals) to
 * $VFIO_HOSTDEV_SEED_DIR/{state-record,owner-journal}/LABEL-<file>, when
 * that variable is set: the fuzz targets' seeds are states the tool really
 * wrote, interrupted ones included (fuzz/corpus/README.md). */
static void save_seeds(MockHost *host, const char *label)
{
  const char *seed_dir = g_getenv("VFIO_HOSTDEV_SEED_DIR");
  g_autofree char *state_dir = g_build_filename(mock_host_root(host), "run/vfio-hostdev", NULL);
  g_autoptr(GDir) dir = seed_dir != NULL ? g_dir_open(state_dir, 0, NULL) : NULL;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
    const char *target = g_str_has_suffix(name, ".record")    ? "state-record"
                         : g_str_has_suffix(name, ".journal") ? "owner-journal"
                                                              : NULL;
    if (target == NULL)
      continue;
    g_autofree char *from = g_build_filename(state_dir, name, NULL);
    g_autofree char *to_dir = g_build_filename(seed_dir, target, NULL);
    g_autofree char *to_name = g_strdup_printf("%s-%s", label, name);
    g_autofree char *to = g_build_filename(to_dir, to_name, NULL);
    g_autofree char *contents = NULL;
    gsize length = 0;
    g_assert_cmpint(g_mkdir_with_parents(to_dir, 0755), ==, 0);
    g_assert_true(g_file_get_contents(from, &contents, &length, NULL));
    g_assert_true(g_file_set_contents(to, contents, (gssize)length, NULL));
  }
}

void mt_run_crash_at(MockHost *host, CliResult *result, guint step, const char *const *args)
{
  g_autofree char *setting = g_strdup_printf("%s=%u", CRASH_AT_ENV, step);
  const char *const env[] = {setting, NULL};
  g_autofree char *label = g_strdup_printf("%s-step%u", args[0], step);

  mt_run_env(host, result, env, args);
  save_seeds(host, label);
}

/* Bounds a broken test only: a killed run's processes go as soon as the
 * kernel delivers the signals. */
#define GONE_WAIT_MAX_US (120 * G_USEC_PER_SEC)

/* A zombie has left nothing but its exit status. */
static gboolean is_zombie(const char *pid_dir)
{
  g_autofree char *path = g_build_filename(pid_dir, "stat", NULL);
  g_autofree char *stat = NULL;

  if (!g_file_get_contents(path, &stat, NULL, NULL))
    return TRUE; /* gone meanwhile */
  const char *end = strrchr(stat, ')');
  return end != NULL && end[1] == ' ' && end[2] == 'Z';
}

/* The first live process whose environment has NEEDLE, 0 when none. */
static int find_process_with_env(const char *needle)
{
  g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name(proc)) != NULL) {
    if (!g_ascii_isdigit(name[0]))
      continue;
    g_autofree char *dir = g_build_filename("/proc", name, NULL);
    g_autofree char *environ_path = g_build_filename(dir, "environ", NULL);
    g_autofree char *env = NULL;
    gsize length = 0;
    if (!g_file_get_contents(environ_path, &env, &length, NULL))
      continue;
    for (gsize at = 0; at < length; at += strlen(env + at) + 1)
      if (g_str_equal(env + at, needle) && !is_zombie(dir))
        return atoi(name);
  }
  return 0;
}

void mt_wait_no_process_left(MockHost *host)
{
  g_autofree char *needle = g_strdup_printf("VFIO_HOSTDEV_MOCK_ROOT=%s", mock_host_root(host));
  gint64 deadline = g_get_monotonic_time() + GONE_WAIT_MAX_US;
  int pid;

  while ((pid = find_process_with_env(needle)) != 0) {
    if (g_get_monotonic_time() >= deadline) {
      g_autofree char *cmdline_path = g_strdup_printf("/proc/%d/cmdline", pid);
      g_autofree char *cmdline = NULL;
      g_file_get_contents(cmdline_path, &cmdline, NULL, NULL);
      g_error("process %d (%s) of the run is still there", pid, cmdline != NULL ? cmdline : "?");
    }
    g_usleep(10 * 1000);
  }
}

/* Every .pending lock in the state directory free. */
static void wait_pending_free(MockHost *host)
{
  g_autofree char *dir_path = g_build_filename(mock_host_root(host), "run/vfio-hostdev", NULL);
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
    if (!g_str_has_suffix(name, ".pending"))
      continue;
    g_autofree char *path = g_build_filename("/run/vfio-hostdev", name, NULL);
    bt_wait_lock_free(host, path);
  }
}

gboolean mt_crash(MockHost *host, guint step, const char *const *args, CliResult *result)
{
  g_test_message("%s killed before step %u", args[0], step);
  mt_run_crash_at(host, result, step, args);
  if (result->status == 0)
    return FALSE;
  g_assert_cmpint(result->status, ==, 128 + SIGKILL);
  wait_pending_free(host);
  mt_wait_no_process_left(host);
  return TRUE;
}

gboolean mt_crash_then_recover(MockHost *host, guint step, const char *const *args, CliResult *result)
{
  if (!mt_crash(host, step, args, result))
    return FALSE;
  cli_run(host, result, "recover", "--json", NULL);
  g_assert_cmpint(result->status, ==, 0);
  g_autoptr(JsonNode) root = cli_parse_json(result);
  g_assert_true(JSON_NODE_HOLDS_ARRAY(root));
  return TRUE;
}

gboolean mt_has_journal(MockHost *host, const char *owner)
{
  g_autofree char *path = g_strdup_printf("/run/vfio-hostdev/owner-%s.journal", owner);

  return mock_host_exists(host, path);
}

gint64 mt_uid(MockHost *host, const char *path)
{
  g_autofree char *real = g_build_filename(mock_host_root(host), path, NULL);
  struct stat st;

  return stat(real, &st) == 0 ? (gint64)st.st_uid : -1;
}

char *mt_iommu_acl(MockHost *host)
{
  g_autofree char *real = g_build_filename(mock_host_root(host), "dev/iommu", NULL);
  g_autoptr(GString) text = g_string_new("");
  struct posix_acl_xattr_entry entries[64];
  struct stat st;
  ssize_t size = getxattr(real, "system.posix_acl_access", entries, sizeof(entries));

  g_assert_true(size >= 0 || errno == ENODATA);
  /* the header (a version) has the size of one entry's tag and perm */
  for (ssize_t at = sizeof(struct posix_acl_xattr_header); at + (ssize_t)sizeof(entries[0]) <= size;
       at += sizeof(entries[0])) {
    struct posix_acl_xattr_entry entry;
    memcpy(&entry, (const char *)entries + at, sizeof(entry));
    if (GUINT16_FROM_LE(entry.e_tag) == ACL_USER)
      g_string_append_printf(text, "%s%u:%u", text->len > 0 ? "," : "", GUINT32_FROM_LE(entry.e_id),
                             GUINT16_FROM_LE(entry.e_perm));
  }
  g_assert_cmpint(stat(real, &st), ==, 0);
  g_string_append_printf(text, ";mode=%04o", (guint)(st.st_mode & 07777));
  return g_string_free(g_steal_pointer(&text), FALSE);
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *mt_state_hash(MockHost *host)
{
  g_autofree char *kernel = bt_kernel_hash(host);
  g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
  g_autofree char *dir_path = g_build_filename(mock_host_root(host), "run/vfio-hostdev", NULL);
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *name;

  g_checksum_update(sum, (const guchar *)kernel, -1);
  if (mock_host_exists(host, "/dev/iommu")) {
    g_autofree char *acl = mt_iommu_acl(host);
    g_checksum_update(sum, (const guchar *)acl, -1);
  }
  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL)
    if (!g_str_has_suffix(name, ".lock"))
      g_ptr_array_add(names, g_strdup(name));
  g_ptr_array_sort(names, compare_strings);
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *path = g_build_filename(dir_path, g_ptr_array_index(names, i), NULL);
    g_autofree char *contents = NULL;
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    g_checksum_update(sum, (const guchar *)path, -1);
    g_checksum_update(sum, (const guchar *)contents, -1);
  }
  return g_strdup(g_checksum_get_string(sum));
}

static void assert_root_owned(const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
    g_autofree char *path = g_build_filename(dir_path, name, NULL);
    struct stat st;
    g_assert_cmpint(lstat(path, &st), ==, 0);
    if (S_ISDIR(st.st_mode))
      assert_root_owned(path);
    else if (st.st_uid != 0)
      g_error("%s belongs to uid %u, not root", path, (guint)st.st_uid);
  }
}

void mt_assert_nodes_root(MockHost *host)
{
  g_autofree char *dir = g_build_filename(mock_host_root(host), "dev/vfio", NULL);

  assert_root_owned(dir);
}
