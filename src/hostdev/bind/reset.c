// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/bind/reset.h"

#include <gio/gio.h>

#include "hostdev/device/device.h"
#include "hostdev/device/iommu-group.h"
#include "util/fd-holders.h"
#include "hostdev/shared/group-lock.h"
#include "hostdev/device/group-viability.h"
#include "util/hd-error.h"
#include "util/kernel-write.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

#define LOCK_TIMEOUT_MS (120 * 1000)
/* A reset that takes longer is a wedged device: the tool stops waiting
 * (exit 5), the write goes on in its helper (util/kernel-write.h). */
#define RESET_TIMEOUT_MS (60 * 1000)

void hd_reset_result_free(HdResetResult *result)
{
  if (result == NULL)
    return;
  g_free(result->address);
  g_free(result->method);
  g_ptr_array_unref(result->tried);
  g_free(result);
}

static gboolean is_bus_reset(const char *method)
{
  return g_str_equal(method, "bus") || g_str_equal(method, "cxl_bus");
}

/* The process holding DEVICE open through VFIO, as a phrase; NULL if none. */
static char *vfio_user(HdManager *manager, const HdDevice *device)
{
  g_autofree char *node = device->iommu_group >= 0 ? hd_vfio_group_node_path(device->iommu_group) : NULL;
  g_autofree char *cdev = device->vfio.device != NULL ? hd_path_vfio_cdev(device->vfio.device) : NULL;
  const char *paths[] = {node != NULL ? node : cdev, node != NULL ? cdev : NULL, NULL};

  if (!device->vfio.bound)
    return NULL;
  g_autoptr(GPtrArray) holders = hd_fd_scan_holders(hd_manager_fd_scan(manager), paths);
  if (holders->len == 0)
    return NULL;
  const HdFdHolder *holder = g_ptr_array_index(holders, 0);
  return g_strdup_printf("process %d (%s) has %s open", holder->pid, holder->comm, holder->path);
}

/* Why a sibling may not be reset along with the device; NULL when it may. */
static char *sibling_use(HdManager *manager, const HdDevice *sibling)
{
  if (!sibling->vfio.bound && !hd_group_member_harmless(sibling))
    return g_strdup_printf("%s is driven by %s", sibling->address, sibling->driver);
  g_autofree char *user = vfio_user(manager, sibling);
  if (user != NULL)
    return g_strdup_printf("%s is in use: %s", sibling->address, user);
  return NULL;
}

/* The other devices on the device's bus: the entries of its parent's sysfs
 * directory that are PCI addresses. */
static gboolean check_bus_siblings(HdManager *manager, const HdDevice *device, GError **error)
{
  g_autofree char *parent = device->syspath != NULL ? g_path_get_dirname(device->syspath) : NULL;
  g_autoptr(GPtrArray) entries = parent != NULL ? hd_sysfs_list_dir(parent, NULL) : NULL;
  g_autoptr(GPtrArray) uses = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; entries != NULL && i < entries->len; i++) {
    const char *name = g_ptr_array_index(entries, i);
    HdPciAddress address;
    if (!hd_pci_address_parse(name, &address, NULL) || g_str_equal(name, device->address))
      continue;
    g_autoptr(HdDevice) sibling = hd_device_load(manager, &address, NULL);
    char *use = sibling != NULL ? sibling_use(manager, sibling) : NULL;
    if (use != NULL)
      g_ptr_array_add(uses, use);
  }
  if (uses->len == 0)
    return TRUE;
  g_ptr_array_add(uses, NULL);
  g_autofree char *why = g_strjoinv(", ", (char **)uses->pdata);
  g_set_error(error, HD_ERROR, HD_ERROR_REFUSED,
              "refusing a bus reset of %s: it would also reset %s; nothing changed", device->address, why);
  return FALSE;
}

/* CHANGED is set once reset_method holds METHOD alone. */
static gboolean reset_with(const char *address, const char *method, gboolean *changed, GError **error)
{
  g_autofree char *method_path = hd_path_pci_device(address, "reset_method");
  g_autofree char *reset_path = hd_path_pci_device(address, "reset");

  if (!hd_sysfs_write(method_path, method, error))
    return FALSE;
  *changed = TRUE;
  return hd_kernel_write(address, reset_path, "1", RESET_TIMEOUT_MS, error);
}

/* Tries METHODS in order; the first that works is the result. CHANGED says
 * whether reset_method was changed on the way. */
static HdResetResult *try_methods(HdManager *manager, const HdDevice *device, GStrv methods, gboolean *changed,
                                  GError **error)
{
  g_autoptr(HdResetResult) result = g_new0(HdResetResult, 1);

  result->address = g_strdup(device->address);
  result->tried = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; methods[i] != NULL; i++) {
    g_autoptr(GError) local = NULL;
    if (is_bus_reset(methods[i]) && !check_bus_siblings(manager, device, error))
      return NULL;
    if (reset_with(device->address, methods[i], changed, &local)) {
      result->method = g_strdup(methods[i]);
      return g_steal_pointer(&result);
    }
    /* the kernel still holds the device: nothing more can be tried */
    if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
        g_error_matches(local, HD_ERROR, HD_ERROR_UNFINISHED)) {
      g_set_error(error, HD_ERROR, HD_ERROR_UNFINISHED, "resetting %s by %s: %s", device->address, methods[i],
                  local->message);
      return NULL;
    }
    g_ptr_array_add(result->tried, g_strdup_printf("%s: %s", methods[i], local->message));
  }
  g_ptr_array_add(result->tried, NULL);
  g_autofree char *why = g_strjoinv("; ", (char **)result->tried->pdata);
  g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "every reset method of %s failed: %s", device->address, why);
  return NULL;
}

/* reset_method back to what it was. The kernel checks each method of a
 * list again and refuses the whole list when one is no longer supported
 * (a PF's bus reset once its VFs share its bus): then the methods it still
 * accepts, in the original order, and a warning. */
static void restore_methods(HdManager *manager, const HdDevice *device)
{
  g_autofree char *original = g_strjoinv(" ", device->reset_methods);
  g_autofree char *path = hd_path_pci_device(device->address, "reset_method");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new();

  if (hd_sysfs_write(path, original, &error))
    return;
  for (guint i = 0; device->reset_methods[i] != NULL; i++)
    if (hd_sysfs_write(path, device->reset_methods[i], NULL))
      g_ptr_array_add(kept, device->reset_methods[i]);
  g_ptr_array_add(kept, NULL);
  g_autofree char *accepted = g_strjoinv(" ", (char **)kept->pdata);
  if (kept->len > 1 && hd_sysfs_write(path, accepted, NULL))
    hd_manager_warn(manager, "reset_method of %s is now \"%s\", not \"%s\": the kernel no longer accepts the others (%s)",
                    device->address, accepted, original, error->message);
  else
    hd_manager_warn(manager, "could not restore reset_method of %s to \"%s\": %s", device->address, original,
                    error->message);
}

static gboolean check_method(const HdDevice *device, const char *method, GError **error)
{
  g_autofree char *all = g_strjoinv(" ", device->reset_methods);

  if (device->reset_methods[0] == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED,
                "%s has no reset method: the kernel offers no FLR, PM, bus or device-specific reset for it",
                device->address);
    return FALSE;
  }
  if (method != NULL && !g_strv_contains((const char *const *)device->reset_methods, method)) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s cannot be reset by \"%s\"; its methods: %s", device->address,
                method, all);
    return FALSE;
  }
  return TRUE;
}

HdResetResult *hd_reset(HdManager *manager, const char *address, const char *method, GError **error)
{
  g_autoptr(HdDevice) device = hd_device_load_by_name(manager, address, error);

  if (device == NULL || !check_method(device, method, error))
    return NULL;
  g_autoptr(GPtrArray) locks =
    hd_group_locks_acquire_device(device->address, device->iommu_group, LOCK_TIMEOUT_MS, error);
  if (locks == NULL)
    return NULL;
  if (!hd_kernel_write_check_idle(device->address, error))
    return NULL;
  g_autofree char *user = vfio_user(manager, device);
  if (user != NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "refusing to reset %s: %s; nothing changed", device->address, user);
    return NULL;
  }
  g_auto(GStrv) methods = method != NULL ? g_strdupv((char *[]){(char *)method, NULL}) : g_strdupv(device->reset_methods);
  gboolean changed = FALSE;
  HdResetResult *result = try_methods(manager, device, methods, &changed, error);
  /* reset_method back to the kernel's list, whatever happened */
  if (changed)
    restore_methods(manager, device);
  return result;
}
