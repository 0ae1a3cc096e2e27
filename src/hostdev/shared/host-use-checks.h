/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The checks hd_host_use() runs, one per kind of use, each appending an
 * HdHostUser* per use it finds to USERS. A new check is a file of its own
 * declared here and listed in host-use.c's table. */
#pragma once

#include "hostdev/shared/host-use.h"

typedef void (*HdHostUseCheck)(HdManager *manager, const HdDevice *device, GPtrArray *users);

/* host-use-nvme.c and host-use-block.c: every block device that depends on the device (NVMe
 * namespaces in both layouts, partitions, and what is stacked on them)
 * mounted, swapped on, held, open or claimed. */
void hd_host_use_block(HdManager *manager, const HdDevice *device, GPtrArray *users);

/* host-use-net.c: the device's interfaces and those stacked on them
 * (master, upper_*, iflink) up with addresses or routes, named as chains
 * ("eth0 → br0 (192.0.2.10/24)"), default routes first; Open vSwitch
 * ports; netconsole. */
void hd_host_use_network(HdManager *manager, const HdDevice *device, GPtrArray *users);

/* host-use-netstore.c: storage the host reaches through the device's
 * interfaces (or those stacked on them): an NFS root filesystem, NVMe over
 * TCP/RDMA controllers with a namespace in use, iSCSI sessions with a disk
 * in use. */
void hd_host_use_network_storage(HdManager *manager, const HdDevice *device, GPtrArray *users);

/* host-use-display.c: boot VGA (with or without a driver), framebuffers on
 * the device or in its BARs, serial consoles on its UARTs. */
void hd_host_use_display(HdManager *manager, const HdDevice *device, GPtrArray *users);

/* host-use-nodes.c: processes holding the device's uio, DRM, sound,
 * InfiniBand or VFIO nodes, by pid and name (the manager's fd scan). */
void hd_host_use_nodes(HdManager *manager, const HdDevice *device, GPtrArray *users);

/* Helpers the checks share (host-use.c). */

/* host-use-net.c: every interface of DEVICE and every interface stacked on
 * them -> its chain from the device ("eth0 → br0"). */
GHashTable *hd_host_use_net_chains(const HdDevice *device);

/* Names in /sys/class/CLS that belong to DEVICE: their resolved path lies
 * below the device's directory. */
GPtrArray *hd_host_use_class_entries(const HdDevice *device, const char *cls);
