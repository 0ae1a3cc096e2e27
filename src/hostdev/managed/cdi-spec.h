/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CDI (Container Device Interface) specs for an owner's prepared devices,
 * so that container runtimes (podman, containerd, CRI-O, Kata) and
 * Kubernetes DRA drivers hand them to workloads: one spec file per owner,
 * kind HD_CDI_KIND, one device per PCI device (named by its address,
 * "0000-01-00.0") and one for the owner (all of them). Each device's
 * containerEdits.deviceNodes are what the kernel offers for it: the group
 * node /dev/vfio/N with the container /dev/vfio/vfio, and the cdev
 * /dev/vfio/devices/vfioN with /dev/iommu. cdiVersion is the lowest the
 * content needs: 0.3.0 for plain deviceNodes, 0.5.0 once a device name
 * starts with a digit (the CDI rule since 0.5.0), which an address always
 * does. The file written is remembered in the state directory and removed
 * when the owner is released. */
#pragma once

#include "hostdev/device/manager.h"

#define HD_CDI_KIND "vfio-hostdev.io/pci"
#define HD_CDI_DEFAULT_DIR "/var/run/cdi"

/* The spec of OWNER's prepared devices as JSON text. HD_ERROR_INVALID
 * when OWNER is no valid CDI device name, HD_ERROR_NO_DEVICE when it holds
 * no prepared device. */
char *hd_cdi_spec_build(HdManager *manager, const char *owner, GError **error);

/* Writes that spec atomically into DIR (NULL: HD_CDI_DEFAULT_DIR, created
 * when missing) as vfio-hostdev-<owner>.json, replacing an older one, and
 * remembers it for release. Returns the file's path. */
char *hd_cdi_spec_write(HdManager *manager, const char *owner, const char *dir, GError **error);

/* Removes the spec written for OWNER, if any, and what remembered it. */
gboolean hd_cdi_spec_forget(const char *owner, GError **error);

/* hd_cdi_spec_forget(), a failure being a warning of MANAGER: for release
 * and recover, whose devices are given back whatever becomes of the file. */
void hd_cdi_spec_drop(HdManager *manager, const char *owner);
