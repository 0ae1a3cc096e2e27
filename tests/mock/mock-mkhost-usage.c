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
  char *source; /* the mount tables' source: /dev/nvme0n1, /dev/mapper/vg0-root; NULL: no node (hidden) */
} Block;

struct _MkUsage {
  MkNet *net;            /* interfaces, addresses, routes */
  guint next_nvme_minor; /* blkext 259:N */
  guint next_other_minor;
  int next_mount_id;
  guint next_ctrl_minor;  /* nvme controllers' char nodes 240:N */
  guint next_ng_minor;    /* nvme-generic 239:N */
  GString *mountinfo, *mounts, *swaps;
  GString *devnodes;  /* .mock/devnodes: "b 259:0 nvme0n1" */
  GHashTable *claimed; /* block names an O_EXCL open finds busy */
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
  u->swaps = g_string_new("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
  u->devnodes = g_string_new(NULL);
  u->claimed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
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
  g_string_free(u->swaps, TRUE);
  g_string_free(u->devnodes, TRUE);
  g_hash_table_unref(u->claimed);
  g_hash_table_unref(u->blocks);
  g_hash_table_unref(u->names);
  g_free(u);
}

/* ---- block devices --------------------------------------------------------- */

static const char *const block_props[] = {"partitions", "backing-file", "holders", "mount", "swap", "claimed", NULL};

/* A device node $ROOT/dev/NAME, listed in .mock/devnodes (mock-devnodes.c). */
static gboolean add_devnode(MkUsage *u, char type, guint major, guint minor, const char *name, GError **error)
{
  g_autofree char *node = g_strconcat("/dev/", name, NULL);

  g_string_append_printf(u->devnodes, "%c %u:%u %s\n", type, major, minor, name);
  return mk_check(mt_write(node, ""), node, error);
}

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
  if (source != NULL && !add_devnode(u, 'b', major, minor, name, error))
    return FALSE;
  Block *block = g_new0(Block, 1);
  block->dir = g_steal_pointer(&dir);
  block->major = major;
  block->minor = minor;
  block->source = g_strdup(source);
  g_hash_table_insert(u->blocks, g_strdup(name), block);
  return TRUE;
}

/* A class device NAME of CLS at DIR with a character node MAJOR:MINOR. */
static gboolean add_char_device(MkUsage *u, const char *cls, const char *dir, const char *name, guint major,
                                guint minor, GError **error)
{
  g_autofree char *f_dev = g_strconcat(dir, "/dev", NULL);
  g_autofree char *subsystem = g_strconcat(dir, "/subsystem", NULL);
  g_autofree char *cls_dir = g_strconcat("/sys/class/", cls, NULL);
  g_autofree char *link = g_strdup_printf("/sys/class/%s/%s", cls, name);

  return mk_check(mt_writef(f_dev, "%u:%u\n", major, minor), f_dev, error) &&
         mk_check(mt_link(subsystem, cls_dir), subsystem, error) && mk_check(mt_link(link, dir), link, error) &&
         add_devnode(u, 'c', major, minor, name, error);
}

/* The head nvme<S>n1 of subsystem nvme-subsys<S> (created once) and the
 * hidden path device nvme<S>c<C>n1 below controller CDIR: NVMe native
 * multipath's layout. As in Linux 6.12, nothing links them (newer kernels
 * add the head's multipath/ directory): only their names tie them. */
static gboolean add_nvme_path(MkUsage *u, const char *cdir, guint ctrl, guint subsys, GError **error)
{
  g_autofree char *sdir = g_strdup_printf("/sys/devices/virtual/nvme-subsystem/nvme-subsys%u", subsys);
  g_autofree char *head = g_strdup_printf("nvme%un1", subsys);
  g_autofree char *path = g_strdup_printf("nvme%uc%un1", subsys, ctrl);
  g_autofree char *source = g_strconcat("/dev/", head, NULL);
  g_autofree char *s_link = g_strdup_printf("/sys/class/nvme-subsystem/nvme-subsys%u", subsys);

  if (!g_hash_table_contains(u->blocks, head) &&
      (!mk_check(mt_link(s_link, sdir), s_link, error) ||
       !add_block(u, sdir, head, 259, u->next_nvme_minor++, 0, source, error)))
    return FALSE;
  return add_block(u, cdir, path, 259, u->next_nvme_minor++, 0, NULL, error);
}

/* nvme=CTRL: the controller (state live, char node /dev/CTRL) and its
 * namespace: the disk CTRLn1 with its generic node ngXn1 below it, or with
 * nvme.CTRL.subsystem=S the multipath layout (add_nvme_path). */
static gboolean add_nvme(MkUsage *u, GKeyFile *kf, const char *group, const char *dir, const char *ctrl,
                         GError **error)
{
  g_autofree char *cdir = g_strdup_printf("%s/nvme/%s", dir, ctrl);
  g_autofree char *model = g_strconcat(cdir, "/model", NULL);
  g_autofree char *state = g_strconcat(cdir, "/state", NULL);
  g_autofree char *device = g_strconcat(cdir, "/device", NULL);
  g_autofree char *ns = g_strconcat(ctrl, "n1", NULL);
  g_autofree char *source = g_strconcat("/dev/", ns, NULL);
  g_autofree char *k_subsys = g_strdup_printf("nvme.%s.subsystem", ctrl);
  g_autofree char *subsys = mk_key_str(kf, group, k_subsys, "");
  guint64 instance = 0, subsys_n = 0;

  if (!g_str_has_prefix(ctrl, "nvme") || !g_ascii_string_to_unsigned(ctrl + 4, 10, 0, 999, &instance, NULL))
    return mk_fail(error, "[%s] nvme=%s: not nvme0..nvme999", group, ctrl);
  if (subsys[0] != '\0' && !g_ascii_string_to_unsigned(subsys, 10, 0, 999, &subsys_n, NULL))
    return mk_fail(error, "[%s] %s: not a number: %s", group, k_subsys, subsys);
  if (!mk_check(mt_write(model, "Mock NVMe Disk\n"), model, error) ||
      !mk_check(mt_write(state, "live\n"), state, error) || !mk_check(mt_link(device, dir), device, error) ||
      !add_char_device(u, "nvme", cdir, ctrl, 240, u->next_ctrl_minor++, error))
    return FALSE;
  if (subsys[0] != '\0')
    return add_nvme_path(u, cdir, (guint)instance, (guint)subsys_n, error);
  g_autofree char *ng = g_strdup_printf("ng%un1", (guint)instance);
  g_autofree char *ng_dir = g_strdup_printf("%s/%s", cdir, ng);
  return add_block(u, cdir, ns, 259, u->next_nvme_minor++, 0, source, error) &&
         add_char_device(u, "nvme-generic", ng_dir, ng, 239, u->next_ng_minor++, error);
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
    g_autofree char *source = parent->source != NULL ? g_strconcat("/dev/", name, NULL) : NULL;
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
  g_hash_table_add(u->claimed, g_strdup(name));
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
  g_hash_table_add(u->claimed, g_strdup(name));
  return TRUE;
}

/* block.loopN.backing-file=FILE: loop device loopN (7:N) backed by FILE. */
static gboolean add_loop(MkUsage *u, const char *group, const char *name, const char *file, GError **error)
{
  guint64 n = 0;

  if (!g_str_has_prefix(name, "loop") || !g_ascii_string_to_unsigned(name + 4, 10, 0, 255, &n, NULL) ||
      file[0] != '/')
    return mk_fail(error, "[%s] block.%s.backing-file: not loopN with an absolute path: %s", group, name, file);
  g_autofree char *f_backing = g_strdup_printf("/sys/devices/virtual/block/%s/loop/backing_file", name);
  g_autofree char *source = g_strconcat("/dev/", name, NULL);
  return add_block(u, "/sys/devices/virtual/block", name, 7, (guint)n, 0, source, error) &&
         mk_check(mt_writef(f_backing, "%s\n", file), f_backing, error);
}

/* block.NAME.swap=true: NAME in /proc/swaps, as swapon(8) leaves it. */
static gboolean add_swap(MkUsage *u, const char *group, const char *name, GError **error)
{
  const Block *block = g_hash_table_lookup(u->blocks, name);

  if (block == NULL || block->source == NULL)
    return mk_fail(error, "[%s] block.%s.swap: no block device %s with a node", group, name, name);
  g_string_append_printf(u->swaps, "/dev/%-36s partition\t1048572\t\t0\t\t-2\n", name);
  g_hash_table_add(u->claimed, g_strdup(name));
  return TRUE;
}

/* block.NAME.claimed=true: claimed exclusively by something the tables do
 * not show (a ZFS pool member, a btrfs device). */
static gboolean add_claim(MkUsage *u, const char *group, const char *name, GError **error)
{
  if (!g_hash_table_contains(u->blocks, name))
    return mk_fail(error, "[%s] block.%s.claimed: no block device %s", group, name, name);
  g_hash_table_add(u->claimed, g_strdup(name));
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
    } else if (g_str_equal(prop, "backing-file")) {
      g_autofree char *file = mk_key_str(kf, group, *k, "");
      ok = add_loop(u, group, name, file, error);
    } else if (g_str_equal(prop, "swap") || g_str_equal(prop, "claimed")) {
      gboolean on = FALSE;
      ok = mk_key_bool(kf, group, *k, FALSE, error, &on);
      if (ok && on)
        ok = g_str_equal(prop, "swap") ? add_swap(u, group, name, error) : add_claim(u, group, name, error);
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
static const char *const nvme_props[] = {"subsystem", NULL};

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
    if (!add_nvme(u, kf, group, dir, *n, error))
      return FALSE;
  /* block names are checked as they are used: holders and partitions
   * declared here create the names the later keys refer to */
  g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
  for (char **k = keys; k != NULL && *k != NULL; k++) {
    const char *dot = strrchr(*k, '.');
    if (g_str_has_prefix(*k, "block.") && (dot - *k <= 6 || !g_strv_contains(block_props, dot + 1)))
      return mk_fail(error, "[%s] %s: not block.NAME.{partitions,backing-file,holders,mount,swap,claimed}", group,
                     *k);
  }
  if (!mk_check_keys(kf, group, "nvme", (const char *const *)nvmes, nvme_props, error))
    return FALSE;
  for (const char *const *prop = block_props; *prop != NULL; prop++)
    if (!each_block_key(u, kf, group, *prop, error))
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
  g_autoptr(GString) claimed = g_string_new(NULL);
  GHashTableIter iter;
  gpointer name;
  g_hash_table_iter_init(&iter, u->claimed);
  while (g_hash_table_iter_next(&iter, &name, NULL)) {
    const Block *block = g_hash_table_lookup(u->blocks, name);
    g_string_append_printf(claimed, "b %u:%u %s\n", block->major, block->minor, (const char *)name);
  }
  return mk_check(mt_append("/proc/self/mountinfo", u->mountinfo->str), "mountinfo", error) &&
         mk_check(mt_append("/proc/mounts", u->mounts->str), "/proc/mounts", error) &&
         mk_check(mt_write("/proc/swaps", u->swaps->str), "/proc/swaps", error) &&
         mk_check(mt_write("/.mock/devnodes", u->devnodes->str), "devnodes", error) &&
         mk_check(mt_write("/.mock/claimed", claimed->str), "claimed", error);
}
