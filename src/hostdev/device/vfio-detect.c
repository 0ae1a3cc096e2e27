// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/device/vfio-detect.h"

#include "hostdev/device/iommu-group.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

/* Module names treat '-' and '_' alike (kmod does). */
static char *normalize_module(const char *name)
{
  return g_strdelimit(g_strdup(name), "-", '_');
}

static gboolean module_declares_vfio_aliases(HdManager *manager, const char *module)
{
  const HdAliasTable *table = hd_manager_vfio_aliases(manager);
  g_autofree char *wanted = normalize_module(module);
  gboolean found = FALSE;

  for (guint i = 0; i < hd_alias_table_n_aliases(table) && !found; i++) {
    g_autofree char *owner = normalize_module(hd_alias_table_get(table, i)->module);
    found = g_str_equal(owner, wanted);
  }
  return found;
}

/* The first "vfioN" entry of vfio-dev/, or NULL when there is none. */
static char *read_vfio_dev(const char *address, gboolean *has_dir)
{
  g_autofree char *path = hd_path_pci_device(address, "vfio-dev");
  g_autoptr(GPtrArray) entries = hd_sysfs_list_dir(path, NULL);

  *has_dir = entries != NULL;
  if (entries == NULL)
    return NULL;
  for (guint i = 0; i < entries->len; i++)
    if (g_str_has_prefix(g_ptr_array_index(entries, i), "vfio"))
      return g_strdup(g_ptr_array_index(entries, i));
  return NULL;
}

static void detect_without_vfio_dev(HdManager *manager, HdDevice *device)
{
  if (device->driver == NULL)
    return;
  if (g_str_equal(device->driver, "vfio-pci")) {
    device->vfio.bound = TRUE;
    device->vfio.rule = "driver vfio-pci";
  } else if (device->driver_module != NULL && module_declares_vfio_aliases(manager, device->driver_module)) {
    device->vfio.bound = TRUE;
    device->vfio.rule = "module aliases";
  }
}

static char *existing_path(char *path)
{
  if (hd_sysfs_exists(path))
    return path;
  g_free(path);
  return NULL;
}

void hd_vfio_detect(HdManager *manager, HdDevice *device)
{
  gboolean has_dir = FALSE;

  device->vfio.device = read_vfio_dev(device->address, &has_dir);
  if (has_dir) {
    device->vfio.bound = TRUE;
    device->vfio.rule = "vfio-dev";
  } else if (!hd_manager_kernel_has_vfio_dev(manager)) {
    detect_without_vfio_dev(manager, device);
  }
  if (!device->vfio.bound)
    return;
  if (device->iommu_group >= 0)
    device->vfio.group_node = existing_path(hd_vfio_group_node_path(device->iommu_group));
  if (device->vfio.device != NULL)
    device->vfio.cdev = existing_path(hd_path_vfio_cdev(device->vfio.device));
}
