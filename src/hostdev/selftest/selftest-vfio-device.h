/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An open VFIO PCI device: what VFIO_DEVICE_GET_INFO and
 * VFIO_DEVICE_GET_REGION_INFO say, and the accesses the self-tests and
 * device drivers make through the device fd (config space and BARs by
 * pread/pwrite, interrupts by VFIO_DEVICE_SET_IRQS with eventfds). The fd
 * belongs to the IOMMU backend that opened it. */
#pragma once

#include <glib.h>

#include "util/vfio-uapi.h"

/* The PCI command register and its bus master bit (linux/pci_regs.h). */
#define HD_PCI_COMMAND 0x04
#define HD_PCI_COMMAND_MASTER 0x4

typedef struct {
  int fd;
  struct vfio_device_info info;
  GArray *regions; /* struct vfio_region_info for each index < info.num_regions */
} HdVfioDevice;

typedef struct {
  guint64 offset; /* within the region */
  guint64 size;
} HdVfioMmapArea;

/* VFIO_DEVICE_GET_INFO, then VFIO_DEVICE_GET_REGION_INFO for each region. */
gboolean hd_vfio_device_init(HdVfioDevice *self, int fd, GError **error);
void hd_vfio_device_clear(HdVfioDevice *self);

/* Region INDEX's info, or NULL when the device has fewer regions. */
const struct vfio_region_info *hd_vfio_device_region(const HdVfioDevice *self, guint index);

/* SIZE bytes at OFFSET of region INDEX through pread/pwrite; a short
 * transfer is an error. */
gboolean hd_vfio_region_read(const HdVfioDevice *self, guint index, guint64 offset, void *buf, gsize size,
                             GError **error);
gboolean hd_vfio_region_write(const HdVfioDevice *self, guint index, guint64 offset, const void *buf, gsize size,
                              GError **error);

/* Little-endian accessors of config space (PCI is little-endian). */
gboolean hd_vfio_config_read16(const HdVfioDevice *self, guint offset, guint16 *value, GError **error);
gboolean hd_vfio_config_write16(const HdVfioDevice *self, guint offset, guint16 value, GError **error);

/* The parts of region INDEX that can be mmap()ed: the whole region, or its
 * sparse-mmap areas (e.g. a BAR holding the MSI-X table); empty when the
 * region is not mmap-able. */
GArray *hd_vfio_region_mmap_areas(const HdVfioDevice *self, guint index, GError **error);

gboolean hd_vfio_irq_info(const HdVfioDevice *self, guint index, struct vfio_irq_info *info, GError **error);

/* VFIO_DEVICE_SET_IRQS, each 0 or -errno:
 * enable: DATA_EVENTFD|ACTION_TRIGGER, vectors 0..COUNT-1 signal EVENTFDS;
 * trigger: DATA_NONE|ACTION_TRIGGER on vectors START..START+COUNT-1 (fires them from software);
 * disable: DATA_NONE|ACTION_TRIGGER with count 0. */
int hd_vfio_irq_enable(const HdVfioDevice *self, guint index, const int *eventfds, guint count);
int hd_vfio_irq_trigger(const HdVfioDevice *self, guint index, guint start, guint count);
int hd_vfio_irq_disable(const HdVfioDevice *self, guint index);

/* VFIO_DEVICE_RESET: 0 or -errno. */
int hd_vfio_device_reset(const HdVfioDevice *self);

/* "BAR0".."BAR5", "ROM", "config", "VGA" or "region N". */
char *hd_vfio_region_name(guint index);
