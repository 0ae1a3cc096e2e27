// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/shared/driver-switch.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <unistd.h>

#include "hostdev/device/iommu-group.h"
#include "hostdev/shared/vf-record.h"
#include "util/hd-error.h"
#include "util/kernel-write.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

/* How long the kernel (and udev, for /dev nodes) may take to show a bind's
 * results, and how often to look. */
#define SETTLE_TIMEOUT_US (5 * G_USEC_PER_SEC)
#define SETTLE_POLL_US 2000

char *hd_switch_current_driver(const char *address)
{
  g_autofree char *link = hd_path_pci_device(address, "driver");

  return hd_sysfs_link_basename(link, NULL);
}

char *hd_switch_current_override(const char *address)
{
  g_autofree char *path = hd_path_pci_device(address, "driver_override");
  g_autofree char *value = hd_sysfs_read_optional(path, NULL);

  /* the kernel shows a clear override as "(null)" */
  if (value == NULL || *value == '\0' || g_str_equal(value, "(null)"))
    return NULL;
  return g_steal_pointer(&value);
}

gboolean hd_switch_set_override(const char *address, const char *driver, GError **error)
{
  g_autofree char *path = hd_path_pci_device(address, "driver_override");

  /* a lone newline clears the override */
  return hd_sysfs_write(path, driver != NULL ? driver : "\n", error);
}

/* A dead device's reads all return ones, and it never answers again
 * without a reset or power cycle; a VF's vendor and device IDs read ffff
 * too, but not its command, status or class, so 16 bytes tell them apart. */
#define CONFIG_PROBE_BYTES 16

static gboolean config_all_ones(const char *address)
{
  g_autofree char *path = hd_path_pci_device(address, "config");
  guint8 header[CONFIG_PROBE_BYTES];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? pread(fd, header, sizeof(header), 0) : -1;

  if (fd >= 0)
    close(fd);
  if (n != (ssize_t)sizeof(header))
    return FALSE;
  for (guint i = 0; i < sizeof(header); i++)
    if (header[i] != 0xff)
      return FALSE;
  return TRUE;
}

char *hd_switch_unresponsive(const char *address)
{
  g_autofree char *power_path = hd_path_pci_device(address, "power_state");
  g_autofree char *power = hd_sysfs_read_optional(power_path, NULL);

  if (config_all_ones(address))
    return g_strdup("its config space reads all ones (vendor ffff): the device does not answer");
  if (g_strcmp0(power, "D3cold") == 0)
    return g_strdup("it is powered off (power_state D3cold)");
  return NULL;
}

gboolean hd_switch_unbind(const char *address, const char *driver, guint timeout_ms, GError **error)
{
  g_autofree char *path = hd_path_pci_driver(driver, "unbind");

  if (!hd_kernel_write(address, path, address, timeout_ms, error))
    return FALSE;
  /* a wedged device often dies in its driver's remove(): say so now,
   * rather than as a puzzling failure of the next probe */
  g_autofree char *dead = hd_switch_unresponsive(address);
  if (dead != NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s does not answer after unbinding it from %s: %s", address,
                driver, dead);
    return FALSE;
  }
  return TRUE;
}

gboolean hd_switch_probe(const char *address, const char *driver, guint timeout_ms, GError **error)
{
  g_autofree char *path = hd_path_pci_drivers_probe();

  if (!hd_kernel_write(address, path, address, timeout_ms, error))
    return FALSE;
  g_autofree char *now = hd_switch_current_driver(address);
  if (g_strcmp0(now, driver) != 0) {
    g_autofree char *dead = hd_switch_unresponsive(address);
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "probing %s did not bind it to %s (it is %s%s)%s%s", address, driver,
                now != NULL ? "on " : "unbound", now != NULL ? now : "", dead != NULL ? "; " : "",
                dead != NULL ? dead : "");
    return FALSE;
  }
  return TRUE;
}

gboolean hd_switch_set_numvfs(const char *address, guint numvfs, guint timeout_ms, GError **error)
{
  g_autofree char *path = hd_path_pci_device(address, "sriov_numvfs");
  g_autofree char *value = g_strdup_printf("%u", numvfs);

  return hd_kernel_write(address, path, value, timeout_ms, error);
}

static char *first_vfio_entry(const char *address)
{
  g_autofree char *dir = hd_path_pci_device(address, "vfio-dev");
  g_autoptr(GPtrArray) entries = hd_sysfs_list_dir(dir, NULL);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    if (g_str_has_prefix(g_ptr_array_index(entries, i), "vfio"))
      return g_strdup(g_ptr_array_index(entries, i));
  return NULL;
}

#ifdef HD_TEST_HOOKS
/* VFIO_HOSTDEV_TEST_SETTLE_MS: the mock creates every node within the
 * probe, so tests that prove which nodes are awaited set 0 and a wait for
 * the wrong one fails at once instead of after the timeout. */
static gint64 settle_timeout_us(void)
{
  const char *ms = g_getenv("VFIO_HOSTDEV_TEST_SETTLE_MS");

  return ms != NULL ? g_ascii_strtoll(ms, NULL, 10) * 1000 : SETTLE_TIMEOUT_US;
}
#else
static gint64 settle_timeout_us(void)
{
  return SETTLE_TIMEOUT_US;
}
#endif

/* What the kernel's VFIO publishes, from the classes module vfio registers
 * at load (a VFIO driver that probed has it loaded): "vfio-dev" since
 * Linux 6.1 (the device's vfio-dev/vfioN) and "vfio" with
 * CONFIG_VFIO_GROUP (/dev/vfio/<group>; a kernel built without it has only
 * the cdev /dev/vfio/devices/vfioN). */
static gboolean kernel_has_class(const char *cls)
{
  g_autofree char *dir = hd_path_class(cls, NULL, NULL);

  return hd_sysfs_exists(dir);
}

/* One look: the first node the device still lacks (NULL when none), with
 * *ENTRY and *GROUP_NODE set to what was found. */
static char *missing_vfio_node(const char *address, gint64 group, char **entry, char **group_node)
{
  gboolean has_vfio_dev = kernel_has_class("vfio-dev");
  gboolean has_groups = kernel_has_class("vfio");

  if (!has_vfio_dev && !has_groups)
    return g_strdup("the VFIO classes /sys/class/vfio-dev and /sys/class/vfio (is the driver a VFIO driver?)");
  if (has_vfio_dev && (*entry = first_vfio_entry(address)) == NULL)
    return g_strdup("vfio-dev/vfioN (is the driver a VFIO driver?)");
  if (has_groups && group >= 0) {
    *group_node = hd_vfio_group_node_path(group);
    return hd_sysfs_exists(*group_node) ? NULL : g_strdup(*group_node);
  }
  if (!has_groups) {
    /* no group node to open: the cdev is the only way to the device */
    g_autofree char *cdev = hd_path_vfio_cdev(*entry);
    return hd_sysfs_exists(cdev) ? NULL : g_steal_pointer(&cdev);
  }
  return NULL;
}

gboolean hd_switch_wait_vfio(const char *address, gint64 group, char **vfio_device, char **group_node,
                             GError **error)
{
  gint64 deadline = g_get_monotonic_time() + settle_timeout_us();

  for (;;) {
    g_autofree char *entry = NULL;
    g_autofree char *found = NULL;
    g_autofree char *missing = missing_vfio_node(address, group, &entry, &found);
    if (missing == NULL) {
      *vfio_device = g_steal_pointer(&entry);
      *group_node = g_steal_pointer(&found);
      return TRUE;
    }
    if (g_get_monotonic_time() >= deadline) {
      g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s is bound but %s did not appear", address, missing);
      return FALSE;
    }
    g_usleep(SETTLE_POLL_US);
  }
}

/* Back onto the original driver (or unbound, when it had none). */
static gboolean restore_driver(const HdDeviceRecord *record, guint timeout_ms, GError **error)
{
  g_autofree char *current = hd_switch_current_driver(record->address);

  if (g_strcmp0(current, record->original_driver) == 0)
    return TRUE;
  /* An override naming the original driver makes the probe pick exactly
   * it; with no original driver, the original override keeps the device
   * from being grabbed by a default driver once unbound. */
  if (!hd_switch_set_override(record->address,
                              record->original_driver != NULL ? record->original_driver : record->original_override,
                              error))
    return FALSE;
  if (current != NULL && !hd_switch_unbind(record->address, current, timeout_ms, error))
    return FALSE;
  return record->original_driver == NULL ||
         hd_switch_probe(record->address, record->original_driver, timeout_ms, error);
}

/* The VFs, each with its own driver and override (vf-record.h). */
static gboolean restore_vfs(const HdDeviceRecord *record, guint timeout_ms, GError **error)
{
  /* `sriov` changed the count of a PF that stayed on its driver */
  if (record->sriov_provisioned >= 0 && !hd_vf_provisioned_undo(record, timeout_ms, error))
    return FALSE;
  return hd_vf_records_restore(record->address, record->sriov_numvfs, record->vfs, record->sriov_autoprobe,
                               timeout_ms, error);
}

gboolean hd_switch_restore(const HdDeviceRecord *record, guint timeout_ms, GError **error)
{
  /* not even driver_override changes while the kernel still holds it */
  if (!hd_kernel_write_check_idle(record->address, error))
    return FALSE;
  if (!restore_driver(record, timeout_ms, error))
    return FALSE;
  g_autofree char *override = hd_switch_current_override(record->address);
  if (g_strcmp0(override, record->original_override) != 0 &&
      !hd_switch_set_override(record->address, record->original_override, error))
    return FALSE;
  if (!restore_vfs(record, timeout_ms, error))
    return FALSE;
  /* an unbound original state says nothing about the device: look */
  g_autofree char *dead = hd_switch_unresponsive(record->address);
  if (dead != NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s is back as recorded but %s", record->address, dead);
    return FALSE;
  }
  return TRUE;
}
