// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-bind.c: the driver core's matching, probing and unbinding
 * (drivers/base/dd.c and drivers/pci/pci-driver.c of Linux 6.12), acting
 * on the links of the fake sysfs tree.  Callers hold the mock lock.
 */
#include "mock-tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mt_device_driver(const char *bdf, char *buf)
{
  char dir[PATH_MAX], rel[PATH_MAX];
  char *target, *base;
  int rc;

  buf[0] = '\0';
  if ((rc = mt_device_dir(bdf, dir)) < 0)
    return rc;
  mt_fmt(rel, "%s/driver", dir);
  if ((target = mt_readlink(rel)) == NULL)
    return 0;
  base = strrchr(target, '/');
  snprintf(buf, 128, "%s", base ? base + 1 : target);
  free(target);
  return 0;
}

int mt_device_override(const char *bdf, char *buf, size_t size)
{
  char dir[PATH_MAX], rel[PATH_MAX];
  char *s;
  int rc;

  buf[0] = '\0';
  if ((rc = mt_device_dir(bdf, dir)) < 0)
    return rc;
  mt_fmt(rel, "%s/driver_override", dir);
  if ((s = mt_read(rel)) == NULL)
    return 0;
  s[strcspn(s, "\n")] = '\0';
  if (strcmp(s, "(null)") != 0)
    snprintf(buf, size, "%s", s);
  free(s);
  return 0;
}

static char *device_attr(const char *bdf, const char *name)
{
  char dir[PATH_MAX], rel[PATH_MAX];

  if (mt_device_dir(bdf, dir) < 0)
    return NULL;
  mt_fmt(rel, "%s/%s", dir, name);
  return mt_read_trim(rel);
}

bool mt_driver_matches(const MtDriver *drv, const char *bdf)
{
  char override[4096];
  char *modalias;
  bool match;

  mt_device_override(bdf, override, sizeof(override));
  /* pci_match_device(): an override matches only the driver it names and
   * always matches it, whatever the id table says. */
  if (override[0])
    return strcmp(override, drv->name) == 0;
  /* Only "pci:" aliases stand for the id table's normal entries; the
   * "vfio_pci:" ones are override_only entries and never match by ID. */
  if ((modalias = device_attr(bdf, "modalias")) == NULL)
    return false;
  match = mt_alias_match(drv->module, modalias);
  free(modalias);
  return match;
}

/* pci_device_can_probe(): VFs of a PF with sriov_drivers_autoprobe=0 are
 * probed only through driver_override. */
static bool can_probe(const char *bdf)
{
  char dir[PATH_MAX], rel[PATH_MAX], override[256];
  char *autoprobe;
  bool ok;

  if (mt_device_dir(bdf, dir) < 0)
    return false;
  mt_fmt(rel, "%s/physfn/sriov_drivers_autoprobe", dir);
  if ((autoprobe = mt_read_trim(rel)) == NULL)
    return true;
  mt_device_override(bdf, override, sizeof(override));
  ok = strcmp(autoprobe, "0") != 0 || override[0] != '\0';
  free(autoprobe);
  return ok;
}

/* What a VFIO driver's probe refuses (vfio_pci_core_register_device()). */
static int vfio_probe_check(const char *bdf)
{
  char *numvfs = device_attr(bdf, "sriov_numvfs");
  bool has_vfs = numvfs != NULL && strcmp(numvfs, "0") != 0;

  free(numvfs);
  if (has_vfs)
    return -EBUSY;   /* "Cannot bind to PF with SR-IOV enabled" */
  if (mt_device_group(bdf) < 0 && !mt_vfio_noiommu_mode())
    return -EINVAL;  /* vfio_group_find_or_alloc(): no IOMMU group, no no-IOMMU mode */
  return 0;
}

int mt_bind_links(const char *bdf, const char *driver)
{
  char dir[PATH_MAX], rel[PATH_MAX], target[PATH_MAX];
  int rc;

  if ((rc = mt_device_dir(bdf, dir)) < 0)
    return rc;
  mt_fmt(rel, "%s/driver", dir);
  mt_fmt(target, "/sys/bus/pci/drivers/%s", driver);
  if ((rc = mt_link(rel, target)) < 0)
    return rc;
  mt_fmt(rel, "/sys/bus/pci/drivers/%s/%s", driver, bdf);
  return mt_link(rel, dir);
}

/* A device that died (a wedged device, lost from the bus): every config
 * read returns ones, the PCI core sees it in D3cold. */
void mt_device_die(const char *dir)
{
  char rel[PATH_MAX], ones[256];

  memset(ones, 0xff, sizeof(ones));
  mt_fmt(rel, "%s/config", dir);
  mt_write_bytes(rel, ones, sizeof(ones), 0644);
  mt_fmt(rel, "%s/power_state", dir);
  mt_write(rel, "D3cold\n");
}

static bool is_dead(const char *bdf)
{
  char dir[PATH_MAX], rel[PATH_MAX];
  char *power;
  bool dead;

  if (mt_device_dir(bdf, dir) < 0)
    return false;
  mt_fmt(rel, "%s/power_state", dir);
  power = mt_read_trim(rel);
  dead = power != NULL && strcmp(power, "D3cold") == 0;
  free(power);
  return dead;
}

int mt_probe(const MtDriver *drv, const char *bdf)
{
  char current[128];
  int rc;

  if ((rc = mt_device_driver(bdf, current)) < 0)
    return rc;
  if (current[0])
    return -EBUSY;
  if (!can_probe(bdf))
    return -ENODEV;
  if ((rc = mt_fault_probe(drv->name, bdf)) != 0)
    return -rc;
  /* a driver's probe reads the device: a dead one fails it */
  if (is_dead(bdf))
    return -EIO;
  if (drv->vfio && (rc = vfio_probe_check(bdf)) < 0)
    return rc;
  if ((rc = mt_bind_links(bdf, drv->name)) < 0)
    return rc;
  if (drv->vfio && (rc = mt_vfio_attach(bdf, drv)) < 0) {
    mt_unbind(bdf);
    return rc;
  }
  mt_device_update_uevent(bdf);
  return 0;
}

int mt_unbind(const char *bdf)
{
  char dir[PATH_MAX], rel[PATH_MAX], drv[128];
  int rc;

  if ((rc = mt_device_driver(bdf, drv)) < 0)
    return rc;
  if (drv[0] == '\0')
    return 0;
  mt_sriov_driver_remove(bdf, drv);
  mt_device_dir(bdf, dir);
  if (mt_device_vfio_bound(bdf))
    mt_vfio_detach(bdf);
  mt_fmt(rel, "/sys/bus/pci/drivers/%s/%s", drv, bdf);
  mt_rm_rf(rel);
  mt_fmt(rel, "%s/driver", dir);
  mt_rm_rf(rel);
  mt_device_update_uevent(bdf);
  if (mt_fault_dies(bdf))
    mt_device_die(dir);
  return 0;
}

int mt_attach(const char *bdf)
{
  char dir[PATH_MAX], current[128];
  MtDriver *drivers;
  int n;

  if (mt_device_dir(bdf, dir) < 0)
    return -ENODEV;
  mt_device_driver(bdf, current);
  if (current[0])
    return 0;
  n = mt_drivers_load(&drivers);
  /* Registration order; a failed probe lets the next driver try, and the
   * failure itself is not reported (really_probe()). */
  for (int i = 0; i < n; i++) {
    if (drivers[i].state == MT_MOD_AVAILABLE || !mt_driver_matches(&drivers[i], bdf))
      continue;
    if (mt_probe(&drivers[i], bdf) == 0)
      break;
  }
  free(drivers);
  return 0;
}

void mt_driver_attach_all(const MtDriver *drv)
{
  char **names;
  int n = mt_list_dir("/sys/bus/pci/devices", &names);

  for (int i = 0; i < n; i++) {
    char current[128];
    mt_device_driver(names[i], current);
    if (current[0] == '\0' && mt_driver_matches(drv, names[i]))
      mt_probe(drv, names[i]);
  }
  mt_strv_free(names);
}
