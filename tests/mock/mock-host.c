// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-host.c: the harness side of the fake host (see mock-host.h). */
#include "mock-host.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct _MockHost {
  char *root;
};

static const char *need_env(const char *name, GError **error)
{
  const char *v = g_getenv(name);

  if (v == NULL || v[0] == '\0')
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                "%s is not set: run the test through meson (env: mock_test_env)", name);
  return v;
}

MockHost *mock_host_new(const char *fixture_name, GError **error)
{
  const char *fixtures = need_env("MOCK_FIXTURES", error);
  const char *mkhost = fixtures ? need_env("MOCK_MKHOST", error) : NULL;
  g_autofree char *fixture = NULL, *err_text = NULL;
  g_autofree char *root = NULL;
  int status = 0;

  if (mkhost == NULL)
    return NULL;
  fixture = g_strdup_printf("%s/%s.ini", fixtures, fixture_name);
  if ((root = g_dir_make_tmp("vfio-hostdev-mock-XXXXXX", error)) == NULL)
    return NULL;
  {
    const char *argv[] = { mkhost, fixture, root, NULL };
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                      &err_text, &status, error))
      return NULL;
  }
  if (!g_spawn_check_wait_status(status, NULL)) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "mock-mkhost %s failed: %s", fixture,
                err_text ? err_text : "");
    return NULL;
  }
  {
    MockHost *host = g_new0(MockHost, 1);
    host->root = g_steal_pointer(&root);
    return host;
  }
}

/* rm -rf that never follows symlinks out of the tree. */
static void remove_tree(const char *path)
{
  struct stat st;

  if (lstat(path, &st) < 0)
    return;
  if (S_ISDIR(st.st_mode)) {
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;
    chmod(path, 0755);
    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      remove_tree(child);
    }
    g_rmdir(path);
  } else {
    g_unlink(path);
  }
}

/* cp -a of FROM to TO (which does not exist yet) without following links:
 * the tree's links are relative and stay valid in the copy. */
static gboolean copy_tree(const char *from, const char *to, GError **error)
{
  struct stat st;

  if (lstat(from, &st) < 0) {
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "%s: %s", from, g_strerror(errno));
    return FALSE;
  }
  if (S_ISLNK(st.st_mode)) {
    g_autofree char *target = g_file_read_link(from, error);
    if (target == NULL)
      return FALSE;
    if (symlink(target, to) == 0)
      return TRUE;
  } else if (S_ISDIR(st.st_mode)) {
    g_autoptr(GDir) dir = NULL;
    const char *name;
    if (g_mkdir(to, st.st_mode & 07777) < 0 && errno != EEXIST)
      goto failed;
    if ((dir = g_dir_open(from, 0, error)) == NULL)
      return FALSE;
    while ((name = g_dir_read_name(dir)) != NULL) {
      g_autofree char *child_from = g_build_filename(from, name, NULL);
      g_autofree char *child_to = g_build_filename(to, name, NULL);
      if (!copy_tree(child_from, child_to, error))
        return FALSE;
    }
    return TRUE;
  } else {
    g_autofree char *contents = NULL;
    gsize length = 0;
    if (!g_file_get_contents(from, &contents, &length, error) ||
        !g_file_set_contents_full(to, contents, (gssize)length, G_FILE_SET_CONTENTS_NONE, st.st_mode & 07777, error))
      return FALSE;
    if (chown(to, st.st_uid, st.st_gid) == 0)
      return TRUE;
  }
failed:
  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "%s: %s", to, g_strerror(errno));
  return FALSE;
}

MockHost *mock_host_copy(MockHost *host, GError **error)
{
  g_autofree char *root = g_dir_make_tmp("vfio-hostdev-mock-XXXXXX", error);
  MockHost *copy;

  if (root == NULL)
    return NULL;
  if (!copy_tree(host->root, root, error)) {
    remove_tree(root);
    return NULL;
  }
  copy = g_new0(MockHost, 1);
  copy->root = g_steal_pointer(&root);
  return copy;
}

void mock_host_free(MockHost *host)
{
  if (host == NULL)
    return;
  if (g_strcmp0(g_getenv("MOCK_KEEP"), "1") == 0)
    g_printerr("# mock host kept in %s\n", host->root);
  else
    remove_tree(host->root);
  g_free(host->root);
  g_free(host);
}

const char *mock_host_root(MockHost *host)
{
  return host->root;
}

static char *fake_path(MockHost *host, const char *path)
{
  return g_build_filename(host->root, path, NULL);
}

char **mock_host_environ(MockHost *host)
{
  char **env = g_get_environ();
  const char *preload = g_getenv("MOCK_PRELOAD");
  const char *bindir = g_getenv("MOCK_BIN_DIR");
  const char *path = g_environ_getenv(env, "PATH");
  const char *asan = g_environ_getenv(env, "ASAN_OPTIONS");
  g_autofree char *new_path = NULL, *new_asan = NULL;

  if (preload != NULL)
    env = g_environ_setenv(env, "LD_PRELOAD", preload, TRUE);
  env = g_environ_setenv(env, "VFIO_HOSTDEV_MOCK_ROOT", host->root, TRUE);
  if (bindir != NULL) {
    new_path = g_strdup_printf("%s:%s", bindir, path ? path : "/usr/bin:/bin");
    env = g_environ_setenv(env, "PATH", new_path, TRUE);
  }
  /* A sanitized tool sees our preload ahead of libasan. */
  if (asan == NULL || strstr(asan, "verify_asan_link_order") == NULL) {
    new_asan = g_strdup_printf("%s%sverify_asan_link_order=0", asan ? asan : "",
                               asan && asan[0] ? ":" : "");
    env = g_environ_setenv(env, "ASAN_OPTIONS", new_asan, TRUE);
  }
  return env;
}

gboolean mock_host_run(MockHost *host, const char *const *argv, char **out, char **err,
                       int *exit_status, GError **error)
{
  g_auto(GStrv) env = mock_host_environ(host);
  g_autofree char *o = NULL, *e = NULL;
  int status = 0;

  /* Always capture: an inherited stdout would corrupt a TAP stream. */
  if (!g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_SEARCH_PATH_FROM_ENVP, NULL, NULL, &o, &e,
                    &status, error))
    return FALSE;
  if (exit_status != NULL)
    *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (out != NULL)
    *out = g_steal_pointer(&o);
  if (err != NULL)
    *err = g_steal_pointer(&e);
  return TRUE;
}

char *mock_host_read(MockHost *host, const char *path)
{
  g_autofree char *p = fake_path(host, path);
  char *contents = NULL;

  return g_file_get_contents(p, &contents, NULL, NULL) ? contents : NULL;
}

char *mock_host_read_trim(MockHost *host, const char *path)
{
  char *s = mock_host_read(host, path);

  return s ? g_strchomp(s) : NULL;
}

char *mock_host_readlink(MockHost *host, const char *path)
{
  g_autofree char *p = fake_path(host, path);

  return g_file_read_link(p, NULL);
}

gboolean mock_host_exists(MockHost *host, const char *path)
{
  g_autofree char *p = fake_path(host, path);
  struct stat st;

  return lstat(p, &st) == 0;
}

void mock_host_write(MockHost *host, const char *path, const char *contents)
{
  g_autofree char *p = fake_path(host, path);
  g_autofree char *dir = g_path_get_dirname(p);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents(dir, 0755);
  if (!g_file_set_contents(p, contents, -1, &error))
    g_error("mock_host_write %s: %s", path, error->message);
}

void mock_host_remove(MockHost *host, const char *path)
{
  g_autofree char *p = fake_path(host, path);

  remove_tree(p);
}

static void append_line(MockHost *host, const char *file, const char *line)
{
  g_autofree char *old = mock_host_read(host, file);
  g_autofree char *text = g_strconcat(old ? old : "", line, "\n", NULL);

  mock_host_write(host, file, text);
}

void mock_host_inject_fault(MockHost *host, const char *attr, guint nth, int err)
{
  g_autofree char *line = g_strdup_printf("write %s %u %d", attr, nth, err);
  g_autofree char *counter = g_strdup_printf("/.mock/counters/%s", attr);

  mock_host_remove(host, counter);
  append_line(host, "/.mock/faults", line);
}

void mock_host_inject_fault_device(MockHost *host, const char *attr, const char *bdf, guint nth,
                                   int err)
{
  g_autofree char *line = g_strdup_printf("write %s %u %d %s", attr, nth, err, bdf);
  g_autofree char *counter = g_strdup_printf("/.mock/counters/%s@%s", attr, bdf);

  mock_host_remove(host, counter);
  append_line(host, "/.mock/faults", line);
}

guint mock_host_write_count(MockHost *host)
{
  g_autofree char *count = mock_host_read_trim(host, "/.mock/counters/all-writes");

  return count != NULL ? (guint)g_ascii_strtoull(count, NULL, 10) : 0;
}

char **mock_host_writes_since(MockHost *host, guint from)
{
  g_autofree char *log = mock_host_ops_log(host);
  g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
  g_autoptr(GPtrArray) writes = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) f = g_strsplit(lines[i], " ", 3);
    if (g_strv_length(f) == 3 && g_str_equal(f[0], "write") && g_ascii_strtoull(f[1], NULL, 10) > from)
      g_ptr_array_add(writes, g_strdup(f[2]));
  }
  g_ptr_array_add(writes, NULL);
  return (char **)g_ptr_array_free(g_steal_pointer(&writes), FALSE);
}

void mock_host_fail_write(MockHost *host, guint nth, int err)
{
  g_autofree char *line = g_strdup_printf("write-at %u %d", mock_host_write_count(host) + nth, err);

  append_line(host, "/.mock/faults", line);
}

void mock_host_inject_probe_fault(MockHost *host, const char *driver, const char *bdf_glob,
                                  int err)
{
  g_autofree char *line = g_strdup_printf("probe %s %s %d", driver, bdf_glob, err);

  append_line(host, "/.mock/faults", line);
}

/* Replaces the delay line of op (and bdf) with value; NULL removes it. */
static void set_delay_line(MockHost *host, const char *op, const char *bdf, const char *value)
{
  g_autofree char *old = mock_host_read(host, "/.mock/delays");
  g_auto(GStrv) lines = g_strsplit(old ? old : "", "\n", -1);
  g_autoptr(GString) text = g_string_new(NULL);

  for (char **l = lines; *l; l++) {
    g_auto(GStrv) f = g_strsplit(*l, " ", -1);
    guint n = g_strv_length(f);
    if (n == 0 || (*l)[0] == '\0')
      continue;
    if (g_strcmp0(f[0], op) == 0 && g_strcmp0(n >= 3 ? f[2] : NULL, bdf) == 0)
      continue;
    g_string_append_printf(text, "%s\n", *l);
  }
  if (value != NULL)
    g_string_append_printf(text, "%s %s%s%s\n", op, value, bdf ? " " : "", bdf ? bdf : "");
  mock_host_write(host, "/.mock/delays", text->str);
}

void mock_host_set_delay(MockHost *host, const char *op, guint ms)
{
  g_autofree char *v = g_strdup_printf("%u", ms);

  set_delay_line(host, op, NULL, ms ? v : NULL);
}

void mock_host_set_delay_device(MockHost *host, const char *op, const char *bdf, guint ms)
{
  g_autofree char *v = g_strdup_printf("%u", ms);

  set_delay_line(host, op, bdf, ms ? v : NULL);
}

void mock_host_hang(MockHost *host, const char *op, const char *bdf)
{
  set_delay_line(host, op, bdf, "hang");
}

/* Drops the lines "KIND OP ..." of .mock/delays (only those whose third
 * field is BDF, or that have none when BDF is NULL, when MATCH_BDF), then
 * appends LINE unless it is NULL. */
static void replace_gate_line(MockHost *host, const char *kind, const char *op, gboolean match_bdf, const char *bdf,
                              const char *line)
{
  g_autofree char *old = mock_host_read(host, "/.mock/delays");
  g_auto(GStrv) lines = g_strsplit(old ? old : "", "\n", -1);
  g_autoptr(GString) text = g_string_new(NULL);

  for (char **l = lines; *l; l++) {
    g_auto(GStrv) f = g_strsplit(*l, " ", -1);
    guint n = g_strv_length(f);
    if ((*l)[0] == '\0')
      continue;
    if (n >= 2 && g_str_equal(f[0], kind) && g_str_equal(f[1], op) &&
        (!match_bdf || g_strcmp0(n >= 3 ? f[2] : NULL, bdf) == 0))
      continue;
    g_string_append_printf(text, "%s\n", *l);
  }
  if (line != NULL)
    g_string_append_printf(text, "%s\n", line);
  mock_host_write(host, "/.mock/delays", text->str);
}

static guint count_begun(MockHost *host, const char *op, const char *bdf)
{
  g_autofree char *log = mock_host_ops_log(host);
  g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) f = g_strsplit(lines[i], " ", 3);
    n += g_strv_length(f) == 3 && g_str_equal(f[0], "begin") && g_str_equal(f[1], op) &&
         (bdf == NULL || g_str_equal(f[2], bdf));
  }
  return n;
}

void mock_host_barrier(MockHost *host, const char *op, guint n)
{
  g_autofree char *line = g_strdup_printf("barrier %s %u %u", op, n, count_begun(host, op, NULL));

  replace_gate_line(host, "barrier", op, FALSE, NULL, n > 0 ? line : NULL);
}

void mock_host_hold(MockHost *host, const char *op, const char *bdf)
{
  g_autofree char *line = bdf != NULL ? g_strdup_printf("hold %s %s", op, bdf) : g_strdup_printf("hold %s", op);

  replace_gate_line(host, "hold", op, TRUE, bdf, line);
}

void mock_host_release(MockHost *host, const char *op, const char *bdf)
{
  replace_gate_line(host, "hold", op, TRUE, bdf, NULL);
}

/* Long enough for any machine to start a program and reach the operation:
 * the wait is for an event, this only bounds a broken test. */
#define WAIT_BEGUN_MAX_US (120 * G_USEC_PER_SEC)

gboolean mock_host_wait_begun(MockHost *host, const char *op, const char *bdf, guint count)
{
  gint64 deadline = g_get_monotonic_time() + WAIT_BEGUN_MAX_US;

  while (count_begun(host, op, bdf) < count) {
    if (g_get_monotonic_time() >= deadline)
      return FALSE;
    g_usleep(2000);
  }
  return TRUE;
}

char *mock_host_resets(MockHost *host)
{
  char *s = mock_host_read(host, "/.mock/resets.log");

  return s ? s : g_strdup("");
}

char *mock_host_ops_log(MockHost *host)
{
  char *s = mock_host_read(host, "/.mock/ops.log");

  return s ? s : g_strdup("");
}

gboolean mock_host_ops_overlapped(MockHost *host, const char *op, const char *const *bdfs)
{
  g_autofree char *log = mock_host_ops_log(host);
  g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
  guint begun = 0;

  /* every device's operation must have begun before any of them ended */
  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) f = g_strsplit(lines[i], " ", 3);
    if (g_strv_length(f) != 3 || !g_str_equal(f[1], op) || !g_strv_contains(bdfs, f[2]))
      continue;
    if (g_str_equal(f[0], "end"))
      return begun == g_strv_length((char **)bdfs);
    begun++;
  }
  return FALSE;
}

char *mock_host_modprobe_log(MockHost *host)
{
  char *s = mock_host_read(host, "/.mock/modprobe.log");

  return s ? s : g_strdup("");
}
