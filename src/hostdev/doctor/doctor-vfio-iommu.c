// SPDX-License-Identifier: LGPL-2.1-or-later
/* doctor: what backs the VFIO container: the type1 IOMMU driver the
 * legacy container (/dev/vfio/vfio) needs, and the unsafe no-IOMMU mode. */
#include <string.h>

#include "hostdev/doctor/doctor-checks.h"
#include "util/host-paths.h"
#include "util/module-index.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

#define TYPE1_TITLE "vfio_iommu_type1"
#define TYPE1_SOFTDEP                                                                                            \
  "the vfio module loads it only through kmod's modprobe (softdep post: vfio_iommu_type1); busybox modprobe, "  \
  "insmod and module lists naming vfio alone do not"

static HdCheck *type1_result(HdCheckStatus status, const char *message, const char *fix)
{
  return hd_check_new("vfio-iommu-type1", TYPE1_TITLE, status, message, fix);
}

/* VMMs can use iommufd instead of the container: then a missing type1
 * only matters to those that do not. */
static gboolean iommufd_offered(void)
{
  g_autofree char *iommufd = hd_path_iommufd();

  return hd_sysfs_exists(iommufd);
}

/* What the kernel's config says when the module is not loaded; NULL when
 * it says nothing decisive. */
static HdCheck *type1_from_config(const HdKernelConfig *config)
{
  g_autofree char *message = NULL;

  if (hd_kernel_config_get(config, "CONFIG_VFIO_IOMMU_TYPE1") == HD_KCONFIG_BUILTIN)
    return type1_result(HD_CHECK_PASS, "built into the kernel (CONFIG_VFIO_IOMMU_TYPE1=y)", NULL);
  if (hd_kernel_config_get(config, "CONFIG_IOMMUFD_VFIO_CONTAINER") == HD_KCONFIG_BUILTIN)
    return type1_result(HD_CHECK_PASS,
                        "not needed: /dev/vfio/vfio is iommufd's compatibility container "
                        "(CONFIG_IOMMUFD_VFIO_CONTAINER=y)",
                        NULL);
  if (!hd_kernel_config_enabled(config, "CONFIG_VFIO"))
    return type1_result(HD_CHECK_WARN, "the kernel is built without VFIO", "see the VFIO core check");
  if (hd_kernel_config_enabled(config, "CONFIG_VFIO_IOMMU_TYPE1"))
    return NULL;
  if (hd_kernel_config_get(config, "CONFIG_VFIO_CONTAINER") == HD_KCONFIG_NOT_SET)
    return type1_result(HD_CHECK_PASS, "not needed: the kernel has no legacy container "
                                       "(CONFIG_VFIO_CONTAINER is not set); VMMs use iommufd",
                        NULL);
  message = g_strdup_printf("the kernel is built without CONFIG_VFIO_IOMMU_TYPE1 (%s): the legacy container "
                            "/dev/vfio/vfio has no IOMMU driver",
                            hd_kernel_config_source(config));
  return type1_result(HD_CHECK_FAIL, message, "use a kernel built with CONFIG_VFIO_IOMMU_TYPE1, or a VMM "
                                              "that uses iommufd (/dev/iommu)");
}

/* vfio is loaded without it: the container has no IOMMU to set. */
static HdCheck *type1_missing_beside_vfio(void)
{
  g_autofree char *message = g_strdup_printf("module vfio is loaded but vfio_iommu_type1 is not: VFIO_SET_IOMMU "
                                             "on the legacy container /dev/vfio/vfio fails (%s)%s",
                                             TYPE1_SOFTDEP,
                                             iommufd_offered() ? "; VMMs using iommufd are not affected" : "");

  return type1_result(iommufd_offered() ? HD_CHECK_WARN : HD_CHECK_FAIL, message,
                      "modprobe vfio_iommu_type1, and name it wherever vfio is loaded from "
                      "(/etc/modules-load.d/, the initramfs' module list)");
}

HdCheck *hd_doctor_check_iommu_type1(const HdDoctorHost *host)
{
  g_autofree char *loaded = hd_path_module("vfio_iommu_type1", NULL);
  g_autofree char *vfio = hd_path_module("vfio", NULL);
  HdModuleAvailability availability;
  HdCheck *from_config;

  if (hd_sysfs_exists(loaded))
    return type1_result(HD_CHECK_PASS, "loaded: the legacy container offers the type1 IOMMU", NULL);
  if (host->config != NULL && (from_config = type1_from_config(host->config)) != NULL)
    return from_config;
  if (hd_sysfs_exists(vfio))
    return type1_missing_beside_vfio();
  if (!hd_module_index_lookup(hd_manager_modules_dir(host->manager), "vfio_iommu_type1", &availability, NULL))
    return type1_result(HD_CHECK_WARN, "not loaded, and whether the kernel has it is unknown",
                        "modprobe vfio_iommu_type1 together with vfio");
  if (availability == HD_MODULE_ABSENT)
    return type1_result(HD_CHECK_FAIL, "the kernel has no module vfio_iommu_type1: the legacy container "
                                       "would have no IOMMU driver",
                        "install the kernel's modules, or use a VMM that uses iommufd (/dev/iommu)");
  return type1_result(HD_CHECK_PASS, "not loaded yet: " TYPE1_SOFTDEP, NULL);
}

/* ---- no-IOMMU mode -------------------------------------------------------- */

#define NOIOMMU_TITLE "No-IOMMU mode"

/* The first /dev/vfio/noiommu-N group node, or NULL. */
static char *first_noiommu_group(void)
{
  g_autofree char *dir = hd_path_vfio_dir();
  g_autoptr(GPtrArray) nodes = hd_sysfs_list_dir(dir, NULL);

  for (guint i = 0; nodes != NULL && i < nodes->len; i++)
    if (g_str_has_prefix(g_ptr_array_index(nodes, i), "noiommu-"))
      return g_strdup(g_ptr_array_index(nodes, i));
  return NULL;
}

HdCheck *hd_doctor_check_noiommu(void)
{
  g_autofree char *param = hd_path_module("vfio", "parameters/enable_unsafe_noiommu_mode");
  g_autofree char *value = hd_sysfs_read(param, NULL);
  g_autofree char *group = first_noiommu_group();
  g_autofree char *message = NULL;

  if (g_strcmp0(value, "Y") == 0 || group != NULL) {
    message = g_strdup_printf("on (%s%s%s): devices without an IOMMU get /dev/vfio/noiommu-N groups with no "
                              "DMA isolation at all, and the kernel taints itself when one is opened",
                              g_strcmp0(value, "Y") == 0 ? "enable_unsafe_noiommu_mode=Y" : "",
                              g_strcmp0(value, "Y") == 0 && group != NULL ? ", " : "",
                              group != NULL ? group : "");
    return hd_check_new("noiommu", NOIOMMU_TITLE, HD_CHECK_WARN, message,
                        "for VM passthrough turn it off (QEMU refuses no-IOMMU groups): echo N > "
                        "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode and drop "
                        "vfio.enable_unsafe_noiommu_mode from the kernel command line and modprobe.d");
  }
  return hd_check_new("noiommu", NOIOMMU_TITLE, HD_CHECK_PASS,
                      value != NULL ? "off (enable_unsafe_noiommu_mode=N)"
                                    : "off (vfio is not loaded, or the kernel has no CONFIG_VFIO_NOIOMMU)",
                      NULL);
}
