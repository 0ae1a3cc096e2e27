// SPDX-License-Identifier: LGPL-2.1-or-later
/* Does the host use a device's network interfaces? Unbinding a NIC takes
 * its interfaces away, and with them every interface stacked on them:
 * bridge, bond and team masters (`master`), VLAN, macvlan and ipvlan
 * (`upper_<if>`), vxlan and other tunnels bound to it (`iflink`). Such an
 * interface is in use when it is up with an address (other than IPv6
 * link-local) or a route, when it is a port of Open vSwitch (the host's
 * address sits on an internal port that is no upper link of it, so the
 * membership counts by itself), when it is a bridge that is up and
 * forwards for another port that is up (a guest's tap, another NIC: the
 * host switches their traffic even without an address of its own), or when
 * netconsole sends the kernel's log through it. A bare stack is no use. */
#include "hostdev/shared/host-use-checks.h"

#include "util/host-paths.h"
#include "util/kernel-cmdline.h"
#include "util/netif.h"
#include "util/string-list.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

/* Stacks are a few levels deep (port → bond → VLAN → bridge); the bound
 * only guards against a loop in a sysfs that changes under us. */
#define MAX_STACK_DEPTH 8
/* Routes named for an interface without addresses; the rest are counted. */
#define MAX_ROUTES_NAMED 3

typedef struct {
  GHashTable *netconsole;   /* interface names netconsole sends through */
  GPtrArray *host_ifaces;   /* every interface of the host, for iflink */
  GPtrArray *uses_default;  /* chains with a default route (strings) */
  GPtrArray *uses_other;    /* the others */
  GPtrArray *chain;         /* interface names from the device's up (borrowed) */
  GHashTable *seen;         /* interfaces visited */
  GHashTable *chains;       /* hd_host_use_net_chains(): interface -> chain, instead of uses */
} Walk;

/* ---- netconsole -------------------------------------------------------------- */

/* The <dev> of each target of a netconsole= value,
 * "[+][r][src-port]@[src-ip]/[<dev>],[tgt-port]@<tgt-ip>/[tgt-mac]", targets
 * separated by ';'; the kernel's default when <dev> is empty is eth0. */
static void add_cmdline_targets(GHashTable *names, const char *value)
{
  g_auto(GStrv) targets = g_strsplit(value, ";", -1);

  for (guint i = 0; targets[i] != NULL; i++) {
    const char *slash = strchr(targets[i], '/');
    const char *comma = slash != NULL ? strchr(slash, ',') : NULL;
    if (comma == NULL)
      continue;
    g_hash_table_add(names, comma == slash + 1 ? g_strdup("eth0") : g_strndup(slash + 1, comma - slash - 1));
  }
}

/* Interfaces netconsole uses: the enabled dynamic targets in configfs and,
 * when netconsole is in the kernel, the targets of the command line
 * (netconsole= when built in, netconsole.netconsole= for the module). */
static GHashTable *netconsole_interfaces(void)
{
  GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *dir = hd_path_netconsole(NULL, NULL);
  g_autoptr(GPtrArray) targets = hd_sysfs_list_dir(dir, NULL);
  g_autofree char *module = hd_path_module("netconsole", NULL);

  for (guint i = 0; targets != NULL && i < targets->len; i++) {
    const char *target = g_ptr_array_index(targets, i);
    g_autofree char *enabled_path = hd_path_netconsole(target, "enabled");
    g_autofree char *dev_path = hd_path_netconsole(target, "dev_name");
    g_autofree char *enabled = hd_sysfs_read_optional(enabled_path, NULL);
    char *dev_name = hd_sysfs_read_optional(dev_path, NULL);
    if (g_strcmp0(enabled, "1") == 0 && dev_name != NULL && *dev_name != '\0')
      g_hash_table_add(names, dev_name);
    else
      g_free(dev_name);
  }
  if (!hd_sysfs_exists(module))
    return names;
  g_autoptr(HdCmdline) cmdline = hd_cmdline_read(NULL);
  for (guint i = 0; cmdline != NULL && i < hd_cmdline_n_params(cmdline); i++) {
    const char *name = hd_cmdline_name(cmdline, i), *value = hd_cmdline_value(cmdline, i);
    if (value != NULL && (g_str_equal(name, "netconsole") || g_str_equal(name, "netconsole.netconsole")))
      add_cmdline_targets(names, value);
  }
  return names;
}

/* ---- one interface ---------------------------------------------------------- */

/* What the interface carries when it is up: its default routes first, then
 * its addresses, then (only when it has no address, whose prefix routes
 * they would repeat) its other routes. NULL when it is down or bare. */
static char *carried_text(const char *iface, gboolean *has_default)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new();
  g_autoptr(GPtrArray) addresses = NULL;
  g_autoptr(GPtrArray) routes = NULL;
  guint other_routes = 0;

  *has_default = FALSE;
  if (!hd_netif_is_up(iface))
    return NULL;
  addresses = hd_netif_addresses(iface);
  routes = hd_netif_routes(iface);
  for (guint i = 0; i < routes->len; i++)
    if (g_str_has_prefix(g_ptr_array_index(routes, i), "default")) {
      g_ptr_array_add(parts, g_ptr_array_index(routes, i));
      *has_default = TRUE;
    }
  for (guint i = 0; i < addresses->len; i++)
    g_ptr_array_add(parts, g_ptr_array_index(addresses, i));
  for (guint i = 0; addresses->len == 0 && i < routes->len; i++) {
    const char *route = g_ptr_array_index(routes, i);
    if (g_str_has_prefix(route, "default"))
      continue;
    if (other_routes++ < MAX_ROUTES_NAMED)
      g_ptr_array_add(parts, (char *)route);
  }
  if (parts->len == 0)
    return NULL;
  g_ptr_array_add(parts, NULL);
  g_autofree char *list = g_strjoinv(", ", (char **)parts->pdata);
  if (other_routes > MAX_ROUTES_NAMED)
    return g_strdup_printf("%s and %u more routes", list, other_routes - MAX_ROUTES_NAMED);
  return g_steal_pointer(&list);
}

static char *chain_text(const GPtrArray *chain)
{
  g_autoptr(GString) text = g_string_new(NULL);

  for (guint i = 0; i < chain->len; i++)
    g_string_append_printf(text, "%s%s", i > 0 ? " → " : "", (const char *)g_ptr_array_index(chain, i));
  return g_string_free(g_steal_pointer(&text), FALSE);
}

static char *master_of(const char *iface)
{
  g_autofree char *path = hd_path_class("net", iface, "master");

  return hd_sysfs_link_basename(path, NULL);
}

static gboolean read_ifindex(const char *iface, const char *attr, gint64 *out)
{
  g_autofree char *path = hd_path_class("net", iface, attr);

  return hd_sysfs_read_int(path, out, NULL);
}

/* The interfaces stacked directly on IFACE: its master, its upper_<if>
 * links, and the interfaces whose iflink is IFACE (tunnels such as vxlan
 * bound to it, which have no upper link). */
static GPtrArray *uppers_of(const Walk *walk, const char *iface)
{
  g_autofree char *dir = hd_path_class("net", iface, NULL);
  g_autoptr(GPtrArray) entries = hd_sysfs_list_dir(dir, NULL);
  GPtrArray *uppers = g_ptr_array_new_with_free_func(g_free);
  char *master = master_of(iface);
  gint64 ifindex = 0;

  if (master != NULL)
    g_ptr_array_add(uppers, master);
  for (guint i = 0; entries != NULL && i < entries->len; i++) {
    const char *entry = g_ptr_array_index(entries, i);
    if (g_str_has_prefix(entry, "upper_") && g_strcmp0(entry + 6, master) != 0)
      g_ptr_array_add(uppers, g_strdup(entry + 6));
  }
  if (!read_ifindex(iface, "ifindex", &ifindex))
    return uppers;
  for (guint i = 0; i < walk->host_ifaces->len; i++) {
    const char *other = g_ptr_array_index(walk->host_ifaces, i);
    gint64 iflink = 0;
    if (!g_str_equal(other, iface) && read_ifindex(other, "iflink", &iflink) && iflink == ifindex &&
        !g_ptr_array_find_with_equal_func(uppers, other, g_str_equal, NULL))
      g_ptr_array_add(uppers, g_strdup(other));
  }
  return uppers;
}

/* The ports of bridge IFACE that are up, other than the interfaces of the
 * walk (the device's own and those stacked on them, which go with it),
 * joined; NULL when none or IFACE is no bridge. */
static char *forwarded_ports(const Walk *walk, const char *iface)
{
  g_autofree char *dir = hd_path_class("net", iface, "brif");
  g_autoptr(GPtrArray) ports = hd_sysfs_list_dir(dir, NULL);
  g_autoptr(GPtrArray) others = g_ptr_array_new();

  for (guint i = 0; ports != NULL && i < ports->len; i++) {
    const char *port = g_ptr_array_index(ports, i);
    if (!g_hash_table_contains(walk->seen, port) && hd_netif_is_up(port))
      g_ptr_array_add(others, (char *)port);
  }
  return others->len > 0 ? hd_string_list_join(others, ", ") : NULL;
}

/* The uses of the last interface of the walk's chain. */
static void note_uses(Walk *walk, const char *iface, const char *master)
{
  g_autofree char *chain = chain_text(walk->chain);
  gboolean has_default = FALSE;
  g_autofree char *carried = carried_text(iface, &has_default);

  g_autofree char *forwarded = carried == NULL && hd_netif_is_up(iface) ? forwarded_ports(walk, iface) : NULL;

  if (carried != NULL)
    g_ptr_array_add(has_default ? walk->uses_default : walk->uses_other,
                    g_strdup_printf("network interface %s (%s)", chain, carried));
  if (forwarded != NULL)
    g_ptr_array_add(walk->uses_other,
                    g_strdup_printf("network interface %s (a bridge forwarding for %s)", chain, forwarded));
  if (g_strcmp0(master, "ovs-system") == 0)
    g_ptr_array_add(walk->uses_other, g_strdup_printf("network interface %s → ovs-system (an Open vSwitch port: "
                                                      "the host's addresses sit on the switch's internal ports)",
                                                      chain));
  if (g_hash_table_contains(walk->netconsole, iface))
    g_ptr_array_add(walk->uses_other, g_strdup_printf("network interface %s carries netconsole (the kernel's log)",
                                                      chain));
}

static void add_users(GPtrArray *users, GPtrArray *chains)
{
  for (guint i = 0; i < chains->len; i++)
    hd_host_user_add(users, HD_HOST_USE_NETWORK, TRUE, "%s", (const char *)g_ptr_array_index(chains, i));
  g_ptr_array_unref(chains);
}

static void visit(Walk *walk, const char *iface)
{
  g_autofree char *master = master_of(iface);

  g_ptr_array_add(walk->chain, (char *)iface);
  if (walk->chains != NULL)
    g_hash_table_insert(walk->chains, g_strdup(iface), chain_text(walk->chain));
  else
    note_uses(walk, iface, master);
  if (walk->chain->len < MAX_STACK_DEPTH) {
    g_autoptr(GPtrArray) uppers = uppers_of(walk, iface);
    for (guint i = 0; i < uppers->len; i++) {
      const char *upper = g_ptr_array_index(uppers, i);
      /* ovs-system is the datapath's stand-in, never where addresses are */
      if (g_str_equal(upper, "ovs-system") || !g_hash_table_add(walk->seen, g_strdup(upper)))
        continue;
      visit(walk, upper);
    }
  }
  g_ptr_array_remove_index(walk->chain, walk->chain->len - 1);
}

/* Walks every interface of DEVICE and those stacked on them; CHAINS (or
 * NULL) as in Walk. FALSE when the device has no interface. */
static gboolean walk_device(const HdDevice *device, GHashTable *chains, GPtrArray *users)
{
  g_autofree char *net_dir = device->syspath != NULL ? g_build_filename(device->syspath, "net", NULL) : NULL;
  g_autoptr(GPtrArray) ifaces = net_dir != NULL ? hd_sysfs_list_dir(net_dir, NULL) : NULL;
  g_autofree char *class_dir = hd_path_class("net", NULL, NULL);

  if (ifaces == NULL || ifaces->len == 0)
    return FALSE;
  Walk walk = {
    .netconsole = chains == NULL ? netconsole_interfaces() : NULL,
    .host_ifaces = hd_sysfs_list_dir(class_dir, NULL),
    .uses_default = g_ptr_array_new_with_free_func(g_free),
    .uses_other = g_ptr_array_new_with_free_func(g_free),
    .chain = g_ptr_array_new(),
    .seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    .chains = chains,
  };
  if (walk.host_ifaces == NULL)
    walk.host_ifaces = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < ifaces->len; i++)
    if (g_hash_table_add(walk.seen, g_strdup(g_ptr_array_index(ifaces, i))))
      visit(&walk, g_ptr_array_index(ifaces, i));
  add_users(users, walk.uses_default);
  add_users(users, walk.uses_other);
  g_clear_pointer(&walk.netconsole, g_hash_table_unref);
  g_ptr_array_unref(walk.host_ifaces);
  g_ptr_array_unref(walk.chain);
  g_hash_table_unref(walk.seen);
  return TRUE;
}

void hd_host_use_network(HdManager *manager G_GNUC_UNUSED, const HdDevice *device, GPtrArray *users)
{
  walk_device(device, NULL, users);
}

GHashTable *hd_host_use_net_chains(const HdDevice *device)
{
  GHashTable *chains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) none = g_ptr_array_new();

  walk_device(device, chains, none);
  return chains;
}
