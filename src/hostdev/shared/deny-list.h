// SPDX-License-Identifier: LGPL-2.1-or-later
/* The deny list: devices vfio-hostdev never takes from the host, whatever
 * the path (bind, prepare, run, persist-apply at boot) and whatever the
 * options (--force does not override it).
 *
 * Configured in /etc/vfio-hostdev/deny.conf, one rule a line, '#' starts a
 * comment:
 *   address 0000:03:00.0   a device by its PCI address
 *   id 144d:a808           vendor:device in hex; "144d:*" any device of the vendor
 *   class 0108             a prefix of the class code in hex: 01 (mass storage),
 *                          0108 (NVM), 010802 (NVMe)
 * and always, without configuration, the PCI devices that hold the mounted
 * root filesystem and the active swap areas (through partitions, dm/md
 * slaves, NVMe multipath paths and loop devices' backing files). A file
 * that cannot be read or parsed protects every device until it is fixed:
 * its author meant to protect something, and which is unknown. */
#pragma once

#include "hostdev/device/device.h"
#include "hostdev/device/manager.h"

typedef enum {
  HD_DENY_CONFIGURED, /* a line of deny.conf */
  HD_DENY_ROOT,       /* by default: the root filesystem is on the device */
  HD_DENY_SWAP,       /* by default: an active swap area is on it */
} HdDenySource;

/* The public VhDenyRule is this struct, opaque. */
typedef struct _VhDenyRule {
  HdDenySource source;
  char *address; /* a default rule's device; NULL for a configured rule */
  char *rule;    /* "id 144d:a808", as written */
  char *origin;  /* "/etc/vfio-hostdev/deny.conf line 3"; a default's reason:
                    "the root filesystem is on it (nvme0n1p2)" */
  char *file;    /* a configured rule's file, and its line (1-based) */
  guint line;
  GPtrArray *devices; /* hd_deny_list_devices(): the addresses it protects */
} HdDenyRule;

void hd_deny_rule_free(HdDenyRule *rule);

/* Every rule, configured then default (HdDenyRule*), read afresh; NULL with
 * ERROR when deny.conf exists and cannot be read or has a bad line. */
GPtrArray *hd_deny_list_rules(GError **error);

/* Fills every rule's devices with the addresses of the present devices it
 * matches. */
gboolean hd_deny_list_devices(HdManager *manager, GPtrArray *rules, GError **error);

/* Adds a user that --force cannot override for every rule DEVICE matches
 * (or one for an unusable deny.conf) to USERS (HdHostUser*). The list is
 * read on the first check of an invocation and kept in MANAGER. */
void hd_deny_list_check(HdManager *manager, const HdDevice *device, GPtrArray *users);

/* The names of the block devices the root filesystem rests on (its own,
 * the disk of a partition, dm/md slaves, NVMe paths, a loop device's
 * backing filesystem), as a set; empty when the root is no block device.
 * For a root on storage that no PCI device holds (NVMe over fabrics, iSCSI)
 * the network check uses it to protect the NIC that carries it. */
GHashTable *hd_root_blocks(void);
