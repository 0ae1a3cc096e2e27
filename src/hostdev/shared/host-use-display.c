// SPDX-License-Identifier: LGPL-2.1-or-later
/* Does the host show its console on a device? Binding it to VFIO takes
 * the screen or the serial line away:
 * - the boot VGA device (boot_vga = 1), with or without a driver: the
 *   firmware's console is on it;
 * - a framebuffer (fbN) on the device: a DRM driver's fbdev sits below
 *   it, and since 6.9 so does the firmware framebuffer's platform device
 *   (sysfb parents efi-/simple-/vesa-framebuffer.0 to the PCI device whose
 *   BAR holds the framebuffer, drivers/firmware/sysfb.c sysfb_parent_dev());
 *   when sysfb could not tell (it sits below /sys/devices/platform), the
 *   framebuffer counts when its memory, the "BOOTFB", "efifb", "vesafb",
 *   "simplefb" or "simpledrm" resource of /proc/iomem, starts inside one of
 *   the device's memory BARs. Any other framebuffer of the host is not this
 *   device's;
 * - a serial console (/proc/consoles) on a UART of the device
 *   (/sys/class/tty/ttySN/device is the device). */
#include "hostdev/shared/host-use-checks.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/host-paths.h"
#include "util/pci-address.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

#define PCI_STD_NUM_BARS 6      /* the first lines of "resource"; then the ROM */
#define IORESOURCE_MEM 0x200ULL /* <linux/ioport.h> */

typedef struct {
  guint64 start, end;
} Range;

/* TRUE when PATH resolves to DEVICE's directory or below it, but not below
 * another PCI device under it (a bridge's secondary devices are theirs). */
static gboolean resolves_to_device(const HdDevice *device, const char *path)
{
  g_autofree char *resolved = realpath(path, NULL);
  gsize len = device->syspath != NULL ? strlen(device->syspath) : 0;

  if (resolved == NULL || len == 0 || strncmp(resolved, device->syspath, len) != 0 ||
      (resolved[len] != '\0' && resolved[len] != '/'))
    return FALSE;
  g_auto(GStrv) below = g_strsplit(resolved + len, "/", -1);
  for (guint i = 0; below[i] != NULL; i++)
    if (hd_pci_address_parse(below[i], &(HdPciAddress){0}, NULL))
      return FALSE;
  return TRUE;
}

static void check_boot_vga(const HdDevice *device, GPtrArray *users)
{
  g_autofree char *path = hd_path_pci_device(device->address, "boot_vga");
  g_autofree char *boot_vga = hd_sysfs_read_optional(path, NULL);

  /* with or without a driver: the firmware's console stays on the device */
  if (g_strcmp0(boot_vga, "1") == 0)
    hd_host_user_add(users, HD_HOST_USE_DISPLAY, TRUE, "it is the boot VGA device (the firmware console is on it)");
}

/* ---- framebuffers ----------------------------------------------------------- */

/* The device's memory BARs from its "resource" file ("START END FLAGS"
 * per line, hexadecimal); index i of the array is BAR i (unassigned: 0-0). */
static GArray *memory_bars(const HdDevice *device)
{
  g_autofree char *path = hd_path_pci_device(device->address, "resource");
  g_autofree char *text = hd_sysfs_read_optional(path, NULL);
  g_auto(GStrv) lines = g_strsplit(text != NULL ? text : "", "\n", -1);
  GArray *bars = g_array_new(FALSE, TRUE, sizeof(Range));

  for (guint i = 0; lines[i] != NULL && i < PCI_STD_NUM_BARS; i++) {
    Range bar = {0, 0};
    guint64 flags = 0;
    if (sscanf(lines[i], "%" SCNx64 " %" SCNx64 " %" SCNx64, &bar.start, &bar.end, &flags) != 3 ||
        (flags & IORESOURCE_MEM) == 0 || bar.end <= bar.start)
      bar = (Range){0, 0};
    g_array_append_val(bars, bar);
  }
  return bars;
}

static gboolean is_firmware_fb_resource(const char *name)
{
  static const char *const names[] = {"BOOTFB", "efifb", "vesafb", "simplefb", "simpledrm", NULL};

  return g_strv_contains(names, name);
}

/* The starts of /proc/iomem's firmware framebuffer resources
 * ("  c0000000-c02fffff : BOOTFB", nested below the BAR they lie in). */
static GArray *firmware_fb_starts(void)
{
  g_autofree char *path = hd_path_iomem();
  g_autofree char *text = NULL;
  GArray *starts = g_array_new(FALSE, FALSE, sizeof(guint64));

  if (!g_file_get_contents(path, &text, NULL, NULL))
    return starts;
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    const char *colon = strstr(lines[i], " : ");
    guint64 start = 0, end = 0;
    if (colon != NULL && is_firmware_fb_resource(colon + 3) &&
        sscanf(lines[i], " %" SCNx64 "-%" SCNx64, &start, &end) == 2 && start != 0)
      g_array_append_val(starts, start);
  }
  return starts;
}

/* The BAR of DEVICE in which a firmware framebuffer starts, or -1. */
static int bar_with_firmware_fb(const HdDevice *device, guint64 *fb_start)
{
  g_autoptr(GArray) bars = memory_bars(device);
  g_autoptr(GArray) starts = firmware_fb_starts();

  for (guint s = 0; s < starts->len; s++)
    for (guint b = 0; b < bars->len; b++) {
      const Range *bar = &g_array_index(bars, Range, b);
      guint64 start = g_array_index(starts, guint64, s);
      if (bar->end > bar->start && start >= bar->start && start <= bar->end) {
        *fb_start = start;
        return (int)b;
      }
    }
  return -1;
}

/* A framebuffer of the firmware (sysfb's platform device) that sysfb could
 * not place below its PCI device. */
static gboolean is_unplaced_firmware_fb(const char *fb)
{
  static const char *const devices[] = {"efi-framebuffer.", "simple-framebuffer.", "vesa-framebuffer.",
                                        "platform-framebuffer.", NULL};
  g_autofree char *link = hd_path_class("graphics", fb, "device");
  g_autofree char *resolved = realpath(link, NULL);
  g_autofree char *parent = resolved != NULL ? g_path_get_dirname(resolved) : NULL;
  g_autofree char *name = resolved != NULL ? g_path_get_basename(resolved) : NULL;

  if (parent == NULL || !g_str_has_suffix(parent, "/devices/platform"))
    return FALSE;
  for (const char *const *prefix = devices; *prefix != NULL; prefix++)
    if (g_str_has_prefix(name, *prefix))
      return TRUE;
  return FALSE;
}

static void check_framebuffer(const HdDevice *device, const char *fb, GPtrArray *users)
{
  g_autofree char *link = hd_path_class("graphics", fb, "device");
  g_autofree char *name_path = hd_path_class("graphics", fb, "name");
  g_autofree char *name = hd_sysfs_read_optional(name_path, NULL);
  const char *shown = name != NULL ? name : "?";
  guint64 start = 0;
  int bar;

  if (resolves_to_device(device, link))
    hd_host_user_add(users, HD_HOST_USE_DISPLAY, TRUE, "console framebuffer %s (%s) is on it", fb, shown);
  else if (is_unplaced_firmware_fb(fb) && (bar = bar_with_firmware_fb(device, &start)) >= 0)
    hd_host_user_add(users, HD_HOST_USE_DISPLAY, TRUE,
                     "console framebuffer %s (%s) lies in its BAR %d (0x%" G_GINT64_MODIFIER "x)", fb, shown, bar, start);
}

static void check_framebuffers(const HdDevice *device, GPtrArray *users)
{
  g_autofree char *dir = hd_path_class("graphics", NULL, NULL);
  g_autoptr(GPtrArray) entries = hd_sysfs_list_dir(dir, NULL);

  /* fbN only: fbcon, the console's own class device, is nobody's */
  for (guint i = 0; entries != NULL && i < entries->len; i++) {
    const char *fb = g_ptr_array_index(entries, i);
    if (g_str_has_prefix(fb, "fb") && g_ascii_isdigit(fb[2]))
      check_framebuffer(device, fb, users);
  }
}

/* ---- serial consoles -------------------------------------------------------- */

/* /proc/consoles: "ttyS4                -W- (EC p a)    4:68", the console's
 * name and index first, which is its tty's name. */
static void check_serial_consoles(const HdDevice *device, GPtrArray *users)
{
  g_autofree char *path = hd_path_consoles();
  g_autofree char *text = NULL;

  if (!g_file_get_contents(path, &text, NULL, NULL))
    return;
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) words = g_strsplit(g_strstrip(lines[i]), " ", 2);
    if (words[0] == NULL || *words[0] == '\0' || strchr(words[0], '/') != NULL)
      continue;
    g_autofree char *link = hd_path_class("tty", words[0], "device");
    if (resolves_to_device(device, link))
      hd_host_user_add(users, HD_HOST_USE_DISPLAY, TRUE, "serial console %s (/proc/consoles) is on it", words[0]);
  }
}

void hd_host_use_display(HdManager *manager G_GNUC_UNUSED, const HdDevice *device, GPtrArray *users)
{
  check_boot_vga(device, users);
  check_framebuffers(device, users);
  check_serial_consoles(device, users);
}
