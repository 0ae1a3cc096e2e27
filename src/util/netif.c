#include "netif.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include "sysfs-paths.h"
#include "sysfs.h"

gboolean hd_netif_is_up(const char *name)
{
  g_autofree char *path = hd_path_class("net", name, "flags");
  guint32 flags = 0;

  return hd_sysfs_read_hex(path, &flags, NULL) && (flags & IFF_UP) != 0;
}

static char *address_text(const struct sockaddr *sa)
{
  char text[INET6_ADDRSTRLEN];
  const void *raw = sa->sa_family == AF_INET ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
                                             : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;

  if (inet_ntop(sa->sa_family, raw, text, sizeof(text)) == NULL)
    return NULL;
  return g_strdup(text);
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
    char *text = address_text(ifa->ifa_addr);
    if (text != NULL)
      g_ptr_array_add(addresses, text);
  }
  freeifaddrs(list);
  return addresses;
}

/* Lines of a /proc/net route table whose interface field (FIELD, 0-based,
 * whitespace-separated) is NAME, leaving out those whose destination (the
 * first field) starts with one of AUTOMATIC: the routes the kernel adds by
 * itself to any interface that is up. */
static guint count_route_lines(const char *file, guint field, const char *name, const char *const *automatic)
{
  g_autofree char *path = hd_path_proc_net(file);
  g_autofree char *text = NULL;
  guint count = 0;

  if (!g_file_get_contents(path, &text, NULL, NULL))
    return 0;
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
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
    count += !skip;
  }
  return count;
}

guint hd_netif_count_routes(const char *name)
{
  /* route: "Iface Destination ..." (interface first; the header line names
   * no interface); ipv6_route: destination first, ten fields, the interface
   * last; fe80::/64 and ff00::/8 come with any IPv6 interface that is up */
  const char *const none[] = {NULL};
  const char *const ipv6_automatic[] = {"fe80", "ff00", NULL};

  return count_route_lines("route", 0, name, none) + count_route_lines("ipv6_route", 9, name, ipv6_automatic);
}
