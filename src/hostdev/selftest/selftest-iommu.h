/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ways to own a VFIO device and its IO address space, behind one
 * small interface: the legacy container + group with the type1v2 IOMMU or
 * the older type1 (v1) one (selftest-type1.c), and iommufd + the device
 * cdev (selftest-iommufd.c).
 * The self-test cases only see this interface. */
#pragma once

#include <glib.h>

#include "hostdev/device/device.h"

typedef enum {
  HD_SELFTEST_IOMMU_AUTO,
  HD_SELFTEST_IOMMU_TYPE1,
  HD_SELFTEST_IOMMU_IOMMUFD,
  HD_SELFTEST_IOMMU_TYPE1_LEGACY,
} HdSelftestIommuKind;

typedef struct {
  guint64 start;
  guint64 last; /* inclusive */
} HdIovaRange;

typedef struct _HdSelftestIommu HdSelftestIommu;

typedef struct {
  const char *name; /* "type1", "type1-legacy", "iommufd" */
  /* The container's IOMMU model (VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU), 0
   * for iommufd. */
  unsigned long vfio_iommu_type;
  /* Opens the device and attaches it to a new IO address space; on success
   * self->device_fd is the VFIO device fd. Says what it did through
   * hd_selftest_iommu_note(). */
  gboolean (*open)(HdSelftestIommu *self, const HdDevice *device, GError **error);
  /* The usable IOVA ranges, sorted, as an array of HdIovaRange. */
  GArray *(*iova_ranges)(HdSelftestIommu *self, GError **error);
  /* Map SIZE bytes at VADDR read+write at IOVA: 0 or -errno. */
  int (*map)(HdSelftestIommu *self, void *vaddr, guint64 iova, guint64 size);
  /* Unmap [IOVA, IOVA+SIZE); *UNMAPPED (may be NULL) gets the bytes
   * unmapped: 0 or -errno. */
  int (*unmap)(HdSelftestIommu *self, guint64 iova, guint64 size, guint64 *unmapped);
  /* Unmap everything: 0, -errno, or -EOPNOTSUPP when the kernel cannot. */
  int (*unmap_all)(HdSelftestIommu *self, guint64 *unmapped);
  /* Closes what open() opened (device fd included), in reverse order. */
  void (*close)(HdSelftestIommu *self);
} HdSelftestIommuOps;

struct _HdSelftestIommu {
  const HdSelftestIommuOps *ops;
  int device_fd;     /* -1 until open() succeeds */
  GPtrArray *notes;  /* what open() did, one line each ("VFIO_GET_API_VERSION = 0") */
  /* the backend's own state */
  int fds[2];        /* type1: container, group; iommufd: iommufd */
  guint32 ioas_id;
  guint32 dev_id;
};

extern const HdSelftestIommuOps hd_selftest_type1_ops;
extern const HdSelftestIommuOps hd_selftest_type1_legacy_ops;
extern const HdSelftestIommuOps hd_selftest_iommufd_ops;

/* The backend KIND names for DEVICE; AUTO takes iommufd when /dev/iommu
 * and the device's cdev exist, else type1. HD_ERROR_FAILED with what is
 * missing when the chosen backend cannot work on this host. Opens nothing. */
HdSelftestIommu *hd_selftest_iommu_new(HdSelftestIommuKind kind, const HdDevice *device, GError **error);

/* Opens the device through the backend (ops->open). */
gboolean hd_selftest_iommu_open(HdSelftestIommu *self, const HdDevice *device, GError **error);

/* Whether the backend is the VFIO container (either type1 model). */
gboolean hd_selftest_iommu_is_container(const HdSelftestIommu *self);

/* Closes everything and frees. */
void hd_selftest_iommu_free(HdSelftestIommu *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdSelftestIommu, hd_selftest_iommu_free)

/* Records one line of what open() did. */
void hd_selftest_iommu_note(HdSelftestIommu *self, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* "ioctl NAME on PATH: strerror" as an HD_ERROR_FAILED error (errno read
 * by the caller right after the failed call). */
void hd_selftest_ioctl_error(GError **error, int saved_errno, const char *ioctl_name, const char *what);

