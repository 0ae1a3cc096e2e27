#include "device.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "hd-error.h"
#include "sysfs-paths.h"
#include "sysfs.h"
#include "vfio-detect.h"

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
  g_free(device);
}

static char *attr_path(const HdDevice *device, const char *attr)
{
  return hd_path_pci_device(device->address, attr);
}

static gboolean read_hex16(const HdDevice *device, const char *attr, guint16 *out, GError **error)
{
  g_autofree char *path = attr_path(device, attr);
  guint32 value = 0;

  if (!hd_sysfs_read_hex(path, &value, error))
    return FALSE;
  *out = (guint16)value;
  return TRUE;
}

static gboolean read_ids(HdDevice *device, GError **error)
{
  g_autofree char *class_path = attr_path(device, "class");
  g_autofree char *revision_path = attr_path(device, "revision");
  guint32 revision = 0;

  if (!read_hex16(device, "vendor", &device->vendor_id, error) ||
      !read_hex16(device, "device", &device->device_id, error) ||
      !read_hex16(device, "subsystem_vendor", &device->subsystem_vendor_id, error) ||
      !read_hex16(device, "subsystem_device", &device->subsystem_device_id, error) ||
      !hd_sysfs_read_hex(class_path, &device->class_code, error))
    return FALSE;
  /* revision is missing on some old kernels; it is informational only */
  if (hd_sysfs_read_hex(revision_path, &revision, NULL))
    device->revision = (guint8)revision;
  return TRUE;
}

/* Bridges are recognised by header type 1 in config space; the first 64
 * bytes of config are readable without privileges. */
static void read_header_type(HdDevice *device)
{
  g_autofree char *path = attr_path(device, "config");
  guint8 header = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return;
  if (pread(fd, &header, 1, PCI_HEADER_TYPE_OFFSET) == 1)
    device->is_bridge = (header & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE;
  close(fd);
}

static void read_driver(HdDevice *device)
{
  g_autofree char *link = attr_path(device, "driver");
  g_autofree char *override_path = attr_path(device, "driver_override");
  g_autofree char *override = hd_sysfs_read_optional(override_path, NULL);

  device->driver = hd_sysfs_link_basename(link, NULL);
  if (device->driver != NULL) {
    g_autofree char *module_link = hd_path_pci_driver(device->driver, "module");
    device->driver_module = hd_sysfs_link_basename(module_link, NULL);
  }
  /* the kernel shows a clear override as "(null)" */
  if (override != NULL && *override != '\0' && !g_str_equal(override, "(null)"))
    device->driver_override = g_steal_pointer(&override);
}

static void read_iommu_group(HdDevice *device)
{
  g_autofree char *link = attr_path(device, "iommu_group");
  g_autofree char *group = hd_sysfs_link_basename(link, NULL);
  gint64 number = -1;

  if (group != NULL && g_ascii_string_to_signed(group, 10, 0, G_MAXINT32, &number, NULL))
    device->iommu_group = number;
  else
    device->iommu_group = -1;
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

  if (!hd_sysfs_exists(path) || !hd_sysfs_read_int(path, &value, NULL) || value < 0)
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
  hd_udev_hwdb_names(udev, device->modalias, &names);
  device->vendor_name = names.vendor;
  device->device_name = names.model;
  device->class_name = names.class_name;
}

static gboolean device_exists(const char *address, GError **error)
{
  g_autofree char *path = hd_path_pci_device(address, NULL);

  if (hd_sysfs_exists(path))
    return TRUE;
  g_set_error(error, HD_ERROR, HD_ERROR_NO_DEVICE, "no PCI device %s on this host (not in %s)", address,
              "/sys/bus/pci/devices");
  return FALSE;
}

HdDevice *hd_device_load(HdManager *manager, const HdPciAddress *address, GError **error)
{
  g_autoptr(HdDevice) device = g_new0(HdDevice, 1);

  device->pci = *address;
  device->address = hd_pci_address_to_string(address);
  if (!device_exists(device->address, error))
    return NULL;
  g_autofree char *dir = attr_path(device, NULL);
  device->syspath = realpath(dir, NULL);
  if (!read_ids(device, error))
    return NULL;
  g_autofree char *modalias_path = attr_path(device, "modalias");
  device->modalias = hd_sysfs_read(modalias_path, error);
  if (device->modalias == NULL)
    return NULL;
  read_header_type(device);
  read_driver(device);
  read_iommu_group(device);
  read_reset_methods(device);
  read_numa_node(device);
  read_sriov(device);
  read_names(manager, device);
  hd_vfio_detect(manager, device);
  return g_steal_pointer(&device);
}

HdDevice *hd_device_load_by_name(HdManager *manager, const char *address, GError **error)
{
  HdPciAddress parsed;

  if (!hd_pci_address_parse(address, &parsed, error))
    return NULL;
  return hd_device_load(manager, &parsed, error);
}
