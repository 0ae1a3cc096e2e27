/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QEMU command line for a prepared VM's devices. Group form:
 * `-device vfio-pci,host=BDF` per device (QEMU opens /dev/vfio/<group>);
 * iommufd form: one `-object iommufd,id=iommufd0` and `-device
 * vfio-pci,host=BDF,iommufd=iommufd0` per device (QEMU opens the cdev it
 * finds through the BDF). Which one:
 * - QEMU >= 9.0 (qemu-version.h): iommufd when the host has /dev/iommu and
 *   every device a VFIO cdev, else group;
 * - older QEMU: group;
 * - QEMU not known: group when every device has its group node (every QEMU
 *   takes it), iommufd only when a device has no group node (cdev-only
 *   kernels) and the iommufd form is possible.
 * `host=` takes a 16-bit PCI domain: a device in a wider one (Intel VMD,
 * 10000:00:02.0) is named `sysfsdev=/sys/bus/pci/devices/BDF` instead.
 * vfio-pci is QEMU's device for every VFIO PCI driver, variant drivers
 * included. */
#pragma once

#include "hostdev/managed/prepare.h"
#include "hostdev/managed/qemu-version.h"

#define HD_QEMU_IOMMUFD_ID "iommufd0"

/* TRUE when the iommufd form applies to RESULTS (HdPrepareResult*) for
 * QEMU VERSION (NULL or {0, 0}: not known). */
gboolean hd_qemu_use_iommufd(const GPtrArray *results, const HdQemuVersion *version);

/* The arguments of one device (strings). */
GPtrArray *hd_qemu_device_args(const HdPrepareResult *result, gboolean iommufd);

/* The arguments of the whole VM (strings): the iommufd object when used,
 * then every device's. */
GPtrArray *hd_qemu_args(const GPtrArray *results, gboolean iommufd);
