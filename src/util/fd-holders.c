// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/fd-holders.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct _HdFdScan {
  GHashTable *by_file; /* file key -> GArray of pids (int), each once */
};

void hd_fd_holder_free(HdFdHolder *holder)
{
  if (holder == NULL)
    return;
  g_free(holder->comm);
  g_free(holder->path);
  g_free(holder);
}

static char *node_key(gboolean block, dev_t rdev)
{
  return g_strdup_printf("%c:%" G_GUINT64_FORMAT, block ? 'b' : 'c', (guint64)rdev);
}

/* What an open file is, as the index names it. */
static char *file_key(const struct stat *st)
{
  if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
    return node_key(S_ISBLK(st->st_mode), st->st_rdev);
  return g_strdup_printf("f:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, (guint64)st->st_dev, (guint64)st->st_ino);
}

static void index_fd(HdFdScan *scan, int pid, const struct stat *st)
{
  g_autofree char *key = file_key(st);
  GArray *pids = g_hash_table_lookup(scan->by_file, key);

  if (pids == NULL) {
    pids = g_array_new(FALSE, FALSE, sizeof(int));
    g_hash_table_insert(scan->by_file, g_steal_pointer(&key), pids);
  }
  if (pids->len > 0 && g_array_index(pids, int, pids->len - 1) == pid)
    return;
  g_array_append_val(pids, pid);
}

static void scan_process(HdFdScan *scan, const char *pid)
{
  g_autofree char *fd_dir = g_build_filename("/proc", pid, "fd", NULL);
  g_autoptr(GDir) dir = g_dir_open(fd_dir, 0, NULL);
  const char *fd;

  while (dir != NULL && (fd = g_dir_read_name(dir)) != NULL) {
    g_autofree char *fd_path = g_build_filename(fd_dir, fd, NULL);
    struct stat st;
    if (stat(fd_path, &st) == 0)
      index_fd(scan, atoi(pid), &st);
  }
}

static gboolean is_pid(const char *name)
{
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isdigit(*p))
      return FALSE;
  return *name != '\0';
}

HdFdScan *hd_fd_scan_new(void)
{
  HdFdScan *scan = g_new0(HdFdScan, 1);
  g_autofree char *self = g_strdup_printf("%d", (int)getpid());
  g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
  const char *name;

  scan->by_file = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
  while (proc != NULL && (name = g_dir_read_name(proc)) != NULL)
    if (is_pid(name) && !g_str_equal(name, self))
      scan_process(scan, name);
  return scan;
}

void hd_fd_scan_free(HdFdScan *scan)
{
  if (scan == NULL)
    return;
  g_hash_table_unref(scan->by_file);
  g_free(scan);
}

static char *read_comm(int pid)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/comm", pid);
  char *comm = NULL;

  if (!g_file_get_contents(path, &comm, NULL, NULL))
    return g_strdup("?");
  return g_strchomp(comm);
}

static gint compare_pids(gconstpointer a, gconstpointer b)
{
  const HdFdHolder *ha = *(const HdFdHolder *const *)a;
  const HdFdHolder *hb = *(const HdFdHolder *const *)b;

  return (ha->pid > hb->pid) - (ha->pid < hb->pid);
}

/* Adds a holder for each pid holding KEY not yet in SEEN. */
static void add_holders(const HdFdScan *scan, const char *key, const char *path, GHashTable *seen, GPtrArray *holders)
{
  GArray *pids = g_hash_table_lookup(scan->by_file, key);

  for (guint i = 0; pids != NULL && i < pids->len; i++) {
    int pid = g_array_index(pids, int, i);
    if (!g_hash_table_add(seen, GINT_TO_POINTER(pid)))
      continue;
    HdFdHolder *holder = g_new0(HdFdHolder, 1);
    holder->pid = pid;
    holder->comm = read_comm(pid);
    holder->path = g_strdup(path);
    g_ptr_array_add(holders, holder);
  }
}

GPtrArray *hd_fd_scan_holders(const HdFdScan *scan, const char *const *paths)
{
  GPtrArray *holders = g_ptr_array_new_with_free_func((GDestroyNotify)hd_fd_holder_free);
  g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);

  for (; *paths != NULL; paths++) {
    struct stat st;
    if (stat(*paths, &st) < 0)
      continue;
    g_autofree char *key = file_key(&st);
    add_holders(scan, key, *paths, seen, holders);
  }
  g_ptr_array_sort(holders, compare_pids);
  return holders;
}

GPtrArray *hd_fd_scan_node_holders(const HdFdScan *scan, gboolean block, dev_t rdev, const char *label)
{
  GPtrArray *holders = g_ptr_array_new_with_free_func((GDestroyNotify)hd_fd_holder_free);
  g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
  g_autofree char *key = node_key(block, rdev);

  add_holders(scan, key, label, seen, holders);
  g_ptr_array_sort(holders, compare_pids);
  return holders;
}
