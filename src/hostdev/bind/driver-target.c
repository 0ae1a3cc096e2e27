// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/bind/driver-target.h"

#include "util/hd-error.h"
#include "util/modprobe.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"
#include "hostdev/device/vfio-choice.h"

#define PCI_DRIVER_PREFIX "pci:"

void hd_driver_target_free(HdDriverTarget *target)
{
  if (target == NULL)
    return;
  g_free(target->requested);
  g_free(target->module);
  g_free(target->driver);
  g_free(target);
}

static char *module_name(const char *name)
{
  return g_strdelimit(g_strdup(name), "-", '_');
}

static gboolean driver_registered(const char *driver)
{
  g_autofree char *path = hd_path_pci_driver(driver, NULL);

  return hd_sysfs_is_dir(path);
}

HdDriverTarget *hd_driver_target_resolve(HdManager *manager, const HdDevice *device, const char *name)
{
  HdDriverTarget *target = g_new0(HdDriverTarget, 1);

  if (name != NULL) {
    target->requested = g_strdup(name);
  } else {
    g_autoptr(HdVfioChoice) choice = hd_vfio_choose(manager, device->modalias);
    target->requested = g_strdup(choice->module);
  }
  /* A driver name the kernel knows already needs no module; a module name
   * is loaded even when its driver is registered, which is a no-op. */
  if (driver_registered(target->requested))
    target->driver = g_strdup(target->requested);
  else
    target->module = module_name(target->requested);
  return target;
}

/* Among the module's PCI drivers, the one whose name matches the module's
 * (modulo '-'/'_') is preferred; else the first. NULL when none. */
static char *module_pci_driver(const char *module)
{
  g_autofree char *dir = hd_path_module(module, "drivers");
  g_autoptr(GPtrArray) entries = hd_sysfs_list_dir(dir, NULL);
  const char *first = NULL;

  for (guint i = 0; entries != NULL && i < entries->len; i++) {
    const char *entry = g_ptr_array_index(entries, i);
    if (!g_str_has_prefix(entry, PCI_DRIVER_PREFIX))
      continue;
    const char *driver = entry + strlen(PCI_DRIVER_PREFIX);
    g_autofree char *as_module = module_name(driver);
    if (g_str_equal(as_module, module))
      return g_strdup(driver);
    if (first == NULL)
      first = driver;
  }
  return g_strdup(first);
}

gboolean hd_driver_target_load(HdDriverTarget *target, GError **error)
{
  if (target->module == NULL)
    return TRUE;
  if (!hd_modprobe(target->module, error))
    return FALSE;
  g_free(target->driver);
  target->driver = module_pci_driver(target->module);
  if (target->driver == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED,
                "module %s is loaded but registers no PCI driver (nothing in /sys/module/%s/drivers)", target->module,
                target->module);
    return FALSE;
  }
  return TRUE;
}
