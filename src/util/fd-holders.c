#include "util/fd-holders.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

void hd_fd_holder_free(HdFdHolder *holder)
{
  if (holder == NULL)
    return;
  g_free(holder->comm);
  g_free(holder->path);
  g_free(holder);
}

typedef struct {
  const char *path;
  struct stat st;
} Wanted;

static gboolean same_file(const struct stat *a, const struct stat *b)
{
  if (S_ISCHR(a->st_mode) && S_ISCHR(b->st_mode))
    return a->st_rdev == b->st_rdev;
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The first wanted file that FD_PATH (a /proc/<pid>/fd/<n> link) is. */
static const Wanted *match_fd(const char *fd_path, const GArray *wanted)
{
  struct stat st;

  if (stat(fd_path, &st) < 0)
    return NULL;
  for (guint i = 0; i < wanted->len; i++) {
    const Wanted *w = &g_array_index(wanted, Wanted, i);
    if (same_file(&st, &w->st))
      return w;
  }
  return NULL;
}

static char *read_comm(const char *pid)
{
  g_autofree char *path = g_build_filename("/proc", pid, "comm", NULL);
  char *comm = NULL;

  if (!g_file_get_contents(path, &comm, NULL, NULL))
    return g_strdup("?");
  return g_strchomp(comm);
}

/* Adds a holder when any fd of process PID is one of WANTED. */
static void scan_process(const char *pid, const GArray *wanted, GPtrArray *holders)
{
  g_autofree char *fd_dir = g_build_filename("/proc", pid, "fd", NULL);
  g_autoptr(GDir) dir = g_dir_open(fd_dir, 0, NULL);
  const char *fd;

  while (dir != NULL && (fd = g_dir_read_name(dir)) != NULL) {
    g_autofree char *fd_path = g_build_filename(fd_dir, fd, NULL);
    const Wanted *w = match_fd(fd_path, wanted);
    if (w == NULL)
      continue;
    HdFdHolder *holder = g_new0(HdFdHolder, 1);
    holder->pid = atoi(pid);
    holder->comm = read_comm(pid);
    holder->path = g_strdup(w->path);
    g_ptr_array_add(holders, holder);
    return;
  }
}

static gboolean is_pid(const char *name)
{
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isdigit(*p))
      return FALSE;
  return *name != '\0';
}

static gint compare_pids(gconstpointer a, gconstpointer b)
{
  const HdFdHolder *ha = *(const HdFdHolder *const *)a;
  const HdFdHolder *hb = *(const HdFdHolder *const *)b;

  return (ha->pid > hb->pid) - (ha->pid < hb->pid);
}

GPtrArray *hd_fd_holders(const char *const *paths)
{
  GPtrArray *holders = g_ptr_array_new_with_free_func((GDestroyNotify)hd_fd_holder_free);
  g_autoptr(GArray) wanted = g_array_new(FALSE, FALSE, sizeof(Wanted));
  g_autofree char *self = g_strdup_printf("%d", (int)getpid());

  for (; *paths != NULL; paths++) {
    Wanted w = {*paths};
    if (stat(*paths, &w.st) == 0)
      g_array_append_val(wanted, w);
  }
  if (wanted->len == 0)
    return holders;
  g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
  const char *name;
  while (proc != NULL && (name = g_dir_read_name(proc)) != NULL)
    if (is_pid(name) && !g_str_equal(name, self))
      scan_process(name, wanted, holders);
  g_ptr_array_sort(holders, compare_pids);
  return holders;
}
