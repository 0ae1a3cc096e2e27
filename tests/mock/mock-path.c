// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-path.c: decides which host paths belong to the fake host and maps
 * them into $VFIO_HOSTDEV_MOCK_ROOT.
 *
 * Faked prefixes (whole components): /sys, /dev/vfio, /dev/iommu, /dev/dri,
 * /lib/modules (and /usr/lib/modules, the same on merged-/usr systems),
 * /run/vfio-hostdev, /etc/vfio-hostdev, /etc/modprobe.d, /proc/self/mountinfo,
 * /proc/mounts, /proc/cmdline, /proc/cpuinfo, /proc/config.gz, /boot,
 * /proc/swaps, /proc/iomem, /proc/consoles, /proc/net (and /proc/self/net,
 * /proc/thread-self/net, the same directory), and /dev/<name> when the root
 * has that device node (mock-devnodes.c).  Relative paths are left alone: a process
 * that chdir()s or uses a dirfd inside the root is already in it.
 *
 * ".." is resolved lexically to decide whether a path is faked, so
 * "/sys/../etc/passwd" is the host's /etc/passwd and "$ROOT/.mock" cannot
 * be reached through a faked prefix.
 */
#include "mock-preload.h"
#include "mock-tree.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
  const char *host;   /* as the tool names it */
  const char *inside; /* where it lives inside the root */
} faked[] = {
  { "/sys", "/sys" },
  { "/dev/vfio", "/dev/vfio" },
  { "/dev/iommu", "/dev/iommu" },
  { "/dev/dri", "/dev/dri" },
  { "/lib/modules", "/lib/modules" },
  { "/usr/lib/modules", "/lib/modules" },
  { "/run/vfio-hostdev", "/run/vfio-hostdev" },
  { "/etc/vfio-hostdev", "/etc/vfio-hostdev" },
  { "/etc/modprobe.d", "/etc/modprobe.d" },
  { "/proc/self/mountinfo", "/proc/self/mountinfo" },
  { "/proc/mounts", "/proc/mounts" },
  { "/proc/cmdline", "/proc/cmdline" },
  { "/proc/cpuinfo", "/proc/cpuinfo" },
  { "/proc/config.gz", "/proc/config.gz" },
  { "/boot", "/boot" },
  { "/proc/swaps", "/proc/swaps" },
  { "/proc/iomem", "/proc/iomem" },
  { "/proc/consoles", "/proc/consoles" },
  { "/proc/net", "/proc/net" },
  { "/proc/self/net", "/proc/net" },
  { "/proc/thread-self/net", "/proc/net" },
};

static char root[PATH_MAX];
static size_t root_len;
static pthread_once_t root_once = PTHREAD_ONCE_INIT;

void *mock_real_symbol(const char *name)
{
  void *sym = dlsym(RTLD_NEXT, name);

  if (sym == NULL) {
    static const char msg[] = "vfio-hostdev mock: cannot find the real libc function\n";
    /* No stdio: it could call back into the wrappers. */
    if (MOCK_REAL(write)(2, msg, sizeof(msg) - 1) < 0) {
      /* nothing more to say */
    }
    abort();
  }
  return sym;
}

static void die(const char *msg)
{
  ssize_t rc = MOCK_REAL(write)(2, msg, strlen(msg));

  (void)rc;
  abort();
}

static void root_init(void)
{
  const char *env = getenv("VFIO_HOSTDEV_MOCK_ROOT");

  if (env == NULL || env[0] != '/')
    die("vfio-hostdev mock: VFIO_HOSTDEV_MOCK_ROOT is not set to an absolute path; "
        "refusing to touch the real host\n");
  if (strlen(env) >= sizeof(root) - 64)
    die("vfio-hostdev mock: VFIO_HOSTDEV_MOCK_ROOT is too long\n");
  mt_set_root(env);
  snprintf(root, sizeof(root), "%s", mt_root());
  root_len = strlen(root);
}

bool mock_root_known(void)
{
  if (root_len == 0 && getenv("VFIO_HOSTDEV_MOCK_ROOT") == NULL)
    return false;
  mock_root();
  return true;
}

const char *mock_root(void)
{
  pthread_once(&root_once, root_init);
  return root;
}

/* Lexical normalisation: collapses "//", "." and "..", keeps a trailing
 * slash.  Returns -ENAMETOOLONG when out (PATH_MAX) is too small. */
static int normalize(const char *path, char *out, bool *had_dotdot)
{
  size_t len = 0;
  const char *p = path;

  *had_dotdot = false;
  out[0] = '\0';
  while (*p) {
    const char *start;
    size_t n;
    while (*p == '/')
      p++;
    start = p;
    while (*p && *p != '/')
      p++;
    n = (size_t)(p - start);
    if (n == 0 || (n == 1 && start[0] == '.'))
      continue;
    if (n == 2 && start[0] == '.' && start[1] == '.') {
      *had_dotdot = true;
      while (len > 0 && out[len - 1] != '/')
        len--;
      if (len > 0)
        len--;
      out[len] = '\0';
      continue;
    }
    if (len + n + 2 >= PATH_MAX)
      return -ENAMETOOLONG;
    out[len++] = '/';
    memcpy(out + len, start, n);
    len += n;
    out[len] = '\0';
  }
  if (len == 0) {
    out[len++] = '/';
    out[len] = '\0';
  } else if (p > path && p[-1] == '/' && len + 1 < PATH_MAX) {
    out[len++] = '/';
    out[len] = '\0';
  }
  return 0;
}

/* Index into faked[] of the prefix path is under, or -1. */
static int faked_prefix(const char *path)
{
  for (size_t i = 0; i < sizeof(faked) / sizeof(faked[0]); i++) {
    size_t n = strlen(faked[i].host);
    if (strncmp(path, faked[i].host, n) == 0 && (path[n] == '\0' || path[n] == '/'))
      return (int)i;
  }
  return -1;
}

static bool inside_root(const char *path)
{
  return strncmp(path, root, root_len) == 0 && (path[root_len] == '/' || path[root_len] == '\0');
}

bool mock_map(const char *path, char *buf, const char **out, bool *rewritten)
{
  char norm[PATH_MAX];
  bool dotdot;
  int idx, n;

  *out = path;
  if (rewritten != NULL)
    *rewritten = false;
  if (path == NULL || path[0] != '/')
    return true;
  if (normalize(path, norm, &dotdot) < 0) {
    errno = ENAMETOOLONG;
    return false;
  }
  if ((idx = faked_prefix(norm)) < 0 && !mock_devnode_exists(norm))
    return true;
  mock_root();
  if (inside_root(norm))
    return true;
  if (idx < 0) {
    /* a fake device node: /dev/<name> is $ROOT/dev/<name> */
    n = snprintf(buf, PATH_MAX, "%s%s", root, norm);
    if (n < 0 || n >= PATH_MAX) {
      errno = ENAMETOOLONG;
      return false;
    }
    if (rewritten != NULL)
      *rewritten = true;
    *out = buf;
    return true;
  }
  /* Without "..", the normalised path means the same as the original;
   * with it, only the normalised form is known to stay under the prefix. */
  n = snprintf(buf, PATH_MAX, "%s%s%s", root, faked[idx].inside,
               norm + strlen(faked[idx].host));
  if (n < 0 || n >= PATH_MAX) {
    errno = ENAMETOOLONG;
    return false;
  }
  if (rewritten != NULL)
    *rewritten = true;
  *out = buf;
  return true;
}

void mock_unmap(char *resolved)
{
  if (resolved == NULL || root_len == 0 || !inside_root(resolved))
    return;
  if (resolved[root_len] == '\0')
    strcpy(resolved, "/");
  else
    memmove(resolved, resolved + root_len, strlen(resolved + root_len) + 1);
}
