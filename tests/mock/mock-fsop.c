/* mock-fsop: a tiny program the mock self-tests run under the preload to
 * exercise one libc call on a path and print the outcome.
 *
 *   mock-fsop write PATH VALUE   open(O_WRONLY|O_TRUNC)+write+close
 *   mock-fsop read PATH          open+read, prints the contents
 *   mock-fsop fopen PATH         fopen+fgets, prints the first line
 *   mock-fsop stat PATH          prints "dir", "file" or "link" (lstat)
 *   mock-fsop realpath PATH      prints realpath()
 *   mock-fsop readlink PATH      prints readlink()
 *   mock-fsop ls PATH            prints opendir() entries, sorted
 *   mock-fsop access PATH        access(F_OK)
 *   mock-fsop uname              prints the release
 *
 * On failure it prints "ERR <errno name or number>" to stdout, exits 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrorname_np */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

static int fail(void)
{
  const char *name = strerrorname_np(errno);

  if (name != NULL)
    printf("ERR %s\n", name);
  else
    printf("ERR %d\n", errno);
  return 1;
}

static int do_write(const char *path, const char *value)
{
  int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return fail();
  n = write(fd, value, strlen(value));
  if (n < 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return fail();
  }
  close(fd);
  printf("OK %zd\n", n);
  return 0;
}

static int do_read(const char *path)
{
  char buf[65536];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return fail();
  n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n < 0)
    return fail();
  fwrite(buf, 1, (size_t)n, stdout);
  return 0;
}

static int do_fopen(const char *path)
{
  char line[4096];
  FILE *f = fopen(path, "re");

  if (f == NULL)
    return fail();
  if (fgets(line, sizeof(line), f) != NULL)
    fputs(line, stdout);
  fclose(f);
  return 0;
}

static int cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int do_ls(const char *path)
{
  DIR *dir = opendir(path);
  struct dirent *de;
  char *names[4096];
  size_t n = 0;

  if (dir == NULL)
    return fail();
  while ((de = readdir(dir)) != NULL && n < 4096)
    if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
      names[n++] = strdup(de->d_name);
  closedir(dir);
  qsort(names, n, sizeof(char *), cmp);
  for (size_t i = 0; i < n; i++) {
    puts(names[i]);
    free(names[i]);
  }
  return 0;
}

int main(int argc, char **argv)
{
  char buf[PATH_MAX];
  struct stat st;
  struct utsname u;

  if (argc == 2 && strcmp(argv[1], "uname") == 0) {
    if (uname(&u) < 0)
      return fail();
    puts(u.release);
    return 0;
  }
  if (argc < 3)
    return 2;
  if (strcmp(argv[1], "write") == 0 && argc == 4)
    return do_write(argv[2], argv[3]);
  if (strcmp(argv[1], "read") == 0)
    return do_read(argv[2]);
  if (strcmp(argv[1], "fopen") == 0)
    return do_fopen(argv[2]);
  if (strcmp(argv[1], "ls") == 0)
    return do_ls(argv[2]);
  if (strcmp(argv[1], "access") == 0)
    return access(argv[2], F_OK) < 0 ? fail() : (puts("OK"), 0);
  if (strcmp(argv[1], "stat") == 0) {
    if (lstat(argv[2], &st) < 0)
      return fail();
    puts(S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "link" : "file");
    return 0;
  }
  if (strcmp(argv[1], "realpath") == 0) {
    if (realpath(argv[2], buf) == NULL)
      return fail();
    puts(buf);
    return 0;
  }
  if (strcmp(argv[1], "readlink") == 0) {
    ssize_t n = readlink(argv[2], buf, sizeof(buf) - 1);
    if (n < 0)
      return fail();
    buf[n] = '\0';
    puts(buf);
    return 0;
  }
  return 2;
}
