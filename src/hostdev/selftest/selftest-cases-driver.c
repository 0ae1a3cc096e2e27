// SPDX-License-Identifier: LGPL-2.1-or-later
/* Cases that make the device itself work, through a self-test driver for
 * it (selftest-driver.h), after the kernel's vfio_pci_driver_test: DMA
 * through the IOMMU, DMAs from and to an unmapped IOVA that the IOMMU must
 * block, an MSI, the driver brought down and up again, and all of it
 * mixed. Devices without a driver skip them. */
#include "hostdev/selftest/selftest-context.h"

#include <string.h>
#include <unistd.h>

#include "hostdev/selftest/selftest-dma.h"

#define IOVA_FLOOR (G_GUINT64_CONSTANT(1) << 20)
#define MSI_TIMEOUT_MS 5000
/* After the one MSI, how long a second one is waited for. */
#define MSI_QUIET_MS 100
/* Rounds of init_remove and mix_and_match, as many as the kernel's. */
#define ROUNDS 10

/* Probes once per run: the driver's device stays up for the next cases. */
static HdCaseStatus need_driver(HdSelftest *t)
{
  g_autoptr(GError) error = NULL;

  if (!t->driver_probed) {
    const HdSelftestDriver *driver = hd_selftest_driver_find(t->device->vendor_id, t->device->device_id);
    t->driver_probed = TRUE;
    if (driver != NULL && (t->driver = hd_selftest_driver_device_new(driver, &t->vdev, &error)) == NULL)
      t->driver_failure = g_strdup_printf("the %s driver could not bring the device up: %s", driver->name,
                                          error->message);
  }
  if (t->driver_failure != NULL)
    return hd_selftest_fail(t, "%s", t->driver_failure);
  if (t->driver == NULL) {
    g_autofree char *names = hd_selftest_driver_names();
    return hd_selftest_skip(t, "no self-test driver for %04x:%04x (there are: %s)", t->device->vendor_id,
                            t->device->device_id, names);
  }
  return HD_CASE_PASS;
}

typedef struct {
  HdDmaBuffer src, dst;
  guint64 src_iova, dst_iova;
  gboolean src_mapped, dst_mapped;
  gsize size;
} CopySetup;

static void copy_teardown(HdSelftest *t, CopySetup *copy)
{
  if (copy->src_mapped)
    t->iommu->ops->unmap(t->iommu, copy->src_iova, copy->src.size, NULL);
  if (copy->dst_mapped)
    t->iommu->ops->unmap(t->iommu, copy->dst_iova, copy->dst.size, NULL);
  hd_dma_buffer_free(&copy->src);
  hd_dma_buffer_free(&copy->dst);
}

/* Two pages mapped below the device's DMA limit; the source filled with a
 * pattern that depends on SEED, the destination zeroed. */
static HdCaseStatus copy_setup(HdSelftest *t, CopySetup *copy, guint8 seed)
{
  const HdSelftestDriver *driver = t->driver->driver;
  gsize page = (gsize)sysconf(_SC_PAGESIZE);
  g_autoptr(GError) error = NULL;
  int rc;

  memset(copy, 0, sizeof(*copy));
  copy->size = MIN(page, driver->max_memcpy);
  if (t->ranges == NULL || !hd_iova_find(t->ranges, page, page, IOVA_FLOOR, driver->dma_limit, &copy->src_iova) ||
      !hd_iova_find(t->ranges, page, page, copy->src_iova + page, driver->dma_limit, &copy->dst_iova))
    return hd_selftest_fail(t, "no two free pages of IOVA below %#" G_GINT64_MODIFIER "x (the device's DMA limit)",
                            driver->dma_limit);
  if (!hd_dma_buffer_alloc(&copy->src, page, 0, &error) || !hd_dma_buffer_alloc(&copy->dst, page, 0, &error))
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  for (gsize i = 0; i < copy->size; i++)
    ((guint8 *)copy->src.va)[i] = (guint8)(seed + i * 7);
  if ((rc = t->iommu->ops->map(t->iommu, copy->src.va, copy->src_iova, page)) < 0)
    return hd_selftest_fail(t, "map of the source: %s", g_strerror(-rc));
  copy->src_mapped = TRUE;
  if ((rc = t->iommu->ops->map(t->iommu, copy->dst.va, copy->dst_iova, page)) < 0)
    return hd_selftest_fail(t, "map of the destination: %s", g_strerror(-rc));
  copy->dst_mapped = TRUE;
  return HD_CASE_PASS;
}

static HdCaseStatus copy_and_compare(HdSelftest *t, CopySetup *copy)
{
  g_autoptr(GError) error = NULL;

  if (!t->driver->driver->memcpy(t->driver, copy->src_iova, copy->dst_iova, copy->size, &error))
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  if (memcmp(copy->src.va, copy->dst.va, copy->size) != 0)
    return hd_selftest_fail(t, "the %zu bytes copied by the device differ from the source", copy->size);
  hd_selftest_diag(t, "%zu bytes IOVA %#" G_GINT64_MODIFIER "x -> device -> IOVA %#" G_GINT64_MODIFIER "x intact",
                   copy->size, copy->src_iova, copy->dst_iova);
  return HD_CASE_PASS;
}

/* A copy raises no interrupt: one on the MSI eventfd means the device
 * signalled something (the kernel's tests assert none after each copy). */
static HdCaseStatus no_msi(HdSelftest *t, HdCaseStatus status, const char *after)
{
  gint64 count = hd_eventfd_take(t->driver->msi_eventfd);

  if (status == HD_CASE_PASS && count != 0)
    return hd_selftest_fail(t, "the device raised an MSI after %s", after);
  return status;
}

static HdCaseStatus driver_memcpy(HdSelftest *t)
{
  CopySetup copy;
  HdCaseStatus status;

  if ((status = need_driver(t)) != HD_CASE_PASS)
    return status;
  hd_eventfd_take(t->driver->msi_eventfd); /* anything an earlier case left */
  if ((status = copy_setup(t, &copy, 0x5a)) == HD_CASE_PASS)
    status = no_msi(t, copy_and_compare(t, &copy), "the copy");
  copy_teardown(t, &copy);
  return status;
}

static gboolean all_zero(const guint8 *bytes, gsize size)
{
  for (gsize i = 0; i < size; i++)
    if (bytes[i] != 0)
      return FALSE;
  return TRUE;
}

/* The source is copied once while mapped (so the path works), then
 * unmapped and copied again: the device must not get the data. The IOMMU
 * reports nothing to the device or to us (QEMU's reads zeros), so the
 * destination's content is the verdict. */
static HdCaseStatus unmapped_copy(HdSelftest *t, CopySetup *copy)
{
  g_autoptr(GError) error = NULL;
  HdCaseStatus status;
  int rc;

  if ((status = copy_and_compare(t, copy)) != HD_CASE_PASS)
    return status;
  if ((rc = t->iommu->ops->unmap(t->iommu, copy->src_iova, copy->src.size, NULL)) < 0)
    return hd_selftest_fail(t, "unmap of the source: %s", g_strerror(-rc));
  copy->src_mapped = FALSE;
  memset(copy->dst.va, 0, copy->dst.size);
  if (!t->driver->driver->memcpy(t->driver, copy->src_iova, copy->dst_iova, copy->size, &error))
    hd_selftest_diag(t, "the device reported the blocked DMA: %s", error->message);
  if (memcmp(copy->src.va, copy->dst.va, copy->size) == 0)
    return hd_selftest_fail(t, "a DMA from unmapped IOVA %#" G_GINT64_MODIFIER "x delivered the test's data: "
                            "the IOMMU did not block it", copy->src_iova);
  hd_selftest_diag(t, "DMA from unmapped IOVA %#" G_GINT64_MODIFIER "x blocked: the device %s", copy->src_iova,
                   all_zero(copy->dst.va, copy->size) ? "read zeros" : "delivered other bytes");
  return HD_CASE_PASS;
}

/* The same the other way: the destination is unmapped before the second
 * copy, and the memory that was behind it must stay as it was (zeroed):
 * the device's write does not land. */
static HdCaseStatus copy_to_unmapped(HdSelftest *t, CopySetup *copy)
{
  g_autoptr(GError) error = NULL;
  HdCaseStatus status;
  int rc;

  if ((status = copy_and_compare(t, copy)) != HD_CASE_PASS)
    return status;
  if ((rc = t->iommu->ops->unmap(t->iommu, copy->dst_iova, copy->dst.size, NULL)) < 0)
    return hd_selftest_fail(t, "unmap of the destination: %s", g_strerror(-rc));
  copy->dst_mapped = FALSE;
  memset(copy->dst.va, 0, copy->dst.size);
  if (!t->driver->driver->memcpy(t->driver, copy->src_iova, copy->dst_iova, copy->size, &error))
    hd_selftest_diag(t, "the device reported the blocked DMA: %s", error->message);
  if (!all_zero(copy->dst.va, copy->dst.size))
    return hd_selftest_fail(t, "a DMA to unmapped IOVA %#" G_GINT64_MODIFIER "x changed the memory that was mapped "
                            "there: the IOMMU did not block it", copy->dst_iova);
  hd_selftest_diag(t, "DMA to unmapped IOVA %#" G_GINT64_MODIFIER "x blocked: the memory behind it stayed zero",
                   copy->dst_iova);
  return HD_CASE_PASS;
}

typedef HdCaseStatus (*CopyCheck)(HdSelftest *t, CopySetup *copy);

static HdCaseStatus with_copy(HdSelftest *t, guint8 seed, CopyCheck check, const char *what)
{
  CopySetup copy;
  HdCaseStatus status;

  if ((status = need_driver(t)) != HD_CASE_PASS)
    return status;
  hd_eventfd_take(t->driver->msi_eventfd);
  if ((status = copy_setup(t, &copy, seed)) == HD_CASE_PASS)
    status = no_msi(t, check(t, &copy), what);
  copy_teardown(t, &copy);
  return status;
}

static HdCaseStatus driver_memcpy_from_unmapped(HdSelftest *t)
{
  return with_copy(t, 0xa5, unmapped_copy, "the DMA from an unmapped IOVA");
}

static HdCaseStatus driver_memcpy_to_unmapped(HdSelftest *t)
{
  return with_copy(t, 0x3c, copy_to_unmapped, "the DMA to an unmapped IOVA");
}

/* The driver's remove() and init() ROUNDS times; then it must still copy. */
static HdCaseStatus driver_init_remove(HdSelftest *t)
{
  const HdSelftestDriver *driver;
  g_autoptr(GError) error = NULL;
  HdCaseStatus status;

  if ((status = need_driver(t)) != HD_CASE_PASS)
    return status;
  driver = t->driver->driver;
  for (guint round = 1; round <= ROUNDS; round++) {
    g_clear_pointer(&t->driver, hd_selftest_driver_device_free);
    if ((t->driver = hd_selftest_driver_device_new(driver, &t->vdev, &error)) == NULL) {
      /* The cases after this one cannot use the driver either. */
      t->driver_failure = g_strdup_printf("the %s driver could not be brought up again: %s", driver->name,
                                          error->message);
      return hd_selftest_fail(t, "round %u: init after remove: %s", round, error->message);
    }
  }
  hd_selftest_diag(t, "%u rounds of remove and init", ROUNDS);
  return driver_memcpy(t);
}

/* One round of mix_and_match: a good copy, a copy from an IOVA never
 * mapped (its result is not judged, as in the kernel's test: not every
 * device reports it), then an MSI that must arrive once. */
static HdCaseStatus mixed_round(HdSelftest *t, CopySetup *copy, guint64 unmapped_iova)
{
  g_autoptr(GError) error = NULL;
  HdCaseStatus status;
  gint64 count;

  memset(copy->dst.va, 0, copy->size);
  if ((status = copy_and_compare(t, copy)) != HD_CASE_PASS)
    return status;
  if (!t->driver->driver->memcpy(t->driver, unmapped_iova, copy->dst_iova, copy->size, &error))
    hd_selftest_diag(t, "the device reported the DMA from unmapped IOVA: %s", error->message);
  if (!t->driver->driver->send_msi(t->driver, &error))
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  if ((count = hd_eventfd_wait(t->driver->msi_eventfd, MSI_TIMEOUT_MS)) != 1)
    return hd_selftest_fail(t, "the MSI %s", count == 0 ? "did not arrive" : "arrived more than once or not readable");
  return HD_CASE_PASS;
}

static HdCaseStatus mix_rounds(HdSelftest *t, CopySetup *copy)
{
  guint64 page = (guint64)sysconf(_SC_PAGESIZE), unmapped_iova;
  HdCaseStatus status = HD_CASE_PASS;

  if (!hd_iova_find(t->ranges, page, page, copy->dst_iova + page, t->driver->driver->dma_limit, &unmapped_iova))
    return hd_selftest_fail(t, "no third page of IOVA below the device's DMA limit");
  for (guint round = 1; round <= ROUNDS && status == HD_CASE_PASS; round++)
    if ((status = mixed_round(t, copy, unmapped_iova)) != HD_CASE_PASS)
      hd_selftest_diag(t, "round %u of %u failed", round, ROUNDS);
  if (status == HD_CASE_PASS)
    hd_selftest_diag(t, "%u rounds of copy, copy from unmapped IOVA %#" G_GINT64_MODIFIER "x and MSI", ROUNDS,
                     unmapped_iova);
  return status;
}

static HdCaseStatus driver_mix_and_match(HdSelftest *t)
{
  CopySetup copy;
  HdCaseStatus status;

  if ((status = need_driver(t)) != HD_CASE_PASS)
    return status;
  hd_eventfd_take(t->driver->msi_eventfd);
  if ((status = copy_setup(t, &copy, 0x77)) == HD_CASE_PASS)
    status = mix_rounds(t, &copy);
  copy_teardown(t, &copy);
  return status;
}

static HdCaseStatus driver_msi(HdSelftest *t)
{
  g_autoptr(GError) error = NULL;
  HdCaseStatus status;
  gint64 count;

  if ((status = need_driver(t)) != HD_CASE_PASS)
    return status;
  hd_eventfd_take(t->driver->msi_eventfd); /* anything an earlier case left */
  if (!t->driver->driver->send_msi(t->driver, &error))
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  if ((count = hd_eventfd_wait(t->driver->msi_eventfd, MSI_TIMEOUT_MS)) != 1)
    return hd_selftest_fail(t, "the device's MSI %s", count == 0 ? "did not arrive on its eventfd"
                                                     : count < 0 ? "eventfd could not be read"
                                                                 : "arrived more than once");
  if ((count = hd_eventfd_wait(t->driver->msi_eventfd, MSI_QUIET_MS)) != 0)
    return hd_selftest_fail(t, "a second MSI arrived");
  hd_selftest_diag(t, "one MSI arrived on the eventfd");
  return HD_CASE_PASS;
}

const HdSelftestCase hd_selftest_driver_cases[] = {
  {{"driver.memcpy", "the device copies RAM -> device -> RAM through the IOMMU, bytes intact"}, driver_memcpy},
  {{"driver.memcpy_from_unmapped", "a DMA from an unmapped IOVA does not deliver the data"},
   driver_memcpy_from_unmapped},
  {{"driver.memcpy_to_unmapped", "a DMA to an unmapped IOVA does not reach the memory once mapped there"},
   driver_memcpy_to_unmapped},
  {{"driver.msi", "the device's MSI arrives on its eventfd exactly once"}, driver_msi},
  {{"driver.init_remove", "the driver is removed and brought up again 10 times, then copies"}, driver_init_remove},
  {{"driver.mix_and_match", "10 rounds of a copy, a copy from an unmapped IOVA and an MSI"}, driver_mix_and_match},
};
const guint hd_selftest_n_driver_cases = G_N_ELEMENTS(hd_selftest_driver_cases);
