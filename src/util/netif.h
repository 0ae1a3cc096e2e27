/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network interfaces: whether one is up and whether the host uses it
 * (addresses, routes). Names are kernel interface names ("enp1s0"). */
#pragma once

#include <glib.h>

/* IFF_UP in /sys/class/net/<name>/flags. */
gboolean hd_netif_is_up(const char *name);

/* The interface's IPv4 and IPv6 addresses but IPv6 link-local ones, as
 * text with their prefix length ("192.0.2.10/24"; getifaddrs(3)). */
GPtrArray *hd_netif_addresses(const char *name);

/* The IPv4 and IPv6 routes through the interface (/proc/net/route,
 * /proc/net/ipv6_route, main table and, for IPv6, local table) but the
 * ones any interface that is up has (fe80::/64, ff00::/8, link-local
 * addresses), as text: "198.51.100.0/24", "default via 192.0.2.1". */
GPtrArray *hd_netif_routes(const char *name);
