#include "hostdev/shared/host-usage.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

#include "util/mounts.h"
#include "util/netif.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

/* TRUE when the class device CLS/NAME sits in sysfs below DEVICE (its
 * resolved path is inside the device's directory), or is attached to it
 * through a "device" link when BY_DEVICE_LINK. */
static gboolean class_entry_on(const HdDevice *device, const char *cls, const char *name, gboolean by_device_link)
{
  g_autofree char *path = hd_path_class(cls, name, by_device_link ? "device" : NULL);
  g_autofree char *resolved = realpath(path, NULL);
  g_autofree char *prefix = g_strconcat(device->syspath, "/", NULL);

  if (resolved == NULL || device->syspath == NULL)
    return FALSE;
  return g_str_equal(resolved, device->syspath) || g_str_has_prefix(resolved, prefix);
}

/* Names in /sys/class/CLS that belong to DEVICE. */
static GPtrArray *class_entries_on(const HdDevice *device, const char *cls, gboolean by_device_link)
{
  g_autofree char *dir = hd_path_class(cls, NULL, NULL);
  g_autoptr(GPtrArray) names = hd_sysfs_list_dir(dir, NULL);
  GPtrArray *found = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; names != NULL && i < names->len; i++)
    if (class_entry_on(device, cls, g_ptr_array_index(names, i), by_device_link))
      g_ptr_array_add(found, g_strdup(g_ptr_array_index(names, i)));
  return found;
}

static void check_display(const HdDevice *device, GPtrArray *uses)
{
  g_autofree char *boot_vga_path = hd_path_pci_device(device->address, "boot_vga");
  g_autofree char *boot_vga = hd_sysfs_read_optional(boot_vga_path, NULL);
  g_autoptr(GPtrArray) fbs = class_entries_on(device, "graphics", TRUE);

  if (g_strcmp0(boot_vga, "1") == 0)
    g_ptr_array_add(uses, g_strdup("it is the boot VGA device (the firmware console is on it)"));
  for (guint i = 0; i < fbs->len; i++) {
    const char *fb = g_ptr_array_index(fbs, i);
    g_autofree char *name_path = hd_path_class("graphics", fb, "name");
    g_autofree char *name = hd_sysfs_read_optional(name_path, NULL);
    g_ptr_array_add(uses, g_strdup_printf("console framebuffer %s (%s) is on it", fb, name != NULL ? name : "?"));
  }
}

static gboolean read_devno(const char *block, dev_t *devno)
{
  g_autofree char *path = hd_path_class("block", block, "dev");
  g_autofree char *text = hd_sysfs_read_optional(path, NULL);
  unsigned major = 0, minor = 0;

  if (text == NULL || sscanf(text, "%u:%u", &major, &minor) != 2)
    return FALSE;
  *devno = makedev(major, minor);
  return TRUE;
}

static void check_block(const char *block, const GPtrArray *mounts, GPtrArray *uses)
{
  g_autofree char *holders_path = hd_path_class("block", block, "holders");
  g_autoptr(GPtrArray) holders = hd_sysfs_list_dir(holders_path, NULL);
  g_autofree char *dev_name = g_strconcat("/dev/", block, NULL);
  dev_t devno = 0;
  gboolean has_devno = read_devno(block, &devno);

  if (holders != NULL && holders->len > 0)
    g_ptr_array_add(uses, g_strdup_printf("block device %s is held by %s (device-mapper, md or LVM)", block,
                                          (const char *)g_ptr_array_index(holders, 0)));
  for (guint i = 0; mounts != NULL && i < mounts->len; i++) {
    const HdMount *mount = g_ptr_array_index(mounts, i);
    if ((has_devno && mount->devno == devno) || g_strcmp0(mount->source, dev_name) == 0) {
      g_ptr_array_add(uses, g_strdup_printf("block device %s is mounted at %s", block, mount->target));
      return;
    }
  }
}

static void check_storage(const HdDevice *device, GPtrArray *uses)
{
  g_autoptr(GPtrArray) blocks = class_entries_on(device, "block", FALSE);
  g_autoptr(GError) error = NULL;

  if (blocks->len == 0)
    return;
  g_autoptr(GPtrArray) mounts = hd_mounts_list(&error);
  if (mounts == NULL)
    g_ptr_array_add(uses, g_strdup_printf("its block devices cannot be checked: %s", error->message));
  for (guint i = 0; i < blocks->len; i++)
    check_block(g_ptr_array_index(blocks, i), mounts, uses);
}

static void check_network(const HdDevice *device, GPtrArray *uses)
{
  g_autoptr(GPtrArray) ifaces = class_entries_on(device, "net", FALSE);

  for (guint i = 0; i < ifaces->len; i++) {
    const char *iface = g_ptr_array_index(ifaces, i);
    if (!hd_netif_is_up(iface))
      continue;
    g_autoptr(GPtrArray) addresses = hd_netif_addresses(iface);
    g_autoptr(GPtrArray) routes = hd_netif_routes(iface);
    if (addresses->len > 0)
      g_ptr_array_add(uses, g_strdup_printf("network interface %s is up with address %s", iface,
                                            (const char *)g_ptr_array_index(addresses, 0)));
    else if (routes->len == 1)
      g_ptr_array_add(uses, g_strdup_printf("network interface %s is up with route %s", iface,
                                            (const char *)g_ptr_array_index(routes, 0)));
    else if (routes->len > 1)
      g_ptr_array_add(uses, g_strdup_printf("network interface %s is up with %u routes (%s, ...)", iface, routes->len,
                                            (const char *)g_ptr_array_index(routes, 0)));
  }
}

GPtrArray *hd_host_usage(const HdDevice *device)
{
  GPtrArray *uses = g_ptr_array_new_with_free_func(g_free);

  check_display(device, uses);
  check_storage(device, uses);
  check_network(device, uses);
  return uses;
}
