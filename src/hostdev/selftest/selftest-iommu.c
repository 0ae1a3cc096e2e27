// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/selftest/selftest-iommu.h"

#include <string.h>
#include <unistd.h>

#include "util/hd-error.h"
#include "util/host-paths.h"
#include "util/sysfs.h"

static gboolean iommufd_usable(const HdDevice *device)
{
  g_autofree char *iommufd = hd_path_iommufd();

  return device->vfio.cdev != NULL && hd_sysfs_exists(iommufd);
}

/* Why the chosen backend cannot work here, or NULL when it can. */
static char *backend_problem(HdSelftestIommuKind kind, const HdDevice *device)
{
  g_autofree char *container = hd_path_vfio_container();
  g_autofree char *iommufd = hd_path_iommufd();

  if (kind == HD_SELFTEST_IOMMU_IOMMUFD) {
    if (!hd_sysfs_exists(iommufd))
      return g_strdup_printf("%s does not exist: the kernel lacks CONFIG_IOMMUFD; use --iommu type1", iommufd);
    if (device->vfio.cdev == NULL)
      return g_strdup_printf("%s has no VFIO device cdev (/dev/vfio/devices/, CONFIG_VFIO_DEVICE_CDEV, Linux >= 6.6); "
                             "use --iommu type1",
                             device->address);
    return NULL;
  }
  if (!hd_sysfs_exists(container))
    return g_strdup_printf("%s does not exist: the kernel lacks the legacy VFIO container (CONFIG_VFIO_CONTAINER)%s",
                           container, iommufd_usable(device) ? "; use --iommu iommufd" : "");
  if (device->vfio.group_node == NULL)
    return g_strdup_printf("%s has no VFIO group node /dev/vfio/<group>", device->address);
  return NULL;
}

HdSelftestIommu *hd_selftest_iommu_new(HdSelftestIommuKind kind, const HdDevice *device, GError **error)
{
  if (kind == HD_SELFTEST_IOMMU_AUTO)
    kind = iommufd_usable(device) ? HD_SELFTEST_IOMMU_IOMMUFD : HD_SELFTEST_IOMMU_TYPE1;
  const HdSelftestIommuOps *ops = kind == HD_SELFTEST_IOMMU_IOMMUFD        ? &hd_selftest_iommufd_ops
                                  : kind == HD_SELFTEST_IOMMU_TYPE1_LEGACY ? &hd_selftest_type1_legacy_ops
                                                                           : &hd_selftest_type1_ops;
  g_autofree char *problem = backend_problem(kind, device);
  if (problem != NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot test %s through %s: %s", device->address,
                kind == HD_SELFTEST_IOMMU_IOMMUFD ? "iommufd" : "the VFIO container", problem);
    return NULL;
  }

  HdSelftestIommu *self = g_new0(HdSelftestIommu, 1);
  self->ops = ops;
  self->device_fd = -1;
  for (guint i = 0; i < G_N_ELEMENTS(self->fds); i++)
    self->fds[i] = -1;
  self->notes = g_ptr_array_new_with_free_func(g_free);
  return self;
}

gboolean hd_selftest_iommu_open(HdSelftestIommu *self, const HdDevice *device, GError **error)
{
  if (self->ops->open(self, device, error))
    return TRUE;
  self->ops->close(self);
  return FALSE;
}

gboolean hd_selftest_iommu_is_container(const HdSelftestIommu *self)
{
  return self->ops->vfio_iommu_type != 0;
}

void hd_selftest_iommu_free(HdSelftestIommu *self)
{
  if (self == NULL)
    return;
  self->ops->close(self);
  g_ptr_array_unref(self->notes);
  g_free(self);
}

void hd_selftest_iommu_note(HdSelftestIommu *self, const char *format, ...)
{
  va_list args;

  va_start(args, format);
  g_ptr_array_add(self->notes, g_strdup_vprintf(format, args));
  va_end(args);
}

void hd_selftest_ioctl_error(GError **error, int saved_errno, const char *ioctl_name, const char *what)
{
  g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s on %s: %s", ioctl_name, what, g_strerror(saved_errno));
}
