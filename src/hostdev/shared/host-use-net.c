// SPDX-License-Identifier: LGPL-2.1-or-later
/* Network: an interface below the device that is up and has an address
 * (other than IPv6 link-local) or a route: the NIC may carry the admin's
 * ssh session. */
#include "hostdev/shared/host-use-checks.h"

#include "util/netif.h"

void hd_host_use_network(HdManager *manager G_GNUC_UNUSED, const HdDevice *device, GPtrArray *users)
{
  g_autoptr(GPtrArray) ifaces = hd_host_use_class_entries(device, "net", FALSE);

  for (guint i = 0; i < ifaces->len; i++) {
    const char *iface = g_ptr_array_index(ifaces, i);
    if (!hd_netif_is_up(iface))
      continue;
    g_autoptr(GPtrArray) addresses = hd_netif_addresses(iface);
    g_autoptr(GPtrArray) routes = hd_netif_routes(iface);
    if (addresses->len > 0)
      hd_host_user_add(users, HD_HOST_USE_NETWORK, TRUE, "network interface %s is up with address %s", iface,
                       (const char *)g_ptr_array_index(addresses, 0));
    else if (routes->len == 1)
      hd_host_user_add(users, HD_HOST_USE_NETWORK, TRUE, "network interface %s is up with route %s", iface,
                       (const char *)g_ptr_array_index(routes, 0));
    else if (routes->len > 1)
      hd_host_user_add(users, HD_HOST_USE_NETWORK, TRUE, "network interface %s is up with %u routes (%s, ...)", iface,
                       routes->len, (const char *)g_ptr_array_index(routes, 0));
  }
}
