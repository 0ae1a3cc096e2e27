// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-mkhost: builds a fake host root from a fixture.
 *
 *   mock-mkhost FIXTURE.ini ROOT
 *
 * FIXTURE.ini is a GKeyFile (format in tests/mock/README.md); the files
 * FIXTURE.modules.alias and FIXTURE.modules.builtin.alias next to it are
 * copied verbatim into ROOT/lib/modules/<release>/, FIXTURE.kconfig (the
 * kernel's config) into ROOT/boot/ or ROOT/proc/config.gz.  Everything the kernel
 * would create (links, vfio-dev, /dev/vfio nodes, VFs) is derived from the
 * data with the same code the preload's kernel emulation uses.
 */
#include "mock-mkhost-keys.h"
#include "mock-mkhost-platform.h"
#include "mock-mkhost-console.h"
#include "mock-mkhost-devlink.h"
#include "mock-mkhost-stack.h"
#include "mock-mkhost-usage.h"
#include "mock-tree.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
  GKeyFile *kf;
  char *release;
  gboolean iommu;
  int next_auto_group;
  GHashTable *bridge_buses; /* bdf -> packed (min << 8 | max) child bus */
  MkUsage *usage;           /* interfaces, disks, framebuffers, mounts */
  MkConsole *console;       /* BARs, firmware framebuffer, serial ttys, DRM nodes */
} Builder;

static char *get_str(GKeyFile *kf, const char *group, const char *key, const char *def)
{
  char *v = g_key_file_get_string(kf, group, key, NULL);

  return v != NULL ? g_strstrip(v) : g_strdup(def);
}

static guint get_hex(GKeyFile *kf, const char *group, const char *key, guint def)
{
  g_autofree char *v = get_str(kf, group, key, NULL);

  return (v != NULL && v[0]) ? (guint)g_ascii_strtoull(v, NULL, 16) : def;
}

static int get_int(GKeyFile *kf, const char *group, const char *key, int def)
{
  g_autofree char *v = get_str(kf, group, key, NULL);

  return (v != NULL && v[0]) ? (int)g_ascii_strtoll(v, NULL, 0) : def;
}

static gboolean get_bool(GKeyFile *kf, const char *group, const char *key, gboolean def)
{
  g_autofree char *v = get_str(kf, group, key, NULL);

  if (v == NULL || v[0] == '\0')
    return def;
  return g_ascii_strcasecmp(v, "true") == 0 || g_ascii_strcasecmp(v, "yes") == 0 ||
         strcmp(v, "1") == 0;
}

/* ---- host-wide files ---------------------------------------------------- */

static const char default_mountinfo[] =
  "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
  "22 21 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
  "23 21 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
  "24 21 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,mode=755\n"
  "25 21 0:24 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,mode=755\n";

static const char default_mounts[] =
  "/dev/sda1 / ext4 rw,relatime 0 0\n"
  "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
  "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
  "udev /dev devtmpfs rw,nosuid,relatime,mode=755 0 0\n"
  "tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,mode=755 0 0\n";

/* iommufd's misc device is created root 0660 (drivers/iommu/iommufd/main.c);
 * the ACL tests watch its group bits, which an ACL's mask moves. */
static void fake_iommu_mode(void)
{
  char path[4096];

  if (mt_path(path, "/dev/iommu") == 0)
    chmod(path, 0660);
}

static gboolean write_host(Builder *b, GError **error)
{
  GKeyFile *kf = b->kf;
  g_autofree char *cmdline = NULL;
  g_autofree char *host = NULL;
  gboolean debugfs = get_bool(kf, "host", "debugfs", TRUE);
  gboolean vfio_debugfs = get_bool(kf, "host", "vfio-debugfs", FALSE);
  gboolean vfio_dev, group, cdev;

  b->release = get_str(kf, "host", "release", NULL);
  if (b->release == NULL || b->release[0] == '\0')
    return mk_fail(error, "[host] release is required");
  if (!mk_platform_vfio_model(kf, b->release, &vfio_dev, &group, &cdev, error))
    return FALSE;
  b->iommu = get_bool(kf, "host", "iommu", TRUE);
  cmdline = get_str(kf, "host", "cmdline",
                    b->iommu ? "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet intel_iommu=on"
                             : "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet");
  host = g_strdup_printf("iommu=%d\nvfio_cdev=%d\ndebugfs=%d\nvfio_debugfs=%d\nvfio_dev=%d\nvfio_group=%d\n",
                         b->iommu ? 1 : 0, cdev ? 1 : 0, debugfs ? 1 : 0, vfio_debugfs ? 1 : 0, vfio_dev ? 1 : 0,
                         group ? 1 : 0);
  if (!mk_check(mt_writef("/.mock/release", "%s\n", b->release), "release", error) ||
      !mk_check(mt_write("/.mock/host", host), ".mock/host", error) ||
      !mk_check(mt_write("/.mock/faults", ""), ".mock/faults", error) ||
      !mk_check(mt_write("/.mock/delays", ""), ".mock/delays", error))
    return FALSE;
  mt_write("/.mock/lock", "");
  mt_mkdir_p("/.mock/counters");
  mt_mkdir_p("/sys/bus/pci/devices");
  mt_mkdir_p("/sys/bus/pci/drivers");
  mt_write_bytes("/sys/bus/pci/drivers_probe", "", 0, 0200);
  mt_write_bytes("/sys/bus/pci/rescan", "", 0, 0200);
  mt_write("/sys/bus/pci/drivers_autoprobe", "1\n");
  mt_write("/sys/bus/pci/resource_alignment", "\n");
  mt_mkdir_p("/sys/kernel/iommu_groups");
  /* an unmounted debugfs is an empty mount point; a mounted one never is empty */
  mt_mkdir_p(debugfs ? "/sys/kernel/debug/sched" : "/sys/kernel/debug");
  mt_mkdir_p("/sys/module");
  if (b->iommu)
    mt_mkdir_p("/sys/devices/virtual/iommu/dmar0");
  if (get_bool(kf, "host", "dev-vfio", group))
    mt_write("/dev/vfio/vfio", "");
  if (cdev) {
    mt_mkdir_p("/dev/vfio/devices");
    mt_write("/dev/iommu", "");
    fake_iommu_mode();
  }
  mt_mkdir_p("/run/vfio-hostdev");
  mt_mkdir_p("/etc/vfio-hostdev");
  mt_write("/proc/self/mountinfo", default_mountinfo);
  mt_write("/proc/mounts", default_mounts);
  return mk_check(mt_writef("/proc/cmdline", "%s\n", cmdline), "cmdline", error);
}

/* ---- drivers, modules, aliases, names ---------------------------------- */

static MtModState parse_state(const char *s)
{
  if (g_strcmp0(s, "available") == 0)
    return MT_MOD_AVAILABLE;
  if (g_strcmp0(s, "builtin") == 0)
    return MT_MOD_BUILTIN;
  return MT_MOD_LOADED;
}

/* [driver NAME] and [module NAME] groups, in file order. */
static gboolean write_drivers(Builder *b, GError **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups(b->kf, NULL);
  g_autoptr(GArray) drivers = g_array_new(FALSE, TRUE, sizeof(MtDriver));
  g_autoptr(GString) softdeps = g_string_new("# Soft dependencies extracted from modules themselves.\n");
  g_autofree char *softdep_rel = g_strdup_printf("/lib/modules/%s/modules.softdep", b->release);

  for (char **g = groups; *g; g++) {
    MtDriver d = { 0 };
    g_autofree char *module = NULL, *state = NULL;
    gboolean is_driver = g_str_has_prefix(*g, "driver ");

    if (!is_driver && !g_str_has_prefix(*g, "module "))
      continue;
    module = get_str(b->kf, *g, "module", is_driver ? NULL : *g + 7);
    if (module == NULL)
      return mk_fail(error, "[%s] needs module=", *g);
    state = get_str(b->kf, *g, "state", "loaded");
    /* A module that registers no PCI driver is stored with driver "-". */
    snprintf(d.name, sizeof(d.name), "%s", is_driver ? *g + 7 : "-");
    snprintf(d.module, sizeof(d.module), "%s", module);
    d.vfio = get_bool(b->kf, *g, "vfio", FALSE);
    /* vfio-pci's sriov_configure() answers ENOENT unless its enable_sriov
     * parameter is set: VFIO drivers have none by default */
    d.sriov_configure = get_bool(b->kf, *g, "sriov-configure", !d.vfio);
    d.state = parse_state(state);
    if (!mk_key_migration(b->kf, *g, &d.migration, error))
      return FALSE;
    {
      /* MODULE_SOFTDEP, as depmod writes it into modules.softdep */
      g_autofree char *softdep = get_str(b->kf, *g, "softdep", NULL);
      if (softdep != NULL)
        g_string_append_printf(softdeps, "softdep %s %s\n", module, softdep);
    }
    g_array_append_val(drivers, d);
    if (is_driver && d.state != MT_MOD_AVAILABLE &&
        !mk_check(mt_driver_register_tree(&d), d.name, error))
      return FALSE;
    if (!is_driver && d.state == MT_MOD_LOADED) {
      g_autofree char *rel = g_strdup_printf("/sys/module/%s/initstate", d.module);
      mt_write(rel, "live\n");
    }
  }
  mt_write(softdep_rel, softdeps->str);
  return mk_check(mt_drivers_save((MtDriver *)drivers->data, (int)drivers->len), "drivers", error);
}

/* Copies FIXTURE.<suffix> verbatim (missing: empty file) and returns its
 * contents for parsing. */
static char *copy_alias_file(Builder *b, const char *stem, const char *suffix)
{
  g_autofree char *src = g_strdup_printf("%s.%s", stem, suffix);
  g_autofree char *rel = g_strdup_printf("/lib/modules/%s/%s", b->release, suffix);
  char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents(src, &text, &len, NULL)) {
    text = g_strdup("");
    len = 0;
  }
  mt_write_bytes(rel, text, len, 0644);
  return text;
}

/* "alias PATTERN MODULE" lines into the kernel's own table
 * ($ROOT/.mock/aliases); malformed lines are what a real kernel would
 * never have produced and are skipped. */
static void parse_aliases(const char *text, GString *table)
{
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

  for (char **l = lines; *l; l++) {
    g_auto(GStrv) words = NULL;
    g_strstrip(*l);
    if (!g_str_has_prefix(*l, "alias "))
      continue;
    words = g_strsplit_set(*l, " \t", -1);
    {
      const char *w[3];
      int n = 0;
      for (char **p = words; *p && n < 3; p++)
        if (**p)
          w[n++] = *p;
      if (n == 3)
        g_string_append_printf(table, "%s %s\n", w[1], w[2]);
    }
  }
}

/* libkmod (lspci -k) loads these binary indexes and complains when they
 * are missing.  Each is written as a valid, empty index: header (magic
 * 0xB007F457, version 2.1, big-endian) and a root node with no prefix,
 * children or values.  lspci then prints no "Kernel modules:" lines. */
static void write_empty_kmod_indexes(Builder *b)
{
  static const guint8 empty_index[12] = { 0xB0, 0x07, 0xF4, 0x57, 0x00, 0x02,
                                          0x00, 0x01, 0x00, 0x00, 0x00, 0x0C };
  static const char *const names[] = { "modules.dep.bin", "modules.alias.bin",
                                       "modules.symbols.bin", "modules.builtin.bin",
                                       "modules.builtin.alias.bin" };

  for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *rel = g_strdup_printf("/lib/modules/%s/%s", b->release, names[i]);
    mt_write_bytes(rel, empty_index, sizeof(empty_index), 0644);
  }
}

static gboolean write_modules(Builder *b, const char *stem, GError **error)
{
  g_autofree char *alias = copy_alias_file(b, stem, "modules.alias");
  g_autofree char *builtin = copy_alias_file(b, stem, "modules.builtin.alias");
  g_autoptr(GString) table = g_string_new(NULL);
  g_autoptr(GString) dep = g_string_new(NULL);
  g_autoptr(GString) builtins = g_string_new(NULL);
  g_autofree char *rel = NULL;
  MtDriver *drivers;
  int n;

  parse_aliases(alias, table);
  parse_aliases(builtin, table);
  write_empty_kmod_indexes(b);
  if (!mk_check(mt_write("/.mock/aliases", table->str), "aliases", error))
    return FALSE;
  n = mt_drivers_load(&drivers);
  for (int i = 0; i < n; i++) {
    GString *s = drivers[i].state == MT_MOD_BUILTIN ? builtins : dep;
    g_autofree char *line = g_strdup_printf("kernel/drivers/mock/%s.ko%s\n", drivers[i].module,
                                            s == dep ? ":" : "");
    if (strstr(s->str, line) == NULL)
      g_string_append(s, line);
  }
  free(drivers);
  rel = g_strdup_printf("/lib/modules/%s/modules.dep", b->release);
  mt_write(rel, dep->str);
  g_free(rel);
  rel = g_strdup_printf("/lib/modules/%s/modules.builtin", b->release);
  return mk_check(mt_write(rel, builtins->str), "modules.builtin", error);
}

/* One [names] key as the hwdb line real hwdb files have for it:
 * "VVVV" vendor, "VVVV:DDDD" model, "VVVV:DDDD:SVVV:SDDD" the subsystem's
 * name (systemd's 20-pci-vendor-model.hwdb gives it as the model of the
 * longer pattern), "class:CC" and "class:CC:SS" (20-pci-classes.hwdb). */
static void append_name(GString *hwdb, const char *key, const char *value)
{
  unsigned vendor = 0, device = 0, sub_vendor = 0, sub_device = 0, base = 0, sub = 0;

  if (sscanf(key, "class:%x:%x", &base, &sub) == 2)
    g_string_append_printf(hwdb, "pci:v*d*sv*sd*bc%02Xsc%02X*\tID_PCI_SUBCLASS_FROM_DATABASE\t%s\n", base, sub,
                           value);
  else if (sscanf(key, "class:%x", &base) == 1)
    g_string_append_printf(hwdb, "pci:v*d*sv*sd*bc%02X*\tID_PCI_CLASS_FROM_DATABASE\t%s\n", base, value);
  else if (sscanf(key, "%x:%x:%x:%x", &vendor, &device, &sub_vendor, &sub_device) == 4)
    g_string_append_printf(hwdb, "pci:v%08Xd%08Xsv%08Xsd%08X*\tID_MODEL_FROM_DATABASE\t%s\n", vendor, device,
                           sub_vendor, sub_device, value);
  else if (sscanf(key, "%x:%x", &vendor, &device) == 2)
    g_string_append_printf(hwdb, "pci:v%08Xd%08X*\tID_MODEL_FROM_DATABASE\t%s\n", vendor, device, value);
  else if (sscanf(key, "%x", &vendor) == 1)
    g_string_append_printf(hwdb, "pci:v%08X*\tID_VENDOR_FROM_DATABASE\t%s\n", vendor, value);
}

/* [names] into hwdb patterns; the more specific keys after the shorter
 * ones, as in the real files, since a later match wins. */
static gboolean write_names(Builder *b, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys(b->kf, "names", NULL, NULL);
  g_autoptr(GString) hwdb = g_string_new(NULL);

  for (char **k = keys; k && *k; k++) {
    g_autofree char *value = get_str(b->kf, "names", *k, "");
    append_name(hwdb, *k, value);
  }
  return mk_check(mt_write("/.mock/hwdb", hwdb->str), "hwdb", error);
}

/* [faults] probe=DRIVER BDF-GLOB ERRNO;... : persistent probe failures. */
static gboolean write_faults(Builder *b, GError **error)
{
  g_auto(GStrv) probes = g_key_file_get_string_list(b->kf, "faults", "probe", NULL, NULL);
  g_autoptr(GString) text = g_string_new(NULL);

  for (char **p = probes; p && *p; p++)
    g_string_append_printf(text, "probe %s\n", g_strstrip(*p));
  return mk_check(mt_write("/.mock/faults", text->str), "faults", error);
}

/* ---- devices ------------------------------------------------------------ */

static gboolean parse_bdf(const char *s, unsigned *domain, unsigned *bus)
{
  unsigned slot, fn;
  char tail;

  return strlen(s) == 12 && sscanf(s, "%4x:%2x:%2x.%1x%c", domain, bus, &slot, &fn, &tail) == 4;
}

/* First pass: the auto group numbering starts above every explicit group,
 * and each bridge learns the range of buses behind it. */
static gboolean scan_devices(Builder *b, char **groups, GError **error)
{
  int max_group = -1;

  for (char **g = groups; *g; g++) {
    g_autofree char *parent = NULL;
    unsigned domain, bus;
    if (!g_str_has_prefix(*g, "device "))
      continue;
    if (!parse_bdf(*g + 7, &domain, &bus))
      return mk_fail(error, "[%s]: not a PCI address like 0000:00:02.0", *g);
    max_group = MAX(max_group, get_int(b->kf, *g, "iommu-group", -1));
    parent = get_str(b->kf, *g, "parent", NULL);
    if (parent != NULL && parent[0]) {
      guint packed = GPOINTER_TO_UINT(g_hash_table_lookup(b->bridge_buses, parent));
      guint lo = packed ? (packed >> 8) & 0xff : bus, hi = packed ? packed & 0xff : bus;
      lo = MIN(lo, bus);
      hi = MAX(hi, bus);
      /* +0x10000 keeps bus 0 distinguishable from "absent". */
      g_hash_table_insert(b->bridge_buses, g_strdup(parent),
                          GUINT_TO_POINTER(0x10000 | lo << 8 | hi));
    }
  }
  b->next_auto_group = max_group + 1;
  return TRUE;
}

static gboolean device_parent_dir(Builder *b, const char *group, const char *bdf, char *dir,
                                  GError **error)
{
  g_autofree char *parent = get_str(b->kf, group, "parent", NULL);
  unsigned domain = 0, bus = 0;

  if (parent != NULL && parent[0]) {
    if (mt_device_dir(parent, dir) < 0)
      return mk_fail(error, "[%s]: parent %s must be listed before it", group, parent);
    return TRUE;
  }
  parse_bdf(bdf, &domain, &bus);
  snprintf(dir, PATH_MAX, "/sys/devices/pci%04x:%02x", domain, bus);
  return TRUE;
}

static void fill_device(Builder *b, const char *group, MtDevice *d)
{
  GKeyFile *kf = b->kf;
  guint packed;

  d->vendor = get_hex(kf, group, "vendor", 0xffff);
  d->device = get_hex(kf, group, "device", 0xffff);
  d->subvendor = get_hex(kf, group, "subsystem-vendor", 0);
  d->subdevice = get_hex(kf, group, "subsystem-device", 0);
  d->class_code = get_hex(kf, group, "class", 0);
  d->revision = get_hex(kf, group, "revision", 0);
  d->header_type = get_hex(kf, group, "header-type", 0);
  d->numa_node = get_int(kf, group, "numa-node", -1);
  d->sriov = g_key_file_has_key(kf, group, "sriov-totalvfs", NULL);
  d->sriov_totalvfs = (unsigned)get_int(kf, group, "sriov-totalvfs", 0);
  d->sriov_offset = (unsigned)get_int(kf, group, "sriov-offset", 1);
  d->sriov_stride = (unsigned)get_int(kf, group, "sriov-stride", 1);
  d->sriov_vf_device = get_hex(kf, group, "sriov-vf-device", d->device);
  d->sriov_autoprobe = get_bool(kf, group, "sriov-drivers-autoprobe", TRUE);
  packed = GPOINTER_TO_UINT(g_hash_table_lookup(b->bridge_buses, d->bdf));
  d->secondary_bus = (unsigned)get_int(kf, group, "secondary-bus", packed ? (int)((packed >> 8) & 0xff) : 0);
  d->subordinate_bus = (unsigned)get_int(kf, group, "subordinate-bus", packed ? (int)(packed & 0xff) : 0);
  if (b->iommu) {
    d->iommu_group = get_int(kf, group, "iommu-group", -1);
    if (d->iommu_group < 0)
      d->iommu_group = b->next_auto_group++;
  }
}

/* Child devices the safety checks look at (net=, nvme=, fb= and their
 * net.*, block.*, fb.* keys: mock-mkhost-usage.c, mock-mkhost-net.c), plus
 * arbitrary "file.<relpath>=contents" files. */
static gboolean write_children(Builder *b, const char *group, const char *dir, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys(b->kf, group, NULL, NULL);

  g_autofree char *bdf = g_path_get_basename(dir);

  if (!mk_usage_device(b->usage, b->kf, group, dir, error) ||
      !mk_console_device(b->console, b->kf, group, dir, bdf, error))
    return FALSE;
  for (char **k = keys; k && *k; k++) {
    if (g_str_has_prefix(*k, "file.") && strstr(*k, "..") == NULL) {
      g_autofree char *value = g_key_file_get_string(b->kf, group, *k, NULL);
      g_autofree char *rel = g_strdup_printf("%s/%s", dir, *k + 5);
      mt_writef(rel, "%s\n", value ? value : "");
    }
  }
  return TRUE;
}

/* Binds the initial driver: links, and vfio-dev for VFIO drivers. */
static gboolean bind_initial(const char *group, const char *bdf, const char *driver,
                             GError **error)
{
  MtDriver drv;
  int rc;

  if (!mt_driver_lookup(driver, &drv))
    return mk_fail(error, "[%s]: driver %s is not a registered [driver]", group, driver);
  if ((rc = mt_bind_links(bdf, driver)) < 0)
    return mk_check(rc, bdf, error);
  if (drv.vfio && (rc = mt_vfio_attach(bdf, &drv)) < 0)
    return mk_check(rc, bdf, error);
  return mk_check(mt_device_update_uevent(bdf), bdf, error);
}

static gboolean apply_state(Builder *b, const char *group, const char *bdf, GError **error)
{
  g_autofree char *override = get_str(b->kf, group, "driver-override", "");
  g_autofree char *driver = get_str(b->kf, group, "driver", "");
  char dir[PATH_MAX];

  if (mt_device_dir(bdf, dir) < 0)
    return mk_fail(error, "[%s]: no such device", group);
  if (override[0]) {
    g_autofree char *rel = g_strdup_printf("%s/driver_override", dir);
    mt_writef(rel, "%s\n", override);
  }
  if (!write_children(b, group, dir, error))
    return FALSE;
  return driver[0] == '\0' || bind_initial(group, bdf, driver, error);
}

static gboolean create_device(Builder *b, const char *group, GError **error)
{
  g_autofree char *reset = get_str(b->kf, group, "reset-method", "");
  g_autofree char *modalias = get_str(b->kf, group, "modalias", NULL);
  g_autofree char *rel = NULL;
  MtDevice d;

  mt_device_init(&d);
  snprintf(d.bdf, sizeof(d.bdf), "%s", group + 7);
  if (!device_parent_dir(b, group, d.bdf, d.parent_dir, error))
    return FALSE;
  fill_device(b, group, &d);
  d.reset_method = reset;
  d.modalias = modalias;
  if (!mk_check(mt_device_create(&d), d.bdf, error))
    return FALSE;
  /* The methods the device supports, for reset_method writes. */
  rel = g_strdup_printf("/.mock/reset-methods/%s", d.bdf);
  mt_writef(rel, "%s\n", reset);
  return apply_state(b, group, d.bdf, error);
}

/* VFs enabled at boot: created after every listed device, then
 * [vf BDF] groups give them a driver or driver_override. */
static gboolean create_vfs(Builder *b, char **groups, GError **error)
{
  for (char **g = groups; *g; g++) {
    int numvfs;
    if (!g_str_has_prefix(*g, "device "))
      continue;
    numvfs = get_int(b->kf, *g, "sriov-numvfs", 0);
    if (numvfs > 0 && !mk_check(mt_sriov_create_vfs(*g + 7, (unsigned)numvfs, FALSE), *g, error))
      return FALSE;
  }
  for (char **g = groups; *g; g++) {
    if (g_str_has_prefix(*g, "vf ") && !apply_state(b, *g, *g + 3, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean write_devices(Builder *b, GError **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups(b->kf, NULL);

  if (!scan_devices(b, groups, error))
    return FALSE;
  for (char **g = groups; *g; g++) {
    if (g_str_has_prefix(*g, "device ") && !create_device(b, *g, error))
      return FALSE;
  }
  return create_vfs(b, groups, error) && mk_devlinks(b->kf, error);
}

/* [virtual]: interfaces of no device (bridges, bonds, VLANs, tunnels),
 * declared as a device's are, below /sys/devices/virtual/net; then the
 * [net-stack] links between them and the devices' interfaces. */
static gboolean write_virtual(Builder *b, GError **error)
{
  if (g_key_file_has_group(b->kf, "virtual") &&
      !mk_usage_device(b->usage, b->kf, "virtual", "/sys/devices/virtual", error))
    return FALSE;
  return mk_stack_links(b->kf, error);
}

static gboolean build(const char *fixture, const char *root, GError **error)
{
  Builder b = { 0 };
  g_autofree char *stem = NULL;
  gboolean ok;

  if (!g_path_is_absolute(root))
    return mk_fail(error, "%s: the root must be an absolute path", root);
  b.kf = g_key_file_new();
  if (!g_key_file_load_from_file(b.kf, fixture, G_KEY_FILE_NONE, error)) {
    g_key_file_free(b.kf);
    return FALSE;
  }
  stem = g_str_has_suffix(fixture, ".ini") ? g_strndup(fixture, strlen(fixture) - 4)
                                           : g_strdup(fixture);
  b.bridge_buses = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  b.usage = mk_usage_new();
  b.console = mk_console_new();
  g_mkdir_with_parents(root, 0755);
  mt_set_root(root);
  ok = write_host(&b, error) && mk_platform_write(b.kf, stem, b.release, error) && write_drivers(&b, error) && write_modules(&b, stem, error) &&
       write_names(&b, error) && write_faults(&b, error) && write_devices(&b, error) &&
       write_virtual(&b, error) && mk_usage_finish(b.usage, error) && mk_console_finish(b.console, b.kf, error);
  mk_usage_free(b.usage);
  mk_console_free(b.console);
  g_hash_table_unref(b.bridge_buses);
  g_key_file_free(b.kf);
  g_free(b.release);
  return ok;
}

int main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  if (argc != 3) {
    fprintf(stderr, "usage: %s FIXTURE.ini ROOT\n", argv[0]);
    return 2;
  }
  if (!build(argv[1], argv[2], &error)) {
    fprintf(stderr, "mock-mkhost: %s: %s\n", argv[1], error->message);
    return 1;
  }
  return 0;
}
