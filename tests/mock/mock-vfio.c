// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-vfio.c: what binding a VFIO driver creates, by the host's kernel
 * model (.mock/host flags):
 * - "vfio_dev" (Linux >= 6.1): <dev>/vfio-dev/vfioN (N the lowest free
 *   index across the host, with a /sys/class/vfio-dev/vfioN link) and,
 *   with CONFIG_VFIO_DEVICE_CDEV ("vfio_cdev"), the char device
 *   /dev/vfio/devices/vfioN and vfioN/dev;
 * - "vfio_group" (CONFIG_VFIO_GROUP, every kernel before 6.2 and the
 *   default since): the group's device (/sys/class/vfio/<group> ->
 *   /sys/devices/virtual/vfio/<group>) and its node /dev/vfio/<group>, while
 *   any member of the group is bound to a VFIO driver.
 * A kernel before 6.1 has only the group; one built with VFIO_GROUP=n
 * only vfio-dev and the cdev.
 *
 * No-IOMMU mode (vfio's enable_unsafe_noiommu_mode=Y): a device without an
 * IOMMU group gets one of its own at probe (vfio_noiommu_group_alloc():
 * iommu_group_alloc(), named "vfio-noiommu", the device added, node
 * /dev/vfio/noiommu-<group>); unbinding removes the device from it and the
 * group goes (vfio_device_remove_group()).
 *
 * With CONFIG_VFIO_DEBUGFS ("vfio_debugfs" host flag) and debugfs mounted
 * ("debugfs"), registering the VFIO device creates
 * /sys/kernel/debug/vfio/<bdf>/ (named after the parent device), with
 * migration/state when the driver has migration ops, and from Linux 6.18
 * migration/features (drivers/vfio/debugfs.c).
 *
 * Device nodes are regular empty files: a fifo would block open(); the
 * uAPI preload (README-uapi.md) answers ioctls on them.
 */
#include "mock-tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Major number the fake kernel gives the vfio device cdev. */
#define MOCK_VFIO_CDEV_MAJOR 509

int mt_device_group(const char *bdf)
{
  char dir[PATH_MAX], rel[PATH_MAX];
  char *target, *base;
  int group;

  if (mt_device_dir(bdf, dir) < 0)
    return -1;
  mt_fmt(rel, "%s/iommu_group", dir);
  if ((target = mt_readlink(rel)) == NULL)
    return -1;
  base = strrchr(target, '/');
  group = atoi(base ? base + 1 : target);
  free(target);
  return group;
}

bool mt_vfio_noiommu_mode(void)
{
  char *value = mt_read_trim("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode");
  bool on = value != NULL && strcmp(value, "Y") == 0;

  free(value);
  return on;
}

static bool group_is_noiommu(int group)
{
  char rel[PATH_MAX];
  char *name;
  bool noiommu;

  mt_fmt(rel, "/sys/kernel/iommu_groups/%d/name", group);
  name = mt_read_trim(rel);
  noiommu = name != NULL && strcmp(name, "vfio-noiommu") == 0;
  free(name);
  return noiommu;
}

/* vfio_noiommu_group_alloc(): a group of one for a device without IOMMU. */
static int noiommu_group_alloc(const char *bdf, const char *dir)
{
  char rel[PATH_MAX], target[PATH_MAX];
  int group = mt_iommu_group_next();

  mt_fmt(rel, "/sys/kernel/iommu_groups/%d/devices", group);
  mt_mkdir_p(rel);
  mt_fmt(rel, "/sys/kernel/iommu_groups/%d/name", group);
  mt_write(rel, "vfio-noiommu\n");
  mt_fmt(rel, "/sys/kernel/iommu_groups/%d/devices/%s", group, bdf);
  mt_link(rel, dir);
  mt_fmt(rel, "%s/iommu_group", dir);
  mt_fmt(target, "/sys/kernel/iommu_groups/%d", group);
  mt_link(rel, target);
  return group;
}

/* device_del() of the group's device NAME; the class's directory under
 * /sys/devices/virtual goes with its last device (cleanup_glue_dir()). */
static void remove_group_device(const char *name)
{
  char rel[PATH_MAX];
  char **left;
  int n;

  mt_fmt(rel, "/sys/class/vfio/%s", name);
  mt_rm_rf(rel);
  mt_fmt(rel, "/sys/devices/virtual/vfio/%s", name);
  mt_rm_rf(rel);
  if ((n = mt_list_dir("/sys/devices/virtual/vfio", &left)) >= 0) {
    if (n == 0)
      mt_rm_rf("/sys/devices/virtual/vfio");
    mt_strv_free(left);
  }
}

static void noiommu_group_remove(int group, const char *dir)
{
  char rel[PATH_MAX];

  mt_fmt(rel, "/dev/vfio/noiommu-%d", group);
  mt_rm_rf(rel);
  remove_group_device(rel + strlen("/dev/vfio/"));
  mt_fmt(rel, "%s/iommu_group", dir);
  mt_rm_rf(rel);
  mt_fmt(rel, "/sys/kernel/iommu_groups/%d", group);
  mt_rm_rf(rel);
}

static int lowest_free_vfio_index(void)
{
  char **names;
  int n = mt_list_dir("/sys/class/vfio-dev", &names);
  int idx = 0;
  bool used;

  do {
    used = false;
    for (int i = 0; i < n && !used; i++)
      used = strncmp(names[i], "vfio", 4) == 0 && atoi(names[i] + 4) == idx;
    if (used)
      idx++;
  } while (used);
  mt_strv_free(names);
  return idx;
}

/* Linux >= MAJOR.MINOR by .mock/release. */
static bool release_at_least(int major, int minor)
{
  char *text = mt_read("/.mock/release");
  int have_major = 0, have_minor = 0;

  if (text != NULL)
    sscanf(text, "%d.%d", &have_major, &have_minor);
  free(text);
  return have_major > major || (have_major == major && have_minor >= minor);
}

/* migration/features: what vfio_device_features_read() prints. */
static void write_features(const char *migration_dir, unsigned migration)
{
  char rel[PATH_MAX], text[128] = "";

  if (migration & MT_MIG_STOP_COPY)
    strcat(text, "stop-copy\n");
  if (migration & MT_MIG_P2P)
    strcat(text, "p2p\n");
  if (migration & MT_MIG_PRE_COPY)
    strcat(text, "pre-copy\n");
  if (migration & MT_MIG_DIRTY_TRACKING)
    strcat(text, "dirty-tracking\n");
  mt_fmt(rel, "%s/features", migration_dir);
  mt_write(rel, text);
}

/* vfio_device_debugfs_init(): the device's directory, and migration/ for a
 * driver with migration ops. */
static void debugfs_attach(const char *bdf, const MtDriver *drv)
{
  char dir[PATH_MAX], rel[PATH_MAX];

  if (!mt_host_flag("vfio_debugfs") || !mt_host_flag("debugfs"))
    return;
  mt_fmt(dir, "/sys/kernel/debug/vfio/%s", bdf);
  mt_mkdir_p(dir);
  if ((drv->migration & ~MT_MIG_DIRTY_TRACKING) == 0)
    return;
  mt_fmt(dir, "/sys/kernel/debug/vfio/%s/migration", bdf);
  mt_mkdir_p(dir);
  mt_fmt(rel, "%s/state", dir);
  mt_write(rel, "RUNNING\n");
  if (release_at_least(6, 18))
    write_features(dir, drv->migration);
}

bool mt_device_vfio_bound(const char *bdf)
{
  char driver[128];
  MtDriver drv;

  return mt_device_driver(bdf, driver) == 0 && driver[0] != '\0' && mt_driver_lookup(driver, &drv) && drv.vfio;
}

/* vfio_device_add(): the device's vfio-dev/vfioN and, with the cdev, its node. */
static int attach_vfio_dev(const char *dir)
{
  char vdir[PATH_MAX], rel[PATH_MAX];
  bool cdev = mt_host_flag("vfio_cdev");
  int idx, rc;

  idx = lowest_free_vfio_index();
  mt_fmt(vdir, "%s/vfio-dev/vfio%d", dir, idx);
  if ((rc = mt_mkdir_p(vdir)) < 0)
    return rc;
  mt_fmt(rel, "%s/device", vdir);
  mt_link(rel, dir);
  mt_fmt(rel, "%s/subsystem", vdir);
  mt_link(rel, "/sys/class/vfio-dev");
  mt_fmt(rel, "%s/uevent", vdir);
  if (cdev) {
    mt_writef(rel, "MAJOR=%d\nMINOR=%d\nDEVNAME=vfio/devices/vfio%d\n", MOCK_VFIO_CDEV_MAJOR,
              idx, idx);
    mt_fmt(rel, "%s/dev", vdir);
    mt_writef(rel, "%d:%d\n", MOCK_VFIO_CDEV_MAJOR, idx);
    mt_fmt(rel, "/dev/vfio/devices/vfio%d", idx);
    mt_write(rel, "");
  } else {
    mt_write(rel, "");
  }
  mt_fmt(rel, "/sys/class/vfio-dev/vfio%d", idx);
  return mt_link(rel, vdir);
}

/* vfio_create_group(): the group's device in class "vfio" ("N", or
 * "noiommu-N" for a no-IOMMU group) and its node /dev/vfio/<name>. */
static void attach_group(int group)
{
  char name[32], rel[PATH_MAX], target[PATH_MAX];

  mt_fmt(name, group_is_noiommu(group) ? "noiommu-%d" : "%d", group);
  mt_fmt(target, "/sys/devices/virtual/vfio/%s", name);
  mt_mkdir_p(target);
  mt_fmt(rel, "%s/uevent", target);
  mt_writef(rel, "DEVNAME=vfio/%s\n", name);
  mt_fmt(rel, "/sys/class/vfio/%s", name);
  mt_link(rel, target);
  mt_fmt(rel, "/dev/vfio/%s", name);
  mt_write(rel, "");
}

int mt_vfio_attach(const char *bdf, const MtDriver *drv)
{
  char dir[PATH_MAX];
  int group, rc;

  if ((rc = mt_device_dir(bdf, dir)) < 0)
    return rc;
  /* the group first: vfio_register_group_dev() sets it before vfio-dev/ */
  if ((group = mt_device_group(bdf)) < 0 && mt_vfio_noiommu_mode())
    group = noiommu_group_alloc(bdf, dir);
  if (mt_host_flag("vfio_dev") && (rc = attach_vfio_dev(dir)) < 0)
    return rc;
  if (mt_host_flag("vfio_group") && group >= 0)
    attach_group(group);
  debugfs_attach(bdf, drv);
  return 0;
}

/* true when another member of the group is still bound to a VFIO driver. */
static bool group_still_used(int group, const char *except)
{
  char rel[PATH_MAX];
  char **names;
  int n;
  bool used = false;

  mt_fmt(rel, "/sys/kernel/iommu_groups/%d/devices", group);
  n = mt_list_dir(rel, &names);
  for (int i = 0; i < n && !used; i++)
    used = strcmp(names[i], except) != 0 && mt_device_vfio_bound(names[i]);
  mt_strv_free(names);
  return used;
}

int mt_vfio_detach(const char *bdf)
{
  char dir[PATH_MAX], rel[PATH_MAX];
  char **names;
  int n, group, rc;

  if ((rc = mt_device_dir(bdf, dir)) < 0)
    return rc;
  mt_fmt(rel, "%s/vfio-dev", dir);
  n = mt_list_dir(rel, &names);
  for (int i = 0; i < n; i++) {
    mt_fmt(rel, "/sys/class/vfio-dev/%s", names[i]);
    mt_rm_rf(rel);
    mt_fmt(rel, "/dev/vfio/devices/%s", names[i]);
    mt_rm_rf(rel);
  }
  mt_strv_free(names);
  mt_fmt(rel, "%s/vfio-dev", dir);
  mt_rm_rf(rel);
  mt_fmt(rel, "/sys/kernel/debug/vfio/%s", bdf);
  mt_rm_rf(rel);
  if ((group = mt_device_group(bdf)) >= 0 && group_is_noiommu(group)) {
    noiommu_group_remove(group, dir);
  } else if (group >= 0 && !group_still_used(group, bdf)) {
    mt_fmt(rel, "/dev/vfio/%d", group);
    mt_rm_rf(rel);
    remove_group_device(rel + strlen("/dev/vfio/"));
  }
  return 0;
}
