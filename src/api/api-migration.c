// SPDX-License-Identifier: LGPL-2.1-or-later
/* The public API: what the kernel says about live migration (debugfs, or
 * the device itself when opened). */
#include "api/api-private.h"

#include "hostdev/device/device.h"
#include "hostdev/selftest/migration-probe.h"

G_STATIC_ASSERT((int)VH_MIGRATION_UNKNOWN == (int)HD_MIGRATION_UNKNOWN);
G_STATIC_ASSERT((int)VH_MIGRATION_UNSUPPORTED == (int)HD_MIGRATION_UNSUPPORTED);
G_STATIC_ASSERT((int)VH_MIGRATION_SUPPORTED == (int)HD_MIGRATION_SUPPORTED);
G_STATIC_ASSERT((int)VH_MIGRATION_FLAG_STOP_COPY == (int)HD_MIGRATION_STOP_COPY);
G_STATIC_ASSERT((int)VH_MIGRATION_FLAG_P2P == (int)HD_MIGRATION_P2P);
G_STATIC_ASSERT((int)VH_MIGRATION_FLAG_PRE_COPY == (int)HD_MIGRATION_PRE_COPY);

const VhMigration *vh_device_get_migration(const VhDevice *device) { return device->migration; }

VhMigration *vh_manager_probe_migration(VhManager *manager, const char *address, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_migration_probe(api_hd_manager(manager), address, error);
}

void vh_migration_free(VhMigration *migration) { hd_migration_free(migration); }

VhMigrationSupport vh_migration_get_supported(const VhMigration *migration)
{
  return (VhMigrationSupport)migration->supported;
}

gboolean vh_migration_get_flags(const VhMigration *migration, guint *flags)
{
  if (flags != NULL)
    *flags = migration->flags;
  return migration->flags_known;
}

VhMigrationSupport vh_migration_get_dirty_tracking(const VhMigration *migration)
{
  return (VhMigrationSupport)migration->dirty_tracking;
}

const char *vh_migration_get_source(const VhMigration *migration) { return migration->source; }
const char *vh_migration_get_reason(const VhMigration *migration) { return migration->reason; }
