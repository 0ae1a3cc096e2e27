// SPDX-License-Identifier: LGPL-2.1-or-later
/* Cases on the device itself: what VFIO says about it, its config space,
 * its BARs, its interrupts, its reset. */
#include "hostdev/selftest/selftest-context.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_CONFIG_MIN 256

/* Interrupt vectors a case fires at most: MSI-X tables can hold 2048. */
#define MAX_VECTORS 32

static char *region_flags(guint32 flags)
{
  return g_strdup_printf("%s%s%s", flags & VFIO_REGION_INFO_FLAG_READ ? "r" : "-",
                         flags & VFIO_REGION_INFO_FLAG_WRITE ? "w" : "-",
                         flags & VFIO_REGION_INFO_FLAG_MMAP ? " mmap" : "");
}

static void diag_regions(HdSelftest *t)
{
  for (guint i = 0; i < t->vdev.regions->len; i++) {
    const struct vfio_region_info *region = hd_vfio_device_region(&t->vdev, i);
    g_autofree char *name = hd_vfio_region_name(i);
    g_autofree char *flags = region_flags(region->flags);
    if (region->size > 0)
      hd_selftest_diag(t, "%s: %" G_GUINT64_FORMAT " bytes, %s", name, (guint64)region->size, flags);
  }
}

static HdCaseStatus device_info(HdSelftest *t)
{
  const struct vfio_device_info *info = &t->vdev.info;
  const struct vfio_region_info *config = hd_vfio_device_region(&t->vdev, VFIO_PCI_CONFIG_REGION_INDEX);

  hd_selftest_diag(t, "flags %s%s, %u regions, %u IRQ indexes", info->flags & VFIO_DEVICE_FLAGS_PCI ? "PCI" : "-",
                   info->flags & VFIO_DEVICE_FLAGS_RESET ? " RESET" : "", info->num_regions, info->num_irqs);
  diag_regions(t);
  if (!(info->flags & VFIO_DEVICE_FLAGS_PCI))
    return hd_selftest_fail(t, "VFIO_DEVICE_GET_INFO does not say PCI (flags %#x)", info->flags);
  if (config == NULL)
    return hd_selftest_fail(t, "%u regions: no config space region (index %d)", info->num_regions,
                            VFIO_PCI_CONFIG_REGION_INDEX);
  if (info->num_irqs <= VFIO_PCI_MSIX_IRQ_INDEX)
    return hd_selftest_fail(t, "%u IRQ indexes: INTx, MSI and MSI-X must be there", info->num_irqs);
  if (config->size < PCI_CONFIG_MIN || !(config->flags & VFIO_REGION_INFO_FLAG_READ))
    return hd_selftest_fail(t, "the config region has %" G_GUINT64_FORMAT " bytes%s", (guint64)config->size,
                            config->flags & VFIO_REGION_INFO_FLAG_READ ? "" : " and is not readable");
  if (config->flags & VFIO_REGION_INFO_FLAG_MMAP)
    return hd_selftest_fail(t, "the config region claims to be mmap-able");
  return HD_CASE_PASS;
}

/* VFIO virtualizes parts of config space (a VF's raw IDs read ffff, VFIO
 * shows the real ones): compare the IDs with sysfs, not the raw bytes. */
static HdCaseStatus config_ids(HdSelftest *t)
{
  g_autoptr(GError) error = NULL;
  guint16 vendor, device;

  if (!hd_vfio_config_read16(&t->vdev, PCI_VENDOR_ID, &vendor, &error) ||
      !hd_vfio_config_read16(&t->vdev, PCI_DEVICE_ID, &device, &error))
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  hd_selftest_diag(t, "sysfs %04x:%04x, VFIO config space %04x:%04x%s", t->device->vendor_id,
                   t->device->device_id, vendor, device, t->device->physfn != NULL ? " (a VF)" : "");
  if (vendor != t->device->vendor_id || device != t->device->device_id)
    return hd_selftest_fail(t, "config space IDs %04x:%04x differ from sysfs %04x:%04x", vendor, device,
                            t->device->vendor_id, t->device->device_id);
  return HD_CASE_PASS;
}

/* vfio-pci clears bus mastering when the last user closes the device, and
 * a host driver's removal does: a device must not do DMA before its new
 * user sets it up (the kernel's config_space_read_write asserts it). */
static HdCaseStatus config_bus_master_off_at_open(HdSelftest *t)
{
  if (t->command_error != NULL)
    return hd_selftest_fail(t, "the command register could not be read after opening: %s", t->command_error);
  hd_selftest_diag(t, "command register after opening: 0x%04x", t->command_at_open);
  if (t->command_at_open & HD_PCI_COMMAND_MASTER)
    return hd_selftest_fail(t, "bus mastering is on right after opening (command 0x%04x): the device can do DMA "
                            "before its user set anything up", t->command_at_open);
  return HD_CASE_PASS;
}

static HdCaseStatus config_bus_master(HdSelftest *t)
{
  g_autoptr(GError) error = NULL;
  guint16 before, toggled, restored;

  if (!hd_vfio_config_read16(&t->vdev, HD_PCI_COMMAND, &before, &error))
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  if (!hd_vfio_config_write16(&t->vdev, HD_PCI_COMMAND, before ^ HD_PCI_COMMAND_MASTER, &error) ||
      !hd_vfio_config_read16(&t->vdev, HD_PCI_COMMAND, &toggled, &error) ||
      !hd_vfio_config_write16(&t->vdev, HD_PCI_COMMAND, before, &error) ||
      !hd_vfio_config_read16(&t->vdev, HD_PCI_COMMAND, &restored, &error)) {
    /* Never leave bus mastering toggled for the cases after this one. */
    hd_vfio_config_write16(&t->vdev, HD_PCI_COMMAND, before, NULL);
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  }
  hd_selftest_diag(t, "command 0x%04x, bus master toggled 0x%04x, restored 0x%04x", before, toggled, restored);
  if ((toggled ^ before) != HD_PCI_COMMAND_MASTER)
    return hd_selftest_fail(t, "writing 0x%04x to the command register reads back 0x%04x",
                            before ^ HD_PCI_COMMAND_MASTER, toggled);
  if (restored != before)
    return hd_selftest_fail(t, "the command register reads 0x%04x after restoring 0x%04x", restored, before);
  return HD_CASE_PASS;
}

static gboolean map_and_read(HdSelftest *t, guint index, const HdVfioMmapArea *area)
{
  const struct vfio_region_info *region = hd_vfio_device_region(&t->vdev, index);
  int prot = PROT_READ | ((region->flags & VFIO_REGION_INFO_FLAG_WRITE) ? PROT_WRITE : 0);
  void *va = mmap(NULL, area->size, prot, MAP_SHARED, t->vdev.fd, (off_t)(region->offset + area->offset));

  if (va == MAP_FAILED) {
    hd_selftest_diag(t, "BAR%u+%#" G_GINT64_MODIFIER "x: mmap of %" G_GUINT64_FORMAT " bytes failed: %s", index,
                     area->offset, area->size, g_strerror(errno));
    return FALSE;
  }
  guint32 first = *(volatile guint32 *)va;
  hd_selftest_diag(t, "BAR%u+%#" G_GINT64_MODIFIER "x: %" G_GUINT64_FORMAT " bytes mapped, first dword 0x%08x", index,
                   area->offset, area->size, GUINT32_FROM_LE(first));
  munmap(va, area->size);
  return TRUE;
}

static HdCaseStatus bars_mmap(HdSelftest *t)
{
  guint mapped = 0, failed = 0;

  for (guint index = VFIO_PCI_BAR0_REGION_INDEX; index <= VFIO_PCI_BAR5_REGION_INDEX; index++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) areas = hd_vfio_region_mmap_areas(&t->vdev, index, &error);
    if (areas == NULL)
      return hd_selftest_fail_error(t, g_steal_pointer(&error));
    for (guint i = 0; i < areas->len; i++) {
      if (map_and_read(t, index, &g_array_index(areas, HdVfioMmapArea, i)))
        mapped++;
      else
        failed++;
    }
  }
  if (failed > 0)
    return hd_selftest_fail(t, "%u of %u mmap-able BAR areas could not be mapped", failed, failed + mapped);
  if (mapped == 0)
    return hd_selftest_skip(t, "the device has no mmap-able BAR");
  return HD_CASE_PASS;
}

static void close_all(int *fds, guint n)
{
  for (guint i = 0; i < n; i++)
    if (fds[i] >= 0)
      close(fds[i]);
}

/* Fires vector V from software and checks that its eventfd, and no other,
 * fires exactly once. */
static HdCaseStatus trigger_one(HdSelftest *t, guint index, const int *fds, guint n, guint v)
{
  int rc = hd_vfio_irq_trigger(&t->vdev, index, v, 1);
  gint64 count;

  if (rc < 0)
    return hd_selftest_fail(t, "VFIO_DEVICE_SET_IRQS (trigger vector %u): %s", v, g_strerror(-rc));
  if ((count = hd_eventfd_wait(fds[v], 1000)) != 1)
    return hd_selftest_fail(t, "vector %u: its eventfd %s", v,
                            count == 0 ? "did not fire" : count < 0 ? "could not be read" : "fired more than once");
  for (guint other = 0; other < n; other++)
    if ((count = hd_eventfd_take(fds[other])) != 0)
      return hd_selftest_fail(t, "vector %u: the eventfd of vector %u fired %s", v, other,
                              other == v ? "a second time" : "too");
  return HD_CASE_PASS;
}

static HdCaseStatus irq_case(HdSelftest *t, guint index, const char *name)
{
  g_autoptr(GError) error = NULL;
  struct vfio_irq_info info;
  int fds[MAX_VECTORS];
  HdCaseStatus status = HD_CASE_PASS;
  int rc;

  if (!hd_vfio_irq_info(&t->vdev, index, &info, &error))
    return hd_selftest_fail_error(t, g_steal_pointer(&error));
  if (info.count == 0)
    return hd_selftest_skip(t, "the device has no %s", name);
  if (!(info.flags & VFIO_IRQ_INFO_EVENTFD))
    return hd_selftest_fail(t, "%s cannot signal an eventfd (flags %#x)", name, info.flags);
  guint n = MIN(info.count, MAX_VECTORS);
  for (guint v = 0; v < n; v++)
    if ((fds[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
      close_all(fds, v);
      return hd_selftest_fail(t, "eventfd: %s", g_strerror(errno));
    }
  hd_selftest_diag(t, "%s: %u vector%s, testing %u", name, info.count, info.count == 1 ? "" : "s", n);
  if ((rc = hd_vfio_irq_enable(&t->vdev, index, fds, n)) < 0) {
    hd_vfio_irq_disable(&t->vdev, index); /* whatever part of it took */
    close_all(fds, n);
    return hd_selftest_fail(t, "VFIO_DEVICE_SET_IRQS (enable %s vectors 0-%u): %s", name, n - 1, g_strerror(-rc));
  }
  for (guint v = 0; v < n && status == HD_CASE_PASS; v++)
    status = trigger_one(t, index, fds, n, v);
  rc = hd_vfio_irq_disable(&t->vdev, index);
  close_all(fds, n);
  if (status == HD_CASE_PASS && rc < 0)
    return hd_selftest_fail(t, "VFIO_DEVICE_SET_IRQS (disable %s): %s", name, g_strerror(-rc));
  return status;
}

static HdCaseStatus irq_msi(HdSelftest *t)
{
  return irq_case(t, VFIO_PCI_MSI_IRQ_INDEX, "MSI");
}

static HdCaseStatus irq_msix(HdSelftest *t)
{
  return irq_case(t, VFIO_PCI_MSIX_IRQ_INDEX, "MSI-X");
}

static HdCaseStatus device_reset(HdSelftest *t)
{
  int rc;

  if (!(t->vdev.info.flags & VFIO_DEVICE_FLAGS_RESET))
    return hd_selftest_skip(t, "VFIO does not offer a reset for this device (no VFIO_DEVICE_FLAGS_RESET)");
  if ((rc = hd_vfio_device_reset(&t->vdev)) < 0)
    return hd_selftest_fail(t, "VFIO_DEVICE_RESET: %s", g_strerror(-rc));
  return HD_CASE_PASS;
}

const HdSelftestCase hd_selftest_device_cases[] = {
  {{"device.info", "VFIO_DEVICE_GET_INFO: a PCI device with config space, BAR and IRQ indexes"}, device_info},
  {{"config.ids", "vendor and device IDs through VFIO's config region equal sysfs"}, config_ids},
  {{"config.bus_master_off_at_open", "bus mastering is off right after the device is opened"},
   config_bus_master_off_at_open},
  {{"config.bus_master", "the bus master bit of the command register toggles and restores"}, config_bus_master},
  {{"bars.mmap", "every mmap-able BAR (or sparse area) maps and reads"}, bars_mmap},
  {{"irq.msi", "MSI: enable, software trigger, the eventfd fires exactly once, disable"}, irq_msi},
  {{"irq.msix", "MSI-X: enable, software trigger, the eventfd fires exactly once, disable"}, irq_msix},
  {{"device.reset", "VFIO_DEVICE_RESET when the device offers it"}, device_reset},
};
const guint hd_selftest_n_device_cases = G_N_ELEMENTS(hd_selftest_device_cases);
