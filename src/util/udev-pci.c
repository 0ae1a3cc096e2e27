// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/udev-pci.h"

#include <errno.h>
#include <libudev.h>
#include <string.h>

#include "util/hd-error.h"

struct _HdUdev {
  struct udev *udev;
  struct udev_hwdb *hwdb; /* NULL when the system has no hwdb.bin */
  gboolean hwdb_tried;
};

HdUdev *hd_udev_new(GError **error)
{
  struct udev *udev = udev_new();

  if (udev == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot initialise libudev: %s", g_strerror(errno));
    return NULL;
  }
  HdUdev *self = g_new0(HdUdev, 1);
  self->udev = udev;
  return self;
}

void hd_udev_free(HdUdev *self)
{
  if (self == NULL)
    return;
  if (self->hwdb != NULL)
    udev_hwdb_unref(self->hwdb);
  udev_unref(self->udev);
  g_free(self);
}

GPtrArray *hd_udev_pci_syspaths(HdUdev *self, GError **error)
{
  struct udev_enumerate *enumerate = udev_enumerate_new(self->udev);
  struct udev_list_entry *entry;
  GPtrArray *paths;
  int rc;

  if (enumerate == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot enumerate PCI devices: %s", g_strerror(errno));
    return NULL;
  }
  rc = udev_enumerate_add_match_subsystem(enumerate, "pci");
  if (rc >= 0)
    rc = udev_enumerate_scan_devices(enumerate);
  if (rc < 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot enumerate PCI devices: %s", g_strerror(-rc));
    udev_enumerate_unref(enumerate);
    return NULL;
  }
  paths = g_ptr_array_new_with_free_func(g_free);
  for (entry = udev_enumerate_get_list_entry(enumerate); entry != NULL; entry = udev_list_entry_get_next(entry))
    g_ptr_array_add(paths, g_strdup(udev_list_entry_get_name(entry)));
  udev_enumerate_unref(enumerate);
  return paths;
}

/* The hwdb is opened on first use: listing without names must not pay for it
 * and a missing hwdb.bin is normal (containers, minimal systems). */
static struct udev_hwdb *get_hwdb(HdUdev *self)
{
  if (!self->hwdb_tried) {
    self->hwdb_tried = TRUE;
    self->hwdb = udev_hwdb_new(self->udev);
  }
  return self->hwdb;
}

/* The first value of key for query, or NULL. */
static char *hwdb_lookup(struct udev_hwdb *hwdb, const char *query, const char *key)
{
  struct udev_list_entry *entry = udev_hwdb_get_properties_list_entry(hwdb, query, 0);

  for (; entry != NULL; entry = udev_list_entry_get_next(entry))
    if (g_strcmp0(udev_list_entry_get_name(entry), key) == 0)
      return g_strdup(udev_list_entry_get_value(entry));
  return NULL;
}

/* Each name is asked for by the IDs that name it, as lspci (libpci) asks:
 * the full modalias would also match the subsystem's entries, whose
 * ID_MODEL_FROM_DATABASE is the subsystem's name ("Gigabit CT Desktop
 * Adapter"), not the device's. */
void hd_udev_hwdb_names(HdUdev *self, guint16 vendor_id, guint16 device_id, guint32 class_code,
                        HdHwdbNames *names)
{
  struct udev_hwdb *hwdb = get_hwdb(self);
  guint base_class = (class_code >> 16) & 0xff, sub_class = (class_code >> 8) & 0xff;
  g_autofree char *vendor_query = g_strdup_printf("pci:v%08X*", vendor_id);
  g_autofree char *model_query = g_strdup_printf("pci:v%08Xd%08X*", vendor_id, device_id);
  g_autofree char *subclass_query = g_strdup_printf("pci:v*d*sv*sd*bc%02Xsc%02X*", base_class, sub_class);
  g_autofree char *class_query = g_strdup_printf("pci:v*d*sv*sd*bc%02X*", base_class);

  memset(names, 0, sizeof(*names));
  if (hwdb == NULL)
    return;
  names->vendor = hwdb_lookup(hwdb, vendor_query, "ID_VENDOR_FROM_DATABASE");
  names->model = hwdb_lookup(hwdb, model_query, "ID_MODEL_FROM_DATABASE");
  names->class_name = hwdb_lookup(hwdb, subclass_query, "ID_PCI_SUBCLASS_FROM_DATABASE");
  if (names->class_name == NULL)
    names->class_name = hwdb_lookup(hwdb, class_query, "ID_PCI_CLASS_FROM_DATABASE");
}
