// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-mkhost-console.c: consoles and device nodes, for mock-mkhost.
 *
 * Memory BARs (barN=START-END) go to the device's "resource" file, as
 * "0x%016llx 0x%016llx 0x%016llx" per BAR with IORESOURCE_MEM set, and to
 * /proc/iomem ("  c0000000-cfffffff : 0000:00:02.0", nested in the root
 * bus's window as the kernel nests them).  The firmware framebuffer is
 * sysfb's platform device: below the PCI device whose BAR holds it when
 * [firmware-framebuffer] parent= names one (6.9+ sysfb_parent_dev()), else
 * below /sys/devices/platform; its memory is the "BOOTFB" resource, with
 * the driver's own request ("simpledrm", "efifb") nested in it, below the
 * BAR it lies in.  A serial port (tty=ttySN) is the tty class device below
 * the UART with dev 4:(64+N); /proc/consoles lists [host] consoles= in
 * fs/proc/consoles.c's format.  DRM nodes (drm=card0;renderD128) get dev,
 * uevent (DEVNAME=dri/<name>) and a node in /dev/dri.
 */
#include "mock-mkhost-keys.h"
#include "mock-mkhost-console.h"
#include "mock-tree.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define N_BARS 6
#define BAR_FLAGS_MEM 0x40200ULL /* IORESOURCE_MEM | IORESOURCE_SIZEALIGN */
#define TTY_MAJOR 4
#define TTYS_MINOR_BASE 64
#define DRM_MAJOR 226
#define RENDER_MINOR_BASE 128

typedef struct {
  guint64 start, end;
  char *owner; /* "0000:00:02.0" */
} Bar;

struct _MkConsole {
  GArray *bars; /* Bar, every device's memory BARs */
};

static void bar_clear(gpointer data)
{
  g_free(((Bar *)data)->owner);
}

MkConsole *mk_console_new(void)
{
  MkConsole *c = g_new0(MkConsole, 1);

  c->bars = g_array_new(FALSE, TRUE, sizeof(Bar));
  g_array_set_clear_func(c->bars, bar_clear);
  return c;
}

void mk_console_free(MkConsole *c)
{
  if (c == NULL)
    return;
  g_array_unref(c->bars);
  g_free(c);
}

static char *key_str(GKeyFile *kf, const char *group, const char *key)
{
  char *v = g_key_file_get_string(kf, group, key, NULL);

  return v != NULL ? g_strstrip(v) : NULL;
}

/* "START-END" in hexadecimal, as /proc/iomem writes a range. */
static gboolean parse_range(const char *text, guint64 *start, guint64 *end)
{
  char tail;

  return text != NULL && sscanf(text, "%" SCNx64 "-%" SCNx64 "%c", start, end, &tail) == 2 && *end > *start;
}

/* ---- per device ---------------------------------------------------------- */

static gboolean add_bars(MkConsole *c, GKeyFile *kf, const char *group, const char *dir, const char *bdf,
                         GError **error)
{
  g_autoptr(GString) resource = g_string_new(NULL);
  gboolean any = FALSE;

  for (guint i = 0; i <= N_BARS; i++) {
    g_autofree char *key = g_strdup_printf("bar%u", i);
    g_autofree char *value = i < N_BARS ? key_str(kf, group, key) : NULL;
    Bar bar = {0, 0, NULL};
    if (value != NULL && !parse_range(value, &bar.start, &bar.end))
      return mk_fail(error, "[%s] %s: not START-END (hexadecimal): %s", group, key, value);
    if (value == NULL) {
      g_string_append(resource, "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
      continue;
    }
    any = TRUE;
    g_string_append_printf(resource, "0x%016" PRIx64 " 0x%016" PRIx64 " 0x%016llx\n", bar.start, bar.end,
                           BAR_FLAGS_MEM);
    bar.owner = g_strdup(bdf);
    g_array_append_val(c->bars, bar);
  }
  g_autofree char *rel = g_strdup_printf("%s/resource", dir);
  return !any || mk_check(mt_write(rel, resource->str), rel, error);
}

/* The class device DIR/CLS/NAME with dev MAJOR:MINOR, a "device" link to
 * DIR and /sys/class/CLS/NAME; DEVNAME its name below /dev. */
static gboolean add_class_node(const char *dir, const char *cls, const char *name, guint major, guint minor,
                               const char *devname, GError **error)
{
  g_autofree char *base = g_strdup_printf("%s/%s/%s", dir, cls, name);
  g_autofree char *dev = g_strconcat(base, "/dev", NULL);
  g_autofree char *uevent = g_strconcat(base, "/uevent", NULL);
  g_autofree char *device = g_strconcat(base, "/device", NULL);
  g_autofree char *subsystem = g_strconcat(base, "/subsystem", NULL);
  g_autofree char *class_dir = g_strdup_printf("/sys/class/%s", cls);
  g_autofree char *class_link = g_strdup_printf("/sys/class/%s/%s", cls, name);

  return mk_check(mt_writef(dev, "%u:%u\n", major, minor), dev, error) &&
         mk_check(mt_writef(uevent, "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\n", major, minor, devname), uevent, error) &&
         mk_check(mt_link(device, dir), device, error) && mk_check(mt_link(subsystem, class_dir), subsystem, error) &&
         mk_check(mt_link(class_link, base), class_link, error);
}

static gboolean add_ttys(GKeyFile *kf, const char *group, const char *dir, GError **error)
{
  g_auto(GStrv) ttys = g_key_file_get_string_list(kf, group, "tty", NULL, NULL);
  guint64 index = 0;

  for (char **t = ttys; t != NULL && *t != NULL; t++) {
    g_strstrip(*t);
    if (!g_str_has_prefix(*t, "ttyS") || !g_ascii_string_to_unsigned(*t + 4, 10, 0, 191, &index, NULL))
      return mk_fail(error, "[%s] tty=%s: not ttyS0..ttyS191", group, *t);
    if (!add_class_node(dir, "tty", *t, TTY_MAJOR, TTYS_MINOR_BASE + (guint)index, *t, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean add_drm_nodes(GKeyFile *kf, const char *group, const char *dir, GError **error)
{
  g_auto(GStrv) nodes = g_key_file_get_string_list(kf, group, "drm", NULL, NULL);
  guint64 index = 0;

  for (char **n = nodes; n != NULL && *n != NULL; n++) {
    g_strstrip(*n);
    gboolean card = g_str_has_prefix(*n, "card");
    const char *digits = *n + (card ? 4 : strlen("renderD"));
    if ((!card && !g_str_has_prefix(*n, "renderD")) || !g_ascii_string_to_unsigned(digits, 10, 0, 255, &index, NULL))
      return mk_fail(error, "[%s] drm=%s: not cardN or renderDN", group, *n);
    g_autofree char *devname = g_strdup_printf("dri/%s", *n);
    g_autofree char *node = g_strdup_printf("/dev/%s", devname);
    /* renderD128 is minor 128: the name is the minor */
    if (!add_class_node(dir, "drm", *n, DRM_MAJOR, (guint)index, devname, error) ||
        !mk_check(mt_write(node, ""), node, error))
      return FALSE;
  }
  return TRUE;
}

gboolean mk_console_device(MkConsole *c, GKeyFile *kf, const char *group, const char *dir, const char *bdf,
                           GError **error)
{
  return add_bars(c, kf, group, dir, bdf, error) && add_ttys(kf, group, dir, error) &&
         add_drm_nodes(kf, group, dir, error);
}

/* ---- host-wide ------------------------------------------------------------- */

#define FW_FB "firmware-framebuffer"

/* [firmware-framebuffer]: platform= (simple-framebuffer.0), fb= (fbN),
 * name= (simpledrmdrmfb), memory=START-END, driver= (simpledrm: its own
 * request in /proc/iomem), parent= (a PCI address: sysfb placed it below). */
static gboolean add_firmware_fb(GKeyFile *kf, char **fb_start, GError **error)
{
  static const char *const keys[] = {"platform", "fb", "name", "memory", "driver", "parent", NULL};
  g_auto(GStrv) present = g_key_file_get_keys(kf, FW_FB, NULL, NULL);
  g_autofree char *platform = key_str(kf, FW_FB, "platform");
  g_autofree char *fb = key_str(kf, FW_FB, "fb");
  g_autofree char *name = key_str(kf, FW_FB, "name");
  g_autofree char *memory = key_str(kf, FW_FB, "memory");
  g_autofree char *parent = key_str(kf, FW_FB, "parent");
  char parent_dir[PATH_MAX] = "/sys/devices/platform";
  guint64 start = 0, end = 0, minor = 0;

  for (char **k = present; *k != NULL; k++)
    if (!g_strv_contains(keys, *k))
      return mk_fail(error, "[%s] %s: unknown key", FW_FB, *k);
  if (fb == NULL || !g_str_has_prefix(fb, "fb") || !g_ascii_string_to_unsigned(fb + 2, 10, 0, 31, &minor, NULL))
    return mk_fail(error, "[%s] fb= must be fb0..fb31", FW_FB);
  if (!parse_range(memory, &start, &end))
    return mk_fail(error, "[%s] memory= must be START-END (hexadecimal)", FW_FB);
  if (parent != NULL && mt_device_dir(parent, parent_dir) < 0)
    return mk_fail(error, "[%s] parent=%s: no such device", FW_FB, parent);
  g_autofree char *pdev = g_strdup_printf("%s/%s", parent_dir, platform != NULL ? platform : "simple-framebuffer.0");
  g_autofree char *pdev_uevent = g_strconcat(pdev, "/uevent", NULL);
  g_autofree char *fb_dir = g_strdup_printf("%s/graphics/%s", pdev, fb);
  g_autofree char *fb_name = g_strconcat(fb_dir, "/name", NULL);
  g_autofree char *fb_dev = g_strconcat(fb_dir, "/dev", NULL);
  g_autofree char *fb_device = g_strconcat(fb_dir, "/device", NULL);
  g_autofree char *fb_class = g_strdup_printf("/sys/class/graphics/%s", fb);
  *fb_start = g_strdup_printf("%08" PRIx64 "-%08" PRIx64, start, end);
  return mk_check(mt_write(pdev_uevent, "DRIVER=simple-framebuffer\n"), pdev_uevent, error) &&
         mk_check(mt_writef(fb_name, "%s\n", name != NULL ? name : "simpledrmdrmfb"), fb_name, error) &&
         mk_check(mt_writef(fb_dev, "29:%u\n", (guint)minor), fb_dev, error) &&
         mk_check(mt_link(fb_device, pdev), fb_device, error) && mk_check(mt_link(fb_class, fb_dir), fb_class, error) &&
         mk_check(mt_write("/sys/devices/virtual/graphics/fbcon/rotate", "0\n"), "fbcon", error) &&
         mk_check(mt_link("/sys/class/graphics/fbcon", "/sys/devices/virtual/graphics/fbcon"), "fbcon", error);
}

static gint compare_bars(gconstpointer a, gconstpointer b)
{
  const Bar *x = a, *y = b;

  return x->start < y->start ? -1 : x->start > y->start;
}

/* /proc/iomem: the root bus window, each BAR in it, and the firmware
 * framebuffer's BOOTFB (and its driver's request) in the BAR it lies in,
 * or in the window when it lies in none. */
static gboolean write_iomem(MkConsole *c, GKeyFile *kf, const char *fb_range, GError **error)
{
  g_autoptr(GString) iomem = g_string_new("00000000-00000fff : Reserved\n00001000-0009ffff : System RAM\n"
                                          "80000000-febfffff : PCI Bus 0000:00\n");
  g_autofree char *driver = key_str(kf, FW_FB, "driver");
  guint64 fb = 0, fb_end = 0;
  gboolean placed = FALSE;

  if (fb_range != NULL)
    parse_range(fb_range, &fb, &fb_end);
  /* the kernel keeps a level's resources in address order */
  g_array_sort(c->bars, compare_bars);
  for (guint i = 0; i < c->bars->len; i++) {
    const Bar *bar = &g_array_index(c->bars, Bar, i);
    g_string_append_printf(iomem, "  %08" PRIx64 "-%08" PRIx64 " : %s\n", bar->start, bar->end, bar->owner);
    if (fb_range != NULL && !placed && fb >= bar->start && fb_end <= bar->end) {
      g_string_append_printf(iomem, "    %s : BOOTFB\n", fb_range);
      g_string_append_printf(iomem, "      %s : %s\n", fb_range, driver != NULL ? driver : "simpledrm");
      placed = TRUE;
    }
  }
  if (fb_range != NULL && !placed)
    g_string_append_printf(iomem, "  %s : BOOTFB\n    %s : %s\n", fb_range, fb_range,
                           driver != NULL ? driver : "simpledrm");
  return mk_check(mt_write("/proc/iomem", iomem->str), "/proc/iomem", error);
}

/* fs/proc/consoles.c: "%s%d" then padding to column 21, the flags. */
static gboolean write_consoles(GKeyFile *kf, GError **error)
{
  g_auto(GStrv) consoles = g_key_file_get_string_list(kf, "host", "consoles", NULL, NULL);
  g_autoptr(GString) text = g_string_new(NULL);

  for (char **n = consoles; n != NULL && *n != NULL; n++) {
    guint64 index = 0;
    g_strstrip(*n);
    if (g_str_has_prefix(*n, "ttyS") && g_ascii_string_to_unsigned(*n + 4, 10, 0, 191, &index, NULL))
      g_string_append_printf(text, "%-21s-W- (EC p a)    %u:%u\n", *n, TTY_MAJOR, TTYS_MINOR_BASE + (guint)index);
    else if (g_str_has_prefix(*n, "tty") && g_ascii_string_to_unsigned(*n + 3, 10, 0, 63, &index, NULL))
      g_string_append_printf(text, "%-21s-WU (EC p  )    %u:%u\n", *n, TTY_MAJOR, (guint)index);
    else
      return mk_fail(error, "[host] consoles=%s: not ttySN or ttyN", *n);
  }
  return mk_check(mt_write("/proc/consoles", text->str), "/proc/consoles", error);
}

gboolean mk_console_finish(MkConsole *c, GKeyFile *kf, GError **error)
{
  g_autofree char *fb_range = NULL;

  if (g_key_file_has_group(kf, FW_FB) && !add_firmware_fb(kf, &fb_range, error))
    return FALSE;
  return write_iomem(c, kf, fb_range, error) && write_consoles(kf, error);
}
