// SPDX-License-Identifier: LGPL-2.1-or-later
/* Storage the host reaches through a NIC: taking the NIC takes the storage.
 *  - An NFS root filesystem (the mount on / of type nfs or nfs4): the NIC
 *    carries it when one of its interfaces (or one stacked on them) is the
 *    device of the kernel's ip= parameter, has the mount's clientaddr=, or
 *    is the interface the host routes the server (addr=) through. It is the
 *    root filesystem: --force does not take it, as the deny list keeps a
 *    local root's disk controller.
 *  - NVMe over TCP or RDMA: a controller (/sys/class/nvme/nvmeX with
 *    transport tcp or rdma) whose address names host_iface= one of the
 *    interfaces, a src_addr= on one, or a traddr= routed through one; its
 *    namespaces are walked like a local disk's (mounts, swap, holders,
 *    openers), each chain starting from the interface.
 *  - iSCSI: a session (/sys/class/iscsi_session/sessionN, below its SCSI
 *    host hostH) whose host's netdev is one of the interfaces, or whose
 *    connection's local_ipaddr (offload) or host's ipaddress (iscsi_tcp:
 *    the socket's local address) is on one, or whose target address is
 *    routed through one; its disks (the block devices below the session)
 *    are walked like a local disk's.
 * A root filesystem on an NVMe-over-fabrics namespace or an iSCSI disk (or
 * stacked on one) makes its carrier as untouchable as an NFS root's: the
 * deny list protects a local root's controller, and --force does not take
 * this one either.
 * The route is the kernel's choice as far as sysfs and /proc/net show it: an
 * interface whose addresses' subnets or routes hold the server, else the one
 * with the default route. */
#include "hostdev/shared/deny-list.h"
#include "hostdev/shared/host-use-block.h"
#include "hostdev/shared/host-use-checks.h"

#include <gio/gio.h>
#include <stdlib.h>

#include "util/kernel-cmdline.h"
#include "util/mounts.h"
#include "util/netif.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

#define ARROW " \xe2\x86\x92 "

/* The value of KEY in a "key=value,key=value" list, or NULL. */
static char *option_value(const char *options, const char *key)
{
  g_auto(GStrv) items = g_strsplit(options != NULL ? options : "", ",", -1);
  gsize len = strlen(key);

  for (guint i = 0; items[i] != NULL; i++)
    if (strncmp(items[i], key, len) == 0 && items[i][len] == '=')
      return g_strdup(items[i] + len + 1);
  return NULL;
}

/* TRUE when the subnet TEXT ("192.0.2.10/24", "198.51.100.0/24 metric 100")
 * holds ADDRESS. */
static gboolean subnet_holds(const char *text, GInetAddress *address)
{
  g_autofree char *subnet = g_strndup(text, strcspn(text, " "));
  g_autoptr(GInetAddressMask) mask = strchr(subnet, '/') != NULL
                                       ? g_inet_address_mask_new_from_string(subnet, NULL)
                                       : NULL;

  return mask != NULL && g_inet_address_mask_matches(mask, address);
}

/* TRUE when IFACE is up and one of its addresses' subnets or of its routes
 * but the default holds SERVER: the host reaches it there directly. */
static gboolean reaches_directly(const char *iface, GInetAddress *server)
{
  g_autoptr(GPtrArray) addresses = hd_netif_is_up(iface) ? hd_netif_addresses(iface) : NULL;
  g_autoptr(GPtrArray) routes = addresses != NULL ? hd_netif_routes(iface) : NULL;

  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    if (subnet_holds(g_ptr_array_index(addresses, i), server))
      return TRUE;
  for (guint i = 0; routes != NULL && i < routes->len; i++)
    if (subnet_holds(g_ptr_array_index(routes, i), server))
      return TRUE;
  return FALSE;
}

static gboolean has_default_route(const char *iface)
{
  g_autoptr(GPtrArray) routes = hd_netif_is_up(iface) ? hd_netif_routes(iface) : NULL;

  for (guint i = 0; routes != NULL && i < routes->len; i++)
    if (g_str_has_prefix(g_ptr_array_index(routes, i), "default"))
      return TRUE;
  return FALSE;
}

/* TRUE when the host sends to SERVER (an address, text) through IFACE: IFACE
 * reaches it directly, or no interface does and IFACE has the default
 * route. */
static gboolean routes_through(const char *iface, const char *server)
{
  g_autoptr(GInetAddress) address = server != NULL ? g_inet_address_new_from_string(server) : NULL;
  g_autofree char *class_dir = hd_path_class("net", NULL, NULL);
  g_autoptr(GPtrArray) host_ifaces = NULL;

  if (address == NULL)
    return FALSE;
  if (reaches_directly(iface, address))
    return TRUE;
  host_ifaces = hd_sysfs_list_dir(class_dir, NULL);
  for (guint i = 0; host_ifaces != NULL && i < host_ifaces->len; i++)
    if (reaches_directly(g_ptr_array_index(host_ifaces, i), address))
      return FALSE;
  return has_default_route(iface);
}

/* TRUE when ADDRESS (no prefix length) is one of IFACE's. */
static gboolean has_address(const char *iface, const char *address)
{
  g_autoptr(GPtrArray) addresses = address != NULL ? hd_netif_addresses(iface) : NULL;

  for (guint i = 0; addresses != NULL && i < addresses->len; i++) {
    const char *text = g_ptr_array_index(addresses, i);
    if (strncmp(text, address, strcspn(text, "/")) == 0 && address[strcspn(text, "/")] == '\0')
      return TRUE;
  }
  return FALSE;
}

/* The chain of the first interface of CHAINS that is DEVICE_NAME, has
 * LOCAL, or routes to SERVER; NULL when none (any of the three may be
 * NULL). */
static const char *carrier(GHashTable *chains, const char *device_name, const char *local, const char *server)
{
  GHashTableIter iter;
  gpointer iface, chain;

  g_hash_table_iter_init(&iter, chains);
  while (g_hash_table_iter_next(&iter, &iface, &chain))
    if (g_strcmp0(iface, device_name) == 0 || has_address(iface, local))
      return chain;
  g_hash_table_iter_init(&iter, chains);
  while (g_hash_table_iter_next(&iter, &iface, &chain))
    if (routes_through(iface, server))
      return chain;
  return NULL;
}

/* The device field of the kernel's ip= parameter
 * (client:server:gateway:netmask:hostname:device:...), or NULL. */
static char *ip_param_device(void)
{
  g_autoptr(HdCmdline) cmdline = hd_cmdline_read(NULL);

  for (guint i = 0; cmdline != NULL && i < hd_cmdline_n_params(cmdline); i++) {
    const char *value = hd_cmdline_value(cmdline, i);
    if (!g_str_equal(hd_cmdline_name(cmdline, i), "ip") || value == NULL)
      continue;
    g_auto(GStrv) fields = g_strsplit(value, ":", -1);
    if (g_strv_length(fields) > 5 && fields[5][0] != '\0')
      return g_strdup(fields[5]);
  }
  return NULL;
}

static void check_nfs_root(GHashTable *chains, GPtrArray *users)
{
  g_autoptr(GPtrArray) mounts = hd_mounts_list(NULL);
  const HdMount *root = NULL;

  for (guint i = 0; mounts != NULL && i < mounts->len; i++) {
    const HdMount *mount = g_ptr_array_index(mounts, i);
    if (g_str_equal(mount->target, "/"))
      root = mount; /* the last one: a mount over / hides the ones before */
  }
  if (root == NULL || root->fstype == NULL || !g_str_has_prefix(root->fstype, "nfs"))
    return;
  g_autofree char *server = option_value(root->options, "addr");
  g_autofree char *local = option_value(root->options, "clientaddr");
  g_autofree char *ip_device = ip_param_device();
  if (server == NULL && root->source != NULL && strrchr(root->source, ':') != NULL)
    server = g_strndup(root->source, strrchr(root->source, ':') - root->source);
  const char *chain = carrier(chains, ip_device, local, server);
  if (chain != NULL)
    hd_host_user_add(users, HD_HOST_USE_NETWORK, FALSE, "%s carries the root filesystem (%s %s)", chain,
                     root->fstype, root->source);
}

/* The root filesystem rests on one of BLOCKS, reached through CARRIER (the
 * chain from the NIC's interface to the controller or session). *ROOT is
 * the root's block devices, read on first need and kept for the other
 * controllers and sessions of the same check. */
static void check_root_on(const GPtrArray *blocks, const char *carrier_chain, GHashTable **root, GPtrArray *users)
{
  if (*root == NULL)
    *root = hd_root_blocks();
  for (guint i = 0; i < blocks->len; i++) {
    const char *block = g_ptr_array_index(blocks, i);
    if (g_hash_table_contains(*root, block)) {
      hd_host_user_add(users, HD_HOST_USE_NETWORK, FALSE, "%s carries the root filesystem (%s)", carrier_chain,
                       block);
      return;
    }
  }
}

/* The block devices of NVMe controller CTRL: its entries that are block
 * devices (namespaces nvmeXnY, or path devices nvmeScXnY). */
static GPtrArray *controller_blocks(const char *ctrl)
{
  g_autofree char *dir = hd_path_class("nvme", ctrl, NULL);
  g_autoptr(GPtrArray) entries = hd_sysfs_list_dir(dir, NULL);
  GPtrArray *blocks = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; entries != NULL && i < entries->len; i++) {
    const char *entry = g_ptr_array_index(entries, i);
    g_autofree char *block = hd_path_class("block", entry, NULL);
    if (g_str_has_prefix(entry, "nvme") && hd_sysfs_exists(block))
      g_ptr_array_add(blocks, g_strdup(entry));
  }
  return blocks;
}

static void check_nvme_fabrics(HdManager *manager, GHashTable *chains, GHashTable **root, GPtrArray *users)
{
  g_autofree char *dir = hd_path_class("nvme", NULL, NULL);
  g_autoptr(GPtrArray) controllers = hd_sysfs_list_dir(dir, NULL);
  HdBlockWalk walk;
  gboolean walking = FALSE;

  for (guint i = 0; controllers != NULL && i < controllers->len; i++) {
    const char *ctrl = g_ptr_array_index(controllers, i);
    g_autofree char *transport_path = hd_path_class("nvme", ctrl, "transport");
    g_autofree char *transport = hd_sysfs_read_optional(transport_path, NULL);
    g_autofree char *address_path = hd_path_class("nvme", ctrl, "address");
    g_autofree char *address = hd_sysfs_read_optional(address_path, NULL);
    if (g_strcmp0(transport, "tcp") != 0 && g_strcmp0(transport, "rdma") != 0)
      continue;
    g_autofree char *traddr = option_value(address, "traddr");
    g_autofree char *trsvcid = option_value(address, "trsvcid");
    g_autofree char *src_addr = option_value(address, "src_addr");
    g_autofree char *host_iface = option_value(address, "host_iface");
    const char *chain = carrier(chains, host_iface, src_addr, traddr);
    g_autoptr(GPtrArray) blocks = chain != NULL ? controller_blocks(ctrl) : NULL;
    if (blocks == NULL || blocks->len == 0)
      continue;
    if (!walking && !(walking = hd_block_walk_init(&walk, manager, users)))
      return;
    g_autofree char *prefix = g_strdup_printf("%s" ARROW "%s (nvme-%s %s%s%s)", chain, ctrl, transport,
                                              traddr != NULL ? traddr : "?", trsvcid != NULL ? ":" : "",
                                              trsvcid != NULL ? trsvcid : "");
    hd_nvme_walk(&walk, blocks, prefix, users);
    check_root_on(blocks, prefix, root, users);
  }
  if (walking)
    hd_block_walk_clear(&walk);
}

/* The first component of sysfs path PATH, resolved, that starts with
 * PREFIX followed by a digit ("host2" for "host"), or NULL. */
static char *path_component(const char *path, const char *prefix)
{
  g_autofree char *resolved = realpath(path, NULL);
  g_auto(GStrv) parts = g_strsplit(resolved != NULL ? resolved : "", "/", -1);
  gsize len = strlen(prefix);

  for (char **p = parts; *p != NULL; p++)
    if (g_str_has_prefix(*p, prefix) && g_ascii_isdigit((*p)[len]))
      return g_strdup(*p);
  return NULL;
}

/* The disks below iSCSI session SESSION (sessionN): block devices, not
 * partitions, whose sysfs path passes through it. */
static GPtrArray *session_disks(const char *session)
{
  g_autofree char *dir = hd_path_class("block", NULL, NULL);
  g_autoptr(GPtrArray) names = hd_sysfs_list_dir(dir, NULL);
  GPtrArray *disks = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; names != NULL && i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    g_autofree char *path = hd_path_class("block", name, NULL);
    g_autofree char *partition = hd_path_class("block", name, "partition");
    g_autofree char *through = path_component(path, "session");
    if (g_strcmp0(through, session) == 0 && !hd_sysfs_exists(partition))
      g_ptr_array_add(disks, g_strdup(name));
  }
  return disks;
}

/* An attribute of class CLS entry NAME, NULL when absent or empty. */
static char *read_attr(const char *cls, const char *name, const char *attr)
{
  g_autofree char *path = name != NULL ? hd_path_class(cls, name, attr) : NULL;
  g_autofree char *value = path != NULL ? hd_sysfs_read_optional(path, NULL) : NULL;

  return value != NULL && *value != '\0' && !g_str_equal(value, "<NULL>") ? g_steal_pointer(&value) : NULL;
}

static void check_iscsi(HdManager *manager, GHashTable *chains, GHashTable **root, GPtrArray *users)
{
  g_autofree char *dir = hd_path_class("iscsi_session", NULL, NULL);
  g_autoptr(GPtrArray) sessions = hd_sysfs_list_dir(dir, NULL);
  HdBlockWalk walk;
  gboolean walking = FALSE;

  for (guint i = 0; sessions != NULL && i < sessions->len; i++) {
    const char *session = g_ptr_array_index(sessions, i);
    g_autofree char *session_path = hd_path_class("iscsi_session", session, NULL);
    g_autofree char *host = path_component(session_path, "host");
    g_autofree char *connection = g_strdup_printf("connection%s:0", session + strlen("session"));
    g_autofree char *netdev = read_attr("iscsi_host", host, "netdev");
    g_autofree char *local = read_attr("iscsi_connection", connection, "local_ipaddr");
    g_autofree char *host_address = read_attr("iscsi_host", host, "ipaddress");
    g_autofree char *target = read_attr("iscsi_connection", connection, "address");
    g_autofree char *port = read_attr("iscsi_connection", connection, "port");
    g_autofree char *name = read_attr("iscsi_session", session, "targetname");
    const char *chain = carrier(chains, netdev, local != NULL ? local : host_address, target);
    g_autoptr(GPtrArray) disks = chain != NULL ? session_disks(session) : NULL;
    if (disks == NULL || disks->len == 0)
      continue;
    if (!walking && !(walking = hd_block_walk_init(&walk, manager, users)))
      return;
    g_autofree char *prefix = g_strdup_printf("%s" ARROW "%s (iscsi %s:%s %s)", chain, session,
                                              target != NULL ? target : "?", port != NULL ? port : "3260",
                                              name != NULL ? name : "?");
    hd_nvme_walk(&walk, disks, prefix, users);
    check_root_on(disks, prefix, root, users);
  }
  if (walking)
    hd_block_walk_clear(&walk);
}

void hd_host_use_network_storage(HdManager *manager, const HdDevice *device, GPtrArray *users)
{
  g_autoptr(GHashTable) chains = hd_host_use_net_chains(device);
  g_autoptr(GHashTable) root = NULL;

  if (g_hash_table_size(chains) == 0)
    return;
  check_nfs_root(chains, users);
  check_nvme_fabrics(manager, chains, &root, users);
  check_iscsi(manager, chains, &root, users);
}
