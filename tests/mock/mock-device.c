// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-device.c: creates a PCI device directory the way the kernel lays it
 * out (attribute files, binary config space, the bus/pci/devices link, the
 * subsystem and iommu_group links), with the shapes of a Linux 6.12 guest
 * (see tests/fixtures/q35-zoo-sysfs.json).
 */
#include "mock-tree.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mt_device_init(MtDevice *d)
{
  memset(d, 0, sizeof(*d));
  d->numa_node = -1;
  d->iommu_group = -1;
  d->sriov_autoprobe = true;
  d->sriov_offset = 1;
  d->sriov_stride = 1;
}

static void modalias_of(const MtDevice *d, char *buf, size_t size)
{
  snprintf(buf, size, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", d->vendor, d->device,
           d->subvendor, d->subdevice, (d->class_code >> 16) & 0xff,
           (d->class_code >> 8) & 0xff, d->class_code & 0xff);
}

static void put16(uint8_t *cfg, size_t off, unsigned v)
{
  cfg[off] = (uint8_t)(v & 0xff);
  cfg[off + 1] = (uint8_t)((v >> 8) & 0xff);
}

/* The first 256 bytes of config space: enough for lspci and for tools
 * reading IDs and the header type. */
static int write_config(const char *dir, const MtDevice *d)
{
  uint8_t cfg[256] = { 0 };
  char rel[PATH_MAX];

  put16(cfg, 0x00, d->is_vf ? 0xffff : d->vendor);
  put16(cfg, 0x02, d->is_vf ? 0xffff : d->device);
  cfg[0x08] = (uint8_t)d->revision;
  cfg[0x09] = (uint8_t)(d->class_code & 0xff);
  cfg[0x0a] = (uint8_t)((d->class_code >> 8) & 0xff);
  cfg[0x0b] = (uint8_t)((d->class_code >> 16) & 0xff);
  cfg[0x0e] = (uint8_t)d->header_type;
  if (d->header_type == 1) {
    unsigned bus = 0;
    sscanf(d->bdf, "%*x:%x", &bus);
    cfg[0x18] = (uint8_t)bus;
    cfg[0x19] = (uint8_t)d->secondary_bus;
    cfg[0x1a] = (uint8_t)d->subordinate_bus;
  } else {
    put16(cfg, 0x2c, d->subvendor);
    put16(cfg, 0x2e, d->subdevice);
  }
  mt_fmt(rel, "%s/config", dir);
  return mt_write_bytes(rel, cfg, sizeof(cfg), 0644);
}

static int attr(const char *dir, const char *name, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static int attr(const char *dir, const char *name, const char *fmt, ...)
{
  char rel[PATH_MAX], *s = NULL;
  va_list ap;
  int rc;

  va_start(ap, fmt);
  rc = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (rc < 0)
    return -ENOMEM;
  mt_fmt(rel, "%s/%s", dir, name);
  rc = mt_write(rel, s);
  free(s);
  return rc;
}

static int write_only(const char *dir, const char *name)
{
  char rel[PATH_MAX];

  mt_fmt(rel, "%s/%s", dir, name);
  return mt_write_bytes(rel, "", 0, 0200);
}

static void write_ids(const char *dir, const MtDevice *d)
{
  char modalias[128];

  if (d->modalias != NULL)
    snprintf(modalias, sizeof(modalias), "%s", d->modalias);
  else
    modalias_of(d, modalias, sizeof(modalias));
  attr(dir, "vendor", "0x%04x\n", d->vendor);
  attr(dir, "device", "0x%04x\n", d->device);
  attr(dir, "subsystem_vendor", "0x%04x\n", d->subvendor);
  attr(dir, "subsystem_device", "0x%04x\n", d->subdevice);
  attr(dir, "class", "0x%06x\n", d->class_code);
  attr(dir, "revision", "0x%02x\n", d->revision);
  attr(dir, "modalias", "%s\n", modalias);
}

/* Attributes every PCI device has whose values the tool does not act on. */
static void write_common(const char *dir, const MtDevice *d)
{
  attr(dir, "numa_node", "%d\n", d->numa_node);
  attr(dir, "driver_override", "%s\n", d->driver_override ? d->driver_override : "(null)");
  attr(dir, "enable", "0\n");
  attr(dir, "irq", "0\n");
  attr(dir, "local_cpulist", "0-1\n");
  attr(dir, "local_cpus", "3\n");
  attr(dir, "msi_bus", "1\n");
  attr(dir, "power_state", "D0\n");
  attr(dir, "d3cold_allowed", "1\n");
  attr(dir, "broken_parity_status", "0\n");
  attr(dir, "ari_enabled", "0\n");
  attr(dir, "dma_mask_bits", "64\n");
  attr(dir, "consistent_dma_mask_bits", "64\n");
  attr(dir, "resource", "%s",
       "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
       "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
       "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
       "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
       "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
       "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
       "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
  attr(dir, "power/control", "on\n");
  write_only(dir, "remove");
  write_only(dir, "rescan");
  if (d->reset_method != NULL && d->reset_method[0] != '\0') {
    attr(dir, "reset_method", "%s\n", d->reset_method);
    write_only(dir, "reset");
  }
}

static void write_sriov(const char *dir, const MtDevice *d)
{
  if (!d->sriov)
    return;
  attr(dir, "sriov_totalvfs", "%u\n", d->sriov_totalvfs);
  attr(dir, "sriov_numvfs", "0\n");
  attr(dir, "sriov_offset", "%u\n", d->sriov_offset);
  attr(dir, "sriov_stride", "%u\n", d->sriov_stride);
  /* The kernel prints the VF device ID as "%x", without 0x. */
  attr(dir, "sriov_vf_device", "%x\n", d->sriov_vf_device);
  attr(dir, "sriov_drivers_autoprobe", "%d\n", d->sriov_autoprobe ? 1 : 0);
  attr(dir, "sriov_vf_total_msix", "0\n");
}

static void write_bridge(const char *dir, const MtDevice *d)
{
  char rel[PATH_MAX];
  unsigned domain = 0;

  if (d->header_type != 1)
    return;
  sscanf(d->bdf, "%x", &domain);
  attr(dir, "secondary_bus_number", "%u\n", d->secondary_bus);
  attr(dir, "subordinate_bus_number", "%u\n", d->subordinate_bus);
  mt_fmt(rel, "%s/pci_bus/%04x:%02x", dir, domain, d->secondary_bus);
  mt_mkdir_p(rel);
}

static int write_links(const char *dir, const MtDevice *d)
{
  char rel[PATH_MAX], target[PATH_MAX];
  int rc;

  mt_fmt(rel, "%s/subsystem", dir);
  if ((rc = mt_link(rel, "/sys/bus/pci")) < 0)
    return rc;
  mt_fmt(rel, "/sys/bus/pci/devices/%s", d->bdf);
  if ((rc = mt_link(rel, dir)) < 0)
    return rc;
  if (d->iommu_group < 0)
    return 0;
  mt_fmt(target, "/sys/kernel/iommu_groups/%d", d->iommu_group);
  mt_fmt(rel, "%s/iommu_group", dir);
  if ((rc = mt_link(rel, target)) < 0)
    return rc;
  mt_fmt(rel, "/sys/kernel/iommu_groups/%d/devices/%s", d->iommu_group, d->bdf);
  if ((rc = mt_link(rel, dir)) < 0)
    return rc;
  mt_fmt(rel, "/sys/kernel/iommu_groups/%d/type", d->iommu_group);
  if (!mt_exists(rel))
    mt_write(rel, "DMA\n");
  mt_fmt(rel, "%s/iommu", dir);
  return mt_link(rel, "/sys/devices/virtual/iommu/dmar0");
}

int mt_device_create(const MtDevice *d)
{
  char dir[PATH_MAX];
  int rc;

  if (mt_fmt(dir, "%s/%s", d->parent_dir, d->bdf) >= (int)sizeof(dir))
    return -ENAMETOOLONG;
  if ((rc = mt_mkdir_p(dir)) < 0)
    return rc;
  if ((rc = write_config(dir, d)) < 0)
    return rc;
  write_ids(dir, d);
  write_common(dir, d);
  write_sriov(dir, d);
  write_bridge(dir, d);
  if ((rc = write_links(dir, d)) < 0)
    return rc;
  return mt_device_update_uevent(d->bdf);
}

int mt_device_dir(const char *bdf, char *dir)
{
  char rel[PATH_MAX];

  if (strchr(bdf, '/') != NULL || bdf[0] == '\0' || bdf[0] == '.')
    return -ENODEV;
  mt_fmt(rel, "/sys/bus/pci/devices/%s", bdf);
  return mt_resolve(rel, dir) < 0 ? -ENODEV : 0;
}

/* Reads a "0x..." attribute of the device directory as a number. */
static unsigned read_hex(const char *dir, const char *name)
{
  char rel[PATH_MAX];
  char *s;
  unsigned v = 0;

  mt_fmt(rel, "%s/%s", dir, name);
  if ((s = mt_read(rel)) != NULL) {
    v = (unsigned)strtoul(s, NULL, 16);
    free(s);
  }
  return v;
}

int mt_device_update_uevent(const char *bdf)
{
  char dir[PATH_MAX], rel[PATH_MAX], drv[128], driver_line[160] = "";
  char *modalias;
  int rc;

  if ((rc = mt_device_dir(bdf, dir)) < 0)
    return rc;
  mt_device_driver(bdf, drv);
  if (drv[0])
    snprintf(driver_line, sizeof(driver_line), "DRIVER=%s\n", drv);
  mt_fmt(rel, "%s/modalias", dir);
  modalias = mt_read_trim(rel);
  mt_fmt(rel, "%s/uevent", dir);
  rc = mt_writef(rel, "%sPCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\n"
                 "PCI_SLOT_NAME=%s\nMODALIAS=%s\n",
                 driver_line, read_hex(dir, "class"), read_hex(dir, "vendor"),
                 read_hex(dir, "device"), read_hex(dir, "subsystem_vendor"),
                 read_hex(dir, "subsystem_device"), bdf, modalias ? modalias : "");
  free(modalias);
  return rc;
}

int mt_iommu_group_next(void)
{
  char **names;
  int n = mt_list_dir("/sys/kernel/iommu_groups", &names);
  int next = 0;
  bool used;

  /* Like the kernel's ida_alloc(): the lowest number not in use. */
  do {
    used = false;
    for (int i = 0; i < n && !used; i++)
      used = atoi(names[i]) == next;
    if (used)
      next++;
  } while (used);
  mt_strv_free(names);
  return next;
}
