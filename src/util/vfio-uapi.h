/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's VFIO and iommufd uAPI, from the installed linux-libc-dev
 * headers, completed where they are too old. Debian 12 ships the headers of
 * Linux 6.1: <linux/vfio.h> without the device cdev ioctls (6.6) and no
 * <linux/iommufd.h> at all (6.2). The definitions below are the kernel's
 * ABI (include/uapi/linux/iommufd.h and vfio.h of Linux >= 6.6), each
 * guarded so that newer installed headers win. Used by the self-test
 * backends and by the mock that emulates them. */
#pragma once

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/vfio.h>

#if defined(__has_include)
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#endif
#endif

#ifndef IOMMUFD_TYPE
#define IOMMUFD_TYPE (';')

enum {
  IOMMUFD_CMD_BASE = 0x80,
  IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
  IOMMUFD_CMD_IOAS_ALLOC,
  IOMMUFD_CMD_IOAS_ALLOW_IOVAS,
  IOMMUFD_CMD_IOAS_COPY,
  IOMMUFD_CMD_IOAS_IOVA_RANGES,
  IOMMUFD_CMD_IOAS_MAP,
  IOMMUFD_CMD_IOAS_UNMAP,
};

struct iommu_destroy {
  __u32 size;
  __u32 id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

struct iommu_ioas_alloc {
  __u32 size;
  __u32 flags;
  __u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

struct iommu_iova_range {
  __aligned_u64 start;
  __aligned_u64 last; /* inclusive */
};

struct iommu_ioas_iova_ranges {
  __u32 size;
  __u32 ioas_id;
  __u32 num_iovas; /* in: room in allowed_iovas; out: how many exist (EMSGSIZE when more) */
  __u32 __reserved;
  __aligned_u64 allowed_iovas;
  __aligned_u64 out_iova_alignment;
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

enum iommufd_ioas_map_flags {
  IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
  IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
  IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

struct iommu_ioas_map {
  __u32 size;
  __u32 flags;
  __u32 ioas_id;
  __u32 __reserved;
  __aligned_u64 user_va;
  __aligned_u64 length;
  __aligned_u64 iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/* iova 0 and length U64_MAX unmap everything; length returns what was unmapped. */
struct iommu_ioas_unmap {
  __u32 size;
  __u32 ioas_id;
  __aligned_u64 iova;
  __aligned_u64 length;
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)
#endif /* IOMMUFD_TYPE */

#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
  __u32 argsz;
  __u32 flags;
  __s32 iommufd;
  __u32 out_devid;
};
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)

/* Later kernels append a pasid field (with a flag): argsz tells them apart. */
struct vfio_device_attach_iommufd_pt {
  __u32 argsz;
  __u32 flags;
  __u32 pt_id;
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)

/* Later kernels append a pasid field (with a flag) here too. */
struct vfio_device_detach_iommufd_pt {
  __u32 argsz;
  __u32 flags;
};
#define VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 20)
#endif /* VFIO_DEVICE_BIND_IOMMUFD */

/* vfio-pci places region N at file offset N << 40 of the device fd; the
 * offset is also reported by VFIO_DEVICE_GET_REGION_INFO, which callers
 * use. The mock uses the same layout. */
#define HD_VFIO_PCI_REGION_SHIFT 40
