// SPDX-License-Identifier: LGPL-2.1-or-later
/* A self-test driver for QEMU's educational device "edu" (1234:11e8; QEMU's
 * docs/specs/edu.rst): a DMA engine that copies between RAM and a 4 KiB
 * buffer inside the device, and an MSI. Registers are reached through the
 * VFIO device fd (pread/pwrite on BAR0) rather than an mmap: that works
 * whatever the VFIO driver allows to mmap, and lets the mock see them. */
#include "hostdev/selftest/selftest-driver.h"

#include <string.h>

#include "util/hd-error.h"

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8

#define EDU_BAR 0
#define EDU_REG_ID 0x00          /* 0xRRrr00ed: major, minor version, "ed" */
#define EDU_REG_IRQ_STATUS 0x24
#define EDU_REG_IRQ_RAISE 0x60
#define EDU_REG_IRQ_ACK 0x64
#define EDU_REG_DMA_SRC 0x80
#define EDU_REG_DMA_DST 0x88
#define EDU_REG_DMA_COUNT 0x90
#define EDU_REG_DMA_CMD 0x98
#define EDU_DMA_START 0x1
#define EDU_DMA_TO_RAM 0x2       /* direction: device buffer -> RAM */
#define EDU_BUFFER 0x40000       /* the device's buffer, in its DMA address space */
#define EDU_BUFFER_SIZE 4096
/* QEMU aborts the whole VM on a DMA outside the buffer, and QEMU 7.2's
 * check also rejects one that ends exactly at the buffer's end (it wants
 * the end address inside): stay well within. */
#define EDU_MAX_COPY (EDU_BUFFER_SIZE / 2)
#define EDU_IRQ_SELFTEST 0x1


/* QEMU runs the DMA from a 100 ms timer; an emulated guest under TCG can be
 * slow, so wait generously. */
#define EDU_DMA_TIMEOUT_US (10 * G_USEC_PER_SEC)

typedef struct {
  guint16 command_before; /* restored by remove() */
} EduState;

static gboolean edu_probe(guint16 vendor, guint16 device)
{
  return vendor == EDU_VENDOR && device == EDU_DEVICE;
}

static gboolean read32(HdSelftestDriverDevice *dev, guint64 reg, guint32 *value, GError **error)
{
  guint32 raw;

  if (!hd_vfio_region_read(dev->vdev, EDU_BAR, reg, &raw, sizeof(raw), error))
    return FALSE;
  *value = GUINT32_FROM_LE(raw);
  return TRUE;
}

static gboolean write32(HdSelftestDriverDevice *dev, guint64 reg, guint32 value, GError **error)
{
  guint32 raw = GUINT32_TO_LE(value);

  return hd_vfio_region_write(dev->vdev, EDU_BAR, reg, &raw, sizeof(raw), error);
}

static gboolean write64(HdSelftestDriverDevice *dev, guint64 reg, guint64 value, GError **error)
{
  guint64 raw = GUINT64_TO_LE(value);

  return hd_vfio_region_write(dev->vdev, EDU_BAR, reg, &raw, sizeof(raw), error);
}

static gboolean edu_init(HdSelftestDriverDevice *dev, GError **error)
{
  g_autofree EduState *state = g_new0(EduState, 1);
  guint32 id;

  if (!read32(dev, EDU_REG_ID, &id, error))
    return FALSE;
  if ((id & 0xff) != 0xed) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "edu: identification register reads %#010x, not 0xRRrr00ed", id);
    return FALSE;
  }
  /* The device must master the bus to reach RAM. */
  if (!hd_vfio_config_read16(dev->vdev, HD_PCI_COMMAND, &state->command_before, error) ||
      !hd_vfio_config_write16(dev->vdev, HD_PCI_COMMAND, state->command_before | HD_PCI_COMMAND_MASTER, error))
    return FALSE;
  dev->priv = g_steal_pointer(&state);
  return TRUE;
}

static gboolean wait_dma_done(HdSelftestDriverDevice *dev, GError **error)
{
  gint64 deadline = g_get_monotonic_time() + EDU_DMA_TIMEOUT_US;
  guint32 cmd;

  do {
    if (!read32(dev, EDU_REG_DMA_CMD, &cmd, error))
      return FALSE;
    if (!(cmd & EDU_DMA_START))
      return TRUE;
    g_usleep(1000);
  } while (g_get_monotonic_time() < deadline);
  g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "edu: the DMA did not finish within %d s",
              (int)(EDU_DMA_TIMEOUT_US / G_USEC_PER_SEC));
  return FALSE;
}

static gboolean dma(HdSelftestDriverDevice *dev, guint64 src, guint64 dst, gsize size, guint32 direction,
                    GError **error)
{
  return write64(dev, EDU_REG_DMA_SRC, src, error) && write64(dev, EDU_REG_DMA_DST, dst, error) &&
         write64(dev, EDU_REG_DMA_COUNT, size, error) &&
         write32(dev, EDU_REG_DMA_CMD, EDU_DMA_START | direction, error) && wait_dma_done(dev, error);
}

/* RAM -> the device's buffer -> RAM: two DMAs through the IOMMU. */
static gboolean edu_memcpy(HdSelftestDriverDevice *dev, guint64 src, guint64 dst, gsize size, GError **error)
{
  if (size == 0 || size > EDU_MAX_COPY) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "edu: cannot copy %zu bytes (1 to %d)", size, EDU_MAX_COPY);
    return FALSE;
  }
  return dma(dev, src, EDU_BUFFER, size, 0, error) && dma(dev, EDU_BUFFER, dst, size, EDU_DMA_TO_RAM, error);
}

/* Writing the raise register sets bits in the interrupt status and sends
 * the MSI; acknowledging clears them, ready for the next. */
static gboolean edu_send_msi(HdSelftestDriverDevice *dev, GError **error)
{
  guint32 status;

  return write32(dev, EDU_REG_IRQ_RAISE, EDU_IRQ_SELFTEST, error) &&
         read32(dev, EDU_REG_IRQ_STATUS, &status, error) && write32(dev, EDU_REG_IRQ_ACK, status, error);
}

static void edu_remove(HdSelftestDriverDevice *dev)
{
  EduState *state = dev->priv;

  if (state != NULL)
    hd_vfio_config_write16(dev->vdev, HD_PCI_COMMAND, state->command_before, NULL);
  g_clear_pointer(&dev->priv, g_free);
}

const HdSelftestDriver hd_selftest_edu_driver = {
  .name = "edu (1234:11e8)",
  .dma_limit = G_GUINT64_CONSTANT(1) << 28, /* the device masks DMA addresses to 28 bits */
  .max_memcpy = EDU_MAX_COPY,
  .msi_index = VFIO_PCI_MSI_IRQ_INDEX,
  .probe = edu_probe,
  .init = edu_init,
  .memcpy = edu_memcpy,
  .send_msi = edu_send_msi,
  .remove = edu_remove,
};
