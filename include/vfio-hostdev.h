/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvfio-hostdev: prepares PCI devices for VFIO passthrough.
 *
 * The public C API of the library behind the vfio-hostdev command; the
 * command itself uses nothing else. docs/api.md walks through it with an
 * example; docs/abi.md says what stays stable and how the API grows.
 *
 * Conventions, the same for every function below:
 * - Types are opaque: they are only ever handled through pointers and read
 *   through accessors, so that the library can change their insides
 *   without breaking programs built against an older version.
 * - Errors are GErrors of the VH_ERROR domain (codes below), always: a
 *   failure of a lower layer (a file, a spawn) comes as VH_ERROR_FAILED
 *   with its message. A function that takes GError **error sets it exactly
 *   when it fails.
 * - Results xor error: a function returns its result, or NULL (FALSE) with
 *   the error set, never both. A call on several devices (vh_bind,
 *   vh_reattach, vh_release, vh_persist_apply) fails as a whole when
 *   nothing was attempted or when something that is no device's failed;
 *   once devices were worked on it returns one result per device and sets
 *   no error: each result's outcome and _get_error() say what happened to
 *   it (a rolled-back or stuck device), and the worst vh_error_exit_code()
 *   of those errors is what the call came to.
 * - Addresses are PCI addresses as the user writes them: "DDDD:BB:DD.F" or
 *   "BB:DD.F" (domain 0000), hex digits in either case; VMD domains
 *   ("10000:00:02.0") are accepted. Malformed ones fail with
 *   VH_ERROR_INVALID. Results always carry the canonical lower-case form.
 * - "(transfer full)": the caller owns the result and frees it with the
 *   function named; "(transfer none)": the object it came from owns it,
 *   valid as long as that object lives and is not changed.
 * - Lists are GPtrArrays: freeing the array (g_ptr_array_unref) frees the
 *   elements. Lists of strings are const GPtrArray * of char *.
 * - Strings documented "or NULL" are NULL when the thing does not exist.
 * - A VhManager is not thread-safe: use one per thread. Objects it returns
 *   do not refer back to it and may outlive it.
 */
#pragma once

#include <glib.h>

#include "vfio-hostdev-version.h"

G_BEGIN_DECLS

/* Marks the exported functions; the library is built with
 * -fvisibility=hidden, so nothing else leaves it (docs/abi.md). */
#define VH_PUBLIC __attribute__((visibility("default")))

/* --------------------------------------------------------------- version */

/* The version of the library that runs ("0.1.0"; VH_VERSION_STRING is the
 * header's). Returns: (transfer none) a static string. */
VH_PUBLIC const char *vh_version(void);

/* TRUE when the library that runs is version MAJOR.MINOR.MICRO or newer:
 * the run-time twin of VH_CHECK_VERSION(), for a program that needs a
 * behaviour added in that version. */
VH_PUBLIC gboolean vh_check_version(guint major, guint minor, guint micro);

/* ---------------------------------------------------------------- errors */

/* The error domain of every function here. The codes are the command's
 * exit codes (docs/exit-codes.md). */
#define VH_ERROR (vh_error_quark())

typedef enum {
  VH_ERROR_FAILED = 1,     /* the operation failed; nothing was left changed */
  VH_ERROR_INVALID = 2,    /* bad input: a malformed address, an unknown method, a bad owner name */
  VH_ERROR_NO_DEVICE = 3,  /* the address is well formed but the host has no such PCI device */
  VH_ERROR_REFUSED = 4,    /* refused for safety, IOMMU group viability or ownership; nothing changed */
  VH_ERROR_UNFINISHED = 5, /* a device was left unfinished; vh_status_list() shows it */
} VhError;

VH_PUBLIC GQuark vh_error_quark(void);

/* The exit code for ERROR as the command uses it: VH_ERROR codes map to
 * themselves, any other error to VH_ERROR_FAILED, NULL to 0. */
VH_PUBLIC int vh_error_exit_code(const GError *error);

/* --------------------------------------------------------------- manager */

/* One per program run (or per request of a long-lived service): it holds
 * what is read once (the kernel release, the modules.alias tables, the
 * libudev handle), the settings, and the warnings gathered while working. */
typedef struct _VhManager VhManager;

/* Opens a manager. MODULES_DIR: where modules.alias and
 * modules.builtin.alias are read (NULL: /lib/modules/<running release>); a
 * missing or unreadable file is a warning, never an error (the choice falls
 * back to vfio_pci). Fails only when the kernel release cannot be read.
 * Returns: (transfer full) free with vh_manager_free(). */
VH_PUBLIC VhManager *vh_manager_new(const char *modules_dir, GError **error);

/* Frees MANAGER; NULL is allowed. */
VH_PUBLIC void vh_manager_free(VhManager *manager);

/* How long one unbind may block before the device is reported stuck
 * (VH_ERROR_UNFINISHED) by the operations below that unbind drivers.
 * Default 10000 ms; 0 is taken as the default. */
VH_PUBLIC void vh_manager_set_unbind_timeout(VhManager *manager, guint timeout_ms);

/* Warnings gathered so far, oldest first, each text once: things the
 * caller should show (no modules.alias, what an earlier crash left and
 * recovery did, ...) that do not make an operation fail.
 * Returns: (transfer none) strings; the array grows as the manager works. */
VH_PUBLIC const GPtrArray *vh_manager_get_warnings(VhManager *manager);

/* Adds MESSAGE to the warnings (unless that text is there already): a
 * caller's own, so that everything to show comes out in one list, in order. */
VH_PUBLIC void vh_manager_add_warning(VhManager *manager, const char *message);

/* NULL when the host has IOMMU groups (an IOMMU is on); otherwise one line
 * telling how to turn it on. Returns: (transfer none). */
VH_PUBLIC const char *vh_manager_get_iommu_problem(VhManager *manager);

/* Finishes or rolls back what an interrupted (crashed, killed) prepare,
 * release or bind left half done, as vh_recover() does; what it did
 * becomes warnings. Call it before changing devices; operations still
 * running in another process are left alone. */
VH_PUBLIC void vh_manager_recover_interrupted(VhManager *manager);

/* --------------------------------------------------------------- devices */

/* One PCI device as sysfs described it when it was read (a snapshot). */
typedef struct _VhDevice VhDevice;

/* Every PCI device of the host, sorted by address. Devices that vanish
 * while being read are skipped (with a warning unless simply gone).
 * These are summaries: the accessors marked "detail" below return their
 * empty value (NULL, 0, FALSE, -1, no element) for them; get the device by
 * address for those.
 * Returns: (transfer full) VhDevice*. */
VH_PUBLIC GPtrArray *vh_manager_list_devices(VhManager *manager, GError **error);

/* Everything about the device at ADDRESS. VH_ERROR_INVALID for a malformed
 * address, VH_ERROR_NO_DEVICE when there is no such device.
 * Returns: (transfer full) free with vh_device_free(). */
VH_PUBLIC VhDevice *vh_manager_get_device(VhManager *manager, const char *address, GError **error);

/* The members of DEVICE's IOMMU group (DEVICE included), read in full and
 * sorted by address; empty when it has no group. Members that vanish
 * meanwhile are left out. Returns: (transfer full) VhDevice*. */
VH_PUBLIC GPtrArray *vh_manager_get_group_devices(VhManager *manager, const VhDevice *device, GError **error);

/* Frees DEVICE; NULL is allowed. */
VH_PUBLIC void vh_device_free(VhDevice *device);

/* Canonical address, "0000:00:02.0". */
VH_PUBLIC const char *vh_device_get_address(const VhDevice *device);
/* IDs from config space. */
VH_PUBLIC guint vh_device_get_vendor_id(const VhDevice *device);
VH_PUBLIC guint vh_device_get_device_id(const VhDevice *device);
VH_PUBLIC guint vh_device_get_subsystem_vendor_id(const VhDevice *device);
VH_PUBLIC guint vh_device_get_subsystem_device_id(const VhDevice *device);
/* 24 bits: class, subclass, prog-if ("020000" printed as %06x). */
VH_PUBLIC guint vh_device_get_class(const VhDevice *device);
/* Detail: the revision ID. */
VH_PUBLIC guint vh_device_get_revision(const VhDevice *device);
/* Names from the udev hwdb, as lspci shows them; or NULL. */
VH_PUBLIC const char *vh_device_get_vendor_name(const VhDevice *device);
VH_PUBLIC const char *vh_device_get_device_name(const VhDevice *device);
VH_PUBLIC const char *vh_device_get_class_name(const VhDevice *device);
/* The modalias as sysfs shows it ("pci:v00008086d..."). */
VH_PUBLIC const char *vh_device_get_modalias(const VhDevice *device);
/* Detail: the resolved sysfs directory ("/sys/devices/..."). */
VH_PUBLIC const char *vh_device_get_syspath(const VhDevice *device);
/* Detail: TRUE for a PCI-to-PCI bridge (header type 1). */
VH_PUBLIC gboolean vh_device_is_bridge(const VhDevice *device);
/* The bound driver as sysfs names it, or NULL when unbound. */
VH_PUBLIC const char *vh_device_get_driver(const VhDevice *device);
/* Detail: the module that registered the driver, or NULL (unknown, built in). */
VH_PUBLIC const char *vh_device_get_driver_module(const VhDevice *device);
/* Detail: driver_override, or NULL when clear. */
VH_PUBLIC const char *vh_device_get_driver_override(const VhDevice *device);
/* Detail: the kernel write still in flight for the device ("writing
 * \"0000:01:00.0\" to /sys/bus/pci/drivers/e1000e/unbind since 12:00:01"),
 * or NULL. While there is one, the details the kernel reads under the
 * device's lock (config space: revision, bridge; driver_override;
 * sriov_numvfs) are not read and left empty, so that nothing blocks. */
VH_PUBLIC const char *vh_device_get_pending_write(const VhDevice *device);
/* The IOMMU group number, or -1 when the device has none. */
VH_PUBLIC gint64 vh_device_get_iommu_group(const VhDevice *device);
/* TRUE when the device's group is one vfio made in its unsafe no-IOMMU mode
 * (/dev/vfio/noiommu-N), or, for a device without a group while vfio's
 * enable_unsafe_noiommu_mode is on, would be once on VFIO: no DMA
 * isolation, the device can reach all host memory. Binding it takes
 * VH_BIND_NOIOMMU; vh_prepare() refuses it (QEMU cannot use it). */
VH_PUBLIC gboolean vh_device_is_noiommu(const VhDevice *device);
/* Detail: reset_method's methods in the kernel's order (NULL-terminated;
 * empty when the kernel has none). */
VH_PUBLIC const char *const *vh_device_get_reset_methods(const VhDevice *device);
/* Detail: the NUMA node, or -1. */
VH_PUBLIC gint64 vh_device_get_numa_node(const VhDevice *device);
/* Detail, SR-IOV: total and enabled VFs (0: not a PF), the VFs' addresses,
 * a VF's PF address (or NULL). */
VH_PUBLIC guint vh_device_get_sriov_totalvfs(const VhDevice *device);
VH_PUBLIC guint vh_device_get_sriov_numvfs(const VhDevice *device);
VH_PUBLIC const GPtrArray *vh_device_get_vfs(const VhDevice *device);
VH_PUBLIC const char *vh_device_get_physfn(const VhDevice *device);
/* Detail, the functions that make up one physical device (what
 * VH_BIND_FUNCTIONS binds): the other functions of its slot (same domain,
 * bus and device number; VFs left out), and the PCI devices the kernel
 * links to it by device links (/sys/class/devlink; a GPU's HDA, USB and
 * UCSI functions are consumers of its function 0), as addresses, sorted;
 * empty when there are none. Returns: (transfer none). */
VH_PUBLIC const GPtrArray *vh_device_get_functions(const VhDevice *device);
VH_PUBLIC const GPtrArray *vh_device_get_link_consumers(const VhDevice *device);
VH_PUBLIC const GPtrArray *vh_device_get_link_suppliers(const VhDevice *device);

/* VFIO state. Bound: the device is on a VFIO driver, any VFIO driver
 * (vfio-pci or a variant): on Linux >= 6.1 decided by the kernel's
 * vfio-dev/ directory, never by the driver's name. */
VH_PUBLIC gboolean vh_device_is_vfio_bound(const VhDevice *device);
/* Which rule decided: "vfio-dev", "driver vfio-pci", "module aliases", or NULL when not bound. */
VH_PUBLIC const char *vh_device_get_vfio_detected_by(const VhDevice *device);
/* "vfioN" from vfio-dev/, or NULL. */
VH_PUBLIC const char *vh_device_get_vfio_device(const VhDevice *device);
/* "/dev/vfio/N" when it exists, or NULL. */
VH_PUBLIC const char *vh_device_get_vfio_group_node(const VhDevice *device);
/* "/dev/vfio/devices/vfioN" when it exists, or NULL. */
VH_PUBLIC const char *vh_device_get_vfio_cdev(const VhDevice *device);

/* ------------------------------------------------------------ migration */

/* Can the device be live-migrated? Tri-state: the kernel may not say. */
typedef enum {
  VH_MIGRATION_UNKNOWN,
  VH_MIGRATION_UNSUPPORTED,
  VH_MIGRATION_SUPPORTED,
} VhMigrationSupport;

/* The driver's migration flags (the kernel's VFIO_MIGRATION_*). */
typedef enum {
  VH_MIGRATION_FLAG_STOP_COPY = 1 << 0,
  VH_MIGRATION_FLAG_P2P = 1 << 1,
  VH_MIGRATION_FLAG_PRE_COPY = 1 << 2,
} VhMigrationFlags;

typedef struct _VhMigration VhMigration;

/* What debugfs says without touching the device (source "debugfs"): with
 * CONFIG_VFIO_DEBUGFS a VFIO device's /sys/kernel/debug/vfio/<address>/
 * has migration/ exactly when its driver supports migration. Unknown,
 * with a reason, for a device not on a VFIO driver, without debugfs
 * mounted (or readable: root only), or on a kernel without VFIO debugfs.
 * Owned by DEVICE. */
VH_PUBLIC const VhMigration *vh_device_get_migration(const VhDevice *device);

/* Opens the VFIO device ADDRESS and asks it (source "probe"):
 * VFIO_DEVICE_FEATURE_MIGRATION's flags and whether DMA_LOGGING_START
 * (dirty tracking) is supported; then closes it. OPENING A VFIO DEVICE
 * RESETS IT. Under the device's group lock; VH_ERROR_REFUSED when the
 * device is not on a VFIO driver, belongs to an owner (prepare) or a
 * process has its group node or cdev open; VH_ERROR_FAILED when it cannot
 * be opened; VH_ERROR_INVALID / VH_ERROR_NO_DEVICE for the address.
 * Returns: (transfer full) free with vh_migration_free(). */
VH_PUBLIC VhMigration *vh_manager_probe_migration(VhManager *manager, const char *address, GError **error);
VH_PUBLIC void vh_migration_free(VhMigration *migration);
VH_PUBLIC VhMigrationSupport vh_migration_get_supported(const VhMigration *migration);
/* FALSE when the flags are unknown (debugfs of Linux <= 6.12 shows none);
 * else FLAGS (may be NULL) gets the VhMigrationFlags. */
VH_PUBLIC gboolean vh_migration_get_flags(const VhMigration *migration, guint *flags);
/* Dirty page tracking by the device (DMA logging). */
VH_PUBLIC VhMigrationSupport vh_migration_get_dirty_tracking(const VhMigration *migration);
/* "debugfs" or "probe". */
VH_PUBLIC const char *vh_migration_get_source(const VhMigration *migration);
/* Why support is unknown (or an answer of the probe is), or NULL. */
VH_PUBLIC const char *vh_migration_get_reason(const VhMigration *migration);

/* ---------------------------------------------------- VFIO driver choice */

/* Which VFIO driver bind would use, and why: key = "vfio_" + modalias; the
 * candidates are the vfio_pci: aliases of modules.alias then
 * modules.builtin.alias matching the key (fnmatch); the one with the fewest
 * wildcards wins, ties to the earliest line. No candidate, or no
 * modules.alias: vfio_pci, with a manager warning. */
typedef struct _VhVfioChoice VhVfioChoice;
typedef struct _VhVfioCandidate VhVfioCandidate;

/* The choice for DEVICE. Never fails. Returns: (transfer full) free with
 * vh_vfio_choice_free(). */
VH_PUBLIC VhVfioChoice *vh_manager_choose_vfio_driver(VhManager *manager, const VhDevice *device);

/* The choice for MODALIAS, as sysfs shows one ("pci:v..."): VH_ERROR_INVALID
 * for anything else. Returns: (transfer full) free with vh_vfio_choice_free(). */
VH_PUBLIC VhVfioChoice *vh_manager_choose_vfio_driver_for_modalias(VhManager *manager, const char *modalias,
                                                                   GError **error);

VH_PUBLIC void vh_vfio_choice_free(VhVfioChoice *choice);

/* The chosen module ("vfio_pci", "qedu_mig", ...): a module name, which
 * bind loads and resolves to the driver it registers. */
VH_PUBLIC const char *vh_vfio_choice_get_module(const VhVfioChoice *choice);
/* One sentence saying why. */
VH_PUBLIC const char *vh_vfio_choice_get_reason(const VhVfioChoice *choice);
/* TRUE when no alias decided (none matched, or no modules.alias). */
VH_PUBLIC gboolean vh_vfio_choice_is_fallback(const VhVfioChoice *choice);
VH_PUBLIC const char *vh_vfio_choice_get_modalias(const VhVfioChoice *choice);
/* "vfio_" + modalias. */
VH_PUBLIC const char *vh_vfio_choice_get_key(const VhVfioChoice *choice);
/* Returns: (transfer none) VhVfioCandidate*, best first, the rest in file order. */
VH_PUBLIC const GPtrArray *vh_vfio_choice_get_candidates(const VhVfioChoice *choice);

VH_PUBLIC const char *vh_vfio_candidate_get_module(const VhVfioCandidate *candidate);
/* The alias's pattern as written ("vfio_pci:v00001234d000011E8sv*sd*bc*sc*i*"). */
VH_PUBLIC const char *vh_vfio_candidate_get_pattern(const VhVfioCandidate *candidate);
VH_PUBLIC guint vh_vfio_candidate_get_wildcards(const VhVfioCandidate *candidate);
/* The file (full path) and line it came from. */
VH_PUBLIC const char *vh_vfio_candidate_get_file(const VhVfioCandidate *candidate);
VH_PUBLIC guint vh_vfio_candidate_get_line(const VhVfioCandidate *candidate);

/* ------------------------------------------------------------------ bind */

/* Flags of vh_bind() (and of run, vh_run_options_set_bind_flags()). New
 * flags may be added; unknown bits are VH_ERROR_INVALID. */
typedef enum {
  VH_BIND_NONE = 0,
  VH_BIND_GROUP = 1 << 0,   /* also bind the IOMMU group's members that hold a host driver */
  VH_BIND_FORCE = 1 << 1,   /* unbind even a device the host uses, or a PF whose VFs are in use */
  VH_BIND_DRY_RUN = 1 << 2, /* plan only: change nothing, take no lock, load no module */
  VH_BIND_NOIOMMU = 1 << 3, /* also a device that VFIO gives a no-IOMMU group (vh_device_is_noiommu()):
                               no DMA isolation; without it such a device is VH_ERROR_REFUSED */
  VH_BIND_FUNCTIONS = 1 << 4, /* bind whole devices: every function of each device's slot and every PCI
                                 device linked to one by a device link, followed transitively
                                 (vh_device_get_functions()), each checked as a named device is, even
                                 when they are in different IOMMU groups; vh_reattach() of any of them
                                 brings back the others */
} VhBindFlags;

typedef enum {
  VH_BIND_PLANNED,     /* dry run */
  VH_BIND_ALREADY,     /* was on a VFIO driver already; untouched */
  VH_BIND_BOUND,       /* done and verified */
  VH_BIND_ROLLED_BACK, /* failed, or undone because another device failed */
  VH_BIND_STUCK,       /* left unfinished; its record says so */
} VhBindOutcome;

typedef struct _VhBindResult VhBindResult;

/* Binds ADDRESSES (NULL-terminated) to their VFIO driver: DRIVER (a driver
 * or module name), or when NULL the variant rule (VhVfioChoice). Every
 * check (IOMMU group viability, host use, SR-IOV) comes before the first
 * change; the original driver, driver_override and VF count are recorded in
 * /run/vfio-hostdev/ first; each device is verified (driver link, vfio-dev,
 * /dev/vfio/N); groups are bound in parallel; all or nothing.
 * Returns: (transfer full) VhBindResult* in a stable order, or NULL with
 * ERROR when nothing was attempted: VH_ERROR_INVALID, VH_ERROR_NO_DEVICE,
 * VH_ERROR_REFUSED, VH_ERROR_FAILED. Once devices were bound, results
 * without ERROR: a failure leaves every device VH_BIND_ROLLED_BACK (or
 * VH_BIND_STUCK, its error VH_ERROR_UNFINISHED), each with its error. */
VH_PUBLIC GPtrArray *vh_bind(VhManager *manager, const char *const *addresses, const char *driver,
                             VhBindFlags flags, GError **error);

/* "planned", "already-bound", "bound", "rolled-back", "stuck". */
VH_PUBLIC const char *vh_bind_outcome_name(VhBindOutcome outcome);

VH_PUBLIC const char *vh_bind_result_get_address(const VhBindResult *result);
VH_PUBLIC VhBindOutcome vh_bind_result_get_outcome(const VhBindResult *result);
VH_PUBLIC gint64 vh_bind_result_get_iommu_group(const VhBindResult *result);
/* TRUE when VH_BIND_GROUP added it (it was not asked for). */
VH_PUBLIC gboolean vh_bind_result_is_group_member(const VhBindResult *result);
/* TRUE when VH_BIND_FUNCTIONS added it: a function of a named device. */
VH_PUBLIC gboolean vh_bind_result_is_function_member(const VhBindResult *result);
/* The driver and driver_override before the bind, or NULL (unbound, clear). */
VH_PUBLIC const char *vh_bind_result_get_original_driver(const VhBindResult *result);
VH_PUBLIC const char *vh_bind_result_get_original_override(const VhBindResult *result);
/* The VFIO driver (NULL in a dry run before its module is loaded) and the
 * module loaded for it (NULL if none). */
VH_PUBLIC const char *vh_bind_result_get_driver(const VhBindResult *result);
VH_PUBLIC const char *vh_bind_result_get_module(const VhBindResult *result);
/* Once bound (or already): "vfioN" (NULL on kernels before 6.1, which have
 * no vfio-dev/) and, bound by this call, "/dev/vfio/N" (NULL on a kernel
 * built without VFIO groups, whose only node is /dev/vfio/devices/vfioN). */
VH_PUBLIC const char *vh_bind_result_get_vfio_device(const VhBindResult *result);
VH_PUBLIC const char *vh_bind_result_get_group_node(const VhBindResult *result);
/* VFs disabled (re-enabled by reattach). */
VH_PUBLIC guint vh_bind_result_get_disabled_vfs(const VhBindResult *result);
/* The host uses VH_BIND_FORCE overrode, one line each. */
VH_PUBLIC const GPtrArray *vh_bind_result_get_forced(const VhBindResult *result);
/* Why it was rolled back or is stuck; NULL otherwise. Returns: (transfer none). */
VH_PUBLIC const GError *vh_bind_result_get_error(const VhBindResult *result);

/* -------------------------------------------------------------- reattach */

typedef enum {
  VH_REATTACH_RESTORED,  /* back as its record says (driver, override, VFs); record removed */
  VH_REATTACH_REPROBED,  /* no record: override cleared, the kernel chose */
  VH_REATTACH_UNTOUCHED, /* no record and not on a VFIO driver: nothing to do */
  VH_REATTACH_STUCK,     /* unfinished; the record says what */
} VhReattachOutcome;

typedef struct _VhReattachResult VhReattachResult;

/* Gives ADDRESSES (NULL-terminated) back to exactly the driver they had
 * before bind; members bound with VH_BIND_GROUP come back with their
 * group, and the functions bound with VH_BIND_FUNCTIONS with any function
 * of their device. A device owned by a VM (vh_prepare) is refused: release it.
 * Returns: (transfer full) VhReattachResult*, or NULL with ERROR when
 * nothing was done (VH_ERROR_INVALID, VH_ERROR_NO_DEVICE, VH_ERROR_REFUSED
 * while a process holds a device's group node or cdev open, naming it).
 * A device that could not be finished is a VH_REATTACH_STUCK result with
 * its error (VH_ERROR_UNFINISHED); the call sets no error then. */
VH_PUBLIC GPtrArray *vh_reattach(VhManager *manager, const char *const *addresses, GError **error);

/* "restored", "reprobed", "untouched", "stuck". */
VH_PUBLIC const char *vh_reattach_outcome_name(VhReattachOutcome outcome);

VH_PUBLIC const char *vh_reattach_result_get_address(const VhReattachResult *result);
VH_PUBLIC VhReattachOutcome vh_reattach_result_get_outcome(const VhReattachResult *result);
VH_PUBLIC gboolean vh_reattach_result_is_group_member(const VhReattachResult *result);
/* TRUE when it came back with another function of its device (VH_BIND_FUNCTIONS). */
VH_PUBLIC gboolean vh_reattach_result_is_function_member(const VhReattachResult *result);
/* From the record; NULL when it was unbound or there is no record. */
VH_PUBLIC const char *vh_reattach_result_get_original_driver(const VhReattachResult *result);
/* The driver it ended on, or NULL. */
VH_PUBLIC const char *vh_reattach_result_get_driver(const VhReattachResult *result);
VH_PUBLIC guint vh_reattach_result_get_restored_vfs(const VhReattachResult *result);
VH_PUBLIC const GError *vh_reattach_result_get_error(const VhReattachResult *result);

/* ----------------------------------------------------------------- sriov */

typedef enum {
  VH_SRIOV_BIND = 1 << 0, /* bind every VF to its VFIO driver (the variant rule per VF), in parallel */
} VhSriovFlags;

typedef struct _VhSriovResult VhSriovResult;

/* Gives the SR-IOV PF at ADDRESS, which stays on its own driver, NUMVFS
 * VFs (0 removes them) with sriov_drivers_autoprobe off while the kernel
 * creates them, so that no host VF driver probes them, and back as it was
 * afterwards (also after a failure); VFs already there are removed first
 * (the kernel changes a non-zero count only through 0). What the PF had
 * is recorded first, so that vh_reattach() and vh_recover() of the PF give
 * it back. VH_SRIOV_BIND binds the VFs as vh_bind() does, each with its
 * record; when one fails the VFs are undone too. Errors:
 * VH_ERROR_INVALID (malformed address, not a PF, NUMVFS above
 * sriov_totalvfs), VH_ERROR_NO_DEVICE, VH_ERROR_REFUSED (a VF that would
 * go is in use by the host, open through VFIO or an owner's; the PF bound
 * by vfio-hostdev), VH_ERROR_FAILED (the PF has no driver or one that
 * cannot make VFs, a VF did not bind), all with nothing changed;
 * VH_ERROR_UNFINISHED when undoing failed. Returns: (transfer full) free
 * with vh_sriov_result_free(). */
VH_PUBLIC VhSriovResult *vh_sriov(VhManager *manager, const char *address, guint numvfs, VhSriovFlags flags,
                                  GError **error);

VH_PUBLIC void vh_sriov_result_free(VhSriovResult *result);
VH_PUBLIC const char *vh_sriov_result_get_address(const VhSriovResult *result);
/* The VF count now and before the call. */
VH_PUBLIC guint vh_sriov_result_get_numvfs(const VhSriovResult *result);
VH_PUBLIC guint vh_sriov_result_get_previous_numvfs(const VhSriovResult *result);
/* The count vh_reattach() gives back (before the first vh_sriov()). */
VH_PUBLIC guint vh_sriov_result_get_original_numvfs(const VhSriovResult *result);
/* TRUE while a state record keeps what vh_reattach() restores. */
VH_PUBLIC gboolean vh_sriov_result_is_recorded(const VhSriovResult *result);
/* sriov_drivers_autoprobe, as it was and is again (0 or 1; -1: none). */
VH_PUBLIC int vh_sriov_result_get_autoprobe(const VhSriovResult *result);
/* The VFs' addresses (char*), by index. */
VH_PUBLIC const GPtrArray *vh_sriov_result_get_vfs(const VhSriovResult *result);
/* With VH_SRIOV_BIND: each VF's VhBindResult*; NULL otherwise. */
VH_PUBLIC const GPtrArray *vh_sriov_result_get_bind_results(const VhSriovResult *result);

/* ----------------------------------------------------------------- reset */

typedef struct _VhResetResult VhResetResult;

/* Resets ADDRESS through sysfs with METHOD (one of its reset_method; NULL:
 * each in the kernel's order until one works) and says which ran;
 * reset_method is restored afterwards. VH_ERROR_INVALID for a method the
 * device lacks, VH_ERROR_FAILED when it has none or all failed,
 * VH_ERROR_REFUSED while the device is open through VFIO or a bus reset
 * would hit a sibling in use. Returns: (transfer full) free with
 * vh_reset_result_free(). */
VH_PUBLIC VhResetResult *vh_reset(VhManager *manager, const char *address, const char *method, GError **error);

VH_PUBLIC void vh_reset_result_free(VhResetResult *result);
VH_PUBLIC const char *vh_reset_result_get_address(const VhResetResult *result);
/* The method that ran. */
VH_PUBLIC const char *vh_reset_result_get_method(const VhResetResult *result);
/* Methods tried before it, "flr: <why it failed>". */
VH_PUBLIC const GPtrArray *vh_reset_result_get_failed_methods(const VhResetResult *result);

/* ---------------------------------------------------------------- status */

typedef enum {
  VH_STATE_BINDING, /* a bind or prepare is under way, or was cut short (recovery rolls it back) */
  VH_STATE_BOUND,   /* bound and verified */
  VH_STATE_STUCK,   /* a kernel write did not return, or a rollback failed */
} VhState;

typedef struct _VhStatusEntry VhStatusEntry;

/* The devices vfio-hostdev has bound, by address, from their records in
 * /run/vfio-hostdev/, with what the kernel says now. Damaged records are
 * skipped with a manager warning. Works without privileges.
 * Returns: (transfer full) VhStatusEntry*, or NULL when the state
 * directory cannot be read. */
VH_PUBLIC GPtrArray *vh_status_list(VhManager *manager, GError **error);

/* The status entry of ADDRESS (canonical), or NULL without ERROR when
 * vfio-hostdev has no (readable) record of it. Returns: (transfer full) free with
 * vh_status_entry_free(). */
VH_PUBLIC VhStatusEntry *vh_status_get(const char *address, GError **error);
VH_PUBLIC void vh_status_entry_free(VhStatusEntry *entry);

/* "binding", "bound", "stuck". */
VH_PUBLIC const char *vh_state_name(VhState state);

VH_PUBLIC const char *vh_status_entry_get_address(const VhStatusEntry *entry);
VH_PUBLIC VhState vh_status_entry_get_state(const VhStatusEntry *entry);
/* FALSE when the device has disappeared. */
VH_PUBLIC gboolean vh_status_entry_is_present(const VhStatusEntry *entry);
/* Before the bind: driver and driver_override, or NULL. */
VH_PUBLIC const char *vh_status_entry_get_original_driver(const VhStatusEntry *entry);
VH_PUBLIC const char *vh_status_entry_get_original_override(const VhStatusEntry *entry);
/* The driver now, or NULL. */
VH_PUBLIC const char *vh_status_entry_get_current_driver(const VhStatusEntry *entry);
/* The VFIO driver it was bound to, or NULL. */
VH_PUBLIC const char *vh_status_entry_get_target_driver(const VhStatusEntry *entry);
/* VFs to re-enable on reattach. */
VH_PUBLIC guint vh_status_entry_get_sriov_numvfs(const VhStatusEntry *entry);
/* A record of vh_sriov(): the VF count it gave the PF, which stays on its
 * driver (vh_status_entry_get_sriov_numvfs() is what reattach gives back);
 * -1 for any other record. */
VH_PUBLIC int vh_status_entry_get_sriov_provisioned(const VhStatusEntry *entry);
VH_PUBLIC gboolean vh_status_entry_is_group_member(const VhStatusEntry *entry);
/* The VM holding it (vh_prepare), or NULL when bound by vh_bind. */
VH_PUBLIC const char *vh_status_entry_get_owner(const VhStatusEntry *entry);
/* With an owner: TRUE when release puts it back on its original driver. */
VH_PUBLIC gboolean vh_status_entry_is_managed(const VhStatusEntry *entry);
/* Unix time of the bind. */
VH_PUBLIC gint64 vh_status_entry_get_since(const VhStatusEntry *entry);
/* Stuck: what did not finish; otherwise NULL. */
VH_PUBLIC const char *vh_status_entry_get_problem(const VhStatusEntry *entry);
/* The kernel write still in flight for the device (a stuck unbind), or
 * NULL; see vh_device_get_pending_write(). */
VH_PUBLIC const char *vh_status_entry_get_pending_write(const VhStatusEntry *entry);

/* ------------------------------------------------------------- deny list */

/* Where a deny-list rule comes from. */
typedef enum {
  VH_DENY_CONFIGURED, /* a line of /etc/vfio-hostdev/deny.conf */
  VH_DENY_ROOT,       /* by default: the mounted root filesystem is on the device */
  VH_DENY_SWAP,       /* by default: an active swap area is on the device */
} VhDenySource;

typedef struct _VhDenyRule VhDenyRule;

/* The deny list: the devices vfio-hostdev never takes from the host,
 * --force or not (docs/host-use.md). deny.conf's rules in file order, then
 * the defaults. Works without privileges.
 * Returns: (transfer full) VhDenyRule*, or NULL when deny.conf has a bad
 * line (VH_ERROR_INVALID, the message names it) or cannot be read, or the
 * devices cannot be enumerated (VH_ERROR_FAILED); while deny.conf is
 * unusable every device is protected. */
VH_PUBLIC GPtrArray *vh_deny_list(VhManager *manager, GError **error);

/* "file", "root", "swap". */
VH_PUBLIC const char *vh_deny_source_name(VhDenySource source);

VH_PUBLIC VhDenySource vh_deny_rule_get_source(const VhDenyRule *rule);
/* The rule as deny.conf writes it: "address 0000:03:00.0", "id 144d:*",
 * "class 0108"; a default's is "address ...". */
VH_PUBLIC const char *vh_deny_rule_get_rule(const VhDenyRule *rule);
/* Where it comes from, for people: "/etc/vfio-hostdev/deny.conf line 3",
 * or a default's reason "the root filesystem is on it (nvme0n1p2)". */
VH_PUBLIC const char *vh_deny_rule_get_origin(const VhDenyRule *rule);
/* A configured rule's file and line (1-based); NULL and 0 for a default. */
VH_PUBLIC const char *vh_deny_rule_get_file(const VhDenyRule *rule);
VH_PUBLIC guint vh_deny_rule_get_line(const VhDenyRule *rule);
/* The addresses of the present devices it protects (strings, sorted;
 * empty when none matches). */
VH_PUBLIC const GPtrArray *vh_deny_rule_get_devices(const VhDenyRule *rule);

/* -------------------------------------------------- managed mode: prepare */

/* The devices of one VM (an owner) to prepare, and how. */
typedef struct _VhPrepareRequest VhPrepareRequest;

/* The largest domain XML accepted; domain XML is a few kilobytes. */
#define VH_DOMAIN_XML_MAX_BYTES (1024 * 1024)

/* A request for OWNER (letters, digits, _.:@+-; up to 64; checked by
 * vh_prepare()). Returns: (transfer full) free with vh_prepare_request_free(). */
VH_PUBLIC VhPrepareRequest *vh_prepare_request_new(const char *owner);
VH_PUBLIC void vh_prepare_request_free(VhPrepareRequest *request);

/* Adds the device at ADDRESS; MANAGED: bind it (and release restores its
 * driver), else it must already be on a VFIO driver; MODEL: its VFIO driver
 * (a module, as <driver model=...>), NULL for the variant rule.
 * VH_ERROR_INVALID for a malformed address. */
VH_PUBLIC gboolean vh_prepare_request_add_device(VhPrepareRequest *request, const char *address, gboolean managed,
                                                 const char *model, GError **error);

/* Adds the PCI devices of libvirt domain XML (<hostdev type='pci'> and
 * <interface type='hostdev'>): exactly one root element, a <domain> or one
 * bare <hostdev> or <interface>; anything after it is refused. Numbers are
 * read as libvirt reads them. TEXT is LENGTH bytes, NAME names it in messages.
 * Hostile input is expected: a DTD or entity declaration is refused, as is
 * anything larger than VH_DOMAIN_XML_MAX_BYTES or not UTF-8; nothing is
 * fetched, nothing expanded. VH_ERROR_INVALID (with the line) otherwise. */
VH_PUBLIC gboolean vh_prepare_request_add_domain_xml(VhPrepareRequest *request, const char *text, gsize length,
                                                     const char *name, GError **error);
/* The same from a file. */
VH_PUBLIC gboolean vh_prepare_request_add_domain_xml_file(VhPrepareRequest *request, const char *path,
                                                          GError **error);

/* Hands the group nodes and cdevs to USER (a name or numeric uid; checked
 * by vh_prepare()) until release. NULL (default): they stay root's. */
VH_PUBLIC void vh_prepare_request_set_user(VhPrepareRequest *request, const char *user);

/* The guest's RAM in bytes, which VFIO pins: after a successful prepare, a
 * manager warning when the VMM may not be able to pin it. Without a user
 * (a root VMM): when this process lacks CAP_IPC_LOCK and its RLIMIT_MEMLOCK
 * is lower (a VMM started from here inherits both). With a user other than
 * root: always, saying that its limit cannot be known from here and how it
 * is counted (per process with the legacy container, per user with
 * iommufd). 0 (default): no check. */
VH_PUBLIC void vh_prepare_request_set_memlock_needed(VhPrepareRequest *request, guint64 bytes);

/* ADOPT_ONLY: bind nothing; every device must be on a VFIO driver already
 * (a managed one that is not is refused, VH_ERROR_REFUSED, nothing
 * changed) and is only recorded as the owner's. For a VM that is running
 * already, e.g. when a VM manager reconnects to it after a restart. Default:
 * FALSE. */
VH_PUBLIC void vh_prepare_request_set_adopt_only(VhPrepareRequest *request, gboolean adopt_only);

/* The version of the QEMU that will run the VM (MAJOR.MINOR), which picks
 * the form of the QEMU arguments: iommufd (`-object iommufd`, `iommufd=`)
 * from 9.0 on when the host has /dev/iommu and every device a cdev, the
 * group form (`host=`) otherwise. 0.0 (default, not known): the group form
 * whenever every device has its group node (any QEMU takes it; Debian 12's
 * 7.2 rejects iommufd), iommufd only for devices without one. Either form
 * names a device outside the 16-bit PCI domains (Intel VMD: 10000:...) by
 * `sysfsdev=/sys/bus/pci/devices/BDF`, as `host=` cannot. */
VH_PUBLIC void vh_prepare_request_set_qemu_version(VhPrepareRequest *request, guint major, guint minor);

/* Reads "X.Y" or "X.Y.Z" (decimal) from TEXT. VH_ERROR_INVALID otherwise. */
VH_PUBLIC gboolean vh_qemu_version_parse(const char *text, guint *major, guint *minor, GError **error);
/* Runs `QEMU -version` once and reads its "QEMU emulator version X.Y.Z".
 * VH_ERROR_INVALID when it cannot run, fails or answers otherwise. */
VH_PUBLIC gboolean vh_qemu_version_query(const char *qemu, guint *major, guint *minor, GError **error);

typedef enum {
  VH_PREPARE_BOUND,   /* managed: bound to its VFIO driver by this call */
  VH_PREPARE_ON_VFIO, /* was on a VFIO driver already; left there */
  VH_PREPARE_OWNED,   /* this owner held it already (prepare repeated) */
} VhPrepareOutcome;

typedef struct _VhPrepareResult VhPrepareResult;
typedef struct _VhPreparedDevice VhPreparedDevice;

/* Prepares REQUEST's devices for its owner, all or nothing: managed ones
 * bound as vh_bind() binds them, unmanaged ones must be on a VFIO driver;
 * a device belongs to one owner at a time (another owner's: refused,
 * naming it; the same owner again: no change); a journal in
 * /run/vfio-hostdev/ is written before each step, so that recovery can
 * roll back a prepare cut short. NULL with ERROR: VH_ERROR_INVALID (owner
 * name, user), VH_ERROR_NO_DEVICE, VH_ERROR_REFUSED before any change,
 * VH_ERROR_FAILED when everything was rolled back, VH_ERROR_UNFINISHED when
 * the rollback could not finish (recovery keeps trying).
 * Returns: (transfer full) free with vh_prepare_result_free(). */
VH_PUBLIC VhPrepareResult *vh_prepare(VhManager *manager, const VhPrepareRequest *request, GError **error);

VH_PUBLIC void vh_prepare_result_free(VhPrepareResult *result);
/* VhPreparedDevice*, in the request's order, each device once. */
VH_PUBLIC const GPtrArray *vh_prepare_result_get_devices(const VhPrepareResult *result);
/* TRUE when the QEMU arguments use iommufd (vh_prepare_request_set_qemu_version()). */
VH_PUBLIC gboolean vh_prepare_result_uses_iommufd(const VhPrepareResult *result);
/* QEMU's arguments for the whole VM (the iommufd object first when used). */
VH_PUBLIC const GPtrArray *vh_prepare_result_get_qemu_args(const VhPrepareResult *result);

/* "bound", "on-vfio", "owned". */
VH_PUBLIC const char *vh_prepare_outcome_name(VhPrepareOutcome outcome);

VH_PUBLIC const char *vh_prepared_device_get_address(const VhPreparedDevice *device);
VH_PUBLIC gboolean vh_prepared_device_is_managed(const VhPreparedDevice *device);
VH_PUBLIC VhPrepareOutcome vh_prepared_device_get_outcome(const VhPreparedDevice *device);
/* The VFIO driver it is on. */
VH_PUBLIC const char *vh_prepared_device_get_vfio_driver(const VhPreparedDevice *device);
/* Where release returns a managed device; NULL: unbound. */
VH_PUBLIC const char *vh_prepared_device_get_original_driver(const VhPreparedDevice *device);
VH_PUBLIC gint64 vh_prepared_device_get_iommu_group(const VhPreparedDevice *device);
/* "vfioN", "/dev/vfio/N", and "/dev/vfio/devices/vfioN" or NULL without the cdev. */
VH_PUBLIC const char *vh_prepared_device_get_vfio_device(const VhPreparedDevice *device);
VH_PUBLIC const char *vh_prepared_device_get_group_node(const VhPreparedDevice *device);
VH_PUBLIC const char *vh_prepared_device_get_cdev(const VhPreparedDevice *device);
/* This device's QEMU arguments. */
VH_PUBLIC const GPtrArray *vh_prepared_device_get_qemu_args(const VhPreparedDevice *device);

/* exec: a VMM started with an owner's devices open. With the iommufd form
 * (QEMU >= 9.0 and a host with /dev/iommu and cdevs: as
 * vh_prepare_result_uses_iommufd() decides), /dev/iommu and each device's
 * cdev are opened by the caller's process and inherited by the VMM,
 * named by `-object iommufd,id=iommufd0,fd=N` and `-device
 * vfio-pci,host=BDF,iommufd=iommufd0,fd=M`; with the group form nothing is
 * opened (QEMU has no descriptor property for a group, and opens the group
 * node itself: the node must be the VMM user's) and the arguments are
 * prepare's. */
typedef struct _VhExecPlan VhExecPlan;

/* The plan for OWNER's devices (as prepared), for a QEMU of version
 * QEMU_MAJOR.QEMU_MINOR (0.0: not known, prepare's default). USER (a name
 * or uid; NULL: the owner's --user, or no change of user) must be the
 * owner's user, unless the iommufd form is used. The descriptors are open
 * (close-on-exec until vh_exec_plan_exec()). NULL with ERROR:
 * VH_ERROR_INVALID (owner name, user), VH_ERROR_NO_DEVICE (the owner holds
 * nothing, or a device has gone), VH_ERROR_REFUSED (an operation of the
 * owner running or interrupted, a device off VFIO, another user with the
 * group form), VH_ERROR_FAILED (a node cannot be opened).
 * Returns: (transfer full) free with vh_exec_plan_free(), which closes the
 * descriptors. */
VH_PUBLIC VhExecPlan *vh_exec_plan_new(VhManager *manager, const char *owner, const char *user, guint qemu_major,
                                       guint qemu_minor, GError **error);
VH_PUBLIC void vh_exec_plan_free(VhExecPlan *plan);
VH_PUBLIC gboolean vh_exec_plan_uses_iommufd(const VhExecPlan *plan);
/* The descriptors (int) the VMM inherits: /dev/iommu's, then each cdev's. */
VH_PUBLIC const GArray *vh_exec_plan_get_fds(const VhExecPlan *plan);
/* The arguments to append to QEMU's. */
VH_PUBLIC const GPtrArray *vh_exec_plan_get_qemu_args(const VhExecPlan *plan);
/* Who the VMM runs as; NULL: as the caller. */
VH_PUBLIC const char *vh_exec_plan_get_user(const VhExecPlan *plan);
/* Replaces this process with ARGV (ARGV[0] looked up in PATH) plus the
 * plan's arguments, the descriptors inherited, running as the plan's user
 * (supplementary groups, group and user set, then checked). Returns only
 * on failure, VH_ERROR_FAILED; the process may then have given up some
 * privileges already and should exit. */
VH_PUBLIC gboolean vh_exec_plan_exec(VhExecPlan *plan, const char *const *argv, GError **error);

/* -------------------------------------------- managed mode: release, recover */

typedef enum {
  VH_RELEASE_RESTORED,  /* managed: back on its original driver, override and VFs */
  VH_RELEASE_KEPT,      /* stays on its VFIO driver (unmanaged, or on it before the owner) */
  VH_RELEASE_GONE,      /* the device disappeared; its record was dropped */
  VH_RELEASE_NOT_OWNED, /* not this owner's: untouched */
  VH_RELEASE_STUCK,     /* could not be finished; the error says why */
} VhReleaseOutcome;

typedef struct _VhReleaseResult VhReleaseResult;

/* Gives OWNER's devices back (managed ones to exactly their original
 * drivers, unmanaged ones stay on VFIO, nodes to their previous owners) and
 * forgets the owner; only OWNER's devices are touched. An owner holding
 * nothing is fine (empty result). NULL with ERROR: VH_ERROR_INVALID (owner
 * name), VH_ERROR_REFUSED while a process holds a device open (nothing
 * changed), VH_ERROR_FAILED (state unreadable), VH_ERROR_UNFINISHED (a
 * node's owner or the owner's journal could not be restored). A device
 * that could not be given back is a VH_RELEASE_STUCK result with its error
 * (VH_ERROR_UNFINISHED; recovery finishes it), and the call sets no error.
 * When nothing is left unfinished, the owner's CDI spec (vh_cdi_write()) is
 * removed. Returns: (transfer full) VhReleaseResult*. */
VH_PUBLIC GPtrArray *vh_release(VhManager *manager, const char *owner, GError **error);

/* "restored", "kept", "gone", "not-owned", "stuck". */
VH_PUBLIC const char *vh_release_outcome_name(VhReleaseOutcome outcome);

VH_PUBLIC const char *vh_release_result_get_address(const VhReleaseResult *result);
VH_PUBLIC gboolean vh_release_result_is_managed(const VhReleaseResult *result);
VH_PUBLIC VhReleaseOutcome vh_release_result_get_outcome(const VhReleaseResult *result);
/* Where a managed device goes back to; NULL: unbound. */
VH_PUBLIC const char *vh_release_result_get_original_driver(const VhReleaseResult *result);
/* The driver it is on now; NULL: unbound or gone. */
VH_PUBLIC const char *vh_release_result_get_driver(const VhReleaseResult *result);
VH_PUBLIC const GError *vh_release_result_get_error(const VhReleaseResult *result);

typedef enum {
  VH_RECOVER_ROLLED_BACK, /* an interrupted prepare or bind, undone */
  VH_RECOVER_FINISHED,    /* an interrupted release, completed */
  VH_RECOVER_BUSY,        /* another process is working on it now */
  VH_RECOVER_FAILED,      /* could not be finished; the error says why */
} VhRecoverAction;

typedef struct _VhRecoverEntry VhRecoverEntry;

/* Finishes or rolls back every interrupted operation (an interrupted
 * prepare or bind is rolled back, an interrupted release finished, a
 * killed run's devices and hugepages given back), from
 * /run/vfio-hostdev/ alone. Running it twice is harmless.
 * Returns: (transfer full) VhRecoverEntry*, one per operation found, or
 * NULL with ERROR only when the state directory cannot be read. */
VH_PUBLIC GPtrArray *vh_recover(VhManager *manager, GError **error);

/* "rolled-back", "finished", "busy", "failed". */
VH_PUBLIC const char *vh_recover_action_name(VhRecoverAction action);

/* The owner, or NULL for a plain bind or a run. */
VH_PUBLIC const char *vh_recover_entry_get_owner(const VhRecoverEntry *entry);
/* "prepare", "release", "bind" or "run". */
VH_PUBLIC const char *vh_recover_entry_get_operation(const VhRecoverEntry *entry);
VH_PUBLIC VhRecoverAction vh_recover_entry_get_action(const VhRecoverEntry *entry);
/* VhReleaseResult*: what happened to each device. */
VH_PUBLIC const GPtrArray *vh_recover_entry_get_devices(const VhRecoverEntry *entry);
VH_PUBLIC const GError *vh_recover_entry_get_error(const VhRecoverEntry *entry);
/* One line describing ENTRY. Returns: (transfer full) g_free(). */
VH_PUBLIC char *vh_recover_entry_describe(const VhRecoverEntry *entry);

/* ------------------------------------------- managed mode: CDI for containers */

/* The CDI (Container Device Interface) kind of the specs vh_cdi_write()
 * writes: a container runtime is given "vfio-hostdev.io/pci=0000-01-00.0"
 * (one device) or "vfio-hostdev.io/pci=OWNER" (all the owner's). */
#define VH_CDI_KIND "vfio-hostdev.io/pci"

/* The CDI spec (JSON text) of OWNER's prepared devices: one CDI device per
 * PCI device, named by its address with '-' for ':' ("0000-01-00.0"), and
 * one named OWNER with all of them; each lists the device nodes the kernel
 * offers (the group node and /dev/vfio/vfio, the cdev and /dev/iommu).
 * cdiVersion is the lowest the content needs. NULL with ERROR:
 * VH_ERROR_INVALID (OWNER is no CDI device name: letters, digits and
 * _-.: only, starting and ending with a letter or digit),
 * VH_ERROR_NO_DEVICE (OWNER holds no prepared device), VH_ERROR_FAILED.
 * Returns: (transfer full) free with g_free(). */
VH_PUBLIC char *vh_cdi_spec(VhManager *manager, const char *owner, GError **error);

/* Writes vh_cdi_spec() atomically into DIR (NULL: /var/run/cdi, created
 * when missing) as vfio-hostdev-OWNER.json, replacing an older one;
 * vh_release() of OWNER removes it. Errors as vh_cdi_spec().
 * Returns: (transfer full) the file's path; free with g_free(). */
VH_PUBLIC char *vh_cdi_write(VhManager *manager, const char *owner, const char *dir, GError **error);

/* ---------------------------------------------------------------- doctor */

typedef enum {
  VH_CHECK_PASS,
  VH_CHECK_WARN, /* works, but something is missing, optional or unknown */
  VH_CHECK_FAIL, /* passthrough will not work until it is fixed */
} VhCheckStatus;

typedef struct _VhCheck VhCheck;

/* Is this host ready for VFIO? Runs every check (IOMMU, interrupt
 * remapping, vfio modules, /dev/vfio, writable sysfs, modules.alias,
 * hugepages, vfio-dev, cdev, iommufd) in a fixed order. Reads only; works
 * without privileges. Returns: (transfer full) VhCheck*. */
VH_PUBLIC GPtrArray *vh_doctor(VhManager *manager);

/* The worst status of CHECKS (VH_CHECK_PASS when empty). */
VH_PUBLIC VhCheckStatus vh_doctor_worst(const GPtrArray *checks);

/* "pass", "warn", "fail". */
VH_PUBLIC const char *vh_check_status_name(VhCheckStatus status);

/* Stable key: "iommu", "interrupt-remapping", "vfio", "vfio-pci", "dev-vfio",
 * "sysfs-writable", "modules-alias", "hugepages", "vfio-dev", "vfio-cdev", "iommufd". */
VH_PUBLIC const char *vh_check_get_id(const VhCheck *check);
/* What is checked, for people. */
VH_PUBLIC const char *vh_check_get_title(const VhCheck *check);
VH_PUBLIC VhCheckStatus vh_check_get_status(const VhCheck *check);
/* What was found, one line. */
VH_PUBLIC const char *vh_check_get_message(const VhCheck *check);
/* What to do, one line; NULL exactly when the check passed. */
VH_PUBLIC const char *vh_check_get_fix(const VhCheck *check);

/* ------------------------------------------------------------ self-tests */

/* Opens a VFIO-bound device and checks the whole VFIO path case by case
 * (docs/selftest.md). */
typedef enum {
  VH_SELFTEST_IOMMU_AUTO,    /* iommufd when /dev/iommu and the device's cdev exist, else type1 */
  VH_SELFTEST_IOMMU_TYPE1,   /* the legacy container with the type1v2 IOMMU */
  VH_SELFTEST_IOMMU_IOMMUFD, /* iommufd and the device cdev */
  VH_SELFTEST_IOMMU_TYPE1_LEGACY, /* the legacy container with the original type1 (v1) IOMMU, where offered */
} VhSelftestIommu;

typedef enum {
  VH_CASE_PASS,
  VH_CASE_FAIL,
  VH_CASE_SKIP,
} VhCaseStatus;

typedef struct _VhSelftest VhSelftest;
typedef struct _VhSelftestCase VhSelftestCase;
typedef struct _VhSelftestResult VhSelftestResult;

/* The cases a run with FILTER (a glob on case names; NULL: all) reports,
 * in order: "open" (which opens the device) first, then the selected ones;
 * empty when FILTER selects none. Returns: (transfer full) the array only;
 * the VhSelftestCase* are static. */
VH_PUBLIC GPtrArray *vh_selftest_list_cases(const char *filter);
/* "dma.map_hugetlb_2m" and one line saying what it checks. */
VH_PUBLIC const char *vh_selftest_case_get_name(const VhSelftestCase *test_case);
VH_PUBLIC const char *vh_selftest_case_get_summary(const VhSelftestCase *test_case);

/* Checks everything that can be checked without opening the device at
 * ADDRESS: it exists (VH_ERROR_INVALID, VH_ERROR_NO_DEVICE), it is on a
 * VFIO driver (VH_ERROR_REFUSED, nothing opened), IOMMU can work on this
 * host (VH_ERROR_FAILED), FILTER selects a case (VH_ERROR_INVALID).
 * Returns: (transfer full) free with vh_selftest_free(). */
VH_PUBLIC VhSelftest *vh_selftest_new(VhManager *manager, const char *address, VhSelftestIommu iommu,
                                      const char *filter, GError **error);
/* Frees; a signal held back by vh_selftest_execute() is delivered then. */
VH_PUBLIC void vh_selftest_free(VhSelftest *selftest);

VH_PUBLIC const char *vh_selftest_get_address(const VhSelftest *selftest);
/* "type1", "type1-legacy" or "iommufd": the backend the run uses. */
VH_PUBLIC const char *vh_selftest_get_backend(const VhSelftest *selftest);
/* "0000:00:02.0 1234:11e8 on qedu-mig, IOMMU group 2, type1 backend".
 * Returns: (transfer full) g_free(). */
VH_PUBLIC char *vh_selftest_describe(const VhSelftest *selftest);
/* How many results the run reports ("open" included). */
VH_PUBLIC guint vh_selftest_get_plan(const VhSelftest *selftest);

/* Called after each case with its result, valid during the call only. */
typedef void (*VhSelftestReport)(const VhSelftestResult *result, gpointer user_data);

/* Opens the device and runs the cases, calling REPORT (may be NULL) after
 * each; then undoes everything (IRQs, mappings, the device, hugepage pools
 * grown for the run), also when a case failed. SIGINT, SIGTERM and SIGHUP
 * are held back meanwhile: one arriving stops the run after the current
 * case, and REPORT is then called for each case that did not run, as
 * skipped with the reason "interrupted by signal N before it ran" (every
 * case of the plan is reported once). Whatever a case leaves mapped is
 * unmapped before the next (and fails a case that otherwise passed). Call
 * it once. Returns TRUE when no case failed and the run was not
 * interrupted. */
VH_PUBLIC gboolean vh_selftest_execute(VhSelftest *selftest, VhSelftestReport report, gpointer user_data);
/* The signal that stopped the run, or 0. */
VH_PUBLIC int vh_selftest_get_interrupted(const VhSelftest *selftest);
/* What the cleanup could not undo, one line each; empty when all was undone. */
VH_PUBLIC const GPtrArray *vh_selftest_get_cleanup_problems(const VhSelftest *selftest);

/* 1-based, in the order run. */
VH_PUBLIC guint vh_selftest_result_get_number(const VhSelftestResult *result);
VH_PUBLIC const char *vh_selftest_result_get_name(const VhSelftestResult *result);
VH_PUBLIC VhCaseStatus vh_selftest_result_get_status(const VhSelftestResult *result);
/* Why it failed or was skipped; NULL when it passed. */
VH_PUBLIC const char *vh_selftest_result_get_reason(const VhSelftestResult *result);
/* Lines the case printed on its way. */
VH_PUBLIC const GPtrArray *vh_selftest_result_get_diagnostics(const VhSelftestResult *result);

/* ------------------------------------------------------------------- run */

/* The kernel developer's bind-run-restore loop: bind devices, make
 * hugepages free, run one command with the devices named in its
 * environment, then put back exactly what the run changed, whatever the
 * command did and also on SIGINT, SIGTERM, SIGHUP or SIGQUIT. */

/* The command's environment gets the canonical addresses, space-separated... */
#define VH_RUN_ENV_BDFS "VFIO_HOSTDEV_BDFS"
/* ...and the first of them, where the kernel's VFIO selftests look for their device. */
#define VH_RUN_ENV_SELFTESTS_BDF "VFIO_SELFTESTS_BDF"

typedef struct _VhRunOptions VhRunOptions;
typedef struct _VhRun VhRun;

/* Returns: (transfer full) free with vh_run_options_free(). */
VH_PUBLIC VhRunOptions *vh_run_options_new(void);
VH_PUBLIC void vh_run_options_free(VhRunOptions *options);
/* A device to bind for the command, as the user wrote it (checked by
 * vh_run_setup()); at least one. */
VH_PUBLIC void vh_run_options_add_device(VhRunOptions *options, const char *address);
/* As vh_bind()'s DRIVER and FLAGS (VH_BIND_DRY_RUN is not allowed). */
VH_PUBLIC void vh_run_options_set_driver(VhRunOptions *options, const char *driver);
VH_PUBLIC void vh_run_options_set_bind_flags(VhRunOptions *options, VhBindFlags flags);
/* Hugepages that must be free during the run: "2M=512,1G=2" (a size with
 * K, M or G, "=", a count; comma-separated); calls add up, a size given
 * twice is an error. VH_ERROR_INVALID quoting the bad item; OPTIONS is
 * then unchanged. */
VH_PUBLIC gboolean vh_run_options_add_hugepages(VhRunOptions *options, const char *spec, GError **error);

/* Starts a run: holds SIGINT, SIGTERM, SIGHUP and SIGQUIT until freed, so
 * that restoring cannot be skipped. Call it first, before anything starts
 * threads. Returns: (transfer full) free with vh_run_free(). */
VH_PUBLIC VhRun *vh_run_new(GError **error);
/* Frees and lets the signals through; restores nothing (call
 * vh_run_restore() first). */
VH_PUBLIC void vh_run_free(VhRun *run);

/* Reserves the hugepages, then binds the devices. FALSE with ERROR when
 * the command must not run: VH_ERROR_INVALID (address, options),
 * VH_ERROR_FAILED (hugepages), or vh_bind()'s error. Call vh_run_restore()
 * either way. */
VH_PUBLIC gboolean vh_run_setup(VhRun *run, VhManager *manager, const VhRunOptions *options, GError **error);
/* The canonical addresses asked for (NULL-terminated), after setup. */
VH_PUBLIC const char *const *vh_run_get_addresses(const VhRun *run);
/* Runs ARGV (looked up in PATH) with VH_RUN_ENV_BDFS and
 * VH_RUN_ENV_SELFTESTS_BDF added to this process's environment, forwarding
 * the held signals to it, and waits. Returns its status as a shell reports
 * it (exit code, or 128 + the signal that killed it); when it did not run,
 * ERROR says why and the status is 127 (not found), 126 (not executable),
 * 128 + a signal that arrived during setup, or 1. */
VH_PUBLIC int vh_run_command(VhRun *run, const char *const *argv, GError **error);
/* Puts back what the run changed: reattaches the devices it bound, shrinks
 * the pools it grew. Returns: (transfer full) the problems, one line each,
 * saying what was left where (empty: all restored). Calling it again does
 * nothing. */
VH_PUBLIC GPtrArray *vh_run_restore(VhRun *run, VhManager *manager);

/* ----------------------------------------------------------- persistence */

/* Bindings applied again at every boot (docs/persist.md): one file per
 * device in /etc/vfio-hostdev/devices/, with the IDs that say it is still
 * the same device; vh_persist_apply() (vfio-hostdev-persist.service) binds
 * them at boot. Functions that read several files append what they could
 * not parse to PROBLEMS (strings; may be NULL) and go on. */
typedef struct _VhPersistConfig VhPersistConfig;
typedef struct _VhPersistApplyResult VhPersistApplyResult;
typedef struct _VhPersistStatus VhPersistStatus;

typedef enum {
  VH_PERSIST_PLANNED, /* dry run: would be bound */
  VH_PERSIST_ALREADY, /* on a VFIO driver already; untouched */
  VH_PERSIST_BOUND,   /* bound and verified */
  VH_PERSIST_GONE,    /* no device at its address: skipped (the error is the warning) */
  VH_PERSIST_CHANGED, /* another device at its address: skipped, never bound */
  VH_PERSIST_FAILED,  /* bind refused it, failed, or left it stuck (the error's code) */
  /* a PF's persisted VF count (vh_persist_sriov()) */
  VH_PERSIST_VFS_PLANNED, /* dry run: would get its VFs */
  VH_PERSIST_VFS_CREATED, /* got its VFs (sriov_drivers_autoprobe off meanwhile; its record says so) */
  VH_PERSIST_VFS_PRESENT, /* had that count already; untouched */
  VH_PERSIST_VFS_OTHER,   /* had another non-zero count: left alone (the error is the warning) */
} VhPersistOutcome;

/* The canonical form of ADDRESS ("0000:01:00.0"), or NULL with
 * VH_ERROR_INVALID. Returns: (transfer full) g_free(). */
VH_PUBLIC char *vh_address_canonicalize(const char *address, GError **error);

/* Creates the configuration directory when missing and checks that this
 * process may write there: call it before binding what is to be persisted. */
VH_PUBLIC gboolean vh_persist_check_writable(GError **error);

/* Persists the devices of BIND_RESULTS (vh_bind()'s, called with FLAGS)
 * that are on a VFIO driver; with VH_BIND_DRY_RUN, writes nothing.
 * VH_BIND_NOIOMMU is VH_ERROR_INVALID: a no-IOMMU binding is never
 * persisted (vh_persist_apply() binds without it).
 * Returns: (transfer full) VhPersistConfig* written (or that would be), or
 * NULL with ERROR when one could not be written (those before it stay). */
VH_PUBLIC GPtrArray *vh_persist_bound(VhManager *manager, const GPtrArray *bind_results, VhBindFlags flags,
                                      GError **error);

/* Forgets ADDRESSES (canonical, NULL-terminated); an address without a
 * configuration is a manager warning. Devices stay where they are. */
VH_PUBLIC gboolean vh_unpersist(VhManager *manager, const char *const *addresses, GError **error);

/* Persists the VF count RESULT gave its PF (vh_sriov()'s), with the PF's
 * IDs and its VFs' addresses, in /etc/vfio-hostdev/sriov/<PF>.conf:
 * vh_persist_apply() gives the PF that count again before it binds the
 * persisted devices. A count of 0 forgets it. vh_unpersist() of the PF
 * forgets it and the bindings of the VFs persisted with it.
 * Returns: (transfer full) the configuration written (its
 * vh_persist_config_get_sriov_numvfs() the count), or NULL (count 0, or
 * ERROR). */
VH_PUBLIC VhPersistConfig *vh_persist_sriov(VhManager *manager, const VhSriovResult *result, GError **error);

/* Regenerates what binds the persisted devices before their host drivers
 * (docs/persist.md): /etc/vfio-hostdev/early.list, read by the initramfs
 * script and the udev rule, and the modprobe guard
 * /etc/modprobe.d/vfio-hostdev.conf; a present device on the deny list is
 * left out (a manager warning). CHANGED (may be NULL) says whether a file
 * was written or removed: only then does the initramfs, which carries the
 * list, need rebuilding (the caller's job: update-initramfs -u). */
VH_PUBLIC gboolean vh_persist_update_early(VhManager *manager, gboolean *changed, GError **error);

/* Binds every persisted device that is present with its persisted IDs, as
 * vh_bind() does (without VH_BIND_FORCE or VH_BIND_GROUP), one IOMMU group
 * at a time; FLAGS: VH_BIND_DRY_RUN or none. Returns: (transfer full)
 * VhPersistApplyResult* by address, or NULL with ERROR when the
 * configuration cannot be listed. A device that failed is a
 * VH_PERSIST_FAILED result with its error; a file that could not be read
 * is a line in PROBLEMS (the command exits 1 for either); the call sets no
 * error then. */
VH_PUBLIC GPtrArray *vh_persist_apply(VhManager *manager, VhBindFlags flags, GPtrArray *problems, GError **error);

/* Every configuration, by address. Returns: (transfer full) VhPersistConfig*. */
VH_PUBLIC GPtrArray *vh_persist_list(GPtrArray *problems, GError **error);
/* Every PF's persisted VF count (vh_persist_sriov()), by address.
 * Returns: (transfer full) VhPersistConfig*. */
VH_PUBLIC GPtrArray *vh_persist_sriov_list(GPtrArray *problems, GError **error);
/* ADDRESS's (canonical) configuration; NULL without ERROR when there is none. */
VH_PUBLIC VhPersistConfig *vh_persist_load(const char *address, GError **error);
/* TRUE when ADDRESS has a configuration file, parsable or not. */
VH_PUBLIC gboolean vh_persist_exists(const char *address);
/* The file of ADDRESS's configuration. Returns: (transfer full) g_free(). */
VH_PUBLIC char *vh_persist_path(const char *address);
VH_PUBLIC void vh_persist_config_free(VhPersistConfig *config);

VH_PUBLIC const char *vh_persist_config_get_address(const VhPersistConfig *config);
VH_PUBLIC guint vh_persist_config_get_vendor_id(const VhPersistConfig *config);
VH_PUBLIC guint vh_persist_config_get_device_id(const VhPersistConfig *config);
/* FALSE when the subsystem IDs were not recorded (and are not compared). */
VH_PUBLIC gboolean vh_persist_config_has_subsystem(const VhPersistConfig *config);
VH_PUBLIC guint vh_persist_config_get_subsystem_vendor_id(const VhPersistConfig *config);
VH_PUBLIC guint vh_persist_config_get_subsystem_device_id(const VhPersistConfig *config);
/* "8086:10d3" or "8086:10d3 (subsystem 8086:0000)". Returns: (transfer full) g_free(). */
VH_PUBLIC char *vh_persist_config_describe_ids(const VhPersistConfig *config);
/* The VFIO driver, and its module (NULL: built in or unknown). */
VH_PUBLIC const char *vh_persist_config_get_driver(const VhPersistConfig *config);
VH_PUBLIC const char *vh_persist_config_get_module(const VhPersistConfig *config);
/* The bind used VH_BIND_GROUP; the device joined as a member of its group. */
VH_PUBLIC gboolean vh_persist_config_is_group(const VhPersistConfig *config);
VH_PUBLIC gboolean vh_persist_config_is_group_member(const VhPersistConfig *config);
/* Unix time it was written. */
VH_PUBLIC gint64 vh_persist_config_get_created(const VhPersistConfig *config);
/* A PF's persisted VF count; 0 for a device's binding. */
VH_PUBLIC guint vh_persist_config_get_sriov_numvfs(const VhPersistConfig *config);

/* "planned", "already-bound", "bound", "gone", "changed", "failed". */
VH_PUBLIC const char *vh_persist_outcome_name(VhPersistOutcome outcome);

VH_PUBLIC const VhPersistConfig *vh_persist_apply_result_get_config(const VhPersistApplyResult *result);
VH_PUBLIC VhPersistOutcome vh_persist_apply_result_get_outcome(const VhPersistApplyResult *result);
/* The VFIO driver it is on (or would be), or NULL. */
VH_PUBLIC const char *vh_persist_apply_result_get_driver(const VhPersistApplyResult *result);
/* "vfioN" once bound, or NULL. */
VH_PUBLIC const char *vh_persist_apply_result_get_vfio_device(const VhPersistApplyResult *result);
/* Changed: the IDs at its address now; otherwise NULL. */
VH_PUBLIC const char *vh_persist_apply_result_get_found_ids(const VhPersistApplyResult *result);
/* Gone, changed: the warning; failed: why; otherwise NULL. */
VH_PUBLIC const GError *vh_persist_apply_result_get_error(const VhPersistApplyResult *result);
/* Bound: the host driver it had to be taken from (early binding did not
 * catch it: built in, or loaded before), or NULL when it was on none. */
VH_PUBLIC const char *vh_persist_apply_result_get_original_driver(const VhPersistApplyResult *result);

/* The persisted devices that have no record (vh_status_list() does not
 * show them): not bound since boot, reattached since, gone or changed.
 * Returns: (transfer full) VhPersistStatus* by address. */
VH_PUBLIC GPtrArray *vh_status_list_persisted(GPtrArray *problems, GError **error);
VH_PUBLIC const VhPersistConfig *vh_persist_status_get_config(const VhPersistStatus *status);
/* FALSE when no device is at its address. */
VH_PUBLIC gboolean vh_persist_status_is_present(const VhPersistStatus *status);
/* The driver now, or NULL. */
VH_PUBLIC const char *vh_persist_status_get_current_driver(const VhPersistStatus *status);
/* The IDs at its address when they are not the persisted ones, or NULL. */
VH_PUBLIC const char *vh_persist_status_get_found_ids(const VhPersistStatus *status);

/* ------------------------------------------------ g_autoptr() support */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhManager, vh_manager_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhDevice, vh_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhVfioChoice, vh_vfio_choice_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhMigration, vh_migration_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhResetResult, vh_reset_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhSriovResult, vh_sriov_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhPrepareRequest, vh_prepare_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhPrepareResult, vh_prepare_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhExecPlan, vh_exec_plan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhSelftest, vh_selftest_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhRunOptions, vh_run_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhRun, vh_run_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhPersistConfig, vh_persist_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VhStatusEntry, vh_status_entry_free)

G_END_DECLS
