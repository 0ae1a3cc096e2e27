// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/selftest/migration-probe.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hostdev/device/device.h"
#include "hostdev/selftest/selftest-iommu.h"
#include "hostdev/shared/device-record.h"
#include "hostdev/shared/group-lock.h"
#include "hostdev/shared/vfio-holders.h"
#include "util/hd-error.h"
#include "util/kernel-write.h"
#include "util/string-list.h"
#include "util/vfio-uapi.h"

#define LOCK_TIMEOUT_MS (120 * 1000)

/* A VM's device, or one a process has open, must not be reset under it. */
static gboolean check_unused(HdManager *manager, const HdDevice *device, GError **error)
{
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(HdDeviceRecord) record = hd_record_load(device->address, NULL);

  if (!device->vfio.bound) {
    g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "%s is not bound to a VFIO driver (it is on %s): bind it first",
                device->address, device->driver != NULL ? device->driver : "no driver");
    return FALSE;
  }
  if (!hd_kernel_write_check_idle(device->address, error))
    return FALSE;
  if (record != NULL && record->owner != NULL)
    g_ptr_array_add(refusals, g_strdup_printf("%s belongs to owner %s", device->address, record->owner));
  hd_vfio_holders_refusals(manager, device, refusals);
  if (refusals->len == 0)
    return TRUE;
  g_autofree char *why = hd_string_list_join(refusals, "; ");
  g_set_error(error, HD_ERROR, HD_ERROR_REFUSED,
              "refusing to open %s for the migration probe (opening resets it): %s", device->address, why);
  return FALSE;
}

/* VFIO_DEVICE_FEATURE with FLAGS and PAYLOAD bytes of data (copied back
 * into DATA): 0 or -errno. */
static int device_feature(int fd, guint32 flags, void *data, gsize payload)
{
  g_autofree struct vfio_device_feature *feature = g_malloc0(sizeof(*feature) + payload);

  feature->argsz = sizeof(*feature) + payload;
  feature->flags = flags;
  if (ioctl(fd, VFIO_DEVICE_FEATURE, feature) < 0)
    return -errno;
  if (payload > 0)
    memcpy(data, feature->data, payload);
  return 0;
}

/* ENOTTY is the kernel's "this driver has no such feature"; anything else
 * leaves the answer unknown. */
static HdMigrationSupport support_of(int rc, const char *what, HdMigration *migration)
{
  if (rc == 0)
    return HD_MIGRATION_SUPPORTED;
  if (rc == -ENOTTY)
    return HD_MIGRATION_UNSUPPORTED;
  if (migration->reason == NULL)
    migration->reason = g_strdup_printf("VFIO_DEVICE_FEATURE %s: %s", what, g_strerror(-rc));
  return HD_MIGRATION_UNKNOWN;
}

static void ask_device(int fd, HdMigration *migration)
{
  struct vfio_device_feature_migration mig = {0};
  int rc = device_feature(fd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION, &mig, sizeof(mig));

  migration->supported = support_of(rc, "MIGRATION", migration);
  migration->flags_known = migration->supported != HD_MIGRATION_UNKNOWN;
  migration->flags = rc == 0 ? (guint)mig.flags : 0;
  rc = device_feature(fd, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_LOGGING_START,
                      NULL, 0);
  migration->dirty_tracking = support_of(rc, "DMA_LOGGING_START (probe)", migration);
}

HdMigration *hd_migration_probe(HdManager *manager, const char *address, GError **error)
{
  g_autoptr(HdDevice) device = hd_device_load_by_name(manager, address, error);

  if (device == NULL)
    return NULL;
  g_autoptr(GPtrArray) locks =
    hd_group_locks_acquire_device(device->address, device->iommu_group, LOCK_TIMEOUT_MS, error);
  if (locks == NULL)
    return NULL;
  /* what the device is now that no other invocation can change it */
  g_clear_pointer(&device, hd_device_free);
  if ((device = hd_device_load_by_name(manager, address, error)) == NULL || !check_unused(manager, device, error))
    return NULL;
  g_autoptr(HdSelftestIommu) iommu = hd_selftest_iommu_new(HD_SELFTEST_IOMMU_AUTO, device, error);
  if (iommu == NULL || !hd_selftest_iommu_open(iommu, device, error)) {
    g_prefix_error(error, "probing migration of %s: ", device->address);
    return NULL;
  }
  g_autoptr(HdMigration) migration = hd_migration_new("probe");
  ask_device(iommu->device_fd, migration);
  return g_steal_pointer(&migration);
}
