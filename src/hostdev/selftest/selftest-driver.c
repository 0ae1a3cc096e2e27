// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/selftest/selftest-driver.h"

#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/hd-error.h"

static const HdSelftestDriver *const drivers[] = {
  &hd_selftest_edu_driver,
};

const HdSelftestDriver *hd_selftest_driver_find(guint16 vendor, guint16 device)
{
  for (guint i = 0; i < G_N_ELEMENTS(drivers); i++)
    if (drivers[i]->probe(vendor, device))
      return drivers[i];
  return NULL;
}

char *hd_selftest_driver_names(void)
{
  GString *names = g_string_new(NULL);

  for (guint i = 0; i < G_N_ELEMENTS(drivers); i++)
    g_string_append_printf(names, "%s%s", i > 0 ? ", " : "", drivers[i]->name);
  return g_string_free(names, FALSE);
}

HdSelftestDriverDevice *hd_selftest_driver_device_new(const HdSelftestDriver *driver, const HdVfioDevice *vdev,
                                                      GError **error)
{
  HdSelftestDriverDevice *dev = g_new0(HdSelftestDriverDevice, 1);
  int rc;

  dev->driver = driver;
  dev->vdev = vdev;
  dev->msi_eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (dev->msi_eventfd < 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "eventfd: %s", g_strerror(errno));
    g_free(dev);
    return NULL;
  }
  if (!driver->init(dev, error)) {
    close(dev->msi_eventfd);
    g_free(dev);
    return NULL;
  }
  if ((rc = hd_vfio_irq_enable(vdev, driver->msi_index, &dev->msi_eventfd, 1)) < 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "VFIO_DEVICE_SET_IRQS (enable the %s driver's MSI): %s",
                driver->name, g_strerror(-rc));
    hd_selftest_driver_device_free(dev);
    return NULL;
  }
  return dev;
}

void hd_selftest_driver_device_free(HdSelftestDriverDevice *dev)
{
  if (dev == NULL)
    return;
  hd_vfio_irq_disable(dev->vdev, dev->driver->msi_index);
  dev->driver->remove(dev);
  close(dev->msi_eventfd);
  g_free(dev);
}

gint64 hd_eventfd_take(int fd)
{
  guint64 count = 0;

  if (read(fd, &count, sizeof(count)) == sizeof(count))
    return (gint64)count;
  return errno == EAGAIN ? 0 : -1;
}

gint64 hd_eventfd_wait(int fd, guint timeout_ms)
{
  struct pollfd pfd = {.fd = fd, .events = POLLIN};
  int rc = poll(&pfd, 1, (int)timeout_ms);

  if (rc < 0)
    return -1;
  return rc == 0 ? 0 : hd_eventfd_take(fd);
}
