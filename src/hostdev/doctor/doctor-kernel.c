/* doctor: kernel features that change how VFIO devices are found and
 * opened: vfio-dev/ in sysfs (Linux >= 6.1), device cdevs (>= 6.6 with
 * CONFIG_VFIO_DEVICE_CDEV) and iommufd (>= 6.2). None is required. */
#include "hostdev/doctor/doctor-checks.h"
#include "util/host-paths.h"
#include "util/module-index.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

/* The first PCI device with a vfio-dev/ directory, or NULL. */
static char *first_with_vfio_dev(void)
{
  g_autofree char *dir = hd_path_pci_devices();
  g_autoptr(GPtrArray) addresses = hd_sysfs_list_dir(dir, NULL);

  for (guint i = 0; addresses != NULL && i < addresses->len; i++) {
    g_autofree char *path = hd_path_pci_device(g_ptr_array_index(addresses, i), "vfio-dev");
    if (hd_sysfs_is_dir(path))
      return g_strdup(g_ptr_array_index(addresses, i));
  }
  return NULL;
}

HdCheck *hd_doctor_check_vfio_dev(HdManager *manager)
{
  const char *release = hd_manager_kernel_release(manager);
  g_autofree char *seen = first_with_vfio_dev();
  g_autofree char *message = NULL;

  if (seen != NULL) {
    message = g_strdup_printf("%s has vfio-dev/: VFIO-bound devices are detected exactly", seen);
    return hd_check_new("vfio-dev", "vfio-dev in sysfs", HD_CHECK_PASS, message, NULL);
  }
  if (hd_manager_kernel_has_vfio_dev(manager)) {
    message = g_strdup_printf("Linux %s (>= 6.1) publishes vfio-dev/ for VFIO-bound devices", release);
    return hd_check_new("vfio-dev", "vfio-dev in sysfs", HD_CHECK_PASS, message, NULL);
  }
  message = g_strdup_printf("Linux %s predates 6.1: no vfio-dev/; a device counts as VFIO-bound when its driver is "
                            "vfio-pci or declares vfio_pci: aliases",
                            release);
  return hd_check_new("vfio-dev", "vfio-dev in sysfs", HD_CHECK_WARN, message,
                      "use Linux >= 6.1 to detect every VFIO driver (vendor drivers such as nvidia.ko's vGPU "
                      "included)");
}

/* VFIO devices in /sys/class/vfio-dev; *WITH_DEV counts those with a dev
 * attribute, which only a cdev has. */
static guint count_vfio_class(guint *with_dev)
{
  g_autofree char *dir = hd_path_class("vfio-dev", NULL, NULL);
  g_autoptr(GPtrArray) names = hd_sysfs_list_dir(dir, NULL);

  *with_dev = 0;
  for (guint i = 0; names != NULL && i < names->len; i++) {
    g_autofree char *dev = hd_path_class("vfio-dev", g_ptr_array_index(names, i), "dev");
    if (hd_sysfs_exists(dev))
      (*with_dev)++;
  }
  return names != NULL ? names->len : 0;
}

HdCheck *hd_doctor_check_vfio_cdev(void)
{
  g_autofree char *cdev_dir = hd_path_vfio_cdev_dir();
  guint with_dev;
  guint devices = count_vfio_class(&with_dev);
  g_autofree char *message = NULL;

  if (hd_sysfs_is_dir(cdev_dir) || with_dev > 0) {
    message = g_strdup_printf("available (%s)", cdev_dir);
    return hd_check_new("vfio-cdev", "VFIO device cdev", HD_CHECK_PASS, message, NULL);
  }
  /* Only a VFIO-bound device shows whether the kernel makes cdevs. */
  if (devices > 0)
    return hd_check_new("vfio-cdev", "VFIO device cdev", HD_CHECK_WARN,
                        "not available: VFIO devices have no cdev; VMMs use the group nodes /dev/vfio/<group>",
                        "optional: use Linux >= 6.6 built with CONFIG_VFIO_DEVICE_CDEV for /dev/vfio/devices/vfioN");
  return hd_check_new("vfio-cdev", "VFIO device cdev", HD_CHECK_WARN,
                      "unknown until a device is VFIO-bound; VMMs can use the group nodes /dev/vfio/<group>",
                      "optional: the cdev needs Linux >= 6.6 built with CONFIG_VFIO_DEVICE_CDEV");
}

HdCheck *hd_doctor_check_iommufd(HdManager *manager)
{
  g_autofree char *node = hd_path_iommufd();
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;
  HdModuleAvailability availability;

  if (hd_sysfs_exists(node)) {
    message = g_strdup_printf("%s is present", node);
    return hd_check_new("iommufd", "iommufd", HD_CHECK_PASS, message, NULL);
  }
  if (!hd_module_index_lookup(hd_manager_modules_dir(manager), "iommufd", &availability, &error)) {
    message = g_strdup_printf("%s is absent, and whether the kernel has iommufd is unknown: %s", node, error->message);
    return hd_check_new("iommufd", "iommufd", HD_CHECK_WARN, message, "optional: try modprobe iommufd");
  }
  if (availability == HD_MODULE_LOADABLE) {
    message = g_strdup_printf("%s is absent: module iommufd is not loaded", node);
    return hd_check_new("iommufd", "iommufd", HD_CHECK_WARN, message,
                        "optional (VMMs using iommufd need it): modprobe iommufd");
  }
  message = g_strdup_printf("%s is absent: the kernel has no iommufd; VMMs use the legacy container", node);
  return hd_check_new("iommufd", "iommufd", HD_CHECK_WARN, message,
                      "optional: use Linux >= 6.2 built with CONFIG_IOMMUFD");
}
