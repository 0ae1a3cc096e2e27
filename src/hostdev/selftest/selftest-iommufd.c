// SPDX-License-Identifier: LGPL-2.1-or-later
/* The iommufd backend: the device's cdev (/dev/vfio/devices/vfioN, Linux
 * >= 6.6) bound to /dev/iommu, attached to an IO address space (IOAS) of
 * its own. */
#include "hostdev/selftest/selftest-iommu.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/hd-error.h"
#include "util/host-paths.h"
#include "util/vfio-uapi.h"

#define IOMMUFD fds[0]

static gboolean open_fds(HdSelftestIommu *self, const HdDevice *device, GError **error)
{
  g_autofree char *iommufd = hd_path_iommufd();

  self->device_fd = open(device->vfio.cdev, O_RDWR | O_CLOEXEC);
  if (self->device_fd < 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot open %s: %s", device->vfio.cdev, g_strerror(errno));
    return FALSE;
  }
  self->IOMMUFD = open(iommufd, O_RDWR | O_CLOEXEC);
  if (self->IOMMUFD < 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot open %s: %s", iommufd, g_strerror(errno));
    return FALSE;
  }
  hd_selftest_iommu_note(self, "opened %s and %s", device->vfio.cdev, iommufd);
  return TRUE;
}

static gboolean iommufd_open(HdSelftestIommu *self, const HdDevice *device, GError **error)
{
  if (!open_fds(self, device, error))
    return FALSE;

  struct vfio_device_bind_iommufd bind = {.argsz = sizeof(bind), .iommufd = self->IOMMUFD};
  if (ioctl(self->device_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
    hd_selftest_ioctl_error(error, errno, "VFIO_DEVICE_BIND_IOMMUFD", device->vfio.cdev);
    return FALSE;
  }
  self->dev_id = bind.out_devid;

  struct iommu_ioas_alloc alloc = {.size = sizeof(alloc)};
  if (ioctl(self->IOMMUFD, IOMMU_IOAS_ALLOC, &alloc) < 0) {
    hd_selftest_ioctl_error(error, errno, "IOMMU_IOAS_ALLOC", "/dev/iommu");
    return FALSE;
  }
  self->ioas_id = alloc.out_ioas_id;

  /* Only the fields every kernel with the cdev knows: newer ones extend the
   * struct (pasid) and tell the versions apart by argsz. */
  struct vfio_device_attach_iommufd_pt attach = {
    .argsz = offsetof(struct vfio_device_attach_iommufd_pt, pt_id) + sizeof(attach.pt_id),
    .pt_id = self->ioas_id,
  };
  if (ioctl(self->device_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) < 0) {
    hd_selftest_ioctl_error(error, errno, "VFIO_DEVICE_ATTACH_IOMMUFD_PT", device->vfio.cdev);
    return FALSE;
  }
  hd_selftest_iommu_note(self, "VFIO_DEVICE_BIND_IOMMUFD (dev id %u), IOMMU_IOAS_ALLOC (ioas %u), "
                         "VFIO_DEVICE_ATTACH_IOMMUFD_PT", self->dev_id, self->ioas_id);
  return TRUE;
}

/* Two calls: the first, with no room, fails with EMSGSIZE and says how many
 * ranges there are. */
static GArray *iommufd_iova_ranges(HdSelftestIommu *self, GError **error)
{
  struct iommu_ioas_iova_ranges query = {.size = sizeof(query), .ioas_id = self->ioas_id};

  if (ioctl(self->IOMMUFD, IOMMU_IOAS_IOVA_RANGES, &query) == 0)
    return g_array_new(FALSE, FALSE, sizeof(HdIovaRange)); /* none at all */
  if (errno != EMSGSIZE) {
    hd_selftest_ioctl_error(error, errno, "IOMMU_IOAS_IOVA_RANGES", "/dev/iommu");
    return NULL;
  }
  g_autofree struct iommu_iova_range *ranges = g_new0(struct iommu_iova_range, query.num_iovas);
  query.allowed_iovas = (guint64)(guintptr)ranges;
  if (ioctl(self->IOMMUFD, IOMMU_IOAS_IOVA_RANGES, &query) < 0) {
    hd_selftest_ioctl_error(error, errno, "IOMMU_IOAS_IOVA_RANGES", "/dev/iommu");
    return NULL;
  }
  GArray *result = g_array_sized_new(FALSE, FALSE, sizeof(HdIovaRange), query.num_iovas);
  for (guint32 i = 0; i < query.num_iovas; i++) {
    HdIovaRange range = {ranges[i].start, ranges[i].last};
    g_array_append_val(result, range);
  }
  return result;
}

static int iommufd_map(HdSelftestIommu *self, void *vaddr, guint64 iova, guint64 size)
{
  struct iommu_ioas_map map = {
    .size = sizeof(map),
    .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
    .ioas_id = self->ioas_id,
    .user_va = (guint64)(guintptr)vaddr,
    .length = size,
    .iova = iova,
  };

  return ioctl(self->IOMMUFD, IOMMU_IOAS_MAP, &map) < 0 ? -errno : 0;
}

static int iommufd_unmap(HdSelftestIommu *self, guint64 iova, guint64 size, guint64 *unmapped)
{
  struct iommu_ioas_unmap unmap = {.size = sizeof(unmap), .ioas_id = self->ioas_id, .iova = iova, .length = size};

  if (ioctl(self->IOMMUFD, IOMMU_IOAS_UNMAP, &unmap) < 0)
    return -errno;
  if (unmapped != NULL)
    *unmapped = unmap.length;
  return 0;
}

static int iommufd_unmap_all(HdSelftestIommu *self, guint64 *unmapped)
{
  return iommufd_unmap(self, 0, G_MAXUINT64, unmapped);
}

/* Closing the device fd detaches and unbinds it; closing iommufd frees the IOAS. */
static void iommufd_close(HdSelftestIommu *self)
{
  int *fds[] = {&self->device_fd, &self->IOMMUFD};

  for (guint i = 0; i < G_N_ELEMENTS(fds); i++)
    if (*fds[i] >= 0) {
      close(*fds[i]);
      *fds[i] = -1;
    }
}

const HdSelftestIommuOps hd_selftest_iommufd_ops = {
  .name = "iommufd",
  .open = iommufd_open,
  .iova_ranges = iommufd_iova_ranges,
  .map = iommufd_map,
  .unmap = iommufd_unmap,
  .unmap_all = iommufd_unmap_all,
  .close = iommufd_close,
};
