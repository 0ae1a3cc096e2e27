// SPDX-License-Identifier: LGPL-2.1-or-later
/* doctor: VFIO itself: the core module, the vfio-pci driver and the
 * container node /dev/vfio/vfio. */
#include <sys/stat.h>

#include "hostdev/doctor/doctor-checks.h"
#include "util/host-paths.h"
#include "util/module-index.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

/* A kernel piece that is either present now (PRESENT_PATH exists: module
 * loaded or driver registered) or can be: built in or loadable according
 * to the running kernel's module index. Only "in neither" fails. */
typedef struct {
  const char *id;
  const char *title;
  const char *module;       /* as modules.dep names it */
  const char *what;         /* "VFIO", "vfio-pci" */
  const char *config;       /* the kernel option that provides it */
} KernelPiece;

/* What the module index says, when the kernel's config is unknown. */
static HdCheck *piece_from_module_index(const HdDoctorHost *host, const KernelPiece *piece)
{
  const char *release = hd_manager_kernel_release(host->manager);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *fix = NULL;
  HdModuleAvailability availability;

  if (!hd_module_index_lookup(hd_manager_modules_dir(host->manager), piece->module, &availability, &error)) {
    message = g_strdup_printf("%s is not loaded, and whether Linux %s has it is unknown: no kernel config "
                              "(/boot/config-%s, /proc/config.gz) and %s",
                              piece->what, release, release, error->message);
    fix = g_strdup_printf("check that the kernel is built with %s; if as a module: depmod %s, then modprobe %s",
                          piece->config, release, piece->module);
    return hd_check_new(piece->id, piece->title, HD_CHECK_WARN, message, fix);
  }
  switch (availability) {
  case HD_MODULE_BUILTIN:
    message = g_strdup_printf("%s is built into Linux %s", piece->what, release);
    return hd_check_new(piece->id, piece->title, HD_CHECK_PASS, message, NULL);
  case HD_MODULE_LOADABLE:
    message = g_strdup_printf("%s is not loaded but loadable (bind loads it)", piece->what);
    return hd_check_new(piece->id, piece->title, HD_CHECK_PASS, message, NULL);
  case HD_MODULE_ABSENT:
    break;
  }
  message = g_strdup_printf("Linux %s has no module %s (not in modules.dep or modules.builtin)", release,
                            piece->module);
  fix = g_strdup_printf("install the modules of Linux %s, or use a kernel built with %s", release, piece->config);
  return hd_check_new(piece->id, piece->title, HD_CHECK_FAIL, message, fix);
}

/* Built as a module: is the module installed? */
static HdCheck *piece_as_module(const HdDoctorHost *host, const KernelPiece *piece)
{
  const char *release = hd_manager_kernel_release(host->manager);
  HdModuleAvailability availability = HD_MODULE_ABSENT;
  g_autofree char *message = NULL;
  g_autofree char *fix = NULL;

  if (hd_module_index_lookup(hd_manager_modules_dir(host->manager), piece->module, &availability, NULL) &&
      availability != HD_MODULE_ABSENT) {
    message = g_strdup_printf("%s is built as a module (%s=m) and not loaded (bind loads it)", piece->what,
                              piece->config);
    return hd_check_new(piece->id, piece->title, HD_CHECK_PASS, message, NULL);
  }
  message = g_strdup_printf("%s is built as a module (%s=m) but module %s is not installed for Linux %s "
                            "(not in modules.dep)",
                            piece->what, piece->config, piece->module, release);
  fix = g_strdup_printf("install the kernel's modules (the package of Linux %s), then depmod %s", release, release);
  return hd_check_new(piece->id, piece->title, HD_CHECK_FAIL, message, fix);
}

static HdCheck *piece_check(const HdDoctorHost *host, const KernelPiece *piece, const char *present_path)
{
  const char *release = hd_manager_kernel_release(host->manager);
  g_autofree char *message = NULL;

  if (hd_sysfs_exists(present_path)) {
    message = g_strdup_printf("%s is loaded", piece->what);
    return hd_check_new(piece->id, piece->title, HD_CHECK_PASS, message, NULL);
  }
  if (host->config == NULL)
    return piece_from_module_index(host, piece);
  switch (hd_kernel_config_get(host->config, piece->config)) {
  case HD_KCONFIG_BUILTIN:
    message = g_strdup_printf("%s is built into Linux %s (%s=y)", piece->what, release, piece->config);
    return hd_check_new(piece->id, piece->title, HD_CHECK_PASS, message, NULL);
  case HD_KCONFIG_MODULE:
    return piece_as_module(host, piece);
  case HD_KCONFIG_ABSENT:
  case HD_KCONFIG_NOT_SET:
  case HD_KCONFIG_VALUE:
    break;
  }
  /* Not built: no module to load, so no modprobe or depmod advice. */
  message = g_strdup_printf("Linux %s is built without %s: %s is not set in %s", release, piece->what,
                            piece->config, hd_kernel_config_source(host->config));
  return hd_check_new(piece->id, piece->title, HD_CHECK_FAIL, message,
                      "use a kernel built with CONFIG_VFIO and CONFIG_VFIO_PCI (as Debian's linux-image-amd64 "
                      "is); no module can be loaded into this one");
}

HdCheck *hd_doctor_check_vfio_module(const HdDoctorHost *host)
{
  static const KernelPiece vfio = {"vfio", "VFIO core", "vfio", "VFIO", "CONFIG_VFIO"};
  g_autofree char *loaded = hd_path_module("vfio", NULL);

  return piece_check(host, &vfio, loaded);
}

HdCheck *hd_doctor_check_vfio_pci(const HdDoctorHost *host)
{
  static const KernelPiece vfio_pci = {"vfio-pci", "vfio-pci driver", "vfio_pci", "vfio-pci",
                                       "CONFIG_VFIO_PCI"};
  g_autofree char *registered = hd_path_pci_driver("vfio-pci", NULL);

  return piece_check(host, &vfio_pci, registered);
}

/* ---- /dev/vfio/vfio ------------------------------------------------------ */

#define DEV_VFIO_TITLE "/dev/vfio/vfio"

/* The kernel creates the node 0666 (any user may open the container; the
 * group nodes are what grant access): anything tighter locks users out. */
static HdCheck *container_mode(const char *path, const struct stat *st)
{
  guint mode = st->st_mode & 07777;
  g_autofree char *message = NULL;

  if ((mode & 0666) == 0666) {
    message = g_strdup_printf("%s is present, mode %04o", path, mode);
    return hd_check_new("dev-vfio", DEV_VFIO_TITLE, HD_CHECK_PASS, message, NULL);
  }
  message = g_strdup_printf("%s has mode %04o (uid %u, gid %u): other users cannot open the VFIO container",
                            path, mode, (guint)st->st_uid, (guint)st->st_gid);
  return hd_check_new("dev-vfio", DEV_VFIO_TITLE, HD_CHECK_WARN, message,
                      "the kernel creates it 0666: remove the udev rule or tmpfiles entry that changed it, "
                      "or run the VMs as a user that can open it");
}

HdCheck *hd_doctor_check_dev_vfio(const HdDoctorHost *host)
{
  g_autofree char *path = hd_path_vfio_container();
  g_autofree char *cdev_dir = hd_path_vfio_cdev_dir();
  g_autofree char *iommufd = hd_path_iommufd();
  g_autofree char *vfio_loaded = hd_path_module("vfio", NULL);
  g_autofree char *message = NULL;
  struct stat st;

  /* Device nodes are not checked for being character devices: the test
   * host serves them as regular files, and nothing else creates them. */
  if (stat(path, &st) == 0)
    return container_mode(path, &st);
  if (hd_sysfs_exists(cdev_dir) || hd_sysfs_exists(iommufd)) {
    message = g_strdup_printf("%s is absent: this kernel offers VFIO through iommufd and device cdevs only", path);
    return hd_check_new("dev-vfio", DEV_VFIO_TITLE, HD_CHECK_WARN, message,
                        "use a VMM that opens /dev/vfio/devices/vfioN with /dev/iommu, or a kernel with "
                        "CONFIG_VFIO_CONTAINER or CONFIG_IOMMUFD_VFIO_CONTAINER");
  }
  if (hd_sysfs_exists(vfio_loaded)) {
    message = g_strdup_printf("%s is absent although module vfio is loaded", path);
    return hd_check_new("dev-vfio", DEV_VFIO_TITLE, HD_CHECK_FAIL, message,
                        "mount devtmpfs on /dev (in a container: pass /dev/vfio through)");
  }
  if (host->config != NULL && !hd_kernel_config_enabled(host->config, "CONFIG_VFIO")) {
    message = g_strdup_printf("%s is absent: the kernel is built without VFIO (%s)", path,
                              hd_kernel_config_source(host->config));
    return hd_check_new("dev-vfio", DEV_VFIO_TITLE, HD_CHECK_WARN, message,
                        "use a kernel built with CONFIG_VFIO (see the VFIO core check)");
  }
  message = g_strdup_printf("%s is absent: it appears when module vfio loads", path);
  return hd_check_new("dev-vfio", DEV_VFIO_TITLE, HD_CHECK_WARN, message, "modprobe vfio-pci (bind does it)");
}
