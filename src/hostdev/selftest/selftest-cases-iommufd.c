// SPDX-License-Identifier: LGPL-2.1-or-later
/* Cases on the iommufd uAPI of the device cdev, as the kernel's
 * vfio_iommufd_setup_test checks it: what a cdev fd refuses before and
 * after VFIO_DEVICE_BIND_IOMMUFD, and attaching to and detaching from an
 * IO address space. Each case opens the cdev and /dev/iommu afresh: the
 * kernel lets only one opener bind a device, so the runner closes its own
 * open device first (closed_device) and opens it again afterwards. */
#include "hostdev/selftest/selftest-context.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/host-paths.h"
#include "util/sysfs.h"

typedef struct {
  int cdev;
  int iommufd;
} CdevFds;

static void cdev_fds_close(CdevFds *fds)
{
  if (fds->cdev >= 0)
    close(fds->cdev);
  if (fds->iommufd >= 0)
    close(fds->iommufd);
}

/* The device's cdev and a new iommufd, or a skip where the kernel offers
 * neither. */
static HdCaseStatus cdev_fds_open(HdSelftest *t, CdevFds *fds)
{
  g_autofree char *iommufd = hd_path_iommufd();
  const char *cdev = t->device->vfio.cdev;

  fds->cdev = fds->iommufd = -1;
  if (!hd_sysfs_exists(iommufd))
    return hd_selftest_skip(t, "%s does not exist: the kernel has no iommufd (CONFIG_IOMMUFD)", iommufd);
  if (cdev == NULL)
    return hd_selftest_skip(t, "the device has no VFIO cdev (CONFIG_VFIO_DEVICE_CDEV, Linux >= 6.6)");
  if ((fds->cdev = open(cdev, O_RDWR | O_CLOEXEC)) < 0)
    return hd_selftest_fail(t, "cannot open %s: %s", cdev, g_strerror(errno));
  if ((fds->iommufd = open(iommufd, O_RDWR | O_CLOEXEC)) < 0) {
    cdev_fds_close(fds);
    return hd_selftest_fail(t, "cannot open %s: %s", iommufd, g_strerror(errno));
  }
  return HD_CASE_PASS;
}

/* Each wrapper returns 0 or -errno. */
static int bind_iommufd(int cdev, int iommufd)
{
  struct vfio_device_bind_iommufd bind = {.argsz = sizeof(bind), .iommufd = iommufd};

  return ioctl(cdev, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0 ? -errno : 0;
}

static int get_info(int cdev)
{
  struct vfio_device_info info = {.argsz = sizeof(info)};

  return ioctl(cdev, VFIO_DEVICE_GET_INFO, &info) < 0 ? -errno : 0;
}

static int ioas_alloc(int iommufd, guint32 *ioas_id)
{
  struct iommu_ioas_alloc alloc = {.size = sizeof(alloc)};

  if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc) < 0)
    return -errno;
  *ioas_id = alloc.out_ioas_id;
  return 0;
}

/* Only the fields of the first kernels with the cdev (6.6): newer ones
 * accept them by argsz. */
static int attach_pt(int cdev, guint32 pt_id)
{
  struct vfio_device_attach_iommufd_pt attach = {
    .argsz = offsetof(struct vfio_device_attach_iommufd_pt, pt_id) + sizeof(attach.pt_id),
    .pt_id = pt_id,
  };

  return ioctl(cdev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) < 0 ? -errno : 0;
}

static int detach_pt(int cdev)
{
  struct vfio_device_detach_iommufd_pt detach = {.argsz = sizeof(detach)};

  return ioctl(cdev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach) < 0 ? -errno : 0;
}

/* RC of the step WHAT must be 0. */
static HdCaseStatus must_succeed(HdSelftest *t, int rc, const char *what)
{
  if (rc < 0)
    return hd_selftest_fail(t, "%s: %s", what, g_strerror(-rc));
  hd_selftest_diag(t, "%s: ok", what);
  return HD_CASE_PASS;
}

/* RC of the step WHAT must be an error; the kernel's test asks no more,
 * the diagnostic says which. */
static HdCaseStatus must_fail(HdSelftest *t, int rc, const char *what)
{
  if (rc == 0)
    return hd_selftest_fail(t, "%s succeeded; the kernel must refuse it", what);
  hd_selftest_diag(t, "%s refused: %s", what, g_strerror(-rc));
  return HD_CASE_PASS;
}

typedef HdCaseStatus (*CdevCheck)(HdSelftest *t, const CdevFds *fds);

static HdCaseStatus with_cdev(HdSelftest *t, CdevCheck check)
{
  CdevFds fds;
  HdCaseStatus status = cdev_fds_open(t, &fds);

  if (status != HD_CASE_PASS)
    return status;
  /* Closing the fds unbinds the device and frees the IOAS. */
  status = check(t, &fds);
  cdev_fds_close(&fds);
  return status;
}

static HdCaseStatus check_bind(HdSelftest *t, const CdevFds *fds)
{
  HdCaseStatus status = must_succeed(t, bind_iommufd(fds->cdev, fds->iommufd), "VFIO_DEVICE_BIND_IOMMUFD");

  if (status != HD_CASE_PASS)
    return status;
  return must_succeed(t, get_info(fds->cdev), "VFIO_DEVICE_GET_INFO after the bind");
}

static HdCaseStatus check_get_info_without_bind(HdSelftest *t, const CdevFds *fds)
{
  return must_fail(t, get_info(fds->cdev), "VFIO_DEVICE_GET_INFO before VFIO_DEVICE_BIND_IOMMUFD");
}

static HdCaseStatus check_bind_bad_iommufd(HdSelftest *t, const CdevFds *fds)
{
  return must_fail(t, bind_iommufd(fds->cdev, -2), "VFIO_DEVICE_BIND_IOMMUFD with iommufd -2");
}

static HdCaseStatus check_repeated_bind(HdSelftest *t, const CdevFds *fds)
{
  HdCaseStatus status = must_succeed(t, bind_iommufd(fds->cdev, fds->iommufd), "VFIO_DEVICE_BIND_IOMMUFD");

  if (status != HD_CASE_PASS)
    return status;
  return must_fail(t, bind_iommufd(fds->cdev, fds->iommufd), "a second VFIO_DEVICE_BIND_IOMMUFD");
}

static HdCaseStatus check_attach_detach_pt(HdSelftest *t, const CdevFds *fds)
{
  HdCaseStatus status = must_succeed(t, bind_iommufd(fds->cdev, fds->iommufd), "VFIO_DEVICE_BIND_IOMMUFD");
  guint32 ioas_id = 0;

  if (status != HD_CASE_PASS ||
      (status = must_succeed(t, ioas_alloc(fds->iommufd, &ioas_id), "IOMMU_IOAS_ALLOC")) != HD_CASE_PASS ||
      (status = must_succeed(t, attach_pt(fds->cdev, ioas_id), "VFIO_DEVICE_ATTACH_IOMMUFD_PT")) != HD_CASE_PASS)
    return status;
  return must_succeed(t, detach_pt(fds->cdev), "VFIO_DEVICE_DETACH_IOMMUFD_PT");
}

static HdCaseStatus check_attach_invalid_pt(HdSelftest *t, const CdevFds *fds)
{
  HdCaseStatus status = must_succeed(t, bind_iommufd(fds->cdev, fds->iommufd), "VFIO_DEVICE_BIND_IOMMUFD");

  if (status != HD_CASE_PASS)
    return status;
  return must_fail(t, attach_pt(fds->cdev, G_MAXUINT32), "VFIO_DEVICE_ATTACH_IOMMUFD_PT to object id 0xffffffff");
}

static HdCaseStatus iommufd_bind(HdSelftest *t)
{
  return with_cdev(t, check_bind);
}

static HdCaseStatus iommufd_get_info_without_bind(HdSelftest *t)
{
  return with_cdev(t, check_get_info_without_bind);
}

static HdCaseStatus iommufd_bind_bad_iommufd(HdSelftest *t)
{
  return with_cdev(t, check_bind_bad_iommufd);
}

static HdCaseStatus iommufd_repeated_bind(HdSelftest *t)
{
  return with_cdev(t, check_repeated_bind);
}

static HdCaseStatus iommufd_attach_detach_pt(HdSelftest *t)
{
  return with_cdev(t, check_attach_detach_pt);
}

static HdCaseStatus iommufd_attach_invalid_pt(HdSelftest *t)
{
  return with_cdev(t, check_attach_invalid_pt);
}

const HdSelftestCase hd_selftest_iommufd_cases[] = {
  {{"iommufd.bind", "the cdev binds to a new iommufd, then answers VFIO_DEVICE_GET_INFO"}, iommufd_bind, TRUE},
  {{"iommufd.get_info_without_bind_fails", "the cdev refuses VFIO_DEVICE_GET_INFO before it is bound"},
   iommufd_get_info_without_bind, TRUE},
  {{"iommufd.bind_bad_iommufd_fails", "VFIO_DEVICE_BIND_IOMMUFD refuses a bad iommufd (-2)"},
   iommufd_bind_bad_iommufd, TRUE},
  {{"iommufd.repeated_bind_fails", "a bound cdev refuses a second VFIO_DEVICE_BIND_IOMMUFD"}, iommufd_repeated_bind,
   TRUE},
  {{"iommufd.attach_detach_pt", "a bound cdev attaches to a new IOAS and detaches from it"},
   iommufd_attach_detach_pt, TRUE},
  {{"iommufd.attach_invalid_pt_fails", "VFIO_DEVICE_ATTACH_IOMMUFD_PT refuses an object id that does not exist"},
   iommufd_attach_invalid_pt, TRUE},
};
const guint hd_selftest_n_iommufd_cases = G_N_ELEMENTS(hd_selftest_iommufd_cases);
