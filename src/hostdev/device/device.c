// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/device/device.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/kernel-write.h"
#include "util/hd-error.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"
#include "hostdev/device/functions.h"
#include "hostdev/device/iommu-group.h"
#include "hostdev/device/vfio-detect.h"

#define PCI_CONFIG_HEADER_SIZE 16
#define PCI_REVISION_OFFSET 0x08
#define PCI_HEADER_TYPE_OFFSET 0x0e
#define PCI_HEADER_TYPE_MASK 0x7f
#define PCI_HEADER_TYPE_BRIDGE 1

void hd_device_free(HdDevice *device)
{
  if (device == NULL)
    return;
  g_free(device->address);
  g_free(device->syspath);
  g_free(device->modalias);
  g_free(device->vendor_name);
  g_free(device->device_name);
  g_free(device->class_name);
  g_free(device->driver);
  g_free(device->driver_module);
  g_free(device->driver_override);
  g_free(device->vfio.device);
  g_free(device->vfio.group_node);
  g_free(device->vfio.cdev);
  g_strfreev(device->reset_methods);
  if (device->vfs != NULL)
    g_ptr_array_unref(device->vfs);
  g_free(device->physfn);
  g_clear_pointer(&device->functions, g_ptr_array_unref);
  g_clear_pointer(&device->link_consumers, g_ptr_array_unref);
  g_clear_pointer(&device->link_suppliers, g_ptr_array_unref);
  g_free(device->pending_write);
  hd_migration_free(device->migration);
  g_free(device);
}

static char *attr_path(const HdDevice *device, const char *attr)
{
  return hd_path_pci_device(device->address, attr);
}

/* Parses "HHHH:HHHH" as uevent spells PCI_ID and PCI_SUBSYS_ID. */
static gboolean parse_id_pair(const char *text, guint16 *first, guint16 *second)
{
  guint64 a = 0, b = 0;
  g_auto(GStrv) parts = g_strsplit(text, ":", -1);

  if (g_strv_length(parts) != 2 || !g_ascii_string_to_unsigned(parts[0], 16, 0, G_MAXUINT16, &a, NULL) ||
      !g_ascii_string_to_unsigned(parts[1], 16, 0, G_MAXUINT16, &b, NULL))
    return FALSE;
  *first = (guint16)a;
  *second = (guint16)b;
  return TRUE;
}

static gboolean parse_uevent_line(HdDevice *device, const char *key, const char *value)
{
  guint64 class_code = 0;

  if (g_str_equal(key, "PCI_ID"))
    return parse_id_pair(value, &device->vendor_id, &device->device_id);
  if (g_str_equal(key, "PCI_SUBSYS_ID"))
    return parse_id_pair(value, &device->subsystem_vendor_id, &device->subsystem_device_id);
  if (g_str_equal(key, "PCI_CLASS")) {
    if (!g_ascii_string_to_unsigned(value, 16, 0, 0xffffff, &class_code, NULL))
      return FALSE;
    device->class_code = (guint32)class_code;
  } else if (g_str_equal(key, "MODALIAS")) {
    g_free(device->modalias);
    device->modalias = g_strdup(value);
  }
  return TRUE;
}

/* IDs, class and modalias in one read: the kernel's uevent for a PCI device
 * carries PCI_ID, PCI_SUBSYS_ID, PCI_CLASS and MODALIAS (the real IDs also
 * for VFs, whose config space reads ffff). One file instead of six matters
 * when listing thousands of VFs. */
static gboolean read_uevent(HdDevice *device, GError **error)
{
  g_autofree char *path = attr_path(device, "uevent");
  g_autoptr(GError) local = NULL;
  g_autofree char *contents = hd_sysfs_read(path, &local);

  if (contents == NULL) {
    if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      g_set_error(error, HD_ERROR, HD_ERROR_NO_DEVICE, "no PCI device %s on this host (not in %s)", device->address,
                  "/sys/bus/pci/devices");
    else
      g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    char *equals = strchr(lines[i], '=');
    if (equals == NULL)
      continue;
    *equals = '\0';
    if (!parse_uevent_line(device, lines[i], equals + 1)) {
      g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s: malformed %s line", path, lines[i]);
      return FALSE;
    }
  }
  if (device->modalias == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s: no MODALIAS", path);
    return FALSE;
  }
  return TRUE;
}

/* Revision and header type (bridges are header type 1) from config space,
 * whose first 64 bytes are readable without privileges. */
static void read_config_header(HdDevice *device)
{
  g_autofree char *path = attr_path(device, "config");
  guint8 header[PCI_CONFIG_HEADER_SIZE];
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return;
  if (pread(fd, header, sizeof(header), 0) == (ssize_t)sizeof(header)) {
    device->revision = header[PCI_REVISION_OFFSET];
    device->is_bridge = (header[PCI_HEADER_TYPE_OFFSET] & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE;
  }
  close(fd);
}

static void read_driver(HdDevice *device)
{
  g_autofree char *link = attr_path(device, "driver");

  device->driver = hd_sysfs_link_basename(link, NULL);
}

static void read_driver_module(HdDevice *device)
{
  if (device->driver != NULL && device->driver_module == NULL) {
    g_autofree char *module_link = hd_path_pci_driver(device->driver, "module");
    device->driver_module = hd_sysfs_link_basename(module_link, NULL);
  }
}

static void read_driver_details(HdDevice *device)
{
  g_autofree char *override_path = attr_path(device, "driver_override");
  g_autofree char *override = hd_sysfs_read_optional(override_path, NULL);

  read_driver_module(device);
  /* the kernel shows a clear override as "(null)" */
  if (override != NULL && *override != '\0' && !g_str_equal(override, "(null)"))
    device->driver_override = g_steal_pointer(&override);
}


static void read_reset_methods(HdDevice *device)
{
  g_autofree char *path = attr_path(device, "reset_method");
  g_autofree char *methods = hd_sysfs_read_optional(path, NULL);

  device->reset_methods = g_strsplit_set(methods != NULL ? methods : "", " \n", -1);
  /* g_strsplit_set leaves empty strings for repeated separators: drop them */
  guint kept = 0;
  for (guint i = 0; device->reset_methods[i] != NULL; i++) {
    if (*device->reset_methods[i] != '\0')
      device->reset_methods[kept++] = device->reset_methods[i];
    else
      g_free(device->reset_methods[i]);
  }
  device->reset_methods[kept] = NULL;
}

static guint read_uint_attr(const HdDevice *device, const char *attr)
{
  g_autofree char *path = attr_path(device, attr);
  gint64 value = 0;

  g_autofree char *text = hd_sysfs_read_optional(path, NULL);

  if (text == NULL || !g_ascii_string_to_signed(text, 10, 0, G_MAXUINT32, &value, NULL))
    return 0;
  return (guint)value;
}

static void read_sriov(HdDevice *device)
{
  g_autofree char *physfn = attr_path(device, "physfn");

  device->physfn = hd_sysfs_link_basename(physfn, NULL);
  device->vfs = g_ptr_array_new_with_free_func(g_free);
  device->sriov_totalvfs = read_uint_attr(device, "sriov_totalvfs");
  if (device->sriov_totalvfs == 0)
    return;
  if (device->pending_write == NULL)
    device->sriov_numvfs = read_uint_attr(device, "sriov_numvfs");
  /* virtfnN are numbered densely from 0 */
  for (guint i = 0;; i++) {
    g_autofree char *name = g_strdup_printf("virtfn%u", i);
    g_autofree char *link = attr_path(device, name);
    char *vf = hd_sysfs_link_basename(link, NULL);
    if (vf == NULL)
      break;
    g_ptr_array_add(device->vfs, vf);
  }
}

static void read_numa_node(HdDevice *device)
{
  g_autofree char *path = attr_path(device, "numa_node");

  if (!hd_sysfs_read_int(path, &device->numa_node, NULL))
    device->numa_node = -1;
}

static void read_names(HdManager *manager, HdDevice *device)
{
  HdUdev *udev = hd_manager_udev(manager, NULL);

  HdHwdbNames names;

  if (udev == NULL)
    return;
  hd_udev_hwdb_names(udev, device->vendor_id, device->device_id, device->class_code, &names);
  device->vendor_name = names.vendor;
  device->device_name = names.model;
  device->class_name = names.class_name;
}

/* The sysfs path the kernel links /sys/bus/pci/devices/<address> to. One
 * readlink instead of realpath's walk over every component. */
static char *read_syspath(const HdDevice *device)
{
  g_autofree char *link = attr_path(device, NULL);
  g_autofree char *target = g_file_read_link(link, NULL);
  g_autofree char *base = NULL;

  if (target == NULL)
    return NULL;
  base = g_path_get_dirname(link);
  return g_canonicalize_filename(target, base);
}

/* SUMMARY reads what `list` shows: IDs, names, driver, IOMMU group, VFIO
 * state. FULL adds what decisions about one device need. */
typedef enum {
  LOAD_SUMMARY,
  LOAD_FULL,
} LoadLevel;

static HdDevice *load(HdManager *manager, const HdPciAddress *address, LoadLevel level, GError **error)
{
  g_autoptr(HdDevice) device = g_new0(HdDevice, 1);

  device->pci = *address;
  device->address = hd_pci_address_to_string(address);
  device->numa_node = -1;
  if (!read_uevent(device, error))
    return NULL;
  read_driver(device);
  device->iommu_group = hd_iommu_group_of(device->address);
  device->noiommu = hd_iommu_group_is_noiommu(device->iommu_group) ||
                    (device->iommu_group < 0 && hd_vfio_noiommu_enabled());
  read_names(manager, device);
  /* kernels without vfio-dev decide VFIO binding by the driver's module */
  if (!hd_manager_kernel_has_vfio_dev(manager))
    read_driver_module(device);
  if (level == LOAD_FULL) {
    device->syspath = read_syspath(device);
    device->pending_write = hd_kernel_write_pending(device->address);
    if (device->pending_write == NULL) {
      read_config_header(device);
      read_driver_details(device);
    } else {
      read_driver_module(device);
    }
    read_reset_methods(device);
    read_numa_node(device);
    read_sriov(device);
    device->functions = hd_slot_functions(device->address);
    device->link_consumers = hd_device_link_peers(device->address, HD_LINK_CONSUMERS);
    device->link_suppliers = hd_device_link_peers(device->address, HD_LINK_SUPPLIERS);
  } else {
    device->reset_methods = g_new0(char *, 1);
    device->vfs = g_ptr_array_new_with_free_func(g_free);
    device->functions = g_ptr_array_new_with_free_func(g_free);
    device->link_consumers = g_ptr_array_new_with_free_func(g_free);
    device->link_suppliers = g_ptr_array_new_with_free_func(g_free);
  }
  hd_vfio_detect(manager, device);
  device->migration = hd_migration_from_debugfs(device->address, device->vfio.bound);
  return g_steal_pointer(&device);
}

HdDevice *hd_device_load(HdManager *manager, const HdPciAddress *address, GError **error)
{
  return load(manager, address, LOAD_FULL, error);
}

HdDevice *hd_device_load_summary(HdManager *manager, const HdPciAddress *address, GError **error)
{
  return load(manager, address, LOAD_SUMMARY, error);
}

HdDevice *hd_device_load_by_name(HdManager *manager, const char *address, GError **error)
{
  HdPciAddress parsed;

  if (!hd_pci_address_parse(address, &parsed, error))
    return NULL;
  return hd_device_load(manager, &parsed, error);
}
