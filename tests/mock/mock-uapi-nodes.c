// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-uapi-nodes.c: the VFIO container (/dev/vfio/vfio) with the type1v2
 * IOMMU, group nodes (/dev/vfio/<group>), device fds, device cdevs
 * (/dev/vfio/devices/vfioN) and iommufd (/dev/iommu), with the order of
 * operations and errors the kernel enforces. */
#include "mock-uapi.h"
#include "mock-tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IOAS 16

typedef enum { MU_CONTAINER, MU_GROUP, MU_DEVICE, MU_CDEV, MU_IOMMUFD } MuKind;

/* Shared by a container fd and the groups set to it. */
typedef struct {
  int refs;
  int groups;
  MuSpace *space; /* NULL until VFIO_SET_IOMMU */
} MuContainer;

/* Shared by an iommufd fd and the cdevs bound to it. */
typedef struct {
  int refs;
  MuSpace *ioas[MAX_IOAS + 1]; /* by id; ids 1.. (device ids take others) */
  uint32_t next_id;
} MuIommufd;

struct MuObject {
  MuKind kind;
  MuContainer *container; /* MU_CONTAINER, MU_GROUP once set */
  int group;              /* MU_GROUP */
  MuDevice *device;       /* MU_DEVICE, MU_CDEV */
  char vfio_name[32];     /* MU_CDEV: "vfioN" */
  MuIommufd *iommufd;     /* MU_IOMMUFD, MU_CDEV once bound */
  uint32_t dev_id;
  char bdf[32];           /* MU_DEVICE, MU_CDEV once bound: counted in openers */
};

/* ---- who has a device open ---- */

/* The kernel lets a device be opened through its group by several fds, but
 * a cdev binds only when nobody has it open (vfio_df_open), and a group
 * cannot open a device a cdev holds (the group node itself is refused). */
#define MAX_OPEN 64
static struct {
  char bdf[32];
  int group_fds, cdevs;
} openers[MAX_OPEN];

static int *opener_count(const char *bdf, bool cdev)
{
  int free_slot = -1;

  for (int i = 0; i < MAX_OPEN; i++) {
    if (strcmp(openers[i].bdf, bdf) == 0)
      return cdev ? &openers[i].cdevs : &openers[i].group_fds;
    if (free_slot < 0 && openers[i].bdf[0] == '\0')
      free_slot = i;
  }
  if (free_slot < 0)
    return NULL;
  snprintf(openers[free_slot].bdf, sizeof(openers[free_slot].bdf), "%s", bdf);
  return cdev ? &openers[free_slot].cdevs : &openers[free_slot].group_fds;
}

static int openers_of(const char *bdf)
{
  int *group_fds = opener_count(bdf, false), *cdevs = opener_count(bdf, true);

  return (group_fds != NULL ? *group_fds : 0) + (cdevs != NULL ? *cdevs : 0);
}

static void opener_add(MuObject *obj, const char *bdf, int delta)
{
  int *count;

  if (delta > 0)
    snprintf(obj->bdf, sizeof(obj->bdf), "%s", bdf);
  if (obj->bdf[0] != '\0' && (count = opener_count(obj->bdf, obj->kind == MU_CDEV)) != NULL)
    *count += delta;
}

static MuObject *object_new(MuKind kind)
{
  MuObject *obj = calloc(1, sizeof(*obj));

  if (obj != NULL)
    obj->kind = kind;
  return obj;
}

MuObject *mu_node_open(const char *logical)
{
  MuObject *obj = NULL;
  const char *rest;

  if (strcmp(logical, "/dev/vfio/vfio") == 0) {
    if ((obj = object_new(MU_CONTAINER)) != NULL && (obj->container = calloc(1, sizeof(MuContainer))) != NULL)
      obj->container->refs = 1;
  } else if (strcmp(logical, "/dev/iommu") == 0) {
    if ((obj = object_new(MU_IOMMUFD)) != NULL && (obj->iommufd = calloc(1, sizeof(MuIommufd))) != NULL) {
      obj->iommufd->refs = 1;
      obj->iommufd->next_id = 1;
    }
  } else if (strncmp(logical, "/dev/vfio/devices/", 18) == 0) {
    if ((obj = object_new(MU_CDEV)) != NULL)
      snprintf(obj->vfio_name, sizeof(obj->vfio_name), "%s", logical + 18);
  } else if (strncmp(logical, "/dev/vfio/", 10) == 0 && *(rest = logical + 10) >= '0' && *rest <= '9') {
    if ((obj = object_new(MU_GROUP)) != NULL)
      obj->group = atoi(rest);
  }
  return obj;
}

static void container_unref(MuContainer *c)
{
  if (c == NULL || --c->refs > 0)
    return;
  mu_space_unref(c->space);
  free(c);
}

static void iommufd_unref(MuIommufd *i)
{
  if (i == NULL || --i->refs > 0)
    return;
  for (int id = 0; id <= MAX_IOAS; id++)
    mu_space_unref(i->ioas[id]);
  free(i);
}

void mu_node_close(MuObject *obj)
{
  opener_add(obj, NULL, -1);
  if (obj->kind == MU_GROUP && obj->container != NULL)
    obj->container->groups--;
  container_unref(obj->container);
  iommufd_unref(obj->iommufd);
  mu_device_free(obj->device);
  free(obj);
}

MuDevice *mu_node_device(MuObject *obj)
{
  if (obj->kind == MU_DEVICE || (obj->kind == MU_CDEV && obj->device != NULL && mu_device_attached(obj->device)))
    return obj->device;
  return NULL;
}

/* ---- groups ---- */

/* Every member VFIO-bound, unbound, or on a driver that leaves DMA alone. */
static bool group_viable(int group)
{
  char rel[PATH_MAX], driver[128];
  char **names;
  int n = (mt_fmt(rel, "/sys/kernel/iommu_groups/%d/devices", group), mt_list_dir(rel, &names));
  bool viable = n > 0;

  for (int i = 0; i < n && viable; i++) {
    bool vfio = mt_device_vfio_bound(names[i]);
    mt_device_driver(names[i], driver);
    viable = vfio || driver[0] == '\0' || strcmp(driver, "pcieport") == 0 || strcmp(driver, "pci-stub") == 0;
  }
  if (n > 0)
    mt_strv_free(names);
  return viable;
}

static long group_get_device_fd(MuObject *group, const char *name)
{
  MuObject *obj;

  if (group->container == NULL || group->container->space == NULL)
    return -EINVAL;
  if (mt_device_group(name) != group->group || !mt_device_vfio_bound(name))
    return -ENODEV;
  int *cdevs = opener_count(name, true);
  if (cdevs != NULL && *cdevs > 0)
    return -EBUSY;
  if ((obj = object_new(MU_DEVICE)) == NULL)
    return -ENOMEM;
  if ((obj->device = mu_device_new(name)) == NULL) {
    free(obj);
    return -ENODEV;
  }
  mu_device_attach(obj->device, group->container->space);
  opener_add(obj, name, 1);
  long fd = mu_fd_new(obj);
  if (fd < 0)
    mu_node_close(obj);
  return fd;
}

static long group_ioctl(MuObject *group, unsigned long request, void *arg)
{
  struct vfio_group_status *status = arg;
  MuObject *container;

  switch (request) {
  case VFIO_GROUP_GET_STATUS:
    if (status->argsz < sizeof(*status))
      return -EINVAL;
    status->flags = (group_viable(group->group) ? VFIO_GROUP_FLAGS_VIABLE : 0) |
                    (group->container != NULL ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
    return 0;
  case VFIO_GROUP_SET_CONTAINER:
    if (group->container != NULL)
      return -EINVAL;
    if ((container = mu_fd_object(*(const int *)arg)) == NULL || container->kind != MU_CONTAINER)
      return -EBADF;
    if (!group_viable(group->group))
      return -EPERM;
    group->container = container->container;
    group->container->refs++;
    group->container->groups++;
    return 0;
  case VFIO_GROUP_UNSET_CONTAINER:
    if (group->container == NULL)
      return -EINVAL;
    group->container->groups--;
    container_unref(group->container);
    group->container = NULL;
    return 0;
  case VFIO_GROUP_GET_DEVICE_FD:
    return group_get_device_fd(group, arg);
  default:
    return -ENOTTY;
  }
}

/* ---- the container and type1 ---- */

static long type1_get_info(MuContainer *c, struct vfio_iommu_type1_info *info)
{
  size_t n;
  const struct vfio_iova_range *ranges = mu_space_ranges(c->space, &n);
  size_t cap_size = sizeof(struct vfio_iommu_type1_info_cap_iova_range) + n * sizeof(*ranges);
  size_t total = sizeof(*info) + cap_size;

  if (info->argsz < offsetof(struct vfio_iommu_type1_info, iova_pgsizes) + sizeof(info->iova_pgsizes))
    return -EINVAL;
  info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
  info->iova_pgsizes = 4096 | (2 << 20) | (1 << 30);
  if (info->argsz < total) {
    info->argsz = (uint32_t)total;
    info->cap_offset = 0;
    return 0;
  }
  struct vfio_iommu_type1_info_cap_iova_range *cap = (void *)((char *)info + sizeof(*info));
  cap->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
  cap->header.version = 1;
  cap->header.next = 0;
  cap->nr_iovas = (uint32_t)n;
  memcpy(cap->iova_ranges, ranges, n * sizeof(*ranges));
  info->cap_offset = sizeof(*info);
  return 0;
}

/* Without vfio_iommu_type1 the container is iommufd's emulation of it
 * (CONFIG_IOMMUFD_VFIO_CONTAINER): it pins pages like iommufd, and an
 * unmap that finds nothing is ENOENT (iopt_unmap_iova), where type1 says 0
 * bytes. */
static bool iommufd_compat(void)
{
  return !mt_exists("/sys/module/vfio_iommu_type1");
}

static long type1_map(MuContainer *c, const struct vfio_iommu_type1_dma_map *map)
{
  if (map->argsz < sizeof(*map) || map->flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE))
    return -EINVAL;
  return mu_space_map(c->space, map->iova, map->size, (void *)(uintptr_t)map->vaddr, iommufd_compat());
}

static long type1_unmap(MuContainer *c, struct vfio_iommu_type1_dma_unmap *unmap)
{
  bool all = unmap->flags & VFIO_DMA_UNMAP_FLAG_ALL;
  uint64_t unmapped = 0;
  int rc;

  if (unmap->argsz < sizeof(*unmap) || unmap->flags & ~VFIO_DMA_UNMAP_FLAG_ALL || (all && (unmap->iova || unmap->size)))
    return -EINVAL;
  if ((rc = mu_space_unmap(c->space, unmap->iova, unmap->size, all, &unmapped)) < 0)
    return rc;
  if (unmapped == 0 && !all && iommufd_compat())
    return -ENOENT;
  unmap->size = unmapped;
  return 0;
}

static long container_ioctl(MuObject *obj, unsigned long request, void *arg)
{
  MuContainer *c = obj->container;
  unsigned long ext = (unsigned long)arg;

  switch (request) {
  case VFIO_GET_API_VERSION:
    return VFIO_API_VERSION;
  case VFIO_CHECK_EXTENSION:
    return ext == VFIO_TYPE1_IOMMU || ext == VFIO_TYPE1v2_IOMMU || ext == VFIO_UNMAP_ALL;
  case VFIO_SET_IOMMU:
    if (c->groups == 0 || c->space != NULL)
      return -EINVAL;
    if (ext != VFIO_TYPE1v2_IOMMU && ext != VFIO_TYPE1_IOMMU)
      return -ENODEV;
    return (c->space = mu_space_new()) != NULL ? 0 : -ENOMEM;
  }
  if (c->space == NULL)
    return -EINVAL;
  switch (request) {
  case VFIO_IOMMU_GET_INFO:
    return type1_get_info(c, arg);
  case VFIO_IOMMU_MAP_DMA:
    return type1_map(c, arg);
  case VFIO_IOMMU_UNMAP_DMA:
    return type1_unmap(c, arg);
  default:
    return -ENOTTY;
  }
}

/* ---- iommufd ---- */

static MuSpace *ioas_get(MuIommufd *i, uint32_t id)
{
  return id >= 1 && id <= MAX_IOAS ? i->ioas[id] : NULL;
}

static long ioas_alloc(MuIommufd *i, struct iommu_ioas_alloc *alloc)
{
  if (alloc->size < sizeof(*alloc) || alloc->flags != 0)
    return alloc->size < sizeof(*alloc) ? -EINVAL : -EOPNOTSUPP;
  if (i->next_id > MAX_IOAS || (i->ioas[i->next_id] = mu_space_new()) == NULL)
    return -ENOMEM;
  alloc->out_ioas_id = i->next_id++;
  return 0;
}

static long ioas_ranges(MuIommufd *i, struct iommu_ioas_iova_ranges *q)
{
  MuSpace *space = ioas_get(i, q->ioas_id);
  size_t n;

  if (q->size < sizeof(*q) || q->__reserved != 0)
    return -EINVAL;
  if (space == NULL)
    return -ENOENT;
  const struct vfio_iova_range *ranges = mu_space_ranges(space, &n);
  uint32_t room = q->num_iovas;
  q->num_iovas = (uint32_t)n;
  q->out_iova_alignment = 4096;
  if (room < n)
    return -EMSGSIZE;
  struct iommu_iova_range *out = (void *)(uintptr_t)q->allowed_iovas;
  for (size_t k = 0; k < n; k++)
    out[k] = (struct iommu_iova_range){ranges[k].start, ranges[k].end};
  return 0;
}

static long ioas_map(MuIommufd *i, const struct iommu_ioas_map *map)
{
  MuSpace *space = ioas_get(i, map->ioas_id);
  const uint32_t known = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE;

  if (map->size < sizeof(*map) || map->__reserved != 0 || map->flags & ~known)
    return -EINVAL;
  if (space == NULL)
    return -ENOENT;
  if (!(map->flags & IOMMU_IOAS_MAP_FIXED_IOVA))
    return -EOPNOTSUPP; /* IOVA allocation is not emulated */
  return mu_space_map(space, map->iova, map->length, (void *)(uintptr_t)map->user_va, true);
}

static long ioas_unmap(MuIommufd *i, struct iommu_ioas_unmap *unmap)
{
  MuSpace *space = ioas_get(i, unmap->ioas_id);
  bool all = unmap->iova == 0 && unmap->length == UINT64_MAX;
  uint64_t unmapped = 0;
  int rc;

  if (unmap->size < sizeof(*unmap))
    return -EINVAL;
  if (space == NULL)
    return -ENOENT;
  if ((rc = mu_space_unmap(space, unmap->iova, unmap->length, all, &unmapped)) < 0)
    return rc;
  if (unmapped == 0 && !all)
    return -ENOENT;
  unmap->length = unmapped;
  return 0;
}

static long iommufd_ioctl(MuObject *obj, unsigned long request, void *arg)
{
  MuIommufd *i = obj->iommufd;
  struct iommu_destroy *destroy = arg;

  switch (request) {
  case IOMMU_IOAS_ALLOC:
    return ioas_alloc(i, arg);
  case IOMMU_IOAS_IOVA_RANGES:
    return ioas_ranges(i, arg);
  case IOMMU_IOAS_MAP:
    return ioas_map(i, arg);
  case IOMMU_IOAS_UNMAP:
    return ioas_unmap(i, arg);
  case IOMMU_DESTROY:
    if (ioas_get(i, destroy->id) == NULL)
      return -ENOENT;
    if (i->ioas[destroy->id]->attached > 0)
      return -EBUSY;
    mu_space_unref(i->ioas[destroy->id]);
    i->ioas[destroy->id] = NULL;
    return 0;
  default:
    return -ENOTTY;
  }
}

/* ---- the device cdev ---- */

/* The PCI device whose vfio-dev/ holds this cdev's name. */
static int cdev_bdf(const char *vfio_name, char *bdf, size_t size)
{
  char rel[PATH_MAX], dir[PATH_MAX];
  char **names;
  int n = mt_list_dir("/sys/bus/pci/devices", &names), rc = -ENODEV;

  for (int k = 0; k < n && rc < 0; k++)
    if (mt_device_dir(names[k], dir) == 0 && mt_fmt(rel, "%s/vfio-dev/%s", dir, vfio_name) == 0 && mt_exists(rel)) {
      snprintf(bdf, size, "%s", names[k]);
      rc = 0;
    }
  if (n > 0)
    mt_strv_free(names);
  return rc;
}

static long cdev_bind(MuObject *obj, struct vfio_device_bind_iommufd *bind)
{
  MuObject *iommufd;
  char bdf[32];

  /* vfio_df_ioctl_bind_iommufd checks the number first; iommufd_ctx_from_fd
   * says EBADF for no fd, EBADFD for an fd that is not an iommufd. */
  if (bind->argsz < sizeof(*bind) || bind->flags != 0 || bind->iommufd < 0)
    return -EINVAL;
  if (obj->iommufd != NULL)
    return -EINVAL;
  if ((iommufd = mu_fd_object(bind->iommufd)) == NULL || iommufd->kind != MU_IOMMUFD)
    return fcntl(bind->iommufd, F_GETFD) < 0 ? -EBADF : -EBADFD;
  if (cdev_bdf(obj->vfio_name, bdf, sizeof(bdf)) < 0)
    return -ENODEV;
  if (openers_of(bdf) > 0)
    return -EINVAL;
  if ((obj->device = mu_device_new(bdf)) == NULL)
    return -ENODEV;
  opener_add(obj, bdf, 1);
  obj->iommufd = iommufd->iommufd;
  obj->iommufd->refs++;
  /* device ids come from the same number space as IOAS ids */
  obj->dev_id = 0x100 + (uint32_t)atoi(obj->vfio_name + 4);
  bind->out_devid = obj->dev_id;
  return 0;
}

static long cdev_attach(MuObject *obj, const struct vfio_device_attach_iommufd_pt *attach)
{
  MuSpace *space;

  if (attach->argsz < offsetof(struct vfio_device_attach_iommufd_pt, pt_id) + sizeof(attach->pt_id) ||
      attach->flags != 0)
    return -EINVAL;
  if (obj->iommufd == NULL)
    return -EINVAL;
  if ((space = ioas_get(obj->iommufd, attach->pt_id)) == NULL)
    return -ENOENT;
  if (mu_device_attached(obj->device))
    return -EBUSY;
  mu_device_attach(obj->device, space);
  return 0;
}

/* Detaching what is not attached is no error (vfio_iommufd_physical_detach_ioas). */
static long cdev_detach(MuObject *obj, const struct vfio_device_detach_iommufd_pt *detach)
{
  if (detach->argsz < sizeof(*detach) || detach->flags != 0 || obj->iommufd == NULL)
    return -EINVAL;
  mu_device_detach(obj->device);
  return 0;
}

static long cdev_ioctl(MuObject *obj, unsigned long request, void *arg)
{
  switch (request) {
  case VFIO_DEVICE_BIND_IOMMUFD:
    return cdev_bind(obj, arg);
  case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
    return cdev_attach(obj, arg);
  case VFIO_DEVICE_DETACH_IOMMUFD_PT:
    return cdev_detach(obj, arg);
  }
  /* Everything else waits for the bind (vfio_device_fops_cdev_ioctl). */
  if (obj->iommufd == NULL)
    return -EINVAL;
  return mu_device_ioctl(obj->device, request, arg);
}

long mu_node_ioctl(MuObject *obj, unsigned long request, void *arg)
{
  switch (obj->kind) {
  case MU_CONTAINER:
    return container_ioctl(obj, request, arg);
  case MU_GROUP:
    return group_ioctl(obj, request, arg);
  case MU_DEVICE:
    return mu_device_ioctl(obj->device, request, arg);
  case MU_CDEV:
    return cdev_ioctl(obj, request, arg);
  case MU_IOMMUFD:
    return iommufd_ioctl(obj, request, arg);
  }
  return -ENOTTY;
}
