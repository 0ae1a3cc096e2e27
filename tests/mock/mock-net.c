// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-net.c: the fake host's network interfaces for the libc calls that
 * ask the kernel over netlink or ioctls, which path rewriting cannot reach:
 * getifaddrs()/freeifaddrs(), if_nametoindex(), if_indextoname(),
 * if_nameindex()/if_freenameindex().
 *
 * The interfaces are the entries of the root's /sys/class/net (ifindex,
 * flags, address, type, carrier: what mock-mkhost wrote, or a test
 * changed since); the addresses are the lines "IFNAME ADDRESS/PREFIXLEN"
 * of $ROOT/.mock/ifaddrs.  getifaddrs() lists, as glibc does, one AF_PACKET
 * entry per interface (ifindex order, ifa_data a zeroed
 * rtnl_link_stats), then the IPv4 and then the IPv6 addresses in file
 * order.  The list is one block, like glibc's, so either freeifaddrs()
 * frees it.  Without a root these abort like every faked path: the real
 * machine's interfaces are never shown.
 */
#include "mock-preload.h"
#include "mock-tree.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MOCK_IFF_LOWER_UP 0x10000u /* <linux/if.h>, which clashes with <net/if.h> */

typedef union {
  struct sockaddr sa;
  struct sockaddr_in in;
  struct sockaddr_in6 in6;
  struct sockaddr_ll ll;
} MockSockaddr;

typedef struct {
  struct ifaddrs ifa; /* first: the entry's address is the ifaddrs' */
  char name[IF_NAMESIZE];
  MockSockaddr addr, netmask, broadaddr;
  struct rtnl_link_stats stats;
} MockIfaddr;

typedef struct {
  char name[IF_NAMESIZE];
  unsigned index;
  unsigned flags; /* as getifaddrs reports them: with RUNNING and LOWER_UP */
  unsigned type;
  unsigned char mac[6];
} MockLink;

/* A name that stays one component of /sys/class/net. */
static bool valid_name(const char *name)
{
  size_t len = strlen(name);

  return len > 0 && len < IF_NAMESIZE && strchr(name, '/') == NULL && strcmp(name, ".") != 0 &&
         strcmp(name, "..") != 0;
}

static bool read_uint(const char *name, const char *attr, int base, unsigned *out)
{
  char rel[PATH_MAX];
  char *text, *end;
  unsigned long value;
  bool ok;

  if (mt_fmt(rel, "/sys/class/net/%s/%s", name, attr) < 0 || (text = mt_read_trim(rel)) == NULL)
    return false;
  errno = 0;
  value = strtoul(text, &end, base);
  ok = errno == 0 && end != text && *end == '\0' && value <= 0xffffffffUL;
  free(text);
  if (ok)
    *out = (unsigned)value;
  return ok;
}

static bool load_link(const char *name, MockLink *link)
{
  char rel[PATH_MAX];
  char *text;
  unsigned carrier = 0;

  memset(link, 0, sizeof(*link));
  if (!valid_name(name) || !read_uint(name, "ifindex", 10, &link->index) || link->index == 0)
    return false;
  snprintf(link->name, sizeof(link->name), "%s", name);
  if (!read_uint(name, "flags", 16, &link->flags))
    link->flags = 0;
  if (!read_uint(name, "type", 10, &link->type))
    link->type = 1;
  if ((link->flags & IFF_UP) && read_uint(name, "carrier", 10, &carrier) && carrier == 1)
    link->flags |= IFF_RUNNING | MOCK_IFF_LOWER_UP;
  if (mt_fmt(rel, "/sys/class/net/%s/address", name) >= 0 && (text = mt_read_trim(rel)) != NULL) {
    if (sscanf(text, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx", &link->mac[0], &link->mac[1], &link->mac[2],
               &link->mac[3], &link->mac[4], &link->mac[5]) != 6)
      memset(link->mac, 0, sizeof(link->mac));
    free(text);
  }
  return true;
}

static int cmp_links(const void *a, const void *b)
{
  const MockLink *x = a, *y = b;

  return x->index < y->index ? -1 : x->index > y->index;
}

/* The root's interfaces in ifindex order; returns the count, *links
 * malloc'd (NULL when none), or -1 with errno. */
static int load_links(MockLink **links)
{
  char **names = NULL;
  int n, count = 0;

  *links = NULL;
  mock_root();
  n = mt_list_dir("/sys/class/net", &names);
  if (n == -ENOENT)
    return 0;
  if (n < 0) {
    errno = -n;
    return -1;
  }
  if (n > 0 && (*links = calloc((size_t)n, sizeof(MockLink))) == NULL) {
    mt_strv_free(names);
    errno = ENOMEM;
    return -1;
  }
  for (int i = 0; i < n; i++)
    if (load_link(names[i], &(*links)[count]))
      count++;
  mt_strv_free(names);
  qsort(*links, (size_t)count, sizeof(MockLink), cmp_links);
  return count;
}

/* ---- getifaddrs ------------------------------------------------------------ */

typedef struct {
  char name[IF_NAMESIZE];
  int family;
  unsigned char bytes[16];
  unsigned plen;
} MockAddress;

static bool parse_address(char *line, MockAddress *a)
{
  char *name = strtok(line, " \t"), *prefix = strtok(NULL, " \t"), *slash;
  unsigned long plen;

  memset(a, 0, sizeof(*a));
  if (name == NULL || prefix == NULL || !valid_name(name) || (slash = strchr(prefix, '/')) == NULL)
    return false;
  *slash = '\0';
  if (inet_pton(AF_INET, prefix, a->bytes) == 1)
    a->family = AF_INET;
  else if (inet_pton(AF_INET6, prefix, a->bytes) == 1)
    a->family = AF_INET6;
  else
    return false;
  plen = strtoul(slash + 1, NULL, 10);
  if (plen > (a->family == AF_INET ? 32u : 128u))
    return false;
  snprintf(a->name, sizeof(a->name), "%s", name);
  a->plen = (unsigned)plen;
  return true;
}

/* The well-formed lines of .mock/ifaddrs; count, or -1 with errno. */
static int load_addresses(MockAddress **addresses)
{
  char *text = mt_read("/.mock/ifaddrs");
  char *save = NULL;
  int count = 0, lines = 1;

  *addresses = NULL;
  if (text == NULL)
    return errno == ENOENT ? 0 : -1;
  for (const char *p = text; *p; p++)
    lines += *p == '\n';
  if ((*addresses = calloc((size_t)lines, sizeof(MockAddress))) == NULL) {
    free(text);
    errno = ENOMEM;
    return -1;
  }
  for (char *line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
    if (parse_address(line, &(*addresses)[count]))
      count++;
  free(text);
  return count;
}

static void fill_mask(MockSockaddr *mask, int family, unsigned plen)
{
  unsigned char *bytes = family == AF_INET ? (unsigned char *)&mask->in.sin_addr : mask->in6.sin6_addr.s6_addr;

  mask->sa.sa_family = (sa_family_t)family;
  for (unsigned i = 0; i < (family == AF_INET ? 4u : 16u); i++) {
    unsigned bits = plen > i * 8 ? (plen - i * 8 > 8 ? 8 : plen - i * 8) : 0;
    bytes[i] = (unsigned char)(0xff00u >> bits);
  }
}

static void fill_name(MockIfaddr *e, const MockLink *link)
{
  snprintf(e->name, sizeof(e->name), "%s", link->name);
  e->ifa.ifa_name = e->name;
  e->ifa.ifa_flags = link->flags;
}

static void fill_link(MockIfaddr *e, const MockLink *link)
{
  fill_name(e, link);
  e->addr.ll.sll_family = AF_PACKET;
  e->addr.ll.sll_ifindex = (int)link->index;
  e->addr.ll.sll_hatype = (unsigned short)link->type;
  e->addr.ll.sll_halen = 6;
  memcpy(e->addr.ll.sll_addr, link->mac, 6);
  e->ifa.ifa_addr = &e->addr.sa;
  if (link->flags & IFF_BROADCAST) {
    e->broadaddr.ll = e->addr.ll;
    memset(e->broadaddr.ll.sll_addr, 0xff, 6);
    e->ifa.ifa_broadaddr = &e->broadaddr.sa;
  }
  e->ifa.ifa_data = &e->stats;
}

static void fill_address(MockIfaddr *e, const MockLink *link, const MockAddress *a)
{
  fill_name(e, link);
  fill_mask(&e->netmask, a->family, a->plen);
  e->ifa.ifa_netmask = &e->netmask.sa;
  e->ifa.ifa_addr = &e->addr.sa;
  if (a->family == AF_INET6) {
    e->addr.in6.sin6_family = AF_INET6;
    memcpy(e->addr.in6.sin6_addr.s6_addr, a->bytes, 16);
    if (IN6_IS_ADDR_LINKLOCAL(&e->addr.in6.sin6_addr) || IN6_IS_ADDR_MC_LINKLOCAL(&e->addr.in6.sin6_addr))
      e->addr.in6.sin6_scope_id = link->index;
    return;
  }
  e->addr.in.sin_family = AF_INET;
  memcpy(&e->addr.in.sin_addr, a->bytes, 4);
  if (link->flags & IFF_BROADCAST) {
    e->broadaddr.in.sin_family = AF_INET;
    e->broadaddr.in.sin_addr.s_addr = e->addr.in.sin_addr.s_addr | ~e->netmask.in.sin_addr.s_addr;
    e->ifa.ifa_broadaddr = &e->broadaddr.sa;
  }
}

static const MockLink *find_link(const MockLink *links, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (strcmp(links[i].name, name) == 0)
      return &links[i];
  return NULL;
}

int getifaddrs(struct ifaddrs **ifap)
{
  MockLink *links = NULL;
  MockAddress *addresses = NULL;
  MockIfaddr *entries = NULL;
  int n_links, n_addresses, used = 0;

  *ifap = NULL;
  if ((n_links = load_links(&links)) < 0)
    return -1;
  if ((n_addresses = load_addresses(&addresses)) < 0) {
    free(links);
    return -1;
  }
  if (n_links + n_addresses > 0 &&
      (entries = calloc((size_t)(n_links + n_addresses), sizeof(MockIfaddr))) == NULL) {
    free(links);
    free(addresses);
    errno = ENOMEM;
    return -1;
  }
  for (int i = 0; i < n_links; i++)
    fill_link(&entries[used++], &links[i]);
  for (int family = AF_INET; family != 0; family = family == AF_INET ? AF_INET6 : 0)
    for (int i = 0; i < n_addresses; i++) {
      const MockLink *link = find_link(links, n_links, addresses[i].name);
      if (addresses[i].family == family && link != NULL)
        fill_address(&entries[used++], link, &addresses[i]);
    }
  for (int i = 0; i < used; i++)
    entries[i].ifa.ifa_next = i + 1 < used ? &entries[i + 1].ifa : NULL;
  free(links);
  free(addresses);
  if (used == 0)
    free(entries);
  else
    *ifap = &entries[0].ifa;
  return 0;
}

void freeifaddrs(struct ifaddrs *ifa)
{
  free(ifa);
}

/* ---- interface names and indexes ------------------------------------------ */

unsigned int if_nametoindex(const char *ifname)
{
  unsigned index = 0;

  mock_root();
  if (ifname == NULL || !valid_name(ifname) || !read_uint(ifname, "ifindex", 10, &index)) {
    errno = ENODEV;
    return 0;
  }
  return index;
}

char *if_indextoname(unsigned int ifindex, char ifname[IF_NAMESIZE])
{
  MockLink *links = NULL;
  int n = load_links(&links);
  char *found = NULL;

  for (int i = 0; i < n; i++)
    if (links[i].index == ifindex) {
      snprintf(ifname, IF_NAMESIZE, "%s", links[i].name);
      found = ifname;
    }
  free(links);
  if (found == NULL)
    errno = ENXIO;
  return found;
}

struct if_nameindex *if_nameindex(void)
{
  MockLink *links = NULL;
  int n = load_links(&links);
  struct if_nameindex *list;

  if (n < 0)
    return NULL;
  if ((list = calloc((size_t)n + 1, sizeof(*list))) == NULL) {
    free(links);
    errno = ENOBUFS;
    return NULL;
  }
  for (int i = 0; i < n; i++) {
    list[i].if_index = links[i].index;
    if ((list[i].if_name = strdup(links[i].name)) == NULL) {
      if_freenameindex(list);
      free(links);
      errno = ENOBUFS;
      return NULL;
    }
  }
  free(links);
  return list;
}

void if_freenameindex(struct if_nameindex *ptr)
{
  if (ptr == NULL)
    return;
  for (struct if_nameindex *p = ptr; p->if_name != NULL; p++)
    free(p->if_name);
  free(ptr);
}
