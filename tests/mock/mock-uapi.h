/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mock-uapi.h: the VFIO and iommufd uAPI on the fake host's device nodes
 * (libvfio-hostdev-mock-uapi.so, a second preload that goes before
 * libvfio-hostdev-mock.so in LD_PRELOAD; see README-uapi.md).
 *
 * The nodes the main mock creates ($ROOT/dev/vfio/vfio, /dev/vfio/<group>,
 * /dev/vfio/devices/vfioN, /dev/iommu) are regular files; this piece turns
 * ioctl(), pread(), pwrite() and mmap() on fds opened there into the
 * kernel's answers, in process memory: a container or IOAS lives as long
 * as the process, like in the kernel. Plain libc, like the rest of the
 * preload. Every function returns 0 or a negative errno unless said. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/vfio-uapi.h"

/* ---- mock-uapi-space.c: an IO address space (type1 container or IOAS) -- */

typedef struct {
  uint64_t iova, size;
  void *vaddr;
} MuMapping;

typedef struct {
  int refs;
  int attached;     /* devices attached (an IOAS with none has the full range) */
  MuMapping *maps;
  size_t n_maps, cap_maps;
} MuSpace;

MuSpace *mu_space_new(void);
MuSpace *mu_space_ref(MuSpace *space);
void mu_space_unref(MuSpace *space);
/* The usable ranges (inclusive ends): *n of them, a static table. */
const struct vfio_iova_range *mu_space_ranges(const MuSpace *space, size_t *n);
/* Kernel checks, then records the mapping: EINVAL (alignment, range),
 * EOVERFLOW (wraps 2^64), EEXIST (overlap), EFAULT (vaddr not mapped, or
 * PINS and part of it is a BAR's mmap: iommufd pins pages and cannot pin
 * VM_PFNMAP memory, type1 maps it by its PFNs). */
int mu_space_map(MuSpace *space, uint64_t iova, uint64_t size, void *vaddr, bool pins);
/* Removes the mappings inside [iova, iova+size) (all when all), *unmapped
 * their bytes; EINVAL when one would be split, EOVERFLOW when the range
 * wraps. */
int mu_space_unmap(MuSpace *space, uint64_t iova, uint64_t size, bool all, uint64_t *unmapped);
/* Host address of [iova, iova+len) when one mapping holds it all, else NULL. */
void *mu_space_translate(const MuSpace *space, uint64_t iova, uint64_t len);

/* ---- mock-uapi-device.c: the fake PCI device behind a device fd ------- */

typedef struct MuDevice MuDevice;

/* Builds the device for bdf from the fake sysfs; NULL (errno) on failure. */
MuDevice *mu_device_new(const char *bdf);
void mu_device_free(MuDevice *dev);
/* Attaches the device's DMA to space (a reference is taken). */
void mu_device_attach(MuDevice *dev, MuSpace *space);
bool mu_device_attached(const MuDevice *dev);
/* Drops the attachment (VFIO_DEVICE_DETACH_IOMMUFD_PT); none is fine. */
void mu_device_detach(MuDevice *dev);
/* The VFIO_DEVICE_* ioctls. */
int mu_device_ioctl(MuDevice *dev, unsigned long request, void *arg);
ssize_t mu_device_pread(MuDevice *dev, void *buf, size_t count, off_t offset);
ssize_t mu_device_pwrite(MuDevice *dev, const void *buf, size_t count, off_t offset);
/* mmap of a BAR: MAP_FAILED with errno set when not mmap-able. */
void *mu_device_mmap(MuDevice *dev, void *addr, size_t length, int prot, int flags, off_t offset);

/* ---- mock-uapi-edu.c: the edu device's registers and DMA engine ------- */

/* After a write of len bytes at BAR0 offset off: the device's reaction
 * (DMA, interrupts). bar is BAR0's memory; returns 0 or -EIO when the
 * device would have failed (QEMU aborts on a DMA outside its buffer). */
int mu_edu_write(MuDevice *dev, uint8_t *bar, uint64_t off, size_t len);
/* Used by the edu engine. */
bool mu_device_bus_master(const MuDevice *dev);
MuSpace *mu_device_space(const MuDevice *dev);
void mu_device_fire_msi(MuDevice *dev, unsigned vector);


/* ---- mock-uapi-nodes.c: what each node's fd is ------------------------ */

typedef struct MuObject MuObject;

/* The object for an fd just found open on logical path ("/dev/vfio/vfio",
 * "/dev/vfio/2", "/dev/vfio/devices/vfio0", "/dev/iommu"); NULL when the
 * path is none of them. */
MuObject *mu_node_open(const char *logical);
/* The ioctl on the object: 0, a positive value (an API version, an
 * extension's presence, a new fd) or a negative errno. */
long mu_node_ioctl(MuObject *obj, unsigned long request, void *arg);
/* The device behind a device fd (group-opened, or a bound cdev), or NULL. */
MuDevice *mu_node_device(MuObject *obj);
void mu_node_close(MuObject *obj);

/* ---- mock-uapi-fd.c --------------------------------------------------- */

/* Registers obj for a new fd (GET_DEVICE_FD); returns the fd or -errno. */
int mu_fd_new(MuObject *obj);
/* The object of an fd, or NULL. */
MuObject *mu_fd_object(int fd);
