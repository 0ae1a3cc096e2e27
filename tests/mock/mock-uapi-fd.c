// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-uapi-fd.c: the libc entry points of the uAPI preload. An fd opened
 * on a fake node becomes known at its first VFIO/iommufd ioctl (type ';'),
 * by the path /proc/self/fd names; device fds are memfds the emulation
 * hands out. Every other fd, and every other call, goes to the next
 * definition (the main mock, then libc). Faults: $ROOT/.mock/uapi-faults,
 * lines "IOCTL_NAME ERRNO [NTH]" (NTH: only the nth such call of the
 * process, counted from 1; without it every call fails). */
#include "mock-preload.h"
#include "mock-tree.h"
#include "mock-uapi.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NEXT(fn)                                                                                    \
  ({                                                                                                \
    static __typeof__(&fn) next_;                                                                   \
    if (next_ == NULL)                                                                              \
      next_ = (__typeof__(&fn))dlsym(RTLD_NEXT, #fn);                                               \
    next_;                                                                                          \
  })

typedef struct {
  int fd;
  dev_t dev;
  ino_t ino;
  MuObject *obj;
} Entry;

/* Recursive: closing an object closes its own fds (eventfds, BAR memfd) through close() here. */
static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static Entry *entries;
static size_t n_entries, cap_entries;

static bool same_file(int fd, const Entry *e)
{
  struct stat st;

  return fstat(fd, &st) == 0 && st.st_dev == e->dev && st.st_ino == e->ino;
}

/* Call with the lock held. */
static Entry *find(int fd)
{
  for (size_t i = 0; i < n_entries; i++)
    if (entries[i].fd == fd)
      return same_file(fd, &entries[i]) ? &entries[i] : NULL;
  return NULL;
}

static void forget(size_t i)
{
  mu_node_close(entries[i].obj);
  entries[i] = entries[--n_entries];
}

/* Call with the lock held; an fd number reused behind our back replaces its entry. */
static int remember(int fd, MuObject *obj)
{
  struct stat st;

  if (fstat(fd, &st) < 0)
    return -errno;
  for (size_t i = 0; i < n_entries; i++)
    if (entries[i].fd == fd) {
      forget(i);
      break;
    }
  if (n_entries == cap_entries) {
    size_t cap = cap_entries ? cap_entries * 2 : 16;
    Entry *grown = realloc(entries, cap * sizeof(*grown));
    if (grown == NULL)
      return -ENOMEM;
    entries = grown;
    cap_entries = cap;
  }
  entries[n_entries++] = (Entry){fd, st.st_dev, st.st_ino, obj};
  return 0;
}

static const char *root(void)
{
  const char *env = getenv("VFIO_HOSTDEV_MOCK_ROOT");

  if (mt_root() == NULL && env != NULL && env[0] == '/')
    mt_set_root(env);
  return mt_root();
}

/* A fake node's fd seen for the first time: what /proc says it is. */
static MuObject *identify(int fd)
{
  char link[64], target[PATH_MAX];
  const char *r = root();
  ssize_t n;
  size_t len;

  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  if (r == NULL || (n = readlink(link, target, sizeof(target) - 1)) < 0)
    return NULL;
  target[n] = '\0';
  len = strlen(r);
  if (strncmp(target, r, len) != 0 || strncmp(target + len, "/dev/", 5) != 0)
    return NULL;
  MuObject *obj = mu_node_open(target + len);
  if (obj != NULL && remember(fd, obj) < 0) {
    mu_node_close(obj);
    return NULL;
  }
  return obj;
}

int mu_fd_new(MuObject *obj)
{
  int fd = memfd_create("mock-vfio-device", MFD_CLOEXEC);
  int rc;

  if (fd < 0)
    return -errno;
  /* called from an ioctl: the lock is held */
  if ((rc = remember(fd, obj)) < 0) {
    NEXT(close)(fd);
    return rc;
  }
  return fd;
}

MuObject *mu_fd_object(int fd)
{
  Entry *e = find(fd);

  return e != NULL ? e->obj : identify(fd);
}

/* ---- faults ---- */

static const struct {
  unsigned long request;
  const char *name;
} ioctl_names[] = {
  {VFIO_GET_API_VERSION, "VFIO_GET_API_VERSION"},
  {VFIO_CHECK_EXTENSION, "VFIO_CHECK_EXTENSION"},
  {VFIO_SET_IOMMU, "VFIO_SET_IOMMU"},
  {VFIO_GROUP_GET_STATUS, "VFIO_GROUP_GET_STATUS"},
  {VFIO_GROUP_SET_CONTAINER, "VFIO_GROUP_SET_CONTAINER"},
  {VFIO_GROUP_UNSET_CONTAINER, "VFIO_GROUP_UNSET_CONTAINER"},
  {VFIO_GROUP_GET_DEVICE_FD, "VFIO_GROUP_GET_DEVICE_FD"},
  {VFIO_DEVICE_GET_INFO, "VFIO_DEVICE_GET_INFO"},
  {VFIO_DEVICE_GET_REGION_INFO, "VFIO_DEVICE_GET_REGION_INFO"},
  {VFIO_DEVICE_GET_IRQ_INFO, "VFIO_DEVICE_GET_IRQ_INFO"},
  {VFIO_DEVICE_SET_IRQS, "VFIO_DEVICE_SET_IRQS"},
  {VFIO_DEVICE_RESET, "VFIO_DEVICE_RESET"},
  {VFIO_DEVICE_FEATURE, "VFIO_DEVICE_FEATURE"},
  {VFIO_IOMMU_GET_INFO, "VFIO_IOMMU_GET_INFO"},
  {VFIO_IOMMU_MAP_DMA, "VFIO_IOMMU_MAP_DMA"},
  {VFIO_IOMMU_UNMAP_DMA, "VFIO_IOMMU_UNMAP_DMA"},
  {VFIO_DEVICE_BIND_IOMMUFD, "VFIO_DEVICE_BIND_IOMMUFD"},
  {VFIO_DEVICE_ATTACH_IOMMUFD_PT, "VFIO_DEVICE_ATTACH_IOMMUFD_PT"},
  {VFIO_DEVICE_DETACH_IOMMUFD_PT, "VFIO_DEVICE_DETACH_IOMMUFD_PT"},
  {IOMMU_IOAS_ALLOC, "IOMMU_IOAS_ALLOC"},
  {IOMMU_IOAS_IOVA_RANGES, "IOMMU_IOAS_IOVA_RANGES"},
  {IOMMU_IOAS_MAP, "IOMMU_IOAS_MAP"},
  {IOMMU_IOAS_UNMAP, "IOMMU_IOAS_UNMAP"},
  {IOMMU_DESTROY, "IOMMU_DESTROY"},
};
#define N_IOCTLS (sizeof(ioctl_names) / sizeof(ioctl_names[0]))
static unsigned calls[N_IOCTLS];

/* The action "pause": the call waits, before it acts, while
 * $ROOT/.mock/uapi-paused exists; the mock creates that file, the test
 * removes it (after sending a signal, say).  A test that never removes it
 * is bounded at a minute. */
#define FAULT_PAUSE (-1)
#define PAUSE_MAX_POLLS 6000

static void pause_here(const char *name)
{
  char note[96];

  snprintf(note, sizeof(note), "%s %d\n", name, (int)getpid());
  mt_write("/.mock/uapi-paused", note);
  for (int i = 0; i < PAUSE_MAX_POLLS && mt_exists("/.mock/uapi-paused"); i++)
    usleep(10 * 1000);
}

static int fault_for(size_t which)
{
  char *text = mt_read("/.mock/uapi-faults");
  int err = 0;

  calls[which]++;
  char *save = NULL;

  for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line != NULL && err == 0;
       line = strtok_r(NULL, "\n", &save)) {
    char name[64], errname[32];
    unsigned nth = 0;
    int fields = sscanf(line, "%63s %31s %u", name, errname, &nth);
    if (fields >= 2 && strcmp(name, ioctl_names[which].name) == 0 && (fields == 2 || nth == calls[which]))
      err = strcmp(errname, "pause") == 0 ? FAULT_PAUSE : mt_errno_parse(errname);
  }
  free(text);
  return err;
}

/* The errno the call fails with, 0 to run it (after a pause if asked). */
static int fault_of_request(unsigned long request)
{
  for (size_t i = 0; i < N_IOCTLS; i++)
    if (ioctl_names[i].request == request) {
      int err = fault_for(i);
      if (err != FAULT_PAUSE)
        return err;
      pause_here(ioctl_names[i].name);
      return 0;
    }
  return 0;
}

/* ---- the wrapped calls ---- */

int ioctl(int fd, unsigned long request, ...)
{
  va_list ap;
  long rc;
  int err;

  va_start(ap, request);
  /* The kernel takes the argument as an unsigned long: a pointer or a number. */
  void *arg = (void *)va_arg(ap, unsigned long);
  va_end(ap);
  if (_IOC_TYPE(request) != ';')
    return NEXT(ioctl)(fd, request, arg);
  pthread_mutex_lock(&lock);
  MuObject *obj = mu_fd_object(fd);
  if (obj == NULL) {
    pthread_mutex_unlock(&lock);
    return NEXT(ioctl)(fd, request, arg);
  }
  rc = (err = fault_of_request(request)) != 0 ? -err : mu_node_ioctl(obj, request, arg);
  pthread_mutex_unlock(&lock);
  if (rc < 0) {
    errno = (int)-rc;
    return -1;
  }
  return (int)rc;
}

static MuDevice *device_of(int fd)
{
  MuDevice *dev = NULL;

  if (n_entries == 0)
    return NULL;
  pthread_mutex_lock(&lock);
  Entry *e = find(fd);
  if (e != NULL)
    dev = mu_node_device(e->obj);
  pthread_mutex_unlock(&lock);
  return dev;
}

static ssize_t result(ssize_t rc)
{
  if (rc < 0) {
    errno = (int)-rc;
    return -1;
  }
  return rc;
}

ssize_t pread(int fd, void *buf, size_t count, off_t offset)
{
  MuDevice *dev = device_of(fd);

  return dev != NULL ? result(mu_device_pread(dev, buf, count, offset)) : NEXT(pread)(fd, buf, count, offset);
}

ssize_t pread64(int fd, void *buf, size_t count, off_t offset)
{
  MuDevice *dev = device_of(fd);

  return dev != NULL ? result(mu_device_pread(dev, buf, count, offset)) : NEXT(pread64)(fd, buf, count, offset);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
  MuDevice *dev = device_of(fd);

  return dev != NULL ? result(mu_device_pwrite(dev, buf, count, offset)) : NEXT(pwrite)(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset)
{
  MuDevice *dev = device_of(fd);

  return dev != NULL ? result(mu_device_pwrite(dev, buf, count, offset)) : NEXT(pwrite64)(fd, buf, count, offset);
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
  MuDevice *dev = fd >= 0 ? device_of(fd) : NULL;

  return dev != NULL ? mu_device_mmap(dev, addr, length, prot, flags, offset)
                     : NEXT(mmap)(addr, length, prot, flags, fd, offset);
}

void *mmap64(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
  MuDevice *dev = fd >= 0 ? device_of(fd) : NULL;

  return dev != NULL ? mu_device_mmap(dev, addr, length, prot, flags, offset)
                     : NEXT(mmap64)(addr, length, prot, flags, fd, offset);
}

int close(int fd)
{
  if (n_entries > 0) {
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n_entries; i++)
      if (entries[i].fd == fd) {
        forget(i);
        break;
      }
    pthread_mutex_unlock(&lock);
  }
  return NEXT(close)(fd);
}
