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

typedef struct {
  char *address; /* a default rule's device; NULL for a configured rule */
  char *rule;    /* "id 144d:a808", as written */
  char *origin;  /* "/etc/vfio-hostdev/deny.conf line 3"; a default's reason:
                    "the root filesystem is on it (nvme0n1p2)" */
} HdDenyRule;

void hd_deny_rule_free(HdDenyRule *rule);

/* Every rule, configured then default (HdDenyRule*); NULL with ERROR when
 * deny.conf exists and cannot be read or has a bad line. */
GPtrArray *hd_deny_list_rules(GError **error);

/* Adds a user that --force cannot override for every rule DEVICE matches
 * (or one for an unusable deny.conf) to USERS (HdHostUser*). */
void hd_deny_list_check(HdManager *manager, const HdDevice *device, GPtrArray *users);
