/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mock-tree.h: the fake host's tree on disk and its emulated kernel.
 *
 * This core is plain libc (no glib) because it is linked into the
 * LD_PRELOAD library, where pulling glib into programs such as lspci would
 * be intrusive.  It is shared by the preload (kernel emulation of sysfs
 * writes), mock-mkhost (building a root) and the mock modprobe.
 *
 * Paths named "rel" are *logical* host paths such as
 * "/sys/bus/pci/devices/0000:00:02.0": they are prefixed with the root
 * directory before any file operation.  Every function returns 0 or a
 * negative errno unless documented otherwise.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <limits.h>
#include <sys/types.h>

/* ---- mock-tree.c: root and file primitives ---------------------------- */

/* Sets the root for this process (absolute path, no trailing slash). */
void mt_set_root(const char *root);
/* The root, or NULL when none was set. */
const char *mt_root(void);
/* Writes root + rel into buf (PATH_MAX); -ENAMETOOLONG on overflow. */
int mt_path(char *buf, const char *rel);
int mt_pathf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* snprintf into a PATH_MAX buffer; -ENAMETOOLONG when it does not fit.
 * (A function of our own so that overflow is an error, not a warning.) */
int mt_fmt(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int mt_mkdir_p(const char *rel);
/* Creates or truncates rel (and its parents) with contents. */
int mt_write(const char *rel, const char *contents);
int mt_writef(const char *rel, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int mt_write_bytes(const char *rel, const void *data, size_t len, mode_t mode);
int mt_append(const char *rel, const char *line);
/* Whole file, malloc'd, NUL-terminated; NULL (errno set) when unreadable. */
char *mt_read(const char *rel);
/* Whole file with trailing whitespace stripped; NULL when unreadable. */
char *mt_read_trim(const char *rel);
bool mt_exists(const char *rel);
/* Symlink target (malloc'd) or NULL. */
char *mt_readlink(const char *rel);
/* Creates a symlink at rel pointing to the relative path from rel's
 * directory to target_rel (both logical); replaces an existing entry. */
int mt_link(const char *rel, const char *target_rel);
int mt_rm_rf(const char *rel);
/* Writes the target of rel resolved through symlinks as a logical path
 * into buf; -ENOENT when it does not exist. */
int mt_resolve(const char *rel, char *buf);
/* Lists directory entries (without . and ..) sorted; returns count or
 * negative errno.  Free with mt_strv_free. */
int mt_list_dir(const char *rel, char ***names);
void mt_strv_free(char **v);

/* ---- mock-registry.c: the kernel's driver list and module aliases ----- */

typedef enum { MT_MOD_AVAILABLE, MT_MOD_LOADED, MT_MOD_BUILTIN } MtModState;

typedef struct {
  char name[128];   /* driver name, e.g. "vfio-pci" */
  char module[128]; /* module name, e.g. "vfio_pci" */
  bool vfio;        /* binding creates vfio-dev/ (a VFIO driver) */
  MtModState state;
  unsigned migration; /* MT_MIG_*: the VFIO driver's migration_flags and log_ops */
  bool sriov_configure; /* has sriov_configure(): sriov_numvfs works on a PF it drives */
} MtDriver;

/* A VFIO driver's migration support: the kernel's VFIO_MIGRATION_* bits
 * (migration_flags; any of them means mig_ops) and MT_MIG_DIRTY_TRACKING
 * for log_ops (DMA logging). */
#define MT_MIG_STOP_COPY (1u << 0)
#define MT_MIG_P2P (1u << 1)
#define MT_MIG_PRE_COPY (1u << 2)
#define MT_MIG_DIRTY_TRACKING (1u << 8)

/* Reads $ROOT/.mock/drivers in registration order; returns count or
 * negative errno.  *drivers is malloc'd. */
int mt_drivers_load(MtDriver **drivers);
int mt_drivers_save(const MtDriver *drivers, int n);
/* Finds a *registered* (loaded or builtin) driver by name. */
bool mt_driver_lookup(const char *name, MtDriver *out);
/* Creates the driver's sysfs files and module links. */
int mt_driver_register_tree(const MtDriver *drv);
/* true when an alias line "<prefix>..." of module matches modalias. */
bool mt_alias_match(const char *module, const char *modalias);
/* Host features from $ROOT/.mock/host ("key=value" lines). */
bool mt_host_flag(const char *key);

/* ---- mock-device.c: creating PCI device directories ------------------- */

typedef struct {
  char bdf[16];                  /* "0000:00:02.0" */
  char parent_dir[PATH_MAX];     /* logical dir, e.g. "/sys/devices/pci0000:00" */
  unsigned vendor, device, subvendor, subdevice, class_code, revision;
  unsigned header_type;          /* 0 endpoint, 1 bridge */
  int numa_node;
  const char *reset_method;      /* "" or NULL: no reset file */
  const char *modalias;          /* NULL: derived from the IDs */
  const char *driver_override;   /* NULL: "(null)" */
  int iommu_group;               /* -1: none */
  bool sriov;                    /* PF with an SR-IOV capability */
  unsigned sriov_totalvfs, sriov_offset, sriov_stride, sriov_vf_device;
  bool sriov_autoprobe;
  bool is_vf;                    /* config space reads vendor 0xffff */
  unsigned secondary_bus, subordinate_bus; /* bridges */
} MtDevice;

void mt_device_init(MtDevice *d);
int mt_device_create(const MtDevice *d);
/* Logical directory of a device ("/sys/devices/..."); -ENODEV if absent. */
int mt_device_dir(const char *bdf, char *dir);
/* Rewrites <dev>/uevent from the current state. */
int mt_device_update_uevent(const char *bdf);
/* Lowest IOMMU group number not in use. */
int mt_iommu_group_next(void);

/* ---- mock-bind.c: the driver core ------------------------------------- */

/* Current driver name into buf (size 128), "" when unbound. */
int mt_device_driver(const char *bdf, char *buf);
/* driver_override or "" when clear. */
int mt_device_override(const char *bdf, char *buf, size_t size);
/* pci_match_device(): override or pci: alias. */
bool mt_driver_matches(const MtDriver *drv, const char *bdf);
/* really_probe(): binds bdf to drv; negative errno on probe failure. */
int mt_probe(const MtDriver *drv, const char *bdf);
/* device_release_driver(). */
int mt_unbind(const char *bdf);
/* The device in DIR dies: config space all ones, power_state D3cold;
 * probes fail with EIO from then on. */
void mt_device_die(const char *dir);
/* device_attach(): first matching registered driver; 0 even when nothing
 * bound (like the kernel), negative only for a missing device. */
int mt_attach(const char *bdf);
/* driver_attach(): binds drv to every unbound device it matches. */
void mt_driver_attach_all(const MtDriver *drv);
/* Links only, no checks: used by mkhost for the initial state. */
int mt_bind_links(const char *bdf, const char *driver);

/* ---- mock-vfio.c: what a VFIO driver creates -------------------------- */

/* vfio-dev/, the nodes, and with VFIO debugfs ("vfio_debugfs" and
 * "debugfs" host flags) /sys/kernel/debug/vfio/<bdf>/ as the driver DRV
 * registers it. */
int mt_vfio_attach(const char *bdf, const MtDriver *drv);
/* vfio's enable_unsafe_noiommu_mode is Y (a VFIO probe then gives a device
 * without IOMMU group a no-IOMMU group, see mock-vfio.c). */
bool mt_vfio_noiommu_mode(void);
int mt_vfio_detach(const char *bdf);
/* true when bdf is bound to a driver the fixture marks vfio (what the
 * kernel's vfio_device_ops say; vfio-dev/ only shows it from 6.1 on). */
bool mt_device_vfio_bound(const char *bdf);
/* IOMMU group number of bdf or -1. */
int mt_device_group(const char *bdf);

/* ---- mock-sriov.c ----------------------------------------------------- */

int mt_sriov_set_numvfs(const char *bdf, unsigned numvfs);
/* sriov_numvfs of the PF now (0 when it has none). */
unsigned mt_sriov_numvfs(const char *bdf);
/* sriov_drivers_autoprobe: read when VFs are created (mt_sriov_create_vfs). */
int mt_sriov_set_autoprobe(const char *bdf, bool on);
/* A PF driver's remove(): igb, ixgbe, i40e, ice and mlx5_core call
 * pci_disable_sriov() there, so the VFs vanish with the PF's unbind; the
 * others (nvme, and the PCI core itself) leave them enabled. */
void mt_sriov_driver_remove(const char *bdf, const char *driver);

/* ---- mock-hugepages.c ---- */

/* A write of WANTED to the nr_hugepages of POOL: "hugepages-2048kB" (the
 * whole pool) or "node1:hugepages-2048kB" (NUMA node 1's). */
int mt_hugepages_set_nr(const char *pool, unsigned long wanted);
/* Creates VFs without probing (mkhost initial state). */
int mt_sriov_create_vfs(const char *bdf, unsigned numvfs, bool probe);

/* ---- mock-faults.c: lock, faults, delays, logs ------------------------ */

/* Exclusive flock on $ROOT/.mock/lock; returns the fd to pass to unlock. */
int mt_lock(void);
void mt_unlock(int fd);
/* Counts a write to attr (for device bdf, may be NULL) and returns the
 * errno of a matching "write" fault, or 0.  Call with the lock held. */
int mt_fault_check_write(const char *attr, const char *bdf);
/* Errno of a "probe" fault for driver on bdf, or 0. */
int mt_fault_probe(const char *driver, const char *bdf);
/* Whether a "dies <bdf>" fault says the device dies when unbound. */
bool mt_fault_dies(const char *bdf);
/* Sleeps the configured delay of op (unbind, probe, reset, sriov) for bdf,
 * then waits at its barrier and while it is held (mock-faults.c). Call
 * without the lock, after logging the operation's begin. */
void mt_delay(const char *op, const char *bdf);
/* Sleeps N times the delay of op for bdf (a per-item delay such as
 * "sriov-vf": each VF the kernel creates or destroys); no gates, no hang. */
void mt_delay_each(const char *op, const char *bdf, unsigned n);
/* Appends a line to $ROOT/.mock/<log>. */
void mt_log(const char *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parses "EIO", "5" or "-5"; 0 when unknown. */
int mt_errno_parse(const char *s);

/* ---- mock-kernel.c: sysfs writes -------------------------------------- */

/* true when the logical, resolved path is an attribute whose write the
 * kernel emulation handles. */
bool mt_kernel_is_special(const char *logical);
/* Performs the write; returns count or -errno. */
ssize_t mt_kernel_write(const char *logical, const char *buf, size_t count);
