// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/selftest/selftest-vfio-device.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/hd-error.h"
#include "hostdev/selftest/selftest-iommu.h"

gboolean hd_vfio_device_init(HdVfioDevice *self, int fd, GError **error)
{
  memset(self, 0, sizeof(*self));
  self->fd = fd;
  self->info.argsz = sizeof(self->info);
  if (ioctl(fd, VFIO_DEVICE_GET_INFO, &self->info) < 0) {
    hd_selftest_ioctl_error(error, errno, "VFIO_DEVICE_GET_INFO", "the device");
    return FALSE;
  }
  self->regions = g_array_sized_new(FALSE, TRUE, sizeof(struct vfio_region_info), self->info.num_regions);
  for (guint32 i = 0; i < self->info.num_regions; i++) {
    struct vfio_region_info region = {.argsz = sizeof(region), .index = i};
    /* vfio-pci answers EINVAL for a region the device lacks (VGA on a
     * device that is not a VGA controller): an empty region. */
    int rc = ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &region);
    if (rc < 0 && errno == EINVAL) {
      region = (struct vfio_region_info){.argsz = sizeof(region), .index = i};
    } else if (rc < 0) {
      g_autofree char *name = hd_vfio_region_name(i);
      hd_selftest_ioctl_error(error, errno, "VFIO_DEVICE_GET_REGION_INFO", name);
      return FALSE;
    }
    g_array_append_val(self->regions, region);
  }
  return TRUE;
}

void hd_vfio_device_clear(HdVfioDevice *self)
{
  g_clear_pointer(&self->regions, g_array_unref);
}

const struct vfio_region_info *hd_vfio_device_region(const HdVfioDevice *self, guint index)
{
  if (self->regions == NULL || index >= self->regions->len)
    return NULL;
  return &g_array_index(self->regions, struct vfio_region_info, index);
}

char *hd_vfio_region_name(guint index)
{
  if (index <= VFIO_PCI_BAR5_REGION_INDEX)
    return g_strdup_printf("BAR%u", index);
  if (index == VFIO_PCI_ROM_REGION_INDEX)
    return g_strdup("ROM");
  if (index == VFIO_PCI_CONFIG_REGION_INDEX)
    return g_strdup("config");
  if (index == VFIO_PCI_VGA_REGION_INDEX)
    return g_strdup("VGA");
  return g_strdup_printf("region %u", index);
}

static const struct vfio_region_info *region_for_access(const HdVfioDevice *self, guint index, guint64 offset,
                                                        gsize size, GError **error)
{
  const struct vfio_region_info *region = hd_vfio_device_region(self, index);
  g_autofree char *name = hd_vfio_region_name(index);

  if (region == NULL || offset > region->size || size > region->size - offset) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s has no bytes %#" G_GINT64_MODIFIER "x..%#" G_GINT64_MODIFIER "x",
                name, offset, offset + size);
    return NULL;
  }
  return region;
}

static gboolean transfer_done(ssize_t done, gsize size, const char *what, guint index, guint64 offset, GError **error)
{
  g_autofree char *name = NULL;

  if (done == (ssize_t)size)
    return TRUE;
  name = hd_vfio_region_name(index);
  g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s of %zu bytes at %s+%#" G_GINT64_MODIFIER "x: %s", what, size, name,
              offset, done < 0 ? g_strerror(errno) : "short transfer");
  return FALSE;
}

gboolean hd_vfio_region_read(const HdVfioDevice *self, guint index, guint64 offset, void *buf, gsize size,
                             GError **error)
{
  const struct vfio_region_info *region = region_for_access(self, index, offset, size, error);

  if (region == NULL)
    return FALSE;
  return transfer_done(pread(self->fd, buf, size, (off_t)(region->offset + offset)), size, "read", index, offset,
                       error);
}

gboolean hd_vfio_region_write(const HdVfioDevice *self, guint index, guint64 offset, const void *buf, gsize size,
                              GError **error)
{
  const struct vfio_region_info *region = region_for_access(self, index, offset, size, error);

  if (region == NULL)
    return FALSE;
  return transfer_done(pwrite(self->fd, buf, size, (off_t)(region->offset + offset)), size, "write", index, offset,
                       error);
}

gboolean hd_vfio_config_read16(const HdVfioDevice *self, guint offset, guint16 *value, GError **error)
{
  guint16 raw;

  if (!hd_vfio_region_read(self, VFIO_PCI_CONFIG_REGION_INDEX, offset, &raw, sizeof(raw), error))
    return FALSE;
  *value = GUINT16_FROM_LE(raw);
  return TRUE;
}

gboolean hd_vfio_config_write16(const HdVfioDevice *self, guint offset, guint16 value, GError **error)
{
  guint16 raw = GUINT16_TO_LE(value);

  return hd_vfio_region_write(self, VFIO_PCI_CONFIG_REGION_INDEX, offset, &raw, sizeof(raw), error);
}

/* The region's info with its capability chain (argsz grown as the kernel asks). */
static struct vfio_region_info *region_info_with_caps(const HdVfioDevice *self, guint index, GError **error)
{
  g_autofree struct vfio_region_info *info = g_malloc0(sizeof(*info));
  guint32 wanted;

  info->argsz = sizeof(*info);
  info->index = index;
  if (ioctl(self->fd, VFIO_DEVICE_GET_REGION_INFO, info) < 0)
    goto fail;
  if (info->argsz <= sizeof(*info))
    return g_steal_pointer(&info);
  wanted = info->argsz;
  info = g_realloc(info, wanted);
  memset(info, 0, wanted);
  info->argsz = wanted;
  info->index = index;
  if (ioctl(self->fd, VFIO_DEVICE_GET_REGION_INFO, info) == 0)
    return g_steal_pointer(&info);
fail:
  hd_selftest_ioctl_error(error, errno, "VFIO_DEVICE_GET_REGION_INFO", "a BAR");
  return NULL;
}

static const struct vfio_region_info_cap_sparse_mmap *find_sparse_cap(const struct vfio_region_info *info)
{
  guint32 offset = (info->flags & VFIO_REGION_INFO_FLAG_CAPS) ? info->cap_offset : 0;

  while (offset != 0 && offset + sizeof(struct vfio_info_cap_header) <= info->argsz) {
    const struct vfio_info_cap_header *header = (const void *)((const char *)info + offset);
    if (header->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP)
      return (const void *)header;
    offset = header->next;
  }
  return NULL;
}

GArray *hd_vfio_region_mmap_areas(const HdVfioDevice *self, guint index, GError **error)
{
  GArray *areas = g_array_new(FALSE, FALSE, sizeof(HdVfioMmapArea));
  const struct vfio_region_info *basic = hd_vfio_device_region(self, index);

  if (basic == NULL || !(basic->flags & VFIO_REGION_INFO_FLAG_MMAP) || basic->size == 0)
    return areas;
  g_autofree struct vfio_region_info *info = region_info_with_caps(self, index, error);
  if (info == NULL) {
    g_array_unref(areas);
    return NULL;
  }
  const struct vfio_region_info_cap_sparse_mmap *sparse = find_sparse_cap(info);
  if (sparse == NULL) {
    HdVfioMmapArea whole = {0, info->size};
    g_array_append_val(areas, whole);
    return areas;
  }
  for (guint32 i = 0; i < sparse->nr_areas; i++) {
    HdVfioMmapArea area = {sparse->areas[i].offset, sparse->areas[i].size};
    if (area.size > 0)
      g_array_append_val(areas, area);
  }
  return areas;
}

gboolean hd_vfio_irq_info(const HdVfioDevice *self, guint index, struct vfio_irq_info *info, GError **error)
{
  memset(info, 0, sizeof(*info));
  info->argsz = sizeof(*info);
  info->index = index;
  if (ioctl(self->fd, VFIO_DEVICE_GET_IRQ_INFO, info) < 0) {
    hd_selftest_ioctl_error(error, errno, "VFIO_DEVICE_GET_IRQ_INFO", "the device");
    return FALSE;
  }
  return TRUE;
}

static int set_irqs(const HdVfioDevice *self, guint32 flags, guint index, guint start, guint count, const int *eventfds)
{
  gsize data = eventfds != NULL ? count * sizeof(gint32) : 0;
  g_autofree struct vfio_irq_set *set = g_malloc0(sizeof(*set) + data);

  set->argsz = sizeof(*set) + data;
  set->flags = flags;
  set->index = index;
  set->start = start;
  set->count = count;
  for (guint i = 0; eventfds != NULL && i < count; i++)
    ((gint32 *)set->data)[i] = eventfds[i];
  return ioctl(self->fd, VFIO_DEVICE_SET_IRQS, set) < 0 ? -errno : 0;
}

int hd_vfio_irq_enable(const HdVfioDevice *self, guint index, const int *eventfds, guint count)
{
  return set_irqs(self, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, count, eventfds);
}

int hd_vfio_irq_trigger(const HdVfioDevice *self, guint index, guint start, guint count)
{
  return set_irqs(self, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, index, start, count, NULL);
}

int hd_vfio_irq_disable(const HdVfioDevice *self, guint index)
{
  return set_irqs(self, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, 0, NULL);
}

int hd_vfio_device_reset(const HdVfioDevice *self)
{
  return ioctl(self->fd, VFIO_DEVICE_RESET) < 0 ? -errno : 0;
}
