// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/netif.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "util/sysfs-paths.h"
#include "util/sysfs.h"

gboolean hd_netif_is_up(const char *name)
{
  g_autofree char *path = hd_path_class("net", name, "flags");
  guint32 flags = 0;

  return hd_sysfs_read_hex(path, &flags, NULL) && (flags & IFF_UP) != 0;
}

static const void *address_bytes(const struct sockaddr *sa, gsize *len)
{
  *len = sa->sa_family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
  return sa->sa_family == AF_INET ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
                                  : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
}

/* The prefix length of NETMASK (its set bits; the kernel's masks are
 * contiguous), or -1 when there is none. */
static int prefix_length(const struct sockaddr *netmask, int family)
{
  gsize len = 0;
  const guint8 *bytes;
  int bits = 0;

  if (netmask == NULL || netmask->sa_family != family)
    return -1;
  bytes = address_bytes(netmask, &len);
  for (gsize i = 0; i < len; i++)
    bits += __builtin_popcount(bytes[i]);
  return bits;
}

/* "192.0.2.10/24", or without "/LEN" when the netmask is missing. */
static char *address_text(const struct sockaddr *sa, const struct sockaddr *netmask)
{
  char text[INET6_ADDRSTRLEN];
  gsize len = 0;
  int plen = prefix_length(netmask, sa->sa_family);

  if (inet_ntop(sa->sa_family, address_bytes(sa, &len), text, sizeof(text)) == NULL)
    return NULL;
  return plen < 0 ? g_strdup(text) : g_strdup_printf("%s/%d", text, plen);
}

GPtrArray *hd_netif_addresses(const char *name)
{
  GPtrArray *addresses = g_ptr_array_new_with_free_func(g_free);
  struct ifaddrs *list = NULL;

  if (getifaddrs(&list) < 0)
    return addresses;
  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next) {
    if (ifa->ifa_addr == NULL || !g_str_equal(ifa->ifa_name, name))
      continue;
    if (ifa->ifa_addr->sa_family != AF_INET && ifa->ifa_addr->sa_family != AF_INET6)
      continue;
    /* every IPv6 interface that is up gets a link-local address: it says
     * nothing about the host using the interface */
    if (ifa->ifa_addr->sa_family == AF_INET6 &&
        IN6_IS_ADDR_LINKLOCAL(&((const struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr))
      continue;
    char *text = address_text(ifa->ifa_addr, ifa->ifa_netmask);
    if (text != NULL)
      g_ptr_array_add(addresses, text);
  }
  freeifaddrs(list);
  return addresses;
}

/* "DEST/LEN[ via GATEWAY]" ("default" for a zero-length prefix) from the
 * binary forms of a route table; FAMILY AF_INET or AF_INET6. */
static char *route_text(int family, const void *dest, guint plen, const void *gateway, gboolean has_gateway)
{
  char dest_text[INET6_ADDRSTRLEN] = "?", gateway_text[INET6_ADDRSTRLEN] = "?";
  g_autofree char *where = NULL;

  inet_ntop(family, dest, dest_text, sizeof(dest_text));
  where = plen == 0 ? g_strdup("default") : g_strdup_printf("%s/%u", dest_text, plen);
  if (!has_gateway)
    return g_steal_pointer(&where);
  inet_ntop(family, gateway, gateway_text, sizeof(gateway_text));
  return g_strdup_printf("%s via %s", where, gateway_text);
}

/* /proc/net/route: "Iface Destination Gateway Flags RefCnt Use Metric Mask
 * ...", addresses as the kernel prints a __be32 with %08X (host order). */
static char *route4_text(GPtrArray *words)
{
  guint32 dest = 0, gateway = 0, mask = 0;

  if (words->len < 8 || sscanf(g_ptr_array_index(words, 1), "%" SCNx32, &dest) != 1 ||
      sscanf(g_ptr_array_index(words, 2), "%" SCNx32, &gateway) != 1 ||
      sscanf(g_ptr_array_index(words, 7), "%" SCNx32, &mask) != 1)
    return g_strdup(g_ptr_array_index(words, 1));
  return route_text(AF_INET, &dest, (guint)__builtin_popcount(mask), &gateway, gateway != 0);
}

static gboolean parse_hex128(const char *text, struct in6_addr *address)
{
  if (strlen(text) != 32)
    return FALSE;
  for (guint i = 0; i < 16; i++) {
    int high = g_ascii_xdigit_value(text[2 * i]), low = g_ascii_xdigit_value(text[2 * i + 1]);
    if (high < 0 || low < 0)
      return FALSE;
    address->s6_addr[i] = (guint8)(high << 4 | low);
  }
  return TRUE;
}

/* /proc/net/ipv6_route: "Destination PrefixLen Source SourceLen NextHop
 * Metric RefCnt Use Flags Iface", addresses as 32 hex digits. */
static char *route6_text(GPtrArray *words)
{
  struct in6_addr dest, gateway;
  guint plen = 0;

  if (!parse_hex128(g_ptr_array_index(words, 0), &dest) || !parse_hex128(g_ptr_array_index(words, 4), &gateway) ||
      sscanf(g_ptr_array_index(words, 1), "%x", &plen) != 1)
    return g_strdup(g_ptr_array_index(words, 0));
  return route_text(AF_INET6, &dest, plen, &gateway, !IN6_IS_ADDR_UNSPECIFIED(&gateway));
}

/* Routes of a /proc/net route table whose interface field (FIELD, 0-based,
 * whitespace-separated) is NAME, as text, leaving out those whose
 * destination (the first field) starts with one of AUTOMATIC: the routes
 * the kernel adds by itself to any interface that is up. */
static void add_routes(GPtrArray *routes, const char *file, guint field, const char *name,
                       const char *const *automatic, char *(*text)(GPtrArray *words))
{
  g_autofree char *path = hd_path_proc_net(file);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents(path, &contents, NULL, NULL))
    return;
  g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) fields = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);
    g_autoptr(GPtrArray) words = g_ptr_array_new();
    for (guint j = 0; fields[j] != NULL; j++)
      if (*fields[j] != '\0')
        g_ptr_array_add(words, fields[j]);
    if (words->len <= field || !g_str_equal(g_ptr_array_index(words, field), name))
      continue;
    gboolean skip = FALSE;
    for (const char *const *prefix = automatic; *prefix != NULL; prefix++)
      skip |= g_str_has_prefix(g_ptr_array_index(words, 0), *prefix);
    if (!skip)
      g_ptr_array_add(routes, text(words));
  }
}

GPtrArray *hd_netif_routes(const char *name)
{
  /* route: "Iface Destination ..." (interface first; the header line names
   * no interface); ipv6_route: destination first, ten fields, the interface
   * last; fe80::/64 and ff00::/8 come with any IPv6 interface that is up */
  const char *const none[] = {NULL};
  const char *const ipv6_automatic[] = {"fe80", "ff00", NULL};
  GPtrArray *routes = g_ptr_array_new_with_free_func(g_free);

  add_routes(routes, "route", 0, name, none, route4_text);
  add_routes(routes, "ipv6_route", 9, name, ipv6_automatic, route6_text);
  return routes;
}
