// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-tree.c: file primitives on the fake host's root directory.
 *
 * All paths given here are logical ("/sys/..."); they are prefixed with
 * the root.  Inside the preload these calls go through the path wrappers,
 * which leave root-prefixed paths alone, so no recursion happens.
 */
#include "mock-tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tree_root[PATH_MAX];

void mt_set_root(const char *root)
{
  size_t len = strlen(root);

  while (len > 1 && root[len - 1] == '/')
    len--;
  if (len >= sizeof(tree_root))
    len = sizeof(tree_root) - 1;
  memcpy(tree_root, root, len);
  tree_root[len] = '\0';
}

const char *mt_root(void)
{
  return tree_root[0] ? tree_root : NULL;
}

int mt_path(char *buf, const char *rel)
{
  int n = snprintf(buf, PATH_MAX, "%s%s", tree_root, rel);

  return (n < 0 || n >= PATH_MAX) ? -ENAMETOOLONG : 0;
}

int mt_pathf(char *buf, const char *fmt, ...)
{
  char rel[PATH_MAX];
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(rel, sizeof(rel), fmt, ap);
  va_end(ap);
  if (n < 0 || n >= (int)sizeof(rel))
    return -ENAMETOOLONG;
  return mt_path(buf, rel);
}

/* mkdir -p on an already root-prefixed path. */
static int mkdir_p_abs(const char *abs)
{
  char tmp[PATH_MAX];
  size_t len = strlen(abs);

  if (len >= sizeof(tmp))
    return -ENAMETOOLONG;
  memcpy(tmp, abs, len + 1);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
      return -errno;
    *p = '/';
  }
  if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
    return -errno;
  return 0;
}

int mt_fmt(char *buf, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(buf, PATH_MAX, fmt, ap);
  va_end(ap);
  return (n < 0 || n >= PATH_MAX) ? -ENAMETOOLONG : 0;
}

int mt_mkdir_p(const char *rel)
{
  char abs[PATH_MAX];
  int rc = mt_path(abs, rel);

  return rc < 0 ? rc : mkdir_p_abs(abs);
}

/* Creates the parent directory of an absolute path. */
static int mkdir_parent_abs(const char *abs)
{
  char dir[PATH_MAX];
  char *slash;

  mt_fmt(dir, "%s", abs);
  slash = strrchr(dir, '/');
  if (slash == NULL || slash == dir)
    return 0;
  *slash = '\0';
  return mkdir_p_abs(dir);
}

static int write_all(int fd, const void *data, size_t len)
{
  const char *p = data;

  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int mt_write_bytes(const char *rel, const void *data, size_t len, mode_t mode)
{
  char abs[PATH_MAX];
  int rc, fd;

  if ((rc = mt_path(abs, rel)) < 0)
    return rc;
  /* Parents are created only when missing: mkhost writes many files. */
  fd = open(abs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0 && errno == ENOENT && (rc = mkdir_parent_abs(abs)) == 0)
    fd = open(abs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return -errno;
  rc = write_all(fd, data, len);
  close(fd);
  return rc;
}

int mt_write(const char *rel, const char *contents)
{
  return mt_write_bytes(rel, contents, strlen(contents), 0644);
}

int mt_writef(const char *rel, const char *fmt, ...)
{
  char *s = NULL;
  va_list ap;
  int rc;

  va_start(ap, fmt);
  rc = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (rc < 0)
    return -ENOMEM;
  rc = mt_write(rel, s);
  free(s);
  return rc;
}

int mt_append(const char *rel, const char *line)
{
  char abs[PATH_MAX];
  int rc, fd;

  if ((rc = mt_path(abs, rel)) < 0 || (rc = mkdir_parent_abs(abs)) < 0)
    return rc;
  fd = open(abs, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return -errno;
  rc = write_all(fd, line, strlen(line));
  close(fd);
  return rc;
}

char *mt_read(const char *rel)
{
  char abs[PATH_MAX];
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int fd;

  if (mt_path(abs, rel) < 0) {
    errno = ENAMETOOLONG;
    return NULL;
  }
  fd = open(abs, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  for (;;) {
    ssize_t n;
    if (cap - len < 4096) {
      char *nb = realloc(buf, cap + 65536);
      if (nb == NULL) {
        free(buf);
        close(fd);
        errno = ENOMEM;
        return NULL;
      }
      buf = nb;
      cap += 65536;
    }
    n = read(fd, buf + len, cap - len - 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    len += (size_t)n;
  }
  close(fd);
  buf[len] = '\0';
  return buf;
}

char *mt_read_trim(const char *rel)
{
  char *s = mt_read(rel);
  size_t len;

  if (s == NULL)
    return NULL;
  len = strlen(s);
  while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\r'))
    s[--len] = '\0';
  return s;
}

bool mt_exists(const char *rel)
{
  char abs[PATH_MAX];
  struct stat st;

  return mt_path(abs, rel) == 0 && lstat(abs, &st) == 0;
}

char *mt_readlink(const char *rel)
{
  char abs[PATH_MAX], target[PATH_MAX];
  ssize_t n;

  if (mt_path(abs, rel) < 0)
    return NULL;
  n = readlink(abs, target, sizeof(target) - 1);
  if (n < 0)
    return NULL;
  target[n] = '\0';
  return strdup(target);
}

/* Relative path from directory from_dir to target (both logical). */
static int relative_to(const char *from_dir, const char *target, char *out)
{
  size_t common = 0, i;
  int ups = 0;
  size_t len = 0;

  /* Longest common prefix ending on a component boundary. */
  for (i = 0; from_dir[i] && from_dir[i] == target[i]; i++)
    if (from_dir[i] == '/')
      common = i;
  if (from_dir[i] == '\0' && (target[i] == '/' || target[i] == '\0'))
    common = i;
  for (const char *p = from_dir + common; *p; p++)
    if (*p == '/')
      ups++;
  out[0] = '\0';
  for (int k = 0; k < ups; k++) {
    if (len + 3 >= PATH_MAX)
      return -ENAMETOOLONG;
    memcpy(out + len, "../", 4);
    len += 3;
  }
  if (target[common] == '/')
    common++;
  if (len + strlen(target + common) >= PATH_MAX)
    return -ENAMETOOLONG;
  strcpy(out + len, target + common);
  len = strlen(out);
  if (len > 0 && out[len - 1] == '/')
    out[len - 1] = '\0';
  return 0;
}

int mt_link(const char *rel, const char *target_rel)
{
  char abs[PATH_MAX], dir[PATH_MAX], target[PATH_MAX];
  char *slash;
  int rc;

  mt_fmt(dir, "%s", rel);
  slash = strrchr(dir, '/');
  if (slash == NULL)
    return -EINVAL;
  *slash = '\0';
  if ((rc = relative_to(dir, target_rel, target)) < 0)
    return rc;
  if ((rc = mt_path(abs, rel)) < 0)
    return rc;
  if (symlink(target, abs) == 0)
    return 0;
  if (errno == EEXIST)
    unlink(abs);
  else if (errno == ENOENT && (rc = mkdir_parent_abs(abs)) < 0)
    return rc;
  return symlink(target, abs) < 0 ? -errno : 0;
}

static int rm_rf_abs(const char *abs)
{
  struct stat st;
  DIR *dir;
  struct dirent *de;

  if (lstat(abs, &st) < 0)
    return errno == ENOENT ? 0 : -errno;
  if (!S_ISDIR(st.st_mode))
    return unlink(abs) < 0 ? -errno : 0;
  dir = opendir(abs);
  if (dir == NULL)
    return -errno;
  while ((de = readdir(dir)) != NULL) {
    char child[PATH_MAX];
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    if (mt_fmt(child, "%s/%s", abs, de->d_name) < 0)
      continue;
    rm_rf_abs(child);
  }
  closedir(dir);
  return rmdir(abs) < 0 ? -errno : 0;
}

int mt_rm_rf(const char *rel)
{
  char abs[PATH_MAX];
  int rc = mt_path(abs, rel);

  return rc < 0 ? rc : rm_rf_abs(abs);
}

int mt_resolve(const char *rel, char *buf)
{
  char abs[PATH_MAX], real[PATH_MAX];
  size_t rlen = strlen(tree_root);

  if (mt_path(abs, rel) < 0)
    return -ENAMETOOLONG;
  if (realpath(abs, real) == NULL)
    return -errno;
  if (strncmp(real, tree_root, rlen) != 0 || (real[rlen] != '/' && real[rlen] != '\0'))
    return -EXDEV;
  snprintf(buf, PATH_MAX, "%s", real[rlen] ? real + rlen : "/");
  return 0;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int mt_list_dir(const char *rel, char ***names)
{
  char abs[PATH_MAX];
  DIR *dir;
  struct dirent *de;
  char **v = NULL;
  int n = 0, cap = 0;

  *names = NULL;
  if (mt_path(abs, rel) < 0)
    return -ENAMETOOLONG;
  if ((dir = opendir(abs)) == NULL)
    return -errno;
  while ((de = readdir(dir)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    if (n + 2 > cap) {
      char **nv = realloc(v, sizeof(char *) * (size_t)(cap = cap ? cap * 2 : 16));
      if (nv == NULL)
        break;
      v = nv;
    }
    v[n++] = strdup(de->d_name);
  }
  closedir(dir);
  if (v == NULL)
    v = calloc(1, sizeof(char *));
  else
    v[n] = NULL;
  qsort(v, (size_t)n, sizeof(char *), cmp_str);
  *names = v;
  return n;
}

void mt_strv_free(char **v)
{
  if (v == NULL)
    return;
  for (char **p = v; *p; p++)
    free(*p);
  free(v);
}
