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

/* Keeps the first value seen for a property (hwdb lists the most specific first). */
static void take_first(char **slot, const char *value)
{
  if (*slot == NULL)
    *slot = g_strdup(value);
}

void hd_udev_hwdb_names(HdUdev *self, const char *modalias, HdHwdbNames *names)
{
  struct udev_hwdb *hwdb = get_hwdb(self);
  struct udev_list_entry *entry;
  g_autofree char *class_name = NULL;
  g_autofree char *subclass_name = NULL;

  memset(names, 0, sizeof(*names));
  if (hwdb == NULL || modalias == NULL)
    return;
  for (entry = udev_hwdb_get_properties_list_entry(hwdb, modalias, 0); entry != NULL;
       entry = udev_list_entry_get_next(entry)) {
    const char *name = udev_list_entry_get_name(entry);
    const char *value = udev_list_entry_get_value(entry);

    if (g_strcmp0(name, "ID_VENDOR_FROM_DATABASE") == 0)
      take_first(&names->vendor, value);
    else if (g_strcmp0(name, "ID_MODEL_FROM_DATABASE") == 0)
      take_first(&names->model, value);
    else if (g_strcmp0(name, "ID_PCI_SUBCLASS_FROM_DATABASE") == 0)
      take_first(&subclass_name, value);
    else if (g_strcmp0(name, "ID_PCI_CLASS_FROM_DATABASE") == 0)
      take_first(&class_name, value);
  }
  names->class_name = subclass_name != NULL ? g_steal_pointer(&subclass_name) : g_steal_pointer(&class_name);
}
