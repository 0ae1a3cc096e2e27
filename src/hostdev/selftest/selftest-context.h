/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a self-test case sees (internal to selftest*.c): the device, its
 * IOMMU backend, the open VFIO device, and how to report. A case returns
 * its status; hd_selftest_fail()/hd_selftest_skip() record why. Every case
 * undoes what it did (mappings, IRQs, mmaps) before it returns, so that
 * cases are independent and can be selected alone. */
#pragma once

#include "hostdev/device/device.h"
#include "hostdev/selftest/selftest-driver.h"
#include "hostdev/shared/hugepage-reservations.h"
#include "hostdev/selftest/selftest-iommu.h"
#include "hostdev/selftest/selftest-vfio-device.h"
#include "hostdev/selftest/selftest.h"

typedef struct {
  const HdDevice *device;
  HdSelftestIommu *iommu;
  HdVfioDevice vdev;         /* valid once "open" passed */
  GArray *ranges;            /* IOVA ranges read right after open; NULL if that failed */
  /* The command register read right after the (last) open; command_error
   * says why it could not be read. */
  guint16 command_at_open;
  char *command_error;
  HdHugepageReservations *hugepages;
  HdSelftestDriverDevice *driver; /* NULL until a driver case probes one */
  gboolean driver_probed;
  char *driver_failure;      /* why the driver could not bring the device up */
  /* the case being run */
  GPtrArray *diagnostics;
  char *reason;
} HdSelftest;

typedef struct {
  HdSelftestCaseInfo info;
  HdCaseStatus (*run)(HdSelftest *t);
  /* The case opens the device itself: the runner closes it (and the
   * backend) before, and opens it again after. */
  gboolean closed_device;
} HdSelftestCase;

HdCaseStatus hd_selftest_fail(HdSelftest *t, const char *format, ...) G_GNUC_PRINTF(2, 3);
HdCaseStatus hd_selftest_skip(HdSelftest *t, const char *format, ...) G_GNUC_PRINTF(2, 3);
/* A failure whose text is ERROR's message (consumed). */
HdCaseStatus hd_selftest_fail_error(HdSelftest *t, GError *error);
void hd_selftest_diag(HdSelftest *t, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* The cases of each file, in run order. */
extern const HdSelftestCase hd_selftest_iommufd_cases[];
extern const guint hd_selftest_n_iommufd_cases;
extern const HdSelftestCase hd_selftest_device_cases[];
extern const guint hd_selftest_n_device_cases;
extern const HdSelftestCase hd_selftest_dma_cases[];
extern const guint hd_selftest_n_dma_cases;
extern const HdSelftestCase hd_selftest_driver_cases[];
extern const guint hd_selftest_n_driver_cases;
