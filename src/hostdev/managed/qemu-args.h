/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QEMU command line for a prepared VM's devices. Legacy (group) form:
 * `-device vfio-pci,host=BDF` per device (QEMU opens /dev/vfio/<group>);
 * iommufd form, when the host has /dev/iommu and every device a VFIO cdev:
 * one `-object iommufd,id=iommufd0` and `-device
 * vfio-pci,host=BDF,iommufd=iommufd0` per device (QEMU >= 8.2 opens the
 * cdev it finds through the BDF). vfio-pci is QEMU's device for every
 * VFIO PCI driver, variant drivers included. */
#pragma once

#include "hostdev/managed/prepare.h"

#define HD_QEMU_IOMMUFD_ID "iommufd0"

/* TRUE when the iommufd form applies to RESULTS (HdPrepareResult*). */
gboolean hd_qemu_use_iommufd(const GPtrArray *results);

/* The arguments of one device (strings). */
GPtrArray *hd_qemu_device_args(const HdPrepareResult *result, gboolean iommufd);

/* The arguments of the whole VM (strings): the iommufd object when used,
 * then every device's. */
GPtrArray *hd_qemu_args(const GPtrArray *results);
