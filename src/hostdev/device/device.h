/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the kernel says about one PCI device, read from sysfs in one go. */
#pragma once

#include <glib.h>

#include "hostdev/device/manager.h"
#include "hostdev/device/migration.h"
#include "util/pci-address.h"

typedef struct {
  gboolean bound;    /* bound to a VFIO driver (see vfio-detect.h for the rule) */
  const char *rule;  /* which rule decided: "vfio-dev", "driver vfio-pci", "module aliases", NULL */
  char *device;      /* "vfioN" from vfio-dev/, or NULL */
  char *group_node;  /* "/dev/vfio/N" when it exists */
  char *cdev;        /* "/dev/vfio/devices/vfioN" when it exists */
} HdVfioState;

/* The public VhDevice (include/vfio-hostdev.h) is this struct, opaque. */
typedef struct _VhDevice {
  HdPciAddress pci;
  char *address;      /* canonical "0000:00:02.0" */
  char *syspath;      /* resolved "/sys/devices/..." */
  guint16 vendor_id;
  guint16 device_id;
  guint16 subsystem_vendor_id;
  guint16 subsystem_device_id;
  guint32 class_code; /* 24 bits: class, subclass, prog-if */
  guint8 revision;
  gboolean is_bridge; /* header type 1 (PCI-to-PCI bridge) */
  char *modalias;
  char *vendor_name;  /* hwdb; NULL when unknown */
  char *device_name;
  char *class_name;   /* hwdb's name for the (sub)class */
  char *driver;        /* bound driver as sysfs names it; NULL when unbound */
  char *driver_module; /* module that registered the driver; NULL when unknown or built in */
  char *driver_override; /* NULL when clear */
  gint64 iommu_group;  /* -1 when the device has none */
  gboolean noiommu;    /* its group is (or, once on VFIO, would be) one vfio made
                          in no-IOMMU mode: no DMA isolation (iommu-group.h) */
  HdVfioState vfio;
  GStrv reset_methods; /* from reset_method; empty when the kernel has none */
  gint64 numa_node;    /* -1 when not NUMA */
  guint sriov_totalvfs; /* 0: not an SR-IOV PF */
  guint sriov_numvfs;
  GPtrArray *vfs;       /* addresses of this PF's VFs (virtfnN) */
  char *physfn;         /* a VF's PF address, or NULL */
  GPtrArray *functions;      /* the other functions of its slot (functions.h) */
  GPtrArray *link_consumers; /* PCI devices linked to it as consumers (device links) */
  GPtrArray *link_suppliers; /* PCI devices it is linked to as a consumer */
  /* the kernel write in flight for it (util/kernel-write.h), or NULL; then
   * config space, driver_override and sriov_numvfs are not read (left
   * empty): the kernel reads them under the device's lock or config
   * access lock, which the write may hold for as long as it blocks */
  char *pending_write;
  HdMigration *migration; /* what debugfs says about live migration */
} HdDevice;

/* Reads everything about the device at ADDRESS. HD_ERROR_NO_DEVICE when sysfs has no such
 * device; names come from the hwdb when available. */
HdDevice *hd_device_load(HdManager *manager, const HdPciAddress *address, GError **error);

/* What `list` shows, and no more: IDs, names, driver, IOMMU group and VFIO
 * state. syspath, revision, bridge, driver_override, reset methods, NUMA node
 * SR-IOV, functions and device links are left empty (driver_module too, on kernels with vfio-dev). */
HdDevice *hd_device_load_summary(HdManager *manager, const HdPciAddress *address, GError **error);

/* The same from a textual address, validated strictly (HD_ERROR_INVALID). */
HdDevice *hd_device_load_by_name(HdManager *manager, const char *address, GError **error);

void hd_device_free(HdDevice *device);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdDevice, hd_device_free)
