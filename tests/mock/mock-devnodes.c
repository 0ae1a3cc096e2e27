// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-devnodes.c: the fake host's block and character device nodes.
 *
 * mock-mkhost creates $ROOT/dev/<name> (a regular file) for each block
 * device with a node and each NVMe controller and generic namespace, and
 * lists them in .mock/devnodes ("b 259:0 nvme0n1" per line).  A path
 * /dev/<name> whose file exists in the root is faked (mock-path.c), and
 * stat() shows such a file as the kernel shows the node: S_IFBLK or S_IFCHR
 * with its device number, both by its path and through a
 * /proc/<pid>/fd/<n> link of any process that holds it open, so that
 * "who holds this device open" works by st_rdev as on a real host.
 *
 * An O_EXCL open of a block node listed in .mock/claimed fails with EBUSY,
 * as a device claimed by a filesystem, swap, dm, md or ZFS does.
 *
 * Every stat() of a /proc/<pid>/fd/<n> entry is counted; at exit a process
 * that made any appends "read proc-fd <count>" to ops.log. */
#include "mock-preload.h"
#include "mock-tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static unsigned long proc_fd_reads;

/* NAME's line in .mock/LIST ("b 259:0 nvme0n1"): its type and number. */
static bool lookup(const char *list, const char *name, char *type, dev_t *rdev)
{
  char rel[PATH_MAX], *text, *save = NULL;
  bool found = false;

  mt_fmt(rel, "/.mock/%s", list);
  if ((text = mt_read(rel)) == NULL)
    return false;
  for (char *line = strtok_r(text, "\n", &save); line != NULL && !found; line = strtok_r(NULL, "\n", &save)) {
    char t, n[NAME_MAX + 1];
    unsigned major, minor;
    if (sscanf(line, "%c %u:%u %255s", &t, &major, &minor, n) == 4 && strcmp(n, name) == 0) {
      *type = t;
      *rdev = makedev(major, minor);
      found = true;
    }
  }
  free(text);
  return found;
}

bool mock_devnode_exists(const char *norm)
{
  char real[PATH_MAX];
  struct stat st;

  if (strncmp(norm, "/dev/", 5) != 0 || strchr(norm + 5, '/') != NULL || norm[5] == '\0' || !mock_root_known())
    return false;
  if (snprintf(real, sizeof(real), "%s%s", mock_root(), norm) >= (int)sizeof(real))
    return false;
  return MOCK_REAL(lstat)(real, &st) == 0;
}

/* The node name when the real file REAL is $ROOT/dev/<name>. */
static const char *node_name(const char *real)
{
  const char *root;
  size_t len;

  if (!mock_root_known())
    return NULL;
  root = mock_root();
  len = strlen(root);
  if (strncmp(real, root, len) != 0 || strncmp(real + len, "/dev/", 5) != 0 || strchr(real + len + 5, '/') != NULL)
    return NULL;
  return real + len + 5;
}

static bool is_proc_fd(const char *path)
{
  const char *p;

  if (strncmp(path, "/proc/", 6) != 0 || (p = strstr(path + 6, "/fd/")) == NULL)
    return false;
  return strchr(p + 4, '/') == NULL;
}

void mock_devnode_stat(const char *path, const char *mapped, mode_t *mode, dev_t *rdev)
{
  char target[PATH_MAX];
  const char *name;
  char type;
  dev_t number;
  ssize_t n;

  if (path == NULL)
    return;
  if (is_proc_fd(path))
    __atomic_add_fetch(&proc_fd_reads, 1, __ATOMIC_RELAXED);
  if (!S_ISREG(*mode))
    return;
  if (is_proc_fd(path)) {
    if ((n = MOCK_REAL(readlink)(path, target, sizeof(target) - 1)) < 0)
      return;
    target[n] = '\0';
    name = node_name(target);
  } else {
    name = node_name(mapped);
  }
  if (name == NULL || !lookup("devnodes", name, &type, &number))
    return;
  *mode = (*mode & ~S_IFMT) | (type == 'b' ? S_IFBLK : S_IFCHR);
  *rdev = number;
}

bool mock_devnode_claimed(const char *mapped)
{
  const char *name = node_name(mapped);
  char type;
  dev_t number;

  return name != NULL && lookup("claimed", name, &type, &number);
}

__attribute__((destructor)) static void report_proc_fd_reads(void)
{
  int saved = errno;

  if (proc_fd_reads > 0 && mock_root_known())
    mt_log("ops.log", "read proc-fd %lu\n", proc_fd_reads);
  errno = saved;
}
