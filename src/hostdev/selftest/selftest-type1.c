// SPDX-License-Identifier: LGPL-2.1-or-later
/* The legacy backend: /dev/vfio/vfio (the container) + /dev/vfio/<group>,
 * with the type1v2 IOMMU, as QEMU and DPDK have used it for a decade, or
 * with the original type1 (v1) model where the container offers it (the
 * kernel's selftests run every case in both). */
#include "hostdev/selftest/selftest-iommu.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/hd-error.h"
#include "util/host-paths.h"
#include "util/vfio-uapi.h"

#define CONTAINER fds[0]
#define GROUP fds[1]

static const char *model_macro(const HdSelftestIommu *self)
{
  return self->ops->vfio_iommu_type == VFIO_TYPE1v2_IOMMU ? "VFIO_TYPE1v2_IOMMU" : "VFIO_TYPE1_IOMMU";
}

static const char *model_name(const HdSelftestIommu *self)
{
  return self->ops->vfio_iommu_type == VFIO_TYPE1v2_IOMMU ? "type1v2" : "legacy type1 (v1)";
}

static int open_node(const char *path, GError **error)
{
  int fd = open(path, O_RDWR | O_CLOEXEC);

  if (fd < 0)
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot open %s: %s", path, g_strerror(errno));
  return fd;
}

static gboolean open_container(HdSelftestIommu *self, GError **error)
{
  g_autofree char *path = hd_path_vfio_container();
  int version;

  if ((self->CONTAINER = open_node(path, error)) < 0)
    return FALSE;
  if ((version = ioctl(self->CONTAINER, VFIO_GET_API_VERSION)) != VFIO_API_VERSION) {
    if (version < 0)
      hd_selftest_ioctl_error(error, errno, "VFIO_GET_API_VERSION", path);
    else
      g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "VFIO_GET_API_VERSION on %s is %d, expected %d", path, version,
                  VFIO_API_VERSION);
    return FALSE;
  }
  hd_selftest_iommu_note(self, "%s: VFIO_GET_API_VERSION = %d", path, version);
  if (ioctl(self->CONTAINER, VFIO_CHECK_EXTENSION, self->ops->vfio_iommu_type) <= 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED,
                "the VFIO container does not offer the %s IOMMU (VFIO_CHECK_EXTENSION(%s)): is vfio_iommu_type1 loaded?",
                model_name(self), model_macro(self));
    return FALSE;
  }
  hd_selftest_iommu_note(self, "VFIO_CHECK_EXTENSION(%s) = yes", model_macro(self));
  return TRUE;
}

static gboolean open_group(HdSelftestIommu *self, const HdDevice *device, GError **error)
{
  struct vfio_group_status status = {.argsz = sizeof(status)};
  const char *path = device->vfio.group_node;

  if ((self->GROUP = open_node(path, error)) < 0)
    return FALSE;
  if (ioctl(self->GROUP, VFIO_GROUP_GET_STATUS, &status) < 0) {
    hd_selftest_ioctl_error(error, errno, "VFIO_GROUP_GET_STATUS", path);
    return FALSE;
  }
  if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED,
                "IOMMU group %" G_GINT64_FORMAT " is not viable: every device of the group must be bound to a "
                "VFIO driver or unbound (see `vfio-hostdev show %s`)",
                device->iommu_group, device->address);
    return FALSE;
  }
  hd_selftest_iommu_note(self, "%s: VFIO_GROUP_GET_STATUS viable", path);
  if (ioctl(self->GROUP, VFIO_GROUP_SET_CONTAINER, &self->CONTAINER) < 0) {
    hd_selftest_ioctl_error(error, errno, "VFIO_GROUP_SET_CONTAINER", path);
    return FALSE;
  }
  if (ioctl(self->CONTAINER, VFIO_SET_IOMMU, self->ops->vfio_iommu_type) < 0) {
    g_autofree char *what = g_strdup_printf("VFIO_SET_IOMMU(%s)", model_macro(self));
    hd_selftest_ioctl_error(error, errno, what, "the container");
    return FALSE;
  }
  hd_selftest_iommu_note(self, "VFIO_GROUP_SET_CONTAINER, VFIO_SET_IOMMU(%s)", model_macro(self));
  return TRUE;
}

static gboolean type1_open(HdSelftestIommu *self, const HdDevice *device, GError **error)
{
  if (!open_container(self, error) || !open_group(self, device, error))
    return FALSE;
  self->device_fd = ioctl(self->GROUP, VFIO_GROUP_GET_DEVICE_FD, device->address);
  if (self->device_fd < 0) {
    hd_selftest_ioctl_error(error, errno, "VFIO_GROUP_GET_DEVICE_FD", device->address);
    return FALSE;
  }
  hd_selftest_iommu_note(self, "VFIO_GROUP_GET_DEVICE_FD(\"%s\")", device->address);
  return TRUE;
}

/* VFIO_IOMMU_GET_INFO with room for its capability chain: the first call
 * says how much is needed in argsz. */
static struct vfio_iommu_type1_info *get_info(HdSelftestIommu *self, GError **error)
{
  g_autofree struct vfio_iommu_type1_info *info = g_malloc0(sizeof(*info));

  info->argsz = sizeof(*info);
  for (guint attempt = 0; attempt < 2; attempt++) {
    guint32 wanted;
    if (ioctl(self->CONTAINER, VFIO_IOMMU_GET_INFO, info) < 0) {
      hd_selftest_ioctl_error(error, errno, "VFIO_IOMMU_GET_INFO", "the container");
      return NULL;
    }
    if (info->argsz <= sizeof(*info) || attempt == 1)
      break;
    wanted = info->argsz;
    info = g_realloc(info, wanted);
    memset(info, 0, wanted);
    info->argsz = wanted;
  }
  return g_steal_pointer(&info);
}

static GArray *type1_iova_ranges(HdSelftestIommu *self, GError **error)
{
  g_autofree struct vfio_iommu_type1_info *info = get_info(self, error);

  if (info == NULL)
    return NULL;
  guint32 offset = (info->flags & VFIO_IOMMU_INFO_CAPS) ? info->cap_offset : 0;
  while (offset != 0 && offset + sizeof(struct vfio_info_cap_header) <= info->argsz) {
    const struct vfio_info_cap_header *header = (const void *)((const char *)info + offset);
    if (header->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
      const struct vfio_iommu_type1_info_cap_iova_range *cap = (const void *)header;
      GArray *ranges = g_array_sized_new(FALSE, FALSE, sizeof(HdIovaRange), cap->nr_iovas);
      for (guint32 i = 0; i < cap->nr_iovas; i++) {
        HdIovaRange range = {cap->iova_ranges[i].start, cap->iova_ranges[i].end};
        g_array_append_val(ranges, range);
      }
      return ranges;
    }
    offset = header->next;
  }
  g_set_error(error, HD_ERROR, HD_ERROR_FAILED,
              "VFIO_IOMMU_GET_INFO has no IOVA range capability (Linux < 5.4?)");
  return NULL;
}

static int type1_map(HdSelftestIommu *self, void *vaddr, guint64 iova, guint64 size)
{
  struct vfio_iommu_type1_dma_map map = {
    .argsz = sizeof(map),
    .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
    .vaddr = (guint64)(guintptr)vaddr,
    .iova = iova,
    .size = size,
  };

  return ioctl(self->CONTAINER, VFIO_IOMMU_MAP_DMA, &map) < 0 ? -errno : 0;
}

static int unmap_request(HdSelftestIommu *self, guint32 flags, guint64 iova, guint64 size, guint64 *unmapped)
{
  struct vfio_iommu_type1_dma_unmap unmap = {
    .argsz = sizeof(unmap),
    .flags = flags,
    .iova = iova,
    .size = size,
  };

  if (ioctl(self->CONTAINER, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0)
    return -errno;
  if (unmapped != NULL)
    *unmapped = unmap.size;
  return 0;
}

static int type1_unmap(HdSelftestIommu *self, guint64 iova, guint64 size, guint64 *unmapped)
{
  return unmap_request(self, 0, iova, size, unmapped);
}

static int type1_unmap_all(HdSelftestIommu *self, guint64 *unmapped)
{
  if (ioctl(self->CONTAINER, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL) <= 0)
    return -EOPNOTSUPP;
  return unmap_request(self, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, unmapped);
}

/* The device first: closing the group releases the container. */
static void type1_close(HdSelftestIommu *self)
{
  int *fds[] = {&self->device_fd, &self->GROUP, &self->CONTAINER};

  for (guint i = 0; i < G_N_ELEMENTS(fds); i++)
    if (*fds[i] >= 0) {
      close(*fds[i]);
      *fds[i] = -1;
    }
}

/* The two modes differ only in what VFIO_SET_IOMMU asks for. */
#define TYPE1_OPS(NAME, TYPE)                                                                                  \
  {                                                                                                            \
    .name = NAME, .vfio_iommu_type = TYPE, .open = type1_open, .iova_ranges = type1_iova_ranges,               \
    .map = type1_map, .unmap = type1_unmap, .unmap_all = type1_unmap_all, .close = type1_close,                \
  }

const HdSelftestIommuOps hd_selftest_type1_ops = TYPE1_OPS("type1", VFIO_TYPE1v2_IOMMU);
const HdSelftestIommuOps hd_selftest_type1_legacy_ops = TYPE1_OPS("type1-legacy", VFIO_TYPE1_IOMMU);
