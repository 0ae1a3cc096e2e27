/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `show --probe-migration`: asks the VFIO device itself whether it can be
 * live-migrated. Under the device's group lock, and only when no VM owns
 * it (no owner in its record) and no process holds its group node or cdev,
 * it opens the device through the IOMMU backend the host offers (iommufd
 * + cdev, else the type1 container + group: selftest-iommu.h), reads
 * VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION (the flags;
 * ENOTTY: the driver has no migration ops), probes
 * VFIO_DEVICE_FEATURE_DMA_LOGGING_START (dirty tracking; ENOTTY: none) and
 * closes it again. Opening a VFIO PCI device resets it (vfio_pci_core_enable),
 * which is why `list` never does this. */
#pragma once

#include <glib.h>

#include "hostdev/device/manager.h"
#include "hostdev/device/migration.h"

/* HD_ERROR_INVALID / HD_ERROR_NO_DEVICE for the address, HD_ERROR_REFUSED
 * when the device is not on a VFIO driver, owned or open, HD_ERROR_FAILED
 * when it cannot be opened. An ioctl failing otherwise than the kernel's
 * "not supported" leaves that answer unknown, with the reason. */
HdMigration *hd_migration_probe(HdManager *manager, const char *address, GError **error);
