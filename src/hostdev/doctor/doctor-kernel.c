// SPDX-License-Identifier: LGPL-2.1-or-later
/* doctor: kernel features that change how VFIO devices are found and
 * opened: vfio-dev/ in sysfs, device cdevs and iommufd. None is required.
 * Each is judged by what the kernel shows or by the option its config
 * sets, never by the kernel's version: distributions backport features
 * and leave options off. */
#include "hostdev/doctor/doctor-checks.h"
#include "util/host-paths.h"
#include "util/module-index.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

#define VFIO_DEV_TITLE "vfio-dev in sysfs"

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

static HdCheck *vfio_dev_result(HdCheckStatus status, const char *message, const char *fix)
{
  return hd_check_new("vfio-dev", VFIO_DEV_TITLE, status, message, fix);
}

/* The options the vfio-dev class came before (CONFIG_VFIO_GROUP and
 * CONFIG_VFIO_DEVICE_CDEV split VFIO after it): a config naming either,
 * set or not, is of a VFIO that has vfio-dev/. */
static gboolean config_has_vfio_dev(const HdKernelConfig *config)
{
  return hd_kernel_config_get(config, "CONFIG_VFIO_GROUP") != HD_KCONFIG_ABSENT ||
         hd_kernel_config_get(config, "CONFIG_VFIO_DEVICE_CDEV") != HD_KCONFIG_ABSENT;
}

HdCheck *hd_doctor_check_vfio_dev(const HdDoctorHost *host)
{
  g_autofree char *seen = first_with_vfio_dev();
  g_autofree char *class_dir = hd_path_class("vfio-dev", NULL, NULL);
  g_autofree char *vfio = hd_path_module("vfio", NULL);
  g_autofree char *message = NULL;

  if (seen != NULL) {
    message = g_strdup_printf("%s has vfio-dev/: VFIO-bound devices are detected exactly", seen);
    return vfio_dev_result(HD_CHECK_PASS, message, NULL);
  }
  /* vfio registers the class when it loads, on kernels that have it */
  if (hd_sysfs_is_dir(class_dir))
    return vfio_dev_result(HD_CHECK_PASS, "the vfio-dev class is registered (/sys/class/vfio-dev): "
                                          "VFIO-bound devices get vfio-dev/",
                           NULL);
  if (host->config != NULL && !hd_kernel_config_enabled(host->config, "CONFIG_VFIO"))
    return vfio_dev_result(HD_CHECK_WARN, "the kernel is built without VFIO", "see the VFIO core check");
  if (host->config != NULL && config_has_vfio_dev(host->config)) {
    message = g_strdup_printf("the kernel's VFIO publishes vfio-dev/ for VFIO-bound devices (%s has "
                              "CONFIG_VFIO_GROUP)",
                              hd_kernel_config_source(host->config));
    return vfio_dev_result(HD_CHECK_PASS, message, NULL);
  }
  if (hd_sysfs_exists(vfio))
    return vfio_dev_result(HD_CHECK_WARN,
                           "module vfio is loaded but registers no vfio-dev class: a device counts as "
                           "VFIO-bound when its driver is vfio-pci or declares vfio_pci: aliases",
                           "use a kernel whose VFIO has vfio-dev (Linux >= 6.1) to detect every VFIO "
                           "driver (vendor drivers such as nvidia.ko's vGPU included)");
  return vfio_dev_result(HD_CHECK_WARN,
                         "unknown until module vfio is loaded (it registers /sys/class/vfio-dev where the "
                         "kernel has it) and no kernel config says",
                         "modprobe vfio and run doctor again");
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

static HdCheck *cdev_result(HdCheckStatus status, const char *message, const char *fix)
{
  return hd_check_new("vfio-cdev", "VFIO device cdev", status, message, fix);
}

/* Absent cdevs explained by the kernel's config. */
static HdCheck *cdev_from_config(const HdKernelConfig *config)
{
  const char *source = hd_kernel_config_source(config);
  g_autofree char *message = NULL;

  if (hd_kernel_config_enabled(config, "CONFIG_VFIO_DEVICE_CDEV"))
    return cdev_result(HD_CHECK_PASS, "built with CONFIG_VFIO_DEVICE_CDEV: VFIO-bound devices get "
                                      "/dev/vfio/devices/vfioN",
                       NULL);
  if (!hd_kernel_config_enabled(config, "CONFIG_IOMMUFD"))
    message = g_strdup_printf("not available: the kernel is built without CONFIG_IOMMUFD, which "
                              "CONFIG_VFIO_DEVICE_CDEV needs (%s); VMMs use the group nodes /dev/vfio/<group>",
                              source);
  else
    message = g_strdup_printf("not available: CONFIG_VFIO_DEVICE_CDEV is not set in %s; VMMs use the group "
                              "nodes /dev/vfio/<group>",
                              source);
  return cdev_result(HD_CHECK_WARN, message,
                     "optional: a kernel built with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV gives "
                     "/dev/vfio/devices/vfioN");
}

HdCheck *hd_doctor_check_vfio_cdev(const HdDoctorHost *host)
{
  g_autofree char *cdev_dir = hd_path_vfio_cdev_dir();
  guint with_dev;
  guint devices = count_vfio_class(&with_dev);
  g_autofree char *message = NULL;

  if (hd_sysfs_is_dir(cdev_dir) || with_dev > 0) {
    message = g_strdup_printf("available (%s)", cdev_dir);
    return cdev_result(HD_CHECK_PASS, message, NULL);
  }
  if (host->config != NULL)
    return cdev_from_config(host->config);
  /* Only a VFIO-bound device shows whether the kernel makes cdevs. */
  if (devices > 0)
    return cdev_result(HD_CHECK_WARN,
                       "not available: VFIO devices have no cdev; VMMs use the group nodes /dev/vfio/<group>",
                       "optional: a kernel built with CONFIG_VFIO_DEVICE_CDEV gives /dev/vfio/devices/vfioN");
  return cdev_result(HD_CHECK_WARN,
                     "unknown until a device is VFIO-bound (no kernel config to say); VMMs can use the group "
                     "nodes /dev/vfio/<group>",
                     "optional: the cdev needs a kernel built with CONFIG_VFIO_DEVICE_CDEV");
}

static HdCheck *iommufd_result(HdCheckStatus status, const char *message, const char *fix)
{
  return hd_check_new("iommufd", "iommufd", status, message, fix);
}

/* iommufd is a module not loaded yet; when vfio needs it (a kernel with
 * iommufd builds vfio's iommufd glue in), the first VFIO bind loads it and
 * /dev/iommu appears: nothing to do. NULL when vfio does not need it. */
static HdCheck *iommufd_loaded_with_vfio(const HdDoctorHost *host, const char *node, const char *built)
{
  if (!hd_module_index_depends_on(hd_manager_modules_dir(host->manager), "vfio", "iommufd"))
    return NULL;
  g_autofree char *message = g_strdup_printf("%s appears with vfio: iommufd is %s, not loaded yet, and module vfio "
                                             "depends on it (modules.dep), so loading vfio (any VFIO bind) loads it",
                                             node, built);
  return iommufd_result(HD_CHECK_PASS, message, NULL);
}

/* /dev/iommu absent, explained by the kernel's config. */
static HdCheck *iommufd_from_config(const HdDoctorHost *host, const char *node)
{
  const HdKernelConfig *config = host->config;
  g_autofree char *message = NULL;
  HdCheck *with_vfio = NULL;

  switch (hd_kernel_config_get(config, "CONFIG_IOMMUFD")) {
  case HD_KCONFIG_MODULE:
    if ((with_vfio = iommufd_loaded_with_vfio(host, node, "built as a module (CONFIG_IOMMUFD=m)")) != NULL)
      return with_vfio;
    message = g_strdup_printf("%s is absent: iommufd is built as a module (CONFIG_IOMMUFD=m) and not loaded", node);
    return iommufd_result(HD_CHECK_WARN, message, "optional (VMMs using iommufd need it): modprobe iommufd");
  case HD_KCONFIG_BUILTIN:
    message = g_strdup_printf("%s is absent although iommufd is built in (CONFIG_IOMMUFD=y)", node);
    return iommufd_result(HD_CHECK_WARN, message, "mount devtmpfs on /dev (in a container: pass /dev/iommu through)");
  case HD_KCONFIG_ABSENT:
  case HD_KCONFIG_NOT_SET:
  case HD_KCONFIG_VALUE:
    break;
  }
  message = g_strdup_printf("%s is absent: the kernel is built without CONFIG_IOMMUFD (%s); VMMs use the legacy "
                            "container",
                            node, hd_kernel_config_source(config));
  return iommufd_result(HD_CHECK_WARN, message, "optional: a kernel built with CONFIG_IOMMUFD gives /dev/iommu");
}

HdCheck *hd_doctor_check_iommufd(const HdDoctorHost *host)
{
  g_autofree char *node = hd_path_iommufd();
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;
  HdModuleAvailability availability;

  if (hd_sysfs_exists(node)) {
    message = g_strdup_printf("%s is present", node);
    return iommufd_result(HD_CHECK_PASS, message, NULL);
  }
  if (host->config != NULL)
    return iommufd_from_config(host, node);
  if (!hd_module_index_lookup(hd_manager_modules_dir(host->manager), "iommufd", &availability, &error)) {
    message = g_strdup_printf("%s is absent, and whether the kernel has iommufd is unknown: %s", node, error->message);
    return iommufd_result(HD_CHECK_WARN, message, "optional: try modprobe iommufd");
  }
  if (availability == HD_MODULE_LOADABLE) {
    HdCheck *with_vfio = iommufd_loaded_with_vfio(host, node, "a module");
    if (with_vfio != NULL)
      return with_vfio;
    message = g_strdup_printf("%s is absent: module iommufd is not loaded", node);
    return iommufd_result(HD_CHECK_WARN, message, "optional (VMMs using iommufd need it): modprobe iommufd");
  }
  message = g_strdup_printf("%s is absent: the kernel has no iommufd module and no kernel config says more; VMMs "
                            "use the legacy container",
                            node);
  return iommufd_result(HD_CHECK_WARN, message, "optional: a kernel built with CONFIG_IOMMUFD gives /dev/iommu");
}
