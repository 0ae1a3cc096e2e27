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
  const char *what;         /* "module vfio", "driver vfio-pci" */
  const char *config;       /* the kernel option that provides it */
} KernelPiece;

static HdCheck *piece_check(HdManager *manager, const KernelPiece *piece, const char *present_path)
{
  const char *release = hd_manager_kernel_release(manager);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *fix = NULL;
  HdModuleAvailability availability;

  if (hd_sysfs_exists(present_path)) {
    message = g_strdup_printf("%s is loaded", piece->what);
    return hd_check_new(piece->id, piece->title, HD_CHECK_PASS, message, NULL);
  }
  if (!hd_module_index_lookup(hd_manager_modules_dir(manager), piece->module, &availability, &error)) {
    message = g_strdup_printf("%s is not loaded, and whether Linux %s has it is unknown: %s",
                              piece->what, release, error->message);
    fix = g_strdup_printf("run depmod %s, or try modprobe %s", release, piece->module);
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

HdCheck *hd_doctor_check_vfio_module(HdManager *manager)
{
  static const KernelPiece vfio = {"vfio", "VFIO core", "vfio", "module vfio", "CONFIG_VFIO"};
  g_autofree char *loaded = hd_path_module("vfio", NULL);

  return piece_check(manager, &vfio, loaded);
}

HdCheck *hd_doctor_check_vfio_pci(HdManager *manager)
{
  static const KernelPiece vfio_pci = {"vfio-pci", "vfio-pci driver", "vfio_pci", "driver vfio-pci",
                                       "CONFIG_VFIO_PCI"};
  g_autofree char *registered = hd_path_pci_driver("vfio-pci", NULL);

  return piece_check(manager, &vfio_pci, registered);
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

HdCheck *hd_doctor_check_dev_vfio(void)
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
  message = g_strdup_printf("%s is absent: it appears when module vfio loads", path);
  return hd_check_new("dev-vfio", DEV_VFIO_TITLE, HD_CHECK_WARN, message, "modprobe vfio-pci (bind does it)");
}
