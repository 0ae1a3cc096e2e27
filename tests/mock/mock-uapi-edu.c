// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-uapi-edu.c: QEMU's edu device (docs/specs/edu.rst) behind BAR0:
 * the liveness register, interrupt raise/acknowledge, and the DMA engine
 * copying between RAM (through the device's IO address space, with its
 * 28-bit DMA mask) and its 4 KiB buffer at 0x40000. Like the real device
 * behind an IOMMU, a DMA to or from an unmapped IOVA moves nothing: reads
 * give zeros, writes are dropped; so is any DMA without bus mastering. */
#include "mock-uapi.h"

#include <errno.h>
#include <string.h>

#define REG_LIVENESS 0x04
#define REG_IRQ_STATUS 0x24
#define REG_IRQ_RAISE 0x60
#define REG_IRQ_ACK 0x64
#define REG_DMA_SRC 0x80
#define REG_DMA_DST 0x88
#define REG_DMA_COUNT 0x90
#define REG_DMA_CMD 0x98
#define DMA_START 0x1
#define DMA_TO_RAM 0x2
#define DMA_IRQ 0x4
#define IRQ_DMA_DONE 0x100
#define BUFFER 0x40000
#define BUFFER_SIZE 4096
#define DMA_MASK ((1ULL << 28) - 1)

static uint32_t get32(const uint8_t *bar, uint64_t reg)
{
  uint32_t v;

  memcpy(&v, bar + reg, sizeof(v));
  return v;
}

static void put32(uint8_t *bar, uint64_t reg, uint32_t v)
{
  memcpy(bar + reg, &v, sizeof(v));
}

static uint64_t get64(const uint8_t *bar, uint64_t reg)
{
  uint64_t v;

  memcpy(&v, bar + reg, sizeof(v));
  return v;
}

static bool written(uint64_t off, size_t len, uint64_t reg)
{
  return off <= reg && reg < off + len;
}

static void raise_irq(MuDevice *dev, uint8_t *bar, uint32_t bits)
{
  put32(bar, REG_IRQ_STATUS, get32(bar, REG_IRQ_STATUS) | bits);
  mu_device_fire_msi(dev, 0);
}

/* The device's buffer lives in BAR memory past the registers. */
static int run_dma(MuDevice *dev, uint8_t *bar)
{
  uint64_t src = get64(bar, REG_DMA_SRC), dst = get64(bar, REG_DMA_DST), count = get64(bar, REG_DMA_COUNT);
  bool to_ram = get32(bar, REG_DMA_CMD) & DMA_TO_RAM;
  uint64_t dev_addr = to_ram ? src : dst, ram = (to_ram ? dst : src) & DMA_MASK;
  MuSpace *space = mu_device_bus_master(dev) ? mu_device_space(dev) : NULL;

  /* QEMU 7.2's edu_check_range(): start and end (exclusive!) both inside
   * the buffer, so a copy ending at the buffer's end is refused too; QEMU
   * then aborts the whole VM. */
  if (dev_addr < BUFFER || count == 0 || count >= BUFFER_SIZE || dev_addr - BUFFER >= BUFFER_SIZE - count)
    return -EIO;
  uint8_t *buffer = bar + dev_addr;
  uint8_t *host = count > 0 && space != NULL ? mu_space_translate(space, ram, count) : NULL;
  if (to_ram) {
    if (host != NULL)
      memcpy(host, buffer, count);
  } else if (host != NULL) {
    memcpy(buffer, host, count);
  } else {
    memset(buffer, 0, count);
  }
  return 0;
}

int mu_edu_write(MuDevice *dev, uint8_t *bar, uint64_t off, size_t len)
{
  int rc = 0;

  if (written(off, len, REG_LIVENESS))
    put32(bar, REG_LIVENESS, ~get32(bar, REG_LIVENESS));
  if (written(off, len, REG_IRQ_RAISE))
    raise_irq(dev, bar, get32(bar, REG_IRQ_RAISE));
  if (written(off, len, REG_IRQ_ACK))
    put32(bar, REG_IRQ_STATUS, get32(bar, REG_IRQ_STATUS) & ~get32(bar, REG_IRQ_ACK));
  if (written(off, len, REG_DMA_CMD) && (get32(bar, REG_DMA_CMD) & DMA_START)) {
    rc = run_dma(dev, bar);
    put32(bar, REG_DMA_CMD, get32(bar, REG_DMA_CMD) & ~DMA_START);
    if (rc == 0 && (get32(bar, REG_DMA_CMD) & DMA_IRQ))
      raise_irq(dev, bar, IRQ_DMA_DONE);
  }
  return rc;
}
