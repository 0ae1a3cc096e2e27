/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Can a VFIO device be live-migrated? What the kernel says without
 * touching the device: with CONFIG_VFIO_DEBUGFS each VFIO device has
 * /sys/kernel/debug/vfio/<parent device name>/ (the PCI address), and a
 * migration/ directory in it exactly when its driver registered migration
 * ops (drivers/vfio/debugfs.c); kernels after 6.12 add migration/features
 * ("stop-copy", "p2p", "pre-copy", "dirty-tracking", one a line). Opening
 * the device tells more (selftest/migration-probe.h), but resets it. */
#pragma once

#include <glib.h>

/* The public VhMigrationSupport. */
typedef enum {
  HD_MIGRATION_UNKNOWN,
  HD_MIGRATION_UNSUPPORTED,
  HD_MIGRATION_SUPPORTED,
} HdMigrationSupport;

/* The kernel's VFIO_MIGRATION_* bits (uapi/linux/vfio.h), the public VH_MIGRATION_FLAG_*. */
#define HD_MIGRATION_STOP_COPY (1u << 0)
#define HD_MIGRATION_P2P (1u << 1)
#define HD_MIGRATION_PRE_COPY (1u << 2)

/* The public VhMigration is this struct, opaque. */
typedef struct _VhMigration {
  HdMigrationSupport supported;
  gboolean flags_known;  /* FALSE: flags unknown (debugfs without features) */
  guint flags;           /* HD_MIGRATION_* */
  HdMigrationSupport dirty_tracking; /* DMA logging (VFIO_DEVICE_FEATURE_DMA_LOGGING_*) */
  const char *source;    /* "debugfs" or "probe" */
  char *reason;          /* why supported is unknown, else NULL */
} HdMigration;

#define HD_DEBUGFS_ROOT "/sys/kernel/debug"

/* Unknown, no reason yet; SOURCE a static string. */
HdMigration *hd_migration_new(const char *source);

/* What debugfs says about the device at ADDRESS; VFIO_BOUND: whether it is
 * on a VFIO driver (only those have a VFIO device). Never fails: unknown
 * with a reason. */
HdMigration *hd_migration_from_debugfs(const char *address, gboolean vfio_bound);

void hd_migration_free(HdMigration *migration);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdMigration, hd_migration_free)
