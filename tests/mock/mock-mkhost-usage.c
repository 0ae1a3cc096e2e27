// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-mkhost-usage.c: the host's use of its devices, for mock-mkhost.
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
 *
 * Block devices: NVMe namespaces and partitions below the device,
 * holders (dm-N, mdN) as virtual block devices with holders/ and slaves/
 * links, and mounts appended to the mount tables.  Framebuffers: fbN below
 * the device with a "device" link to it, as DRM's fbdev emulation has.
 */
#include "mock-mkhost-usage.h"
#include "mock-tree.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define RTF_UP_ 0x0001u
#define RTF_GATEWAY_ 0x0002u
#define RTF_HOST_ 0x0004u
#define RTF_LOCAL_IPV6 0x80200001u /* RTF_LOCAL | RTF_NONEXTHOP | RTF_UP */
#define IPV6_METRIC_KERNEL 256u     /* prefix and multicast routes */
#define IPV6_METRIC_USER 1024u      /* ip -6 route add's default */
#define FIRST_MOUNT_ID 100

typedef struct {
  char *dir; /* logical sysfs directory */
  guint major, minor;
  char *source; /* the mount tables' source: /dev/nvme0n1, /dev/mapper/vg0-root */
} Block;

struct _MkUsage {
  int next_ifindex;
  guint next_nvme_minor; /* blkext 259:N */
  guint next_other_minor;
  int next_mount_id;
  GString *ifaddrs;     /* .mock/ifaddrs */
  GString *route4;      /* /proc/net/route, after its header */
  GString *route6;      /* /proc/net/ipv6_route, main table */
  GString *route6_local; /* the local table, listed after main */
  GString *inet6;       /* /proc/net/if_inet6 */
  GString *mountinfo, *mounts;
  GHashTable *blocks; /* name -> Block* */
  GHashTable *names;  /* interfaces and framebuffers declared so far */
  gboolean graphics;  /* a framebuffer exists: fbcon too */
};

static void block_free(Block *block)
{
  g_free(block->dir);
  g_free(block->source);
  g_free(block);
}

MkUsage *mk_usage_new(void)
{
  MkUsage *u = g_new0(MkUsage, 1);

  u->next_ifindex = 2; /* lo is 1 */
  u->next_mount_id = FIRST_MOUNT_ID;
  u->ifaddrs = g_string_new(NULL);
  u->route4 = g_string_new(NULL);
  u->route6 = g_string_new(NULL);
  u->route6_local = g_string_new(NULL);
  u->inet6 = g_string_new(NULL);
  u->mountinfo = g_string_new(NULL);
  u->mounts = g_string_new(NULL);
  u->blocks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)block_free);
  u->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add(u->names, g_strdup("lo"));
  return u;
}

void mk_usage_free(MkUsage *u)
{
  if (u == NULL)
    return;
  g_string_free(u->ifaddrs, TRUE);
  g_string_free(u->route4, TRUE);
  g_string_free(u->route6, TRUE);
  g_string_free(u->route6_local, TRUE);
  g_string_free(u->inet6, TRUE);
  g_string_free(u->mountinfo, TRUE);
  g_string_free(u->mounts, TRUE);
  g_hash_table_unref(u->blocks);
  g_hash_table_unref(u->names);
  g_free(u);
}

static gboolean fail(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean fail(GError **error, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start(ap, fmt);
  msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, msg);
  return FALSE;
}

static gboolean check(int rc, const char *what, GError **error)
{
  return rc >= 0 || fail(error, "%s: %s", what, g_strerror(-rc));
}

/* ---- fixture keys --------------------------------------------------------- */

static char *key_str(GKeyFile *kf, const char *group, const char *key, const char *def)
{
  char *v = g_key_file_get_string(kf, group, key, NULL);

  return v != NULL ? g_strstrip(v) : g_strdup(def);
}

static gboolean key_bool(GKeyFile *kf, const char *group, const char *key, gboolean def, GError **error,
                         gboolean *out)
{
  g_autofree char *v = key_str(kf, group, key, NULL);

  *out = def;
  if (v == NULL || v[0] == '\0')
    return TRUE;
  if (g_ascii_strcasecmp(v, "true") == 0 || g_ascii_strcasecmp(v, "yes") == 0 || strcmp(v, "1") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp(v, "false") == 0 || g_ascii_strcasecmp(v, "no") == 0 || strcmp(v, "0") == 0)
    *out = FALSE;
  else
    return fail(error, "[%s] %s: not a boolean: %s", group, key, v);
  return TRUE;
}

/* The ';'-separated list of KEY, stripped, empty ones left out. */
static GStrv key_list(GKeyFile *kf, const char *group, const char *key)
{
  g_auto(GStrv) raw = g_key_file_get_string_list(kf, group, key, NULL, NULL);
  g_autoptr(GStrvBuilder) list = g_strv_builder_new();

  for (char **v = raw; v != NULL && *v != NULL; v++)
    if (*g_strstrip(*v) != '\0')
      g_strv_builder_add(list, *v);
  return g_strv_builder_end(list);
}

/* Every key "KIND.NAME.PROP" of the group names one of NAMES and one of
 * PROPS (NAME may contain dots: eth0.100). */
static gboolean check_keys(GKeyFile *kf, const char *group, const char *kind, const char *const *names,
                           const char *const *props, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
  g_autofree char *prefix = g_strconcat(kind, ".", NULL);

  for (char **k = keys; k != NULL && *k != NULL; k++) {
    if (!g_str_has_prefix(*k, prefix))
      continue;
    const char *dot = strrchr(*k, '.');
    g_autofree char *name = g_strndup(*k + strlen(prefix), (gsize)MAX(dot - *k - (gssize)strlen(prefix), 0));
    if (!g_strv_contains(names, name))
      return fail(error, "[%s] %s: %s is not one of its %s= entries", group, *k, name, kind);
    if (!g_strv_contains(props, dot + 1))
      return fail(error, "[%s] %s: unknown property %s", group, *k, dot + 1);
  }
  return TRUE;
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

static void add_address(MkUsage *u, const char *iface, int ifindex, const Prefix *addr, gboolean up)
{
  g_autofree char *text = prefix_text(addr);

  if (addr->family == AF_INET) {
    g_string_append_printf(u->ifaddrs, "%s %s\n", iface, text);
    if (up && addr->plen < 32) {
      Prefix net = network_of(addr);
      route4_line(u->route4, iface, &net, NULL, RTF_UP_, 0);
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
  g_string_append_printf(u->ifaddrs, "%s %s\n", iface, text);
  g_string_append_printf(u->inet6, "%s %02x %02x %02x %02x %8s\n", hex, (guint)ifindex, addr->plen,
                         link_local ? 0x20u : loopback ? 0x10u : 0u, 0x80u, iface);
  if (addr->plen < 128 && !link_local) {
    Prefix net = network_of(addr);
    route6_line(u->route6, iface, &net, NULL, RTF_UP_, IPV6_METRIC_KERNEL);
  }
  host.plen = 128;
  route6_line(u->route6_local, iface, &host, NULL, RTF_LOCAL_IPV6, 0);
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

static void add_route(MkUsage *u, const char *iface, const Route *route)
{
  const guint8 *gateway = route->has_gateway ? route->gateway : NULL;
  guint32 flags = RTF_UP_ | (route->has_gateway ? RTF_GATEWAY_ : 0);

  if (route->dest.family == AF_INET)
    route4_line(u->route4, iface, &route->dest, gateway, flags | (route->dest.plen == 32 ? RTF_HOST_ : 0),
                route->metric);
  else
    route6_line(u->route6, iface, &route->dest, gateway, flags,
                route->has_metric ? route->metric : IPV6_METRIC_USER);
}

/* ---- network interfaces ---------------------------------------------------- */

static const char *const net_props[] = {"up", "mac", "address", "route", "link-local", NULL};

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
      ok = check(mt_writef(rel, "%s\n", files[i].value), rel, error);
    g_free(files[i].value);
  }
  if (!ok)
    return FALSE;
  g_autofree char *device = g_strconcat(base, "/device", NULL);
  g_autofree char *subsystem = g_strconcat(base, "/subsystem", NULL);
  if (!g_str_has_prefix(dir, "/sys/devices/virtual") && !check(mt_link(device, dir), device, error))
    return FALSE;
  return check(mt_link(subsystem, "/sys/class/net"), subsystem, error) && check(mt_link(cls, base), cls, error);
}

static gboolean add_interface(MkUsage *u, GKeyFile *kf, const char *group, const char *dir, const char *name,
                              GError **error)
{
  int ifindex = u->next_ifindex++;
  g_autofree char *k_up = g_strdup_printf("net.%s.up", name);
  g_autofree char *k_mac = g_strdup_printf("net.%s.mac", name);
  g_autofree char *k_addr = g_strdup_printf("net.%s.address", name);
  g_autofree char *k_route = g_strdup_printf("net.%s.route", name);
  g_autofree char *k_ll = g_strdup_printf("net.%s.link-local", name);
  g_autofree char *def_mac = g_strdup_printf("52:54:00:12:34:%02x", (guint)ifindex & 0xff);
  g_autofree char *mac = key_str(kf, group, k_mac, def_mac);
  g_auto(GStrv) addresses = key_list(kf, group, k_addr);
  g_auto(GStrv) routes = key_list(kf, group, k_route);
  guint8 m[6];
  gboolean up = TRUE, link_local = TRUE;

  if (strlen(name) >= 16 || strchr(name, '/') != NULL || g_str_equal(name, ".") || g_str_equal(name, ".."))
    return fail(error, "[%s] net=%s: not an interface name", group, name);
  if (!g_hash_table_add(u->names, g_strdup(name)))
    return fail(error, "[%s] net=%s: declared twice", group, name);
  if (!key_bool(kf, group, k_up, TRUE, error, &up) || !key_bool(kf, group, k_ll, up, error, &link_local))
    return FALSE;
  if (sscanf(mac, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
    return fail(error, "[%s] %s: not a MAC address: %s", group, k_mac, mac);
  /* IFF_UP | IFF_BROADCAST | IFF_MULTICAST, as an Ethernet NIC has */
  if (!write_netdev(dir, name, ifindex, mac, up ? 0x1003 : 0x1002, up ? "up" : "down", up, 1, 1500, error))
    return FALSE;
  for (char **a = addresses; *a != NULL; a++) {
    Prefix addr;
    if (!parse_prefix(*a, &addr))
      return fail(error, "[%s] %s: not an address/prefix-length: %s", group, k_addr, *a);
    add_address(u, name, ifindex, &addr, up);
  }
  if (up && link_local) {
    /* EUI-64 from the MAC, the address the kernel gives an Ethernet NIC */
    Prefix ll = {AF_INET6, {0xfe, 0x80, [8] = m[0] ^ 0x02, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]}, 64};
    Prefix ll_net = {AF_INET6, {0xfe, 0x80}, 64};
    Prefix multicast = {AF_INET6, {0xff}, 8};
    add_address(u, name, ifindex, &ll, up);
    route6_line(u->route6, name, &ll_net, NULL, RTF_UP_, IPV6_METRIC_KERNEL);
    route6_line(u->route6_local, name, &multicast, NULL, RTF_UP_, IPV6_METRIC_KERNEL);
  }
  for (char **r = routes; *r != NULL; r++) {
    Route route;
    if (!parse_route(*r, &route))
      return fail(error, "[%s] %s: not \"DEST[/LEN] [via GATEWAY] [metric N]\": %s", group, k_route, *r);
    /* the kernel flushes the routes of an interface that goes down */
    if (up)
      add_route(u, name, &route);
  }
  return TRUE;
}

/* ---- block devices --------------------------------------------------------- */

static const char *const block_props[] = {"partitions", "holders", "mount", NULL};

/* A gendisk or partition at DIR/NAME (PARTITION > 0: its number). */
static gboolean add_block(MkUsage *u, const char *parent, const char *name, guint major, guint minor,
                          guint partition, const char *source, GError **error)
{
  g_autofree char *dir = g_strdup_printf("%s/%s", parent, name);
  g_autofree char *uevent = g_strdup_printf("MAJOR=%u\nMINOR=%u\nDEVNAME=%s\nDEVTYPE=%s\n", major, minor, name,
                                            partition > 0 ? "partition" : "disk");
  g_autofree char *f_dev = g_strconcat(dir, "/dev", NULL);
  g_autofree char *f_size = g_strconcat(dir, "/size", NULL);
  g_autofree char *f_uevent = g_strconcat(dir, "/uevent", NULL);
  g_autofree char *d_holders = g_strconcat(dir, "/holders", NULL);
  g_autofree char *subsystem = g_strconcat(dir, "/subsystem", NULL);
  g_autofree char *cls = g_strdup_printf("/sys/class/block/%s", name);

  if (g_hash_table_contains(u->blocks, name))
    return fail(error, "block device %s is declared twice", name);
  if (!check(mt_writef(f_dev, "%u:%u\n", major, minor), f_dev, error) ||
      !check(mt_write(f_size, partition > 0 ? "1048576\n" : "2097152\n"), f_size, error) ||
      !check(mt_write(f_uevent, uevent), f_uevent, error) || !check(mt_mkdir_p(d_holders), d_holders, error) ||
      !check(mt_link(subsystem, "/sys/class/block"), subsystem, error) || !check(mt_link(cls, dir), cls, error))
    return FALSE;
  if (partition > 0) {
    g_autofree char *f_part = g_strconcat(dir, "/partition", NULL);
    g_autofree char *f_start = g_strconcat(dir, "/start", NULL);
    if (!check(mt_writef(f_part, "%u\n", partition), f_part, error) ||
        !check(mt_writef(f_start, "%u\n", 2048 + (partition - 1) * 1048576), f_start, error))
      return FALSE;
  } else {
    g_autofree char *d_slaves = g_strconcat(dir, "/slaves", NULL);
    g_autofree char *sys_block = g_strdup_printf("/sys/block/%s", name);
    if (!check(mt_mkdir_p(d_slaves), d_slaves, error) || !check(mt_link(sys_block, dir), sys_block, error))
      return FALSE;
  }
  Block *block = g_new0(Block, 1);
  block->dir = g_steal_pointer(&dir);
  block->major = major;
  block->minor = minor;
  block->source = g_strdup(source);
  g_hash_table_insert(u->blocks, g_strdup(name), block);
  return TRUE;
}

/* nvme=CTRL: the controller and its namespace CTRLn1. */
static gboolean add_nvme(MkUsage *u, const char *dir, const char *ctrl, GError **error)
{
  g_autofree char *cdir = g_strdup_printf("%s/nvme/%s", dir, ctrl);
  g_autofree char *model = g_strconcat(cdir, "/model", NULL);
  g_autofree char *device = g_strconcat(cdir, "/device", NULL);
  g_autofree char *subsystem = g_strconcat(cdir, "/subsystem", NULL);
  g_autofree char *cls = g_strdup_printf("/sys/class/nvme/%s", ctrl);
  g_autofree char *ns = g_strconcat(ctrl, "n1", NULL);
  g_autofree char *source = g_strconcat("/dev/", ns, NULL);

  if (!check(mt_write(model, "Mock NVMe Disk\n"), model, error) || !check(mt_link(device, dir), device, error) ||
      !check(mt_link(subsystem, "/sys/class/nvme"), subsystem, error) || !check(mt_link(cls, cdir), cls, error))
    return FALSE;
  return add_block(u, cdir, ns, 259, u->next_nvme_minor++, 0, source, error);
}

/* block.DISK.partitions=N: DISKp1..DISKpN (DISK1.. when DISK ends in a letter). */
static gboolean add_partitions(MkUsage *u, const char *disk, guint count, GError **error)
{
  const Block *parent = g_hash_table_lookup(u->blocks, disk);
  gboolean digit = g_ascii_isdigit(disk[strlen(disk) - 1]);
  g_autofree char *parent_dir = g_strdup(parent->dir);
  guint major = parent->major;

  for (guint i = 1; i <= count; i++) {
    g_autofree char *name = g_strdup_printf("%s%s%u", disk, digit ? "p" : "", i);
    g_autofree char *source = g_strconcat("/dev/", name, NULL);
    guint minor = major == 259 ? u->next_nvme_minor++ : parent->minor + i;
    if (!add_block(u, parent_dir, name, major, minor, i, source, error))
      return FALSE;
  }
  return TRUE;
}

/* A virtual block device holding others: dm-N (253:N, dm/name), mdN (9:N),
 * anything else 252:K. */
static gboolean ensure_holder(MkUsage *u, const char *name, GError **error)
{
  guint64 n = 0;
  guint major = 252, minor;

  if (g_hash_table_contains(u->blocks, name))
    return TRUE;
  if (g_str_has_prefix(name, "dm-") && g_ascii_string_to_unsigned(name + 3, 10, 0, 1u << 20, &n, NULL))
    major = 253;
  else if (g_str_has_prefix(name, "md") && g_ascii_string_to_unsigned(name + 2, 10, 0, 1u << 20, &n, NULL))
    major = 9;
  minor = major == 252 ? u->next_other_minor++ : (guint)n;
  g_autofree char *dm_name = g_strdup_printf("vg%u-lv", minor);
  g_autofree char *source = major == 253 ? g_strconcat("/dev/mapper/", dm_name, NULL) : g_strconcat("/dev/", name, NULL);
  if (!add_block(u, "/sys/devices/virtual/block", name, major, minor, 0, source, error))
    return FALSE;
  if (major == 253) {
    g_autofree char *f_name = g_strdup_printf("/sys/devices/virtual/block/%s/dm/name", name);
    return check(mt_writef(f_name, "%s\n", dm_name), f_name, error);
  }
  return TRUE;
}

static gboolean add_holders(MkUsage *u, const char *group, const char *name, char **holders, GError **error)
{
  const Block *held = g_hash_table_lookup(u->blocks, name);

  if (held == NULL)
    return fail(error, "[%s] block.%s.holders: no block device %s", group, name, name);
  for (char **h = holders; *h != NULL; h++) {
    if (!ensure_holder(u, *h, error))
      return FALSE;
    const Block *holder = g_hash_table_lookup(u->blocks, *h);
    g_autofree char *link = g_strdup_printf("%s/holders/%s", held->dir, *h);
    g_autofree char *back = g_strdup_printf("%s/slaves/%s", holder->dir, name);
    if (!check(mt_link(link, holder->dir), link, error) || !check(mt_link(back, held->dir), back, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean add_mounts(MkUsage *u, const char *group, const char *name, char **points, GError **error)
{
  const Block *block = g_hash_table_lookup(u->blocks, name);

  if (block == NULL)
    return fail(error, "[%s] block.%s.mount: no block device %s", group, name, name);
  for (char **p = points; *p != NULL; p++) {
    int id = u->next_mount_id++;
    if (**p != '/' || strpbrk(*p, " \t\n\\") != NULL)
      return fail(error, "[%s] block.%s.mount: not an absolute path without blanks: %s", group, name, *p);
    g_string_append_printf(u->mountinfo, "%d 21 %u:%u / %s rw,relatime shared:%d - ext4 %s rw\n", id, block->major,
                           block->minor, *p, id, block->source);
    g_string_append_printf(u->mounts, "%s %s ext4 rw,relatime 0 0\n", block->source, *p);
  }
  return TRUE;
}

/* block.NAME.PROP keys of GROUP for PROP, in file order. */
static gboolean each_block_key(MkUsage *u, GKeyFile *kf, const char *group, const char *prop, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
  g_autofree char *suffix = g_strconcat(".", prop, NULL);

  for (char **k = keys; k != NULL && *k != NULL; k++) {
    if (!g_str_has_prefix(*k, "block.") || !g_str_has_suffix(*k, suffix))
      continue;
    g_autofree char *name = g_strndup(*k + 6, strlen(*k) - 6 - strlen(suffix));
    g_auto(GStrv) values = key_list(kf, group, *k);
    gboolean ok = TRUE;
    if (g_str_equal(prop, "partitions")) {
      guint64 count = 0;
      g_autofree char *text = key_str(kf, group, *k, "");
      if (!g_hash_table_contains(u->blocks, name))
        return fail(error, "[%s] %s: no block device %s below this device", group, *k, name);
      if (!g_ascii_string_to_unsigned(text, 10, 1, 64, &count, NULL))
        return fail(error, "[%s] %s: not a number from 1 to 64: %s", group, *k, text);
      ok = add_partitions(u, name, (guint)count, error);
    } else if (g_str_equal(prop, "holders")) {
      ok = add_holders(u, group, name, values, error);
    } else {
      ok = add_mounts(u, group, name, values, error);
    }
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

/* ---- framebuffers ---------------------------------------------------------- */

static const char *const fb_props[] = {"name", NULL};

/* fb=fbN: DRM's fbdev emulation registers the framebuffer below the GPU. */
static gboolean add_fb(MkUsage *u, GKeyFile *kf, const char *group, const char *dir, const char *name,
                       GError **error)
{
  g_autofree char *k_name = g_strdup_printf("fb.%s.name", name);
  g_autofree char *driver = key_str(kf, group, "driver", "");
  g_autofree char *def_name = g_strdup_printf("%sdrmfb", driver[0] != '\0' ? driver : "simple");
  g_autofree char *fb_name = key_str(kf, group, k_name, def_name);
  g_autofree char *base = g_strdup_printf("%s/graphics/%s", dir, name);
  g_autofree char *cls = g_strdup_printf("/sys/class/graphics/%s", name);
  guint64 minor = 0;

  if (!g_str_has_prefix(name, "fb") || !g_ascii_string_to_unsigned(name + 2, 10, 0, 31, &minor, NULL))
    return fail(error, "[%s] fb=%s: not fb0..fb31", group, name);
  if (!g_hash_table_add(u->names, g_strdup(name)))
    return fail(error, "[%s] fb=%s: declared twice", group, name);
  const struct {
    const char *file;
    char *value;
  } files[] = {
    {"dev", g_strdup_printf("29:%u", (guint)minor)},
    {"name", g_strdup(fb_name)},
    {"bits_per_pixel", g_strdup("32")},
    {"virtual_size", g_strdup("1920,1080")},
    {"uevent", g_strdup_printf("MAJOR=29\nMINOR=%u\nDEVNAME=%s", (guint)minor, name)},
  };
  gboolean ok = TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
    g_autofree char *rel = g_strdup_printf("%s/%s", base, files[i].file);
    ok = ok && check(mt_writef(rel, "%s\n", files[i].value), rel, error);
    g_free(files[i].value);
  }
  g_autofree char *device = g_strconcat(base, "/device", NULL);
  g_autofree char *subsystem = g_strconcat(base, "/subsystem", NULL);
  u->graphics = TRUE;
  return ok && check(mt_link(device, dir), device, error) &&
         check(mt_link(subsystem, "/sys/class/graphics"), subsystem, error) && check(mt_link(cls, base), cls, error);
}

/* ---- per device and host-wide ---------------------------------------------- */

gboolean mk_usage_device(MkUsage *u, GKeyFile *kf, const char *group, const char *dir, GError **error)
{
  g_auto(GStrv) nets = key_list(kf, group, "net");
  g_auto(GStrv) nvmes = key_list(kf, group, "nvme");
  g_auto(GStrv) fbs = key_list(kf, group, "fb");

  if (!check_keys(kf, group, "net", (const char *const *)nets, net_props, error) ||
      !check_keys(kf, group, "fb", (const char *const *)fbs, fb_props, error))
    return FALSE;
  for (char **n = nets; *n != NULL; n++)
    if (!add_interface(u, kf, group, dir, *n, error))
      return FALSE;
  for (char **n = nvmes; *n != NULL; n++)
    if (!add_nvme(u, dir, *n, error))
      return FALSE;
  /* block names are checked as they are used: holders and partitions
   * declared here create the names the later keys refer to */
  g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
  for (char **k = keys; k != NULL && *k != NULL; k++) {
    const char *dot = strrchr(*k, '.');
    if (g_str_has_prefix(*k, "block.") && (dot - *k <= 6 || !g_strv_contains(block_props, dot + 1)))
      return fail(error, "[%s] %s: not block.NAME.{partitions,holders,mount}", group, *k);
  }
  if (!each_block_key(u, kf, group, "partitions", error) || !each_block_key(u, kf, group, "holders", error) ||
      !each_block_key(u, kf, group, "mount", error))
    return FALSE;
  for (char **f = fbs; *f != NULL; f++)
    if (!add_fb(u, kf, group, dir, *f, error))
      return FALSE;
  return TRUE;
}

static gboolean write_loopback(MkUsage *u, GError **error)
{
  Prefix v6;
  Prefix unreachable = {AF_INET6, {0}, 0};

  if (!write_netdev("/sys/devices/virtual", "lo", 1, "00:00:00:00:00:00", 0x9, "unknown", TRUE, 772, 65536,
                    error))
    return FALSE;
  parse_prefix("::1/128", &v6);
  /* lo's IPv4 routes are in the local table, which /proc/net/route omits */
  g_string_prepend(u->ifaddrs, "lo 127.0.0.1/8\n");
  add_address(u, "lo", 1, &v6, TRUE);
  /* the unreachable default the kernel keeps in the main table */
  route6_line(u->route6_local, "lo", &unreachable, NULL, 0x00200200, 0xffffffff);
  return TRUE;
}

static const char route4_header[] = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

gboolean mk_usage_finish(MkUsage *u, GError **error)
{
  g_autofree char *route4 = NULL;
  g_autofree char *route6 = NULL;

  if (!write_loopback(u, error))
    return FALSE;
  if (u->graphics) {
    /* the console's own class device: no "device" link */
    if (!check(mt_write("/sys/devices/virtual/graphics/fbcon/rotate", "0\n"), "fbcon", error) ||
        !check(mt_link("/sys/class/graphics/fbcon", "/sys/devices/virtual/graphics/fbcon"), "fbcon", error))
      return FALSE;
  }
  route4 = g_strdup_printf("%-127s\n%s", route4_header, u->route4->str);
  route6 = g_strconcat(u->route6->str, u->route6_local->str, NULL);
  return check(mt_write("/.mock/ifaddrs", u->ifaddrs->str), ".mock/ifaddrs", error) &&
         check(mt_write("/proc/net/route", route4), "/proc/net/route", error) &&
         check(mt_write("/proc/net/ipv6_route", route6), "/proc/net/ipv6_route", error) &&
         check(mt_write("/proc/net/if_inet6", u->inet6->str), "/proc/net/if_inet6", error) &&
         check(mt_append("/proc/self/mountinfo", u->mountinfo->str), "mountinfo", error) &&
         check(mt_append("/proc/mounts", u->mounts->str), "/proc/mounts", error);
}
