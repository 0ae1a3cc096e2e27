// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-mkhost-usage.c: the host's use of its devices, for mock-mkhost:
 * MkUsage dispatches a device's keys to the network interfaces
 * (mock-mkhost-net.c) and keeps the block devices, mounts and
 * framebuffers itself.
 *
 * Block devices: NVMe namespaces and partitions below the device,
 * holders (dm-N, mdN) as virtual block devices with holders/ and slaves/
 * links, and mounts appended to the mount tables.  Framebuffers: fbN below
 * the device with a "device" link to it, as DRM's fbdev emulation has.
 */
#include "mock-mkhost-usage.h"
#include "mock-mkhost-keys.h"
#include "mock-mkhost-net.h"
#include "mock-tree.h"

#include <string.h>

#define FIRST_MOUNT_ID 100

typedef struct {
  char *dir; /* logical sysfs directory */
  guint major, minor;
  char *source; /* the mount tables' source: /dev/nvme0n1, /dev/mapper/vg0-root */
} Block;

struct _MkUsage {
  MkNet *net;            /* interfaces, addresses, routes */
  guint next_nvme_minor; /* blkext 259:N */
  guint next_other_minor;
  int next_mount_id;
  GString *mountinfo, *mounts;
  GHashTable *blocks; /* name -> Block* */
  GHashTable *names;  /* interfaces and framebuffers declared so far */
  gboolean graphics;  /* a framebuffer exists: fbcon too */
};

static void block_free(Block *block)
{
  g_free(block->dir);
  g_free(block->source);
  g_free(block);
}

MkUsage *mk_usage_new(void)
{
  MkUsage *u = g_new0(MkUsage, 1);

  u->net = mk_net_new();
  u->next_mount_id = FIRST_MOUNT_ID;
  u->mountinfo = g_string_new(NULL);
  u->mounts = g_string_new(NULL);
  u->blocks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)block_free);
  u->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add(u->names, g_strdup("lo"));
  return u;
}

void mk_usage_free(MkUsage *u)
{
  if (u == NULL)
    return;
  mk_net_free(u->net);
  g_string_free(u->mountinfo, TRUE);
  g_string_free(u->mounts, TRUE);
  g_hash_table_unref(u->blocks);
  g_hash_table_unref(u->names);
  g_free(u);
}

/* ---- block devices --------------------------------------------------------- */

static const char *const block_props[] = {"partitions", "holders", "mount", NULL};

/* A gendisk or partition at DIR/NAME (PARTITION > 0: its number). */
static gboolean add_block(MkUsage *u, const char *parent, const char *name, guint major, guint minor,
                          guint partition, const char *source, GError **error)
{
  g_autofree char *dir = g_strdup_printf("%s/%s", parent, name);
  g_autofree char *uevent = g_strdup_printf("MAJOR=%u\nMINOR=%u\nDEVNAME=%s\nDEVTYPE=%s\n", major, minor, name,
                                            partition > 0 ? "partition" : "disk");
  g_autofree char *f_dev = g_strconcat(dir, "/dev", NULL);
  g_autofree char *f_size = g_strconcat(dir, "/size", NULL);
  g_autofree char *f_uevent = g_strconcat(dir, "/uevent", NULL);
  g_autofree char *d_holders = g_strconcat(dir, "/holders", NULL);
  g_autofree char *subsystem = g_strconcat(dir, "/subsystem", NULL);
  g_autofree char *cls = g_strdup_printf("/sys/class/block/%s", name);

  if (g_hash_table_contains(u->blocks, name))
    return mk_fail(error, "block device %s is declared twice", name);
  if (!mk_check(mt_writef(f_dev, "%u:%u\n", major, minor), f_dev, error) ||
      !mk_check(mt_write(f_size, partition > 0 ? "1048576\n" : "2097152\n"), f_size, error) ||
      !mk_check(mt_write(f_uevent, uevent), f_uevent, error) || !mk_check(mt_mkdir_p(d_holders), d_holders, error) ||
      !mk_check(mt_link(subsystem, "/sys/class/block"), subsystem, error) || !mk_check(mt_link(cls, dir), cls, error))
    return FALSE;
  if (partition > 0) {
    g_autofree char *f_part = g_strconcat(dir, "/partition", NULL);
    g_autofree char *f_start = g_strconcat(dir, "/start", NULL);
    if (!mk_check(mt_writef(f_part, "%u\n", partition), f_part, error) ||
        !mk_check(mt_writef(f_start, "%u\n", 2048 + (partition - 1) * 1048576), f_start, error))
      return FALSE;
  } else {
    g_autofree char *d_slaves = g_strconcat(dir, "/slaves", NULL);
    g_autofree char *sys_block = g_strdup_printf("/sys/block/%s", name);
    if (!mk_check(mt_mkdir_p(d_slaves), d_slaves, error) || !mk_check(mt_link(sys_block, dir), sys_block, error))
      return FALSE;
  }
  Block *block = g_new0(Block, 1);
  block->dir = g_steal_pointer(&dir);
  block->major = major;
  block->minor = minor;
  block->source = g_strdup(source);
  g_hash_table_insert(u->blocks, g_strdup(name), block);
  return TRUE;
}

/* nvme=CTRL: the controller and its namespace CTRLn1. */
static gboolean add_nvme(MkUsage *u, const char *dir, const char *ctrl, GError **error)
{
  g_autofree char *cdir = g_strdup_printf("%s/nvme/%s", dir, ctrl);
  g_autofree char *model = g_strconcat(cdir, "/model", NULL);
  g_autofree char *device = g_strconcat(cdir, "/device", NULL);
  g_autofree char *subsystem = g_strconcat(cdir, "/subsystem", NULL);
  g_autofree char *cls = g_strdup_printf("/sys/class/nvme/%s", ctrl);
  g_autofree char *ns = g_strconcat(ctrl, "n1", NULL);
  g_autofree char *source = g_strconcat("/dev/", ns, NULL);

  if (!mk_check(mt_write(model, "Mock NVMe Disk\n"), model, error) || !mk_check(mt_link(device, dir), device, error) ||
      !mk_check(mt_link(subsystem, "/sys/class/nvme"), subsystem, error) || !mk_check(mt_link(cls, cdir), cls, error))
    return FALSE;
  return add_block(u, cdir, ns, 259, u->next_nvme_minor++, 0, source, error);
}

/* block.DISK.partitions=N: DISKp1..DISKpN (DISK1.. when DISK ends in a letter). */
static gboolean add_partitions(MkUsage *u, const char *disk, guint count, GError **error)
{
  const Block *parent = g_hash_table_lookup(u->blocks, disk);
  gboolean digit = g_ascii_isdigit(disk[strlen(disk) - 1]);
  g_autofree char *parent_dir = g_strdup(parent->dir);
  guint major = parent->major;

  for (guint i = 1; i <= count; i++) {
    g_autofree char *name = g_strdup_printf("%s%s%u", disk, digit ? "p" : "", i);
    g_autofree char *source = g_strconcat("/dev/", name, NULL);
    guint minor = major == 259 ? u->next_nvme_minor++ : parent->minor + i;
    if (!add_block(u, parent_dir, name, major, minor, i, source, error))
      return FALSE;
  }
  return TRUE;
}

/* A virtual block device holding others: dm-N (253:N, dm/name), mdN (9:N),
 * anything else 252:K. */
static gboolean ensure_holder(MkUsage *u, const char *name, GError **error)
{
  guint64 n = 0;
  guint major = 252, minor;

  if (g_hash_table_contains(u->blocks, name))
    return TRUE;
  if (g_str_has_prefix(name, "dm-") && g_ascii_string_to_unsigned(name + 3, 10, 0, 1u << 20, &n, NULL))
    major = 253;
  else if (g_str_has_prefix(name, "md") && g_ascii_string_to_unsigned(name + 2, 10, 0, 1u << 20, &n, NULL))
    major = 9;
  minor = major == 252 ? u->next_other_minor++ : (guint)n;
  g_autofree char *dm_name = g_strdup_printf("vg%u-lv", minor);
  g_autofree char *source = major == 253 ? g_strconcat("/dev/mapper/", dm_name, NULL) : g_strconcat("/dev/", name, NULL);
  if (!add_block(u, "/sys/devices/virtual/block", name, major, minor, 0, source, error))
    return FALSE;
  if (major == 253) {
    g_autofree char *f_name = g_strdup_printf("/sys/devices/virtual/block/%s/dm/name", name);
    return mk_check(mt_writef(f_name, "%s\n", dm_name), f_name, error);
  }
  return TRUE;
}

static gboolean add_holders(MkUsage *u, const char *group, const char *name, char **holders, GError **error)
{
  const Block *held = g_hash_table_lookup(u->blocks, name);

  if (held == NULL)
    return mk_fail(error, "[%s] block.%s.holders: no block device %s", group, name, name);
  for (char **h = holders; *h != NULL; h++) {
    if (!ensure_holder(u, *h, error))
      return FALSE;
    const Block *holder = g_hash_table_lookup(u->blocks, *h);
    g_autofree char *link = g_strdup_printf("%s/holders/%s", held->dir, *h);
    g_autofree char *back = g_strdup_printf("%s/slaves/%s", holder->dir, name);
    if (!mk_check(mt_link(link, holder->dir), link, error) || !mk_check(mt_link(back, held->dir), back, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean add_mounts(MkUsage *u, const char *group, const char *name, char **points, GError **error)
{
  const Block *block = g_hash_table_lookup(u->blocks, name);

  if (block == NULL)
    return mk_fail(error, "[%s] block.%s.mount: no block device %s", group, name, name);
  for (char **p = points; *p != NULL; p++) {
    int id = u->next_mount_id++;
    if (**p != '/' || strpbrk(*p, " \t\n\\") != NULL)
      return mk_fail(error, "[%s] block.%s.mount: not an absolute path without blanks: %s", group, name, *p);
    g_string_append_printf(u->mountinfo, "%d 21 %u:%u / %s rw,relatime shared:%d - ext4 %s rw\n", id, block->major,
                           block->minor, *p, id, block->source);
    g_string_append_printf(u->mounts, "%s %s ext4 rw,relatime 0 0\n", block->source, *p);
  }
  return TRUE;
}

/* block.NAME.PROP keys of GROUP for PROP, in file order. */
static gboolean each_block_key(MkUsage *u, GKeyFile *kf, const char *group, const char *prop, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
  g_autofree char *suffix = g_strconcat(".", prop, NULL);

  for (char **k = keys; k != NULL && *k != NULL; k++) {
    if (!g_str_has_prefix(*k, "block.") || !g_str_has_suffix(*k, suffix))
      continue;
    g_autofree char *name = g_strndup(*k + 6, strlen(*k) - 6 - strlen(suffix));
    g_auto(GStrv) values = mk_key_list(kf, group, *k);
    gboolean ok = TRUE;
    if (g_str_equal(prop, "partitions")) {
      guint64 count = 0;
      g_autofree char *text = mk_key_str(kf, group, *k, "");
      if (!g_hash_table_contains(u->blocks, name))
        return mk_fail(error, "[%s] %s: no block device %s below this device", group, *k, name);
      if (!g_ascii_string_to_unsigned(text, 10, 1, 64, &count, NULL))
        return mk_fail(error, "[%s] %s: not a number from 1 to 64: %s", group, *k, text);
      ok = add_partitions(u, name, (guint)count, error);
    } else if (g_str_equal(prop, "holders")) {
      ok = add_holders(u, group, name, values, error);
    } else {
      ok = add_mounts(u, group, name, values, error);
    }
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

/* ---- framebuffers ---------------------------------------------------------- */

static const char *const fb_props[] = {"name", NULL};

/* fb=fbN: DRM's fbdev emulation registers the framebuffer below the GPU. */
static gboolean add_fb(MkUsage *u, GKeyFile *kf, const char *group, const char *dir, const char *name,
                       GError **error)
{
  g_autofree char *k_name = g_strdup_printf("fb.%s.name", name);
  g_autofree char *driver = mk_key_str(kf, group, "driver", "");
  g_autofree char *def_name = g_strdup_printf("%sdrmfb", driver[0] != '\0' ? driver : "simple");
  g_autofree char *fb_name = mk_key_str(kf, group, k_name, def_name);
  g_autofree char *base = g_strdup_printf("%s/graphics/%s", dir, name);
  g_autofree char *cls = g_strdup_printf("/sys/class/graphics/%s", name);
  guint64 minor = 0;

  if (!g_str_has_prefix(name, "fb") || !g_ascii_string_to_unsigned(name + 2, 10, 0, 31, &minor, NULL))
    return mk_fail(error, "[%s] fb=%s: not fb0..fb31", group, name);
  if (!g_hash_table_add(u->names, g_strdup(name)))
    return mk_fail(error, "[%s] fb=%s: declared twice", group, name);
  const struct {
    const char *file;
    char *value;
  } files[] = {
    {"dev", g_strdup_printf("29:%u", (guint)minor)},
    {"name", g_strdup(fb_name)},
    {"bits_per_pixel", g_strdup("32")},
    {"virtual_size", g_strdup("1920,1080")},
    {"uevent", g_strdup_printf("MAJOR=29\nMINOR=%u\nDEVNAME=%s", (guint)minor, name)},
  };
  gboolean ok = TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
    g_autofree char *rel = g_strdup_printf("%s/%s", base, files[i].file);
    ok = ok && mk_check(mt_writef(rel, "%s\n", files[i].value), rel, error);
    g_free(files[i].value);
  }
  g_autofree char *device = g_strconcat(base, "/device", NULL);
  g_autofree char *subsystem = g_strconcat(base, "/subsystem", NULL);
  u->graphics = TRUE;
  return ok && mk_check(mt_link(device, dir), device, error) &&
         mk_check(mt_link(subsystem, "/sys/class/graphics"), subsystem, error) && mk_check(mt_link(cls, base), cls, error);
}


/* ---- per device and host-wide ---------------------------------------------- */

gboolean mk_usage_device(MkUsage *u, GKeyFile *kf, const char *group, const char *dir, GError **error)
{
  g_auto(GStrv) nets = mk_key_list(kf, group, "net");
  g_auto(GStrv) nvmes = mk_key_list(kf, group, "nvme");
  g_auto(GStrv) fbs = mk_key_list(kf, group, "fb");

  if (!mk_net_check_keys(kf, group, (const char *const *)nets, error) ||
      !mk_check_keys(kf, group, "fb", (const char *const *)fbs, fb_props, error))
    return FALSE;
  for (char **n = nets; *n != NULL; n++)
    if (!mk_net_interface(u->net, u->names, kf, group, dir, *n, error))
      return FALSE;
  for (char **n = nvmes; *n != NULL; n++)
    if (!add_nvme(u, dir, *n, error))
      return FALSE;
  /* block names are checked as they are used: holders and partitions
   * declared here create the names the later keys refer to */
  g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
  for (char **k = keys; k != NULL && *k != NULL; k++) {
    const char *dot = strrchr(*k, '.');
    if (g_str_has_prefix(*k, "block.") && (dot - *k <= 6 || !g_strv_contains(block_props, dot + 1)))
      return mk_fail(error, "[%s] %s: not block.NAME.{partitions,holders,mount}", group, *k);
  }
  if (!each_block_key(u, kf, group, "partitions", error) || !each_block_key(u, kf, group, "holders", error) ||
      !each_block_key(u, kf, group, "mount", error))
    return FALSE;
  for (char **f = fbs; *f != NULL; f++)
    if (!add_fb(u, kf, group, dir, *f, error))
      return FALSE;
  return TRUE;
}

gboolean mk_usage_finish(MkUsage *u, GError **error)
{
  if (!mk_net_finish(u->net, error))
    return FALSE;
  if (u->graphics) {
    /* the console's own class device: no "device" link */
    if (!mk_check(mt_write("/sys/devices/virtual/graphics/fbcon/rotate", "0\n"), "fbcon", error) ||
        !mk_check(mt_link("/sys/class/graphics/fbcon", "/sys/devices/virtual/graphics/fbcon"), "fbcon", error))
      return FALSE;
  }
  return mk_check(mt_append("/proc/self/mountinfo", u->mountinfo->str), "mountinfo", error) &&
         mk_check(mt_append("/proc/mounts", u->mounts->str), "/proc/mounts", error);
}
