/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mock-mkhost-stack.h: interfaces stacked on the devices' interfaces, for
 * mock-mkhost: the [virtual] group's interfaces (bridges, bonds, VLANs,
 * tunnels, ovs-system: below /sys/devices/virtual/net, declared with the
 * net= keys of "Host usage") and the [net-stack] group's links between
 * them.  Fixture keys: tests/mock/README.md, "Stacked interfaces". */
#pragma once

#include <glib.h>

/* The [net-stack] group: master.M=L1;L2 (M is the master of each L: the
 * bridge, bond, team or ovs-system), upper.U=L (U is stacked on L: VLAN,
 * macvlan, ipvlan), iflink.T=L (T sends through L but is no upper of it:
 * vxlan and other tunnels).  Every interface must exist. */
gboolean mk_stack_links(GKeyFile *kf, GError **error);
