// SPDX-License-Identifier: LGPL-2.1-or-later
/* The block walk: from a block device to everything that depends on it --
 * its partitions, the devices holding it (dm/LVM, md, bcache: holders/),
 * loop devices backed by files on its filesystems -- and, at each step, what
 * uses it: a mount, active swap, a process holding the node open, or an
 * exclusive claim that none of those explains (ZFS, btrfs, md, dm: an
 * O_EXCL open fails with EBUSY). Unbinding would pull the disk from under
 * all of them. */
#include "hostdev/shared/host-use-block.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/mounts.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

#define ARROW " \xe2\x86\x92 "

/* loop device name -> backing file, for every loop device with one. */
static GHashTable *read_loops(void)
{
  g_autofree char *dir = hd_path_class("block", NULL, NULL);
  g_autoptr(GPtrArray) names = hd_sysfs_list_dir(dir, NULL);
  GHashTable *loops = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; names != NULL && i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    if (!g_str_has_prefix(name, "loop"))
      continue;
    g_autofree char *path = hd_path_class("block", name, "loop/backing_file");
    char *file = hd_sysfs_read_optional(path, NULL);
    if (file != NULL)
      g_hash_table_insert(loops, g_strdup(name), file);
  }
  return loops;
}

gboolean hd_block_walk_init(HdBlockWalk *walk, HdManager *manager, GPtrArray *users)
{
  g_autoptr(GError) error = NULL;

  *walk = (HdBlockWalk){.manager = manager};
  walk->mounts = hd_mounts_list(&error);
  if (walk->mounts != NULL)
    walk->swaps = hd_swaps_list(&error);
  if (walk->swaps == NULL) {
    hd_host_user_add(users, HD_HOST_USE_UNCHECKED, TRUE, "its block devices cannot be checked: %s", error->message);
    hd_block_walk_clear(walk);
    return FALSE;
  }
  walk->loops = read_loops();
  walk->walked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  return TRUE;
}

void hd_block_walk_clear(HdBlockWalk *walk)
{
  g_clear_pointer(&walk->mounts, g_ptr_array_unref);
  g_clear_pointer(&walk->swaps, g_ptr_array_unref);
  g_clear_pointer(&walk->loops, g_hash_table_unref);
  g_clear_pointer(&walk->walked, g_hash_table_unref);
}

static gboolean read_devno(const char *cls, const char *name, dev_t *devno)
{
  g_autofree char *path = hd_path_class(cls, name, "dev");
  g_autofree char *text = hd_sysfs_read_optional(path, NULL);
  unsigned major = 0, minor = 0;

  if (text == NULL || sscanf(text, "%u:%u", &major, &minor) != 2)
    return FALSE;
  *devno = makedev(major, minor);
  return TRUE;
}

/* The names a mount table or /proc/swaps may give block device NAME:
 * /dev/NAME, and /dev/mapper/<name> for a device-mapper device. */
static gboolean is_node_of(const char *source, const char *name)
{
  g_autofree char *node = g_strconcat("/dev/", name, NULL);
  g_autofree char *dm_path = hd_path_class("block", name, "dm/name");
  g_autofree char *dm_name = hd_sysfs_read_optional(dm_path, NULL);
  g_autofree char *mapper = dm_name != NULL ? g_strconcat("/dev/mapper/", dm_name, NULL) : NULL;

  return g_strcmp0(source, node) == 0 || (mapper != NULL && g_strcmp0(source, mapper) == 0);
}

/* The mount of a filesystem on the device, if PATH lies on one. */
static const HdMount *mount_on(const HdBlockWalk *walk, const char *path, const char *name, dev_t devno)
{
  const HdMount *mount = path[0] == '/' ? hd_mount_of_path(walk->mounts, path) : NULL;

  if (mount == NULL || !(mount->devno == devno || is_node_of(mount->source, name)))
    return NULL;
  return mount;
}

static guint add_mounts(const HdBlockWalk *walk, const char *chain, const char *name, dev_t devno, GPtrArray *users)
{
  guint found = 0;

  for (guint i = 0; i < walk->mounts->len; i++) {
    const HdMount *mount = g_ptr_array_index(walk->mounts, i);
    if (mount->devno != devno && !is_node_of(mount->source, name))
      continue;
    hd_host_user_add(users, HD_HOST_USE_BLOCK, TRUE, "%s" ARROW "mounted on %s", chain, mount->target);
    found++;
  }
  return found;
}

/* Swap on the device itself, or in a swap file on one of its filesystems. */
static guint add_swaps(const HdBlockWalk *walk, const char *chain, const char *name, dev_t devno, GPtrArray *users)
{
  guint found = 0;

  for (guint i = 0; i < walk->swaps->len; i++) {
    const char *swap = g_ptr_array_index(walk->swaps, i);
    const HdMount *mount = NULL;
    if (is_node_of(swap, name))
      hd_host_user_add(users, HD_HOST_USE_BLOCK, TRUE, "%s" ARROW "active swap", chain);
    else if ((mount = mount_on(walk, swap, name, devno)) != NULL)
      hd_host_user_add(users, HD_HOST_USE_BLOCK, TRUE, "%s" ARROW "mounted on %s" ARROW "active swap file %s", chain,
                       mount->target, swap);
    else
      continue;
    found++;
  }
  return found;
}

static guint add_openers(const HdBlockWalk *walk, const char *chain, dev_t devno, GPtrArray *users)
{
  g_autoptr(GPtrArray) holders = hd_fd_scan_node_holders(hd_manager_fd_scan(walk->manager), TRUE, devno, NULL);

  for (guint i = 0; i < holders->len; i++) {
    const HdFdHolder *holder = g_ptr_array_index(holders, i);
    hd_host_user_add(users, HD_HOST_USE_BLOCK, TRUE, "%s" ARROW "open by process %d (%s)", chain, holder->pid,
                     holder->comm);
  }
  return holders->len;
}

/* An exclusive claim: ZFS, btrfs, md and dm open their devices with
 * O_EXCL, and so would this open; a mount or a holder claims too, so this
 * is asked only when nothing else explains it. A device without a node
 * (NVMe's hidden path devices) or that cannot be opened is not claimed as
 * far as anyone can tell. */
static guint add_claim(const char *chain, const char *name, GPtrArray *users)
{
  g_autofree char *node = g_strconcat("/dev/", name, NULL);
  int fd = open(node, O_RDONLY | O_EXCL | O_NONBLOCK | O_CLOEXEC);

  if (fd >= 0) {
    close(fd);
    return 0;
  }
  if (errno != EBUSY)
    return 0;
  hd_host_user_add(users, HD_HOST_USE_BLOCK, TRUE,
                   "%s" ARROW "claimed exclusively (an O_EXCL open is busy: ZFS, btrfs, md or device-mapper)", chain);
  return 1;
}

/* Partitions of disk NAME: the entries of its directory with a "partition"
 * attribute. */
static GPtrArray *partitions_of(const char *name)
{
  g_autofree char *dir = hd_path_class("block", name, NULL);
  g_autoptr(GPtrArray) entries = hd_sysfs_list_dir(dir, NULL);
  GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; entries != NULL && i < entries->len; i++) {
    const char *entry = g_ptr_array_index(entries, i);
    g_autofree char *attr = g_build_filename(dir, entry, "partition", NULL);
    if (g_str_has_prefix(entry, name) && hd_sysfs_exists(attr))
      g_ptr_array_add(parts, g_strdup(entry));
  }
  return parts;
}

static guint walk_holders(HdBlockWalk *walk, const char *chain, const char *name, GPtrArray *users)
{
  g_autofree char *dir = hd_path_class("block", name, "holders");
  g_autoptr(GPtrArray) holders = hd_sysfs_list_dir(dir, NULL);
  guint found = 0;

  for (guint i = 0; holders != NULL && i < holders->len; i++) {
    const char *holder = g_ptr_array_index(holders, i);
    guint below = hd_block_walk(walk, holder, chain, users);
    if (below == 0)
      hd_host_user_add(users, HD_HOST_USE_BLOCK, TRUE, "%s" ARROW "held by %s", chain, holder);
    found += below > 0 ? below : 1;
  }
  return found;
}

/* Loop devices backed by a file on a filesystem of the device: the chain
 * goes on through the file to the loop device and what uses it. */
static guint walk_loops(HdBlockWalk *walk, const char *chain, const char *name, dev_t devno, GPtrArray *users)
{
  GHashTableIter iter;
  gpointer loop, file;
  guint found = 0;

  g_hash_table_iter_init(&iter, walk->loops);
  while (g_hash_table_iter_next(&iter, &loop, &file)) {
    if (mount_on(walk, file, name, devno) == NULL)
      continue;
    g_autofree char *through = g_strdup_printf("%s" ARROW "%s", chain, (const char *)file);
    guint below = hd_block_walk(walk, loop, through, users);
    if (below == 0)
      hd_host_user_add(users, HD_HOST_USE_BLOCK, TRUE, "%s" ARROW "backs %s", through, (const char *)loop);
    found += below > 0 ? below : 1;
  }
  return found;
}

guint hd_block_walk(HdBlockWalk *walk, const char *name, const char *prefix, GPtrArray *users)
{
  gpointer seen;
  dev_t devno = 0;

  /* a device reached twice (a dm device on two partitions of the disk)
   * is reported the first time */
  if (g_hash_table_lookup_extended(walk->walked, name, NULL, &seen))
    return GPOINTER_TO_UINT(seen);
  g_hash_table_insert(walk->walked, g_strdup(name), GUINT_TO_POINTER(0));
  g_autofree char *chain = prefix != NULL ? g_strconcat(prefix, ARROW, name, NULL) : g_strdup(name);
  gboolean has_devno = read_devno("block", name, &devno);
  g_autoptr(GPtrArray) parts = partitions_of(name);
  guint found = 0;

  for (guint i = 0; i < parts->len; i++)
    found += hd_block_walk(walk, g_ptr_array_index(parts, i), chain, users);
  found += walk_holders(walk, chain, name, users);
  if (has_devno) {
    found += add_mounts(walk, chain, name, devno, users);
    found += add_swaps(walk, chain, name, devno, users);
    found += walk_loops(walk, chain, name, devno, users);
    found += add_openers(walk, chain, devno, users);
  }
  if (found == 0)
    found += add_claim(chain, name, users);
  g_hash_table_insert(walk->walked, g_strdup(name), GUINT_TO_POINTER(found));
  return found;
}

void hd_block_char_node_users(HdManager *manager, const char *cls, const char *name, GPtrArray *users)
{
  dev_t devno = 0;

  if (!read_devno(cls, name, &devno))
    return;
  g_autoptr(GPtrArray) holders = hd_fd_scan_node_holders(hd_manager_fd_scan(manager), FALSE, devno, NULL);
  for (guint i = 0; i < holders->len; i++) {
    const HdFdHolder *holder = g_ptr_array_index(holders, i);
    hd_host_user_add(users, HD_HOST_USE_BLOCK, TRUE, "%s (/dev/%s)" ARROW "open by process %d (%s)", name, name,
                     holder->pid, holder->comm);
  }
}
