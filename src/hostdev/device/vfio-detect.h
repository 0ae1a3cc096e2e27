/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Is a device bound to a VFIO driver? Decided by what the kernel publishes,
 * never by the driver's name: on Linux >= 6.1 a `vfio-dev/` directory in the
 * device's sysfs node means VFIO-bound (variant drivers and drivers such as
 * nvidia.ko included). Older kernels lack vfio-dev: there the driver must be
 * exactly "vfio-pci" or its module must declare `vfio_pci:` aliases. */
#pragma once

#include "hostdev/device/device.h"

/* Fills DEVICE->vfio from sysfs and /dev/vfio. Needs driver, driver_module
 * and iommu_group already loaded. */
void hd_vfio_detect(HdManager *manager, HdDevice *device);
