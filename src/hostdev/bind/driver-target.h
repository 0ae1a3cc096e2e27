/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which driver a device is bound to, by module and by driver name. Module
 * and driver names differ (module vfio_pci registers driver vfio-pci;
 * qedu_mig registers qedu-mig), and in module names '-' and '_' are the
 * same (kmod treats them alike). The kernel says which driver a module
 * registered: /sys/module/<module>/drivers/pci:<driver>. */
#pragma once

#include "hostdev/device/device.h"

typedef struct {
  char *requested; /* what the user or the variant rule named */
  char *module;    /* module to load; NULL when the driver is registered already */
  char *driver;    /* PCI driver name; NULL until the module is loaded (dry run) */
} HdDriverTarget;

void hd_driver_target_free(HdDriverTarget *target);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdDriverTarget, hd_driver_target_free)

/* Resolves NAME (a driver or module name; NULL: the variant rule's choice
 * for DEVICE) without loading anything: a registered PCI driver of that name
 * is used as is; otherwise NAME is taken as a module to load. */
HdDriverTarget *hd_driver_target_resolve(HdManager *manager, const HdDevice *device, const char *name);

/* Loads TARGET's module (modprobe) when there is one and fills in the
 * driver from /sys/module/<module>/drivers. HD_ERROR_FAILED when modprobe
 * fails or the module registers no PCI driver. */
gboolean hd_driver_target_load(HdDriverTarget *target, GError **error);
