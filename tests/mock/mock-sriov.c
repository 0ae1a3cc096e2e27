// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-sriov.c: enabling and disabling SR-IOV VFs (drivers/pci/iov.c):
 * VF routing IDs from sriov_offset/sriov_stride, VF directories next to
 * the PF, physfn/virtfnN links, a new IOMMU group per VF, probing when
 * sriov_drivers_autoprobe is 1.  Callers hold the mock lock.
 */
#include "mock-tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned read_num(const char *dir, const char *name, int base)
{
  char rel[PATH_MAX];
  char *s;
  unsigned v = 0;

  mt_fmt(rel, "%s/%s", dir, name);
  if ((s = mt_read_trim(rel)) != NULL) {
    v = (unsigned)strtoul(s, NULL, base);
    free(s);
  }
  return v;
}

/* Address of VF number i (0-based) of the PF at pf_bdf. */
static void vf_address(const char *pf_bdf, const char *pf_dir, unsigned i, char *out)
{
  unsigned domain = 0, bus = 0, slot = 0, fn = 0, rid;

  sscanf(pf_bdf, "%x:%x:%x.%x", &domain, &bus, &slot, &fn);
  rid = (bus << 8 | slot << 3 | fn) + read_num(pf_dir, "sriov_offset", 10) +
        i * read_num(pf_dir, "sriov_stride", 10);
  snprintf(out, 16, "%04x:%02x:%02x.%x", domain, (rid >> 8) & 0xff, (rid >> 3) & 0x1f, rid & 7);
}

static int create_vf(const char *pf_bdf, const char *pf_dir, unsigned i, char *vf_bdf)
{
  char rel[PATH_MAX], *slash, *reset;
  MtDevice d;
  int rc;

  mt_device_init(&d);
  vf_address(pf_bdf, pf_dir, i, vf_bdf);
  snprintf(d.bdf, sizeof(d.bdf), "%s", vf_bdf);
  snprintf(d.parent_dir, sizeof(d.parent_dir), "%s", pf_dir);
  slash = strrchr(d.parent_dir, '/');
  *slash = '\0';
  d.vendor = read_num(pf_dir, "vendor", 16);
  d.device = read_num(pf_dir, "sriov_vf_device", 16);
  d.subvendor = read_num(pf_dir, "subsystem_vendor", 16);
  d.subdevice = read_num(pf_dir, "subsystem_device", 16);
  d.class_code = read_num(pf_dir, "class", 16);
  d.revision = read_num(pf_dir, "revision", 16);
  mt_fmt(rel, "%s/numa_node", pf_dir);
  if ((reset = mt_read_trim(rel)) != NULL) {
    d.numa_node = atoi(reset);
    free(reset);
  }
  d.reset_method = "flr";
  d.is_vf = true;
  d.iommu_group = mt_host_flag("iommu") ? mt_iommu_group_next() : -1;
  if ((rc = mt_device_create(&d)) < 0)
    return rc;
  mt_fmt(rel, "%s/%s/physfn", d.parent_dir, vf_bdf);
  mt_link(rel, pf_dir);
  mt_fmt(rel, "%s/virtfn%u", pf_dir, i);
  snprintf(d.parent_dir + strlen(d.parent_dir), sizeof(d.parent_dir) - strlen(d.parent_dir),
           "/%s", vf_bdf);
  return mt_link(rel, d.parent_dir);
}

int mt_sriov_create_vfs(const char *bdf, unsigned numvfs, bool probe)
{
  char dir[PATH_MAX], rel[PATH_MAX], vf[16];
  int rc;

  if ((rc = mt_device_dir(bdf, dir)) < 0)
    return rc;
  for (unsigned i = 0; i < numvfs; i++) {
    if ((rc = create_vf(bdf, dir, i, vf)) < 0)
      return rc;
  }
  mt_fmt(rel, "%s/sriov_numvfs", dir);
  mt_writef(rel, "%u\n", numvfs);
  if (!probe || read_num(dir, "sriov_drivers_autoprobe", 10) == 0)
    return 0;
  for (unsigned i = 0; i < numvfs; i++) {
    vf_address(bdf, dir, i, vf);
    mt_attach(vf);
  }
  return 0;
}

/* Removes one VF: unbinds it, then deletes its directory, its links and
 * its IOMMU group when it was the last member. */
static void remove_vf(const char *vf_bdf)
{
  char dir[PATH_MAX], rel[PATH_MAX];
  char **members;
  int group = mt_device_group(vf_bdf), n;

  mt_unbind(vf_bdf);
  if (mt_device_dir(vf_bdf, dir) < 0)
    return;
  mt_rm_rf(dir);
  mt_fmt(rel, "/sys/bus/pci/devices/%s", vf_bdf);
  mt_rm_rf(rel);
  if (group < 0)
    return;
  mt_fmt(rel, "/sys/kernel/iommu_groups/%d/devices/%s", group, vf_bdf);
  mt_rm_rf(rel);
  mt_fmt(rel, "/sys/kernel/iommu_groups/%d/devices", group);
  n = mt_list_dir(rel, &members);
  mt_strv_free(members);
  if (n == 0) {
    mt_fmt(rel, "/sys/kernel/iommu_groups/%d", group);
    mt_rm_rf(rel);
  }
}

static void remove_vfs(const char *pf_dir)
{
  char **names;
  int n = mt_list_dir(pf_dir, &names);

  for (int i = 0; i < n; i++) {
    char rel[PATH_MAX];
    char *target, *base;
    if (strncmp(names[i], "virtfn", 6) != 0)
      continue;
    mt_fmt(rel, "%s/%s", pf_dir, names[i]);
    if ((target = mt_readlink(rel)) != NULL) {
      base = strrchr(target, '/');
      remove_vf(base ? base + 1 : target);
      free(target);
    }
    mt_rm_rf(rel);
  }
  mt_strv_free(names);
}

int mt_sriov_set_numvfs(const char *bdf, unsigned numvfs)
{
  char dir[PATH_MAX], rel[PATH_MAX], drv[128];
  MtDriver pf_driver;
  unsigned current;
  int rc;

  if ((rc = mt_device_dir(bdf, dir)) < 0)
    return rc;
  if (numvfs > read_num(dir, "sriov_totalvfs", 10))
    return -ERANGE;
  current = read_num(dir, "sriov_numvfs", 10);
  if (numvfs == current)
    return 0;
  /* sriov_numvfs_store(): "no driver bound to device", then "driver does
   * not support SR-IOV configuration via sysfs" (no sriov_configure()) */
  mt_device_driver(bdf, drv);
  if (drv[0] == '\0' || !mt_driver_lookup(drv, &pf_driver) || !pf_driver.sriov_configure)
    return -ENOENT;
  if (numvfs == 0) {
    remove_vfs(dir);
    mt_fmt(rel, "%s/sriov_numvfs", dir);
    return mt_write(rel, "0\n");
  }
  if (current != 0)
    return -EBUSY;
  return mt_sriov_create_vfs(bdf, numvfs, true);
}

unsigned mt_sriov_numvfs(const char *bdf)
{
  char dir[PATH_MAX];

  return mt_device_dir(bdf, dir) < 0 ? 0 : read_num(dir, "sriov_numvfs", 10);
}

int mt_sriov_set_autoprobe(const char *bdf, bool on)
{
  char dir[PATH_MAX], rel[PATH_MAX];
  int rc;

  if ((rc = mt_device_dir(bdf, dir)) < 0)
    return rc;
  mt_fmt(rel, "%s/sriov_drivers_autoprobe", dir);
  if (!mt_exists(rel))
    return -ENOENT;
  return mt_write(rel, on ? "1\n" : "0\n");
}

/* Drivers whose remove() disables SR-IOV (igb_remove() -> igb_disable_sriov(),
 * ixgbe_remove() -> ixgbe_disable_sriov(), i40e/ice -> *_free_vfs(),
 * mlx5 remove_one() -> mlx5_sriov_disable()); pci_device_remove() itself
 * only warns "driver left SR-IOV enabled after remove". */
static const char *const disabling_drivers[] = {"igb", "ixgbe", "i40e", "ice", "mlx5_core"};

void mt_sriov_driver_remove(const char *bdf, const char *driver)
{
  char dir[PATH_MAX], rel[PATH_MAX];
  bool disables = false;

  for (size_t i = 0; i < sizeof(disabling_drivers) / sizeof(disabling_drivers[0]); i++)
    disables = disables || strcmp(driver, disabling_drivers[i]) == 0;
  if (!disables || mt_device_dir(bdf, dir) < 0 || read_num(dir, "sriov_numvfs", 10) == 0)
    return;
  remove_vfs(dir);
  mt_fmt(rel, "%s/sriov_numvfs", dir);
  mt_write(rel, "0\n");
}
