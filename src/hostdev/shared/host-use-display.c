// SPDX-License-Identifier: LGPL-2.1-or-later
/* Display: the boot VGA device (boot_vga = 1) or the device behind a
 * console framebuffer (fbN): the console would go dark, and a firmware
 * framebuffer keeps its BAR reserved anyway. */
#include "hostdev/shared/host-use-checks.h"

#include "util/sysfs-paths.h"
#include "util/sysfs.h"

void hd_host_use_display(HdManager *manager G_GNUC_UNUSED, const HdDevice *device, GPtrArray *users)
{
  g_autofree char *boot_vga_path = hd_path_pci_device(device->address, "boot_vga");
  g_autofree char *boot_vga = hd_sysfs_read_optional(boot_vga_path, NULL);
  g_autoptr(GPtrArray) fbs = hd_host_use_class_entries(device, "graphics", TRUE);

  if (device->driver == NULL)
    return;
  if (g_strcmp0(boot_vga, "1") == 0)
    hd_host_user_add(users, HD_HOST_USE_DISPLAY, TRUE, "it is the boot VGA device (the firmware console is on it)");
  for (guint i = 0; i < fbs->len; i++) {
    const char *fb = g_ptr_array_index(fbs, i);
    g_autofree char *name_path = hd_path_class("graphics", fb, "name");
    g_autofree char *name = hd_sysfs_read_optional(name_path, NULL);
    hd_host_user_add(users, HD_HOST_USE_DISPLAY, TRUE, "console framebuffer %s (%s) is on it", fb,
                     name != NULL ? name : "?");
  }
}
