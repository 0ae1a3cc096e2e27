/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Is a VM still using a device? A process that holds the device's VFIO
 * group node (shared by the group: holding it owns every member) or its
 * cdev open. Moving such a device to another driver would block in the
 * kernel until the process lets go, so reattach and release refuse first. */
#pragma once

#include "hostdev/device/device.h"
#include "hostdev/device/manager.h"

/* Appends one sentence per process holding DEVICE's group node or cdev
 * open ("0000:01:00.0 is in use: process 42 (qemu) has /dev/vfio/8 open;
 * stop it first") to REFUSALS (strings). */
void hd_vfio_holders_refusals(HdManager *manager, const HdDevice *device, GPtrArray *refusals);
