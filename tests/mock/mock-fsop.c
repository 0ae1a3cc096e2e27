// SPDX-License-Identifier: LGPL-2.1-or-later
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
 *   mock-fsop ifaddrs            prints getifaddrs(): "NAME FAMILY ADDRESS[/PLEN] FLAGS"
 *   mock-fsop ifindex NAME       prints if_nametoindex(), then if_indextoname() of it
 *   mock-fsop nameindex          prints if_nameindex(): "INDEX NAME"
 *
 * On failure it prints "ERR <errno name or number>" to stdout, exits 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrorname_np */
#endif
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
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

static int prefix_len(const struct sockaddr *mask)
{
  const unsigned char *bytes = mask->sa_family == AF_INET
                                 ? (const unsigned char *)&((const struct sockaddr_in *)mask)->sin_addr
                                 : ((const struct sockaddr_in6 *)mask)->sin6_addr.s6_addr;
  int bits = 0;

  for (int i = 0; i < (mask->sa_family == AF_INET ? 4 : 16); i++)
    bits += __builtin_popcount(bytes[i]);
  return bits;
}

static int do_ifaddrs(void)
{
  struct ifaddrs *list = NULL;

  if (getifaddrs(&list) < 0)
    return fail();
  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next) {
    const struct sockaddr *sa = ifa->ifa_addr;
    char text[INET6_ADDRSTRLEN] = "-";
    if (sa == NULL) {
      printf("%s none - %x\n", ifa->ifa_name, ifa->ifa_flags);
    } else if (sa->sa_family == AF_PACKET) {
      const struct sockaddr_ll *ll = (const struct sockaddr_ll *)sa;
      printf("%s packet %02x:%02x:%02x:%02x:%02x:%02x %x\n", ifa->ifa_name, ll->sll_addr[0], ll->sll_addr[1],
             ll->sll_addr[2], ll->sll_addr[3], ll->sll_addr[4], ll->sll_addr[5], ifa->ifa_flags);
    } else {
      const void *raw = sa->sa_family == AF_INET ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
                                                 : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
      inet_ntop(sa->sa_family, raw, text, sizeof(text));
      printf("%s %s %s/%d %x\n", ifa->ifa_name, sa->sa_family == AF_INET ? "inet" : "inet6", text,
             ifa->ifa_netmask != NULL ? prefix_len(ifa->ifa_netmask) : -1, ifa->ifa_flags);
    }
  }
  freeifaddrs(list);
  return 0;
}

static int do_ifindex(const char *name)
{
  char buf[IF_NAMESIZE];
  unsigned index = if_nametoindex(name);

  if (index == 0)
    return fail();
  if (if_indextoname(index, buf) == NULL)
    return fail();
  printf("%u %s\n", index, buf);
  return 0;
}

static int do_nameindex(void)
{
  struct if_nameindex *list = if_nameindex();

  if (list == NULL)
    return fail();
  for (struct if_nameindex *p = list; p->if_index != 0; p++)
    printf("%u %s\n", p->if_index, p->if_name);
  if_freenameindex(list);
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
  if (argc == 2 && strcmp(argv[1], "ifaddrs") == 0)
    return do_ifaddrs();
  if (argc == 2 && strcmp(argv[1], "nameindex") == 0)
    return do_nameindex();
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
  if (strcmp(argv[1], "ifindex") == 0)
    return do_ifindex(argv[2]);
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
