// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-mkhost-net.c: the network interfaces of mock-mkhost's devices and
 * the tables the kernel derives from them.
 *
 * Network interfaces below a device get the sysfs files of a 6.12 netdev
 * (flags, operstate, address, ifindex... and the /sys/class/net link);
 * their addresses go to $ROOT/.mock/ifaddrs, which the preload's
 * getifaddrs() serves (mock-net.c), and with the routes to the fake
 * /proc/net/{route,ipv6_route,if_inet6}, in the kernel's formats.  What the
 * kernel adds by itself is derived as it would be: an interface that is up
 * gets an IPv6 link-local address with its fe80::/64, local and ff00::/8
 * routes, an address its prefix route (and, for IPv6, its local route);
 * a down interface keeps only its IPv4 addresses (routes and IPv6
 * addresses go with the link, keep_addr_on_down=0).
 */
#include "mock-mkhost-net.h"
#include "mock-mkhost-keys.h"
#include "mock-tree.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define RTF_UP_ 0x0001u
#define RTF_GATEWAY_ 0x0002u
#define RTF_HOST_ 0x0004u
#define RTF_LOCAL_IPV6 0x80200001u /* RTF_LOCAL | RTF_NONEXTHOP | RTF_UP */
#define IPV6_METRIC_KERNEL 256u     /* prefix and multicast routes */
#define IPV6_METRIC_USER 1024u      /* ip -6 route add's default */

struct _MkNet {
  int next_ifindex;
  GString *ifaddrs;      /* .mock/ifaddrs */
  GString *route4;       /* /proc/net/route, after its header */
  GString *route6;       /* /proc/net/ipv6_route, main table */
  GString *route6_local; /* the local table, listed after main */
  GString *inet6;        /* /proc/net/if_inet6 */
};

MkNet *mk_net_new(void)
{
  MkNet *net = g_new0(MkNet, 1);

  net->next_ifindex = 2; /* lo is 1 */
  net->ifaddrs = g_string_new(NULL);
  net->route4 = g_string_new(NULL);
  net->route6 = g_string_new(NULL);
  net->route6_local = g_string_new(NULL);
  net->inet6 = g_string_new(NULL);
  return net;
}

void mk_net_free(MkNet *net)
{
  if (net == NULL)
    return;
  g_string_free(net->ifaddrs, TRUE);
  g_string_free(net->route4, TRUE);
  g_string_free(net->route6, TRUE);
  g_string_free(net->route6_local, TRUE);
  g_string_free(net->inet6, TRUE);
  g_free(net);
}

/* ---- addresses and route tables ------------------------------------------- */

typedef struct {
  int family; /* AF_INET, AF_INET6 */
  guint8 bytes[16];
  guint plen;
} Prefix;

static guint family_bits(int family)
{
  return family == AF_INET ? 32 : 128;
}

/* "ADDRESS[/PLEN]"; no PLEN: a host address. */
static gboolean parse_prefix(const char *text, Prefix *p)
{
  g_autofree char *copy = g_strdup(text);
  char *slash = strchr(copy, '/');
  guint64 plen = 0;

  memset(p, 0, sizeof(*p));
  if (slash != NULL)
    *slash = '\0';
  if (inet_pton(AF_INET, copy, p->bytes) == 1)
    p->family = AF_INET;
  else if (inet_pton(AF_INET6, copy, p->bytes) == 1)
    p->family = AF_INET6;
  else
    return FALSE;
  p->plen = family_bits(p->family);
  if (slash == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned(slash + 1, 10, 0, p->plen, &plen, NULL))
    return FALSE;
  p->plen = (guint)plen;
  return TRUE;
}

/* The network of P: host bits cleared. */
static Prefix network_of(const Prefix *p)
{
  Prefix net = *p;

  for (guint i = 0; i < family_bits(p->family) / 8; i++) {
    guint bits = p->plen > i * 8 ? MIN(8, p->plen - i * 8) : 0;
    net.bytes[i] &= (guint8)(0xff00u >> bits);
  }
  return net;
}

static char *prefix_text(const Prefix *p)
{
  char text[INET6_ADDRSTRLEN];

  inet_ntop(p->family, p->bytes, text, sizeof(text));
  return g_strdup_printf("%s/%u", text, p->plen);
}

/* 32 hex digits, as /proc/net/ipv6_route and if_inet6 print addresses. */
static void hex128(const guint8 *bytes, char out[33])
{
  for (int i = 0; i < 16; i++)
    snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

/* An IPv4 address as the kernel prints a __be32 with %08X. */
static guint32 raw32(const guint8 *bytes)
{
  guint32 value;

  memcpy(&value, bytes, sizeof(value));
  return value;
}

/* fib_route_seq_show(): tab-separated, padded to 127 characters. */
static void route4_line(GString *table, const char *iface, const Prefix *dest, const guint8 *gateway,
                        guint32 flags, guint metric)
{
  Prefix mask = {AF_INET, {0}, 0};
  static const guint8 zero[4] = {0};
  g_autofree char *line = NULL;

  memset(mask.bytes, 0xff, 4);
  mask.plen = dest->plen;
  mask = network_of(&mask);
  line = g_strdup_printf("%s\t%08X\t%08X\t%04X\t%d\t%u\t%u\t%08X\t%d\t%u\t%u", iface, raw32(dest->bytes),
                         raw32(gateway != NULL ? gateway : zero), flags, 0, 0u, metric, raw32(mask.bytes), 0, 0u,
                         0u);
  g_string_append_printf(table, "%-127s\n", line);
}

/* ipv6_route_native_seq_show(). */
static void route6_line(GString *table, const char *iface, const Prefix *dest, const guint8 *gateway,
                        guint32 flags, guint metric)
{
  static const guint8 zero[16] = {0};
  char d[33], z[33], g[33];

  hex128(dest->bytes, d);
  hex128(zero, z);
  hex128(gateway != NULL ? gateway : zero, g);
  g_string_append_printf(table, "%s %02x %s %02x %s %08x %08x %08x %08x %8s\n", d, dest->plen, z, 0, g, metric, 1u,
                         0u, flags, iface);
}

static void add_address(MkNet *net, const char *iface, int ifindex, const Prefix *addr, gboolean up)
{
  g_autofree char *text = prefix_text(addr);

  if (addr->family == AF_INET) {
    g_string_append_printf(net->ifaddrs, "%s %s\n", iface, text);
    if (up && addr->plen < 32) {
      Prefix network = network_of(addr);
      route4_line(net->route4, iface, &network, NULL, RTF_UP_, 0);
    }
    return;
  }
  if (!up)
    return;
  gboolean link_local = addr->bytes[0] == 0xfe && (addr->bytes[1] & 0xc0) == 0x80;
  gboolean loopback = addr->plen == 128 && memcmp(addr->bytes, (const guint8[16]){[15] = 1}, 16) == 0;
  char hex[33];
  Prefix host = *addr;

  hex128(addr->bytes, hex);
  g_string_append_printf(net->ifaddrs, "%s %s\n", iface, text);
  g_string_append_printf(net->inet6, "%s %02x %02x %02x %02x %8s\n", hex, (guint)ifindex, addr->plen,
                         link_local ? 0x20u : loopback ? 0x10u : 0u, 0x80u, iface);
  if (addr->plen < 128 && !link_local) {
    Prefix network = network_of(addr);
    route6_line(net->route6, iface, &network, NULL, RTF_UP_, IPV6_METRIC_KERNEL);
  }
  host.plen = 128;
  route6_line(net->route6_local, iface, &host, NULL, RTF_LOCAL_IPV6, 0);
}

typedef struct {
  Prefix dest;
  gboolean has_gateway, has_metric;
  guint8 gateway[16];
  guint metric;
} Route;

/* "DEST [via GATEWAY] [metric N]", DEST a prefix or "default". */
static gboolean parse_route(const char *text, Route *route)
{
  g_auto(GStrv) words = g_strsplit_set(text, " \t", -1);
  g_autoptr(GPtrArray) w = g_ptr_array_new();
  Prefix gateway = {0};
  guint64 metric = 0;

  memset(route, 0, sizeof(*route));
  for (char **p = words; *p != NULL; p++)
    if (**p != '\0')
      g_ptr_array_add(w, *p);
  if (w->len == 0 || w->len % 2 == 0)
    return FALSE;
  for (guint i = 1; i + 1 < w->len; i += 2) {
    const char *word = g_ptr_array_index(w, i), *value = g_ptr_array_index(w, i + 1);
    if (g_str_equal(word, "via") && !route->has_gateway && parse_prefix(value, &gateway) &&
        gateway.plen == family_bits(gateway.family))
      route->has_gateway = TRUE;
    else if (g_str_equal(word, "metric") && !route->has_metric &&
             g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT32, &metric, NULL))
      route->has_metric = TRUE;
    else
      return FALSE;
  }
  if (g_str_equal(g_ptr_array_index(w, 0), "default"))
    route->dest.family = route->has_gateway ? gateway.family : AF_INET;
  else if (!parse_prefix(g_ptr_array_index(w, 0), &route->dest))
    return FALSE;
  if (route->has_gateway && gateway.family != route->dest.family)
    return FALSE;
  route->dest = network_of(&route->dest);
  memcpy(route->gateway, gateway.bytes, sizeof(route->gateway));
  route->metric = (guint)metric;
  return TRUE;
}

static void add_route(MkNet *net, const char *iface, const Route *route)
{
  const guint8 *gateway = route->has_gateway ? route->gateway : NULL;
  guint32 flags = RTF_UP_ | (route->has_gateway ? RTF_GATEWAY_ : 0);

  if (route->dest.family == AF_INET)
    route4_line(net->route4, iface, &route->dest, gateway, flags | (route->dest.plen == 32 ? RTF_HOST_ : 0),
                route->metric);
  else
    route6_line(net->route6, iface, &route->dest, gateway, flags,
                route->has_metric ? route->metric : IPV6_METRIC_USER);
}

/* ---- network interfaces ---------------------------------------------------- */

static const char *const net_props[] = {"up", "mac", "address", "route", "link-local", NULL};

gboolean mk_net_check_keys(GKeyFile *kf, const char *group, const char *const *names, GError **error)
{
  return mk_check_keys(kf, group, "net", names, net_props, error);
}

/* The netdev's own sysfs files, its links and /sys/class/net/NAME. */
static gboolean write_netdev(const char *dir, const char *name, int ifindex, const char *mac, guint32 flags,
                             const char *operstate, gboolean carrier, guint type, guint mtu, GError **error)
{
  g_autofree char *base = g_strdup_printf("%s/net/%s", dir, name);
  g_autofree char *cls = g_strdup_printf("/sys/class/net/%s", name);
  const struct {
    const char *file;
    char *value;
  } files[] = {
    {"ifindex", g_strdup_printf("%d", ifindex)},
    {"iflink", g_strdup_printf("%d", ifindex)},
    {"address", g_strdup(mac)},
    {"addr_len", g_strdup("6")},
    {"broadcast", g_strdup(type == 1 ? "ff:ff:ff:ff:ff:ff" : "00:00:00:00:00:00")},
    {"flags", g_strdup_printf("0x%x", flags)},
    {"operstate", g_strdup(operstate)},
    {"mtu", g_strdup_printf("%u", mtu)},
    {"type", g_strdup_printf("%u", type)},
    {"tx_queue_len", g_strdup(type == 1 ? "1000" : "0")},
    {"uevent", g_strdup_printf("INTERFACE=%s\nIFINDEX=%d", name, ifindex)},
    {"carrier", carrier ? g_strdup("1") : NULL},
  };
  gboolean ok = TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
    g_autofree char *rel = g_strdup_printf("%s/%s", base, files[i].file);
    if (files[i].value != NULL && ok)
      ok = mk_check(mt_writef(rel, "%s\n", files[i].value), rel, error);
    g_free(files[i].value);
  }
  if (!ok)
    return FALSE;
  g_autofree char *device = g_strconcat(base, "/device", NULL);
  g_autofree char *subsystem = g_strconcat(base, "/subsystem", NULL);
  if (!g_str_has_prefix(dir, "/sys/devices/virtual") && !mk_check(mt_link(device, dir), device, error))
    return FALSE;
  return mk_check(mt_link(subsystem, "/sys/class/net"), subsystem, error) && mk_check(mt_link(cls, base), cls, error);
}

/* EUI-64 from the MAC M, the address the kernel gives an Ethernet NIC that
 * is up, with its fe80::/64 and ff00::/8 routes. */
static void add_link_local(MkNet *net, const char *iface, int ifindex, const guint8 m[6])
{
  Prefix ll = {AF_INET6, {0xfe, 0x80, [8] = m[0] ^ 0x02, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]}, 64};
  Prefix ll_net = {AF_INET6, {0xfe, 0x80}, 64};
  Prefix multicast = {AF_INET6, {0xff}, 8};

  add_address(net, iface, ifindex, &ll, TRUE);
  route6_line(net->route6, iface, &ll_net, NULL, RTF_UP_, IPV6_METRIC_KERNEL);
  route6_line(net->route6_local, iface, &multicast, NULL, RTF_UP_, IPV6_METRIC_KERNEL);
}

gboolean mk_net_interface(MkNet *net, GHashTable *names, GKeyFile *kf, const char *group, const char *dir,
                          const char *name, GError **error)
{
  int ifindex = net->next_ifindex++;
  g_autofree char *k_up = g_strdup_printf("net.%s.up", name);
  g_autofree char *k_mac = g_strdup_printf("net.%s.mac", name);
  g_autofree char *k_addr = g_strdup_printf("net.%s.address", name);
  g_autofree char *k_route = g_strdup_printf("net.%s.route", name);
  g_autofree char *k_ll = g_strdup_printf("net.%s.link-local", name);
  g_autofree char *def_mac = g_strdup_printf("52:54:00:12:34:%02x", (guint)ifindex & 0xff);
  g_autofree char *mac = mk_key_str(kf, group, k_mac, def_mac);
  g_auto(GStrv) addresses = mk_key_list(kf, group, k_addr);
  g_auto(GStrv) routes = mk_key_list(kf, group, k_route);
  guint8 m[6];
  gboolean up = TRUE, link_local = TRUE;

  if (strlen(name) >= 16 || strchr(name, '/') != NULL || g_str_equal(name, ".") || g_str_equal(name, ".."))
    return mk_fail(error, "[%s] net=%s: not an interface name", group, name);
  if (!g_hash_table_add(names, g_strdup(name)))
    return mk_fail(error, "[%s] net=%s: declared twice", group, name);
  if (!mk_key_bool(kf, group, k_up, TRUE, error, &up) || !mk_key_bool(kf, group, k_ll, up, error, &link_local))
    return FALSE;
  if (sscanf(mac, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
    return mk_fail(error, "[%s] %s: not a MAC address: %s", group, k_mac, mac);
  /* IFF_UP | IFF_BROADCAST | IFF_MULTICAST, as an Ethernet NIC has */
  if (!write_netdev(dir, name, ifindex, mac, up ? 0x1003 : 0x1002, up ? "up" : "down", up, 1, 1500, error))
    return FALSE;
  for (char **a = addresses; *a != NULL; a++) {
    Prefix addr;
    if (!parse_prefix(*a, &addr))
      return mk_fail(error, "[%s] %s: not an address/prefix-length: %s", group, k_addr, *a);
    add_address(net, name, ifindex, &addr, up);
  }
  if (up && link_local)
    add_link_local(net, name, ifindex, m);
  for (char **r = routes; *r != NULL; r++) {
    Route route;
    if (!parse_route(*r, &route))
      return mk_fail(error, "[%s] %s: not \"DEST[/LEN] [via GATEWAY] [metric N]\": %s", group, k_route, *r);
    /* the kernel flushes the routes of an interface that goes down */
    if (up)
      add_route(net, name, &route);
  }
  return TRUE;
}


static gboolean write_loopback(MkNet *net, GError **error)
{
  Prefix v6;
  Prefix unreachable = {AF_INET6, {0}, 0};

  if (!write_netdev("/sys/devices/virtual", "lo", 1, "00:00:00:00:00:00", 0x9, "unknown", TRUE, 772, 65536,
                    error))
    return FALSE;
  parse_prefix("::1/128", &v6);
  /* lo's IPv4 routes are in the local table, which /proc/net/route omits */
  g_string_prepend(net->ifaddrs, "lo 127.0.0.1/8\n");
  add_address(net, "lo", 1, &v6, TRUE);
  /* the unreachable default the kernel keeps in the main table */
  route6_line(net->route6_local, "lo", &unreachable, NULL, 0x00200200, 0xffffffff);
  return TRUE;
}

static const char route4_header[] = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

gboolean mk_net_finish(MkNet *net, GError **error)
{
  g_autofree char *route4 = NULL;
  g_autofree char *route6 = NULL;

  if (!write_loopback(net, error))
    return FALSE;
  route4 = g_strdup_printf("%-127s\n%s", route4_header, net->route4->str);
  route6 = g_strconcat(net->route6->str, net->route6_local->str, NULL);
  return mk_check(mt_write("/.mock/ifaddrs", net->ifaddrs->str), ".mock/ifaddrs", error) &&
         mk_check(mt_write("/proc/net/route", route4), "/proc/net/route", error) &&
         mk_check(mt_write("/proc/net/ipv6_route", route6), "/proc/net/ipv6_route", error) &&
         mk_check(mt_write("/proc/net/if_inet6", net->inet6->str), "/proc/net/if_inet6", error);
}
