/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mock-mkhost-net.h: the network interfaces of mock-mkhost's devices
 * (sysfs netdevs, lo) and what the kernel derives from them: addresses
 * ($ROOT/.mock/ifaddrs) and /proc/net/{route,ipv6_route,if_inet6}.
 * Fixture keys: tests/mock/README.md, "Host usage". */
#pragma once

#include <glib.h>

typedef struct _MkNet MkNet;

MkNet *mk_net_new(void);
void mk_net_free(MkNet *net);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MkNet, mk_net_free)

/* Every net.NAME.PROP key of GROUP names one of NAMES (its net= entries)
 * and a known property. */
gboolean mk_net_check_keys(GKeyFile *kf, const char *group, const char *const *names, GError **error);

/* Interface NAME below the device directory DIR, from GROUP's net.NAME.*
 * keys: its sysfs files, addresses and routes.  NAMES holds the names
 * declared so far (interfaces and framebuffers, with lo); NAME is added,
 * and declaring it twice is an error. */
gboolean mk_net_interface(MkNet *net, GHashTable *names, GKeyFile *kf, const char *group, const char *dir,
                          const char *name, GError **error);

/* After every device: lo, $ROOT/.mock/ifaddrs and /proc/net/{route,
 * ipv6_route,if_inet6}. */
gboolean mk_net_finish(MkNet *net, GError **error);
