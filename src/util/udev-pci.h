/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The few libudev services the tool uses: enumerating PCI devices and looking
 * up vendor/model names in the hardware database (what lspci shows).
 *
 * Entry points used (and served by tests/mock/ under test): udev_new,
 * udev_unref, udev_enumerate_new, udev_enumerate_unref,
 * udev_enumerate_add_match_subsystem, udev_enumerate_scan_devices,
 * udev_enumerate_get_list_entry, udev_list_entry_get_next,
 * udev_list_entry_get_name, udev_list_entry_get_value, udev_hwdb_new,
 * udev_hwdb_unref, udev_hwdb_get_properties_list_entry. Keep that list and
 * the mock in step. */
#pragma once

#include <glib.h>

typedef struct _HdUdev HdUdev;

HdUdev *hd_udev_new(GError **error);
void hd_udev_free(HdUdev *udev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdUdev, hd_udev_free)

/* Sysfs paths ("/sys/devices/pci0000:00/0000:00:02.0") of every PCI device. */
GPtrArray *hd_udev_pci_syspaths(HdUdev *udev, GError **error);

typedef struct {
  char *vendor;     /* ID_VENDOR_FROM_DATABASE */
  char *model;      /* ID_MODEL_FROM_DATABASE */
  char *class_name; /* ID_PCI_SUBCLASS_FROM_DATABASE, else ID_PCI_CLASS_FROM_DATABASE */
} HdHwdbNames;

/* Names for a device's IDs from the hwdb, as lspci shows them. Any may be
 * NULL (no hwdb, unknown IDs): absent names are normal. The caller frees
 * the strings. */
void hd_udev_hwdb_names(HdUdev *udev, guint16 vendor_id, guint16 device_id, guint32 class_code,
                        HdHwdbNames *names);
