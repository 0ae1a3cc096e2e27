// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-uapi-device.c: the PCI device a VFIO device fd stands for, as
 * vfio-pci presents it: nine regions (BAR0 mmap-able, config space
 * virtualized from sysfs), five IRQ indexes with eventfd triggers, and
 * VFIO_DEVICE_RESET when the device has a reset method, VFIO_DEVICE_FEATURE
 * MIGRATION and DMA_LOGGING_* as its driver registered them. The edu device
 * (1234:11e8) also gets its registers and DMA engine (mock-uapi-edu.c). */
#include "mock-uapi.h"
#include "mock-tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#define NUM_REGIONS (VFIO_PCI_NUM_REGIONS)
#define NUM_IRQS (VFIO_PCI_NUM_IRQS)
#define MAX_VECTORS 64
#define CONFIG_SIZE 256
#define REGION_MASK ((1ULL << HD_VFIO_PCI_REGION_SHIFT) - 1)
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MASTER 0x4

struct MuDevice {
  uint8_t config[CONFIG_SIZE];
  bool reset;                /* VFIO_DEVICE_FLAGS_RESET */
  bool edu;
  unsigned migration;        /* MT_MIG_* of the bound driver */
  int bar_fd;                /* BAR0's memory, shared by mmap and pread/pwrite */
  uint8_t *bar;
  uint64_t bar_size;
  unsigned irq_count[NUM_IRQS];
  int irq_enabled;           /* index of MSI/MSI-X in use, -1 none */
  int triggers[MAX_VECTORS]; /* dup'd eventfds, -1 unset */
  MuSpace *space;
};

static uint16_t cfg16(const MuDevice *dev, unsigned off)
{
  return (uint16_t)(dev->config[off] | dev->config[off + 1] << 8);
}

static void set_cfg16(MuDevice *dev, unsigned off, unsigned value)
{
  dev->config[off] = value & 0xff;
  dev->config[off + 1] = (value >> 8) & 0xff;
}

static unsigned read_hex_attr(const char *dir, const char *attr)
{
  char rel[PATH_MAX];
  char *text;
  unsigned value = 0;

  if (mt_fmt(rel, "%s/%s", dir, attr) == 0 && (text = mt_read_trim(rel)) != NULL) {
    value = (unsigned)strtoul(text, NULL, 16);
    free(text);
  }
  return value;
}

/* Config space from sysfs; a VF's raw IDs read ffff, and vfio-pci shows
 * the real ones (vfio_config_init), so they come from vendor/device. */
static int load_config(MuDevice *dev, const char *dir)
{
  char rel[PATH_MAX], path[PATH_MAX];
  char *physfn;
  int fd;

  if (mt_fmt(rel, "%s/config", dir) < 0 || mt_path(path, rel) < 0)
    return -ENAMETOOLONG;
  if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
    return -errno;
  ssize_t n = read(fd, dev->config, sizeof(dev->config));
  close(fd);
  if (n < 64)
    return -EIO;
  mt_fmt(rel, "%s/physfn", dir);
  if ((physfn = mt_readlink(rel)) != NULL) {
    set_cfg16(dev, 0, read_hex_attr(dir, "vendor"));
    set_cfg16(dev, 2, read_hex_attr(dir, "device"));
    free(physfn);
  }
  mt_fmt(rel, "%s/reset", dir);
  dev->reset = mt_exists(rel);
  return 0;
}

static int make_bar(MuDevice *dev)
{
  dev->bar_size = dev->edu ? 1 << 20 : 16 << 10;
  dev->bar_fd = memfd_create("mock-vfio-bar0", MFD_CLOEXEC);
  if (dev->bar_fd < 0)
    return -errno;
  if (ftruncate(dev->bar_fd, (off_t)dev->bar_size) < 0)
    return -errno;
  dev->bar = mmap(NULL, dev->bar_size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->bar_fd, 0);
  if (dev->bar == MAP_FAILED) {
    dev->bar = NULL;
    return -errno;
  }
  /* edu's identification register; any device: something to read. */
  uint32_t id = dev->edu ? 0x010000ed : 0x4d4f434b;
  memcpy(dev->bar, &id, sizeof(id));
  return 0;
}

/* The migration support of the driver BDF is bound to. */
static unsigned driver_migration(const char *bdf)
{
  char name[128];
  MtDriver drv;

  if (mt_device_driver(bdf, name) < 0 || name[0] == '\0' || !mt_driver_lookup(name, &drv))
    return 0;
  return drv.migration;
}

MuDevice *mu_device_new(const char *bdf)
{
  MuDevice *dev = calloc(1, sizeof(*dev));
  char dir[PATH_MAX];
  int rc;

  if (dev == NULL)
    return NULL;
  dev->bar_fd = -1;
  dev->irq_enabled = -1;
  for (int i = 0; i < MAX_VECTORS; i++)
    dev->triggers[i] = -1;
  if ((rc = mt_device_dir(bdf, dir)) < 0 || (rc = load_config(dev, dir)) < 0)
    goto fail;
  dev->edu = cfg16(dev, 0) == 0x1234 && cfg16(dev, 2) == 0x11e8;
  dev->migration = driver_migration(bdf);
  /* edu has one MSI vector and no MSI-X; others get both, several vectors. */
  dev->irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 1;
  dev->irq_count[VFIO_PCI_MSI_IRQ_INDEX] = dev->edu ? 1 : 4;
  dev->irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = dev->edu ? 0 : 8;
  dev->irq_count[VFIO_PCI_ERR_IRQ_INDEX] = 1;
  dev->irq_count[VFIO_PCI_REQ_IRQ_INDEX] = 1;
  if ((rc = make_bar(dev)) < 0)
    goto fail;
  return dev;
fail:
  mu_device_free(dev);
  errno = -rc;
  return NULL;
}

static void clear_triggers(MuDevice *dev)
{
  for (int i = 0; i < MAX_VECTORS; i++)
    if (dev->triggers[i] >= 0) {
      close(dev->triggers[i]);
      dev->triggers[i] = -1;
    }
  dev->irq_enabled = -1;
}

void mu_device_free(MuDevice *dev)
{
  if (dev == NULL)
    return;
  clear_triggers(dev);
  if (dev->bar != NULL)
    munmap(dev->bar, dev->bar_size);
  if (dev->bar_fd >= 0)
    close(dev->bar_fd);
  mu_device_detach(dev);
  free(dev);
}

void mu_device_attach(MuDevice *dev, MuSpace *space)
{
  dev->space = mu_space_ref(space);
  space->attached++;
}

bool mu_device_attached(const MuDevice *dev)
{
  return dev->space != NULL;
}

void mu_device_detach(MuDevice *dev)
{
  if (dev->space == NULL)
    return;
  dev->space->attached--;
  mu_space_unref(dev->space);
  dev->space = NULL;
}

bool mu_device_bus_master(const MuDevice *dev)
{
  return cfg16(dev, PCI_COMMAND) & PCI_COMMAND_MASTER;
}

MuSpace *mu_device_space(const MuDevice *dev)
{
  return dev->space;
}

void mu_device_fire_msi(MuDevice *dev, unsigned vector)
{
  uint64_t one = 1;

  if (dev->irq_enabled == VFIO_PCI_MSI_IRQ_INDEX && vector < MAX_VECTORS && dev->triggers[vector] >= 0 &&
      write(dev->triggers[vector], &one, sizeof(one)) < 0) {
    /* an eventfd at its maximum: the kernel would drop it too */
  }
}

/* ---- ioctls ---- */

static int get_info(MuDevice *dev, struct vfio_device_info *info)
{
  if (info->argsz < offsetof(struct vfio_device_info, num_irqs) + sizeof(info->num_irqs))
    return -EINVAL;
  info->flags = VFIO_DEVICE_FLAGS_PCI | (dev->reset ? VFIO_DEVICE_FLAGS_RESET : 0);
  info->num_regions = NUM_REGIONS;
  info->num_irqs = NUM_IRQS;
  return 0;
}

static int get_region_info(MuDevice *dev, struct vfio_region_info *info)
{
  /* No fake device is a VGA controller: vfio-pci says EINVAL then. */
  if (info->argsz < sizeof(*info) || info->index >= NUM_REGIONS || info->index == VFIO_PCI_VGA_REGION_INDEX)
    return -EINVAL;
  info->offset = (uint64_t)info->index << HD_VFIO_PCI_REGION_SHIFT;
  info->cap_offset = 0;
  info->size = 0;
  info->flags = 0;
  if (info->index == VFIO_PCI_BAR0_REGION_INDEX) {
    info->size = dev->bar_size;
    info->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP;
  } else if (info->index == VFIO_PCI_CONFIG_REGION_INDEX) {
    info->size = CONFIG_SIZE;
    info->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
  }
  return 0;
}

static int get_irq_info(MuDevice *dev, struct vfio_irq_info *info)
{
  if (info->argsz < sizeof(*info) || info->index >= NUM_IRQS)
    return -EINVAL;
  info->count = dev->irq_count[info->index];
  info->flags = VFIO_IRQ_INFO_EVENTFD;
  if (info->index == VFIO_PCI_INTX_IRQ_INDEX)
    info->flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
  else if (info->index == VFIO_PCI_MSI_IRQ_INDEX)
    info->flags |= VFIO_IRQ_INFO_NORESIZE;
  return 0;
}

/* vfio_set_irqs_validate_and_prepare(): one data type, one action, the
 * vectors within the index, the data there. */
static int validate_set(MuDevice *dev, const struct vfio_irq_set *set)
{
  uint32_t data = set->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
  uint32_t action = set->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
  size_t size = data == VFIO_IRQ_SET_DATA_EVENTFD ? 4 : data == VFIO_IRQ_SET_DATA_BOOL ? 1 : 0;

  if (set->argsz < sizeof(*set) || set->index >= NUM_IRQS ||
      (set->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK)) ||
      __builtin_popcount(data) != 1 || __builtin_popcount(action) != 1)
    return -EINVAL;
  if (set->start >= dev->irq_count[set->index] || set->count > dev->irq_count[set->index] - set->start)
    return -EINVAL;
  if (set->argsz - sizeof(*set) < size * set->count)
    return -EINVAL;
  return 0;
}

static int assign_triggers(MuDevice *dev, const struct vfio_irq_set *set)
{
  const int32_t *fds = (const int32_t *)set->data;

  for (uint32_t i = 0; i < set->count && set->start + i < MAX_VECTORS; i++) {
    int *slot = &dev->triggers[set->start + i];
    if (*slot >= 0)
      close(*slot);
    *slot = -1;
    if (fds[i] >= 0 && (*slot = fcntl(fds[i], F_DUPFD_CLOEXEC, 0)) < 0)
      return -EBADF;
  }
  return 0;
}

/* vfio_pci_set_msi_trigger(): MSI and MSI-X only. */
static int set_irqs(MuDevice *dev, const struct vfio_irq_set *set)
{
  uint32_t data = set->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
  int rc = validate_set(dev, set);

  if (rc < 0)
    return rc;
  if ((set->index != VFIO_PCI_MSI_IRQ_INDEX && set->index != VFIO_PCI_MSIX_IRQ_INDEX) ||
      !(set->flags & VFIO_IRQ_SET_ACTION_TRIGGER))
    return -EINVAL; /* INTx, ERR, REQ, mask/unmask: not emulated */
  if (dev->irq_enabled == (int)set->index && set->count == 0 && data == VFIO_IRQ_SET_DATA_NONE) {
    clear_triggers(dev);
    return 0;
  }
  if (dev->irq_enabled != -1 && dev->irq_enabled != (int)set->index)
    return -EINVAL;
  if (data == VFIO_IRQ_SET_DATA_EVENTFD) {
    dev->irq_enabled = (int)set->index;
    return assign_triggers(dev, set);
  }
  if (dev->irq_enabled != (int)set->index)
    return -EINVAL;
  for (uint32_t i = 0; i < set->count && set->start + i < MAX_VECTORS; i++) {
    uint64_t one = 1;
    int fd = dev->triggers[set->start + i];
    if (fd >= 0 && (data == VFIO_IRQ_SET_DATA_NONE || set->data[i]) && write(fd, &one, sizeof(one)) < 0)
      return -errno;
  }
  return 0;
}

/* vfio_check_feature(): 0 for a probe, 1 to go on, or -EINVAL. */
static int check_feature(uint32_t flags, size_t argsz, uint32_t supported_ops, size_t minsz)
{
  if ((flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET)) & ~supported_ops)
    return -EINVAL;
  if (flags & VFIO_DEVICE_FEATURE_PROBE)
    return 0;
  if (!(flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET)) || argsz < minsz)
    return -EINVAL;
  return 1;
}

/* vfio_ioctl_device_feature() for MIGRATION and DMA_LOGGING_START, the
 * features a driver without migration or log ops answers ENOTTY (as
 * vfio-pci does); the device-specific ones (vfio-pci's PCI_VF_TOKEN,
 * LOW_POWER_*) are not emulated: ENOTTY too. */
static int device_feature(MuDevice *dev, struct vfio_device_feature *feature)
{
  size_t minsz = offsetof(struct vfio_device_feature, data);
  size_t argsz = feature->argsz - minsz;
  unsigned mig_flags = dev->migration & ~MT_MIG_DIRTY_TRACKING;
  int rc;

  if (feature->argsz < minsz)
    return -EINVAL;
  if (feature->flags & ~(VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_GET |
                         VFIO_DEVICE_FEATURE_PROBE))
    return -EINVAL;
  if (!(feature->flags & VFIO_DEVICE_FEATURE_PROBE) && (feature->flags & VFIO_DEVICE_FEATURE_SET) &&
      (feature->flags & VFIO_DEVICE_FEATURE_GET))
    return -EINVAL;
  switch (feature->flags & VFIO_DEVICE_FEATURE_MASK) {
  case VFIO_DEVICE_FEATURE_MIGRATION: {
    struct vfio_device_feature_migration mig = {.flags = mig_flags};
    if (mig_flags == 0)
      return -ENOTTY;
    if ((rc = check_feature(feature->flags, argsz, VFIO_DEVICE_FEATURE_GET, sizeof(mig))) != 1)
      return rc;
    memcpy(feature->data, &mig, sizeof(mig));
    return 0;
  }
  case VFIO_DEVICE_FEATURE_DMA_LOGGING_START:
    if (!(dev->migration & MT_MIG_DIRTY_TRACKING))
      return -ENOTTY;
    rc = check_feature(feature->flags, argsz, VFIO_DEVICE_FEATURE_SET,
                       sizeof(struct vfio_device_feature_dma_logging_control));
    /* starting the log is not emulated: the tool only probes */
    return rc == 1 ? -EOPNOTSUPP : rc;
  default:
    return -ENOTTY;
  }
}

int mu_device_ioctl(MuDevice *dev, unsigned long request, void *arg)
{
  switch (request) {
  case VFIO_DEVICE_GET_INFO:
    return get_info(dev, arg);
  case VFIO_DEVICE_GET_REGION_INFO:
    return get_region_info(dev, arg);
  case VFIO_DEVICE_GET_IRQ_INFO:
    return get_irq_info(dev, arg);
  case VFIO_DEVICE_SET_IRQS:
    return set_irqs(dev, arg);
  case VFIO_DEVICE_RESET:
    return dev->reset ? 0 : -EINVAL;
  case VFIO_DEVICE_FEATURE:
    return device_feature(dev, arg);
  default:
    return -ENOTTY;
  }
}

/* ---- regions ---- */

/* The bytes [offset, offset+count) of one region: index and start. */
static int locate(const MuDevice *dev, off_t offset, size_t count, unsigned *index, uint64_t *start)
{
  uint64_t size;

  *index = (unsigned)((uint64_t)offset >> HD_VFIO_PCI_REGION_SHIFT);
  *start = (uint64_t)offset & REGION_MASK;
  size = *index == VFIO_PCI_BAR0_REGION_INDEX ? dev->bar_size : *index == VFIO_PCI_CONFIG_REGION_INDEX ? CONFIG_SIZE : 0;
  if (*start > size || count > size - *start)
    return -EINVAL;
  return 0;
}

ssize_t mu_device_pread(MuDevice *dev, void *buf, size_t count, off_t offset)
{
  unsigned index;
  uint64_t start;
  int rc = locate(dev, offset, count, &index, &start);

  if (rc < 0)
    return rc;
  memcpy(buf, (index == VFIO_PCI_BAR0_REGION_INDEX ? dev->bar : dev->config) + start, count);
  return (ssize_t)count;
}

/* vfio-pci virtualizes config space: of what the tests touch, only the
 * command register takes writes; the rest is dropped silently. */
static void config_write(MuDevice *dev, const uint8_t *buf, size_t count, uint64_t start)
{
  for (size_t i = 0; i < count; i++)
    if (start + i == PCI_COMMAND || start + i == PCI_COMMAND + 1)
      dev->config[start + i] = buf[i];
}

ssize_t mu_device_pwrite(MuDevice *dev, const void *buf, size_t count, off_t offset)
{
  unsigned index;
  uint64_t start;
  int rc = locate(dev, offset, count, &index, &start);

  if (rc < 0)
    return rc;
  if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
    config_write(dev, buf, count, start);
    return (ssize_t)count;
  }
  memcpy(dev->bar + start, buf, count);
  if (dev->edu && (rc = mu_edu_write(dev, dev->bar, start, count)) < 0)
    return rc;
  return (ssize_t)count;
}

void *mu_device_mmap(MuDevice *dev, void *addr, size_t length, int prot, int flags, off_t offset)
{
  unsigned index;
  uint64_t start;

  if (locate(dev, offset, length, &index, &start) < 0 || index != VFIO_PCI_BAR0_REGION_INDEX ||
      !(flags & MAP_SHARED)) {
    errno = EINVAL;
    return MAP_FAILED;
  }
  return mmap(addr, length, prot, flags, dev->bar_fd, (off_t)start);
}
