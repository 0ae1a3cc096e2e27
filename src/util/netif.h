/* Network interfaces: whether one is up and whether the host uses it
 * (addresses, routes). Names are kernel interface names ("enp1s0"). */
#pragma once

#include <glib.h>

/* IFF_UP in /sys/class/net/<name>/flags. */
gboolean hd_netif_is_up(const char *name);

/* The interface's IPv4 and IPv6 addresses as text (getifaddrs(3)). */
GPtrArray *hd_netif_addresses(const char *name);

/* Number of IPv4 and IPv6 routes through the interface (/proc/net/route,
 * /proc/net/ipv6_route). */
guint hd_netif_count_routes(const char *name);
