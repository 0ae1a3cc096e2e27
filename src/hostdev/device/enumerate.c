// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/device/enumerate.h"

#include "util/hd-error.h"

static gint compare_devices(gconstpointer a, gconstpointer b)
{
  const HdDevice *da = *(const HdDevice *const *)a;
  const HdDevice *db = *(const HdDevice *const *)b;

  return hd_pci_address_compare(&da->pci, &db->pci);
}

GPtrArray *hd_enumerate_devices(HdManager *manager, GError **error)
{
  HdUdev *udev = hd_manager_udev(manager, error);

  if (udev == NULL)
    return NULL;
  g_autoptr(GPtrArray) syspaths = hd_udev_pci_syspaths(udev, error);
  if (syspaths == NULL)
    return NULL;
  GPtrArray *devices = g_ptr_array_new_with_free_func((GDestroyNotify)hd_device_free);
  for (guint i = 0; i < syspaths->len; i++) {
    g_autofree char *name = g_path_get_basename(g_ptr_array_index(syspaths, i));
    g_autoptr(GError) local = NULL;
    HdPciAddress address;

    /* udev also reports PCI buses' and slots' kernel objects on some hosts:
     * only device names parse as addresses */
    if (!hd_pci_address_parse(name, &address, NULL))
      continue;
    HdDevice *device = hd_device_load_summary(manager, &address, &local);
    if (device != NULL)
      g_ptr_array_add(devices, device);
    else if (!g_error_matches(local, HD_ERROR, HD_ERROR_NO_DEVICE))
      hd_manager_warn(manager, "skipping %s: %s", name, local->message);
  }
  g_ptr_array_sort(devices, compare_devices);
  return devices;
}
