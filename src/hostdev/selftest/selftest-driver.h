/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Self-test device drivers: small user-space drivers that make a known
 * device do DMA through the IOMMU and raise an MSI, as the kernel's VFIO
 * selftests do (tools/testing/selftests/vfio/lib/drivers). A driver is a
 * table of functions; selftest-driver.c finds the one for a device and does
 * what every driver needs (the MSI eventfd). */
#pragma once

#include <glib.h>

#include "hostdev/selftest/selftest-vfio-device.h"

typedef struct _HdSelftestDriver HdSelftestDriver;

typedef struct {
  const HdSelftestDriver *driver;
  const HdVfioDevice *vdev;
  int msi_eventfd; /* vector 0 of driver->msi_index, non-blocking; enabled after init() */
  gpointer priv;   /* the driver's own state */
} HdSelftestDriverDevice;

struct _HdSelftestDriver {
  const char *name;
  guint64 dma_limit;  /* the device reaches IOVAs below this (its DMA mask + 1) */
  gsize max_memcpy;   /* largest memcpy() it can do at once */
  guint msi_index;    /* VFIO_PCI_MSI_IRQ_INDEX or VFIO_PCI_MSIX_IRQ_INDEX */
  /* Does this driver handle the device with these IDs? */
  gboolean (*probe)(guint16 vendor, guint16 device);
  /* Brings the device up (bus mastering included); DEV->priv is the driver's. */
  gboolean (*init)(HdSelftestDriverDevice *dev, GError **error);
  /* Copies SIZE bytes from IOVA SRC to IOVA DST with the device's DMA engine
   * and waits until it is done. */
  gboolean (*memcpy)(HdSelftestDriverDevice *dev, guint64 src, guint64 dst, gsize size, GError **error);
  /* Makes the device raise its MSI (vector 0 of msi_index) once. */
  gboolean (*send_msi)(HdSelftestDriverDevice *dev, GError **error);
  /* Quiesces the device and frees DEV->priv. */
  void (*remove)(HdSelftestDriverDevice *dev);
};

/* The driver for VENDOR:DEVICE, or NULL. */
const HdSelftestDriver *hd_selftest_driver_find(guint16 vendor, guint16 device);

/* "edu (1234:11e8)": the drivers there are, for messages. */
char *hd_selftest_driver_names(void);

/* Runs DRIVER's init() and enables its MSI on a new eventfd. */
HdSelftestDriverDevice *hd_selftest_driver_device_new(const HdSelftestDriver *driver, const HdVfioDevice *vdev,
                                                      GError **error);

/* Disables the MSI, runs remove(), closes the eventfd. */
void hd_selftest_driver_device_free(HdSelftestDriverDevice *dev);

/* Waits up to TIMEOUT_MS for FD (an eventfd) to fire and returns its
 * count (0: it did not fire, -1: error). */
gint64 hd_eventfd_wait(int fd, guint timeout_ms);

/* The count of FD without waiting (0 when nothing fired). */
gint64 hd_eventfd_take(int fd);

/* The edu driver (selftest-edu.c). */
extern const HdSelftestDriver hd_selftest_edu_driver;
