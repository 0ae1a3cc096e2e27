/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A persisted binding: what `bind --persist` asks to be bound again at
 * every boot, and the IDs that say it is still the same device. One
 * GKeyFile per device, /etc/vfio-hostdev/devices/<address>.conf, replaced
 * atomically (docs/persist.md documents the format for people who write
 * them by hand):
 *
 *   [device]
 *   format=1                    (absent: 1; a newer format is not read)
 *   address=0000:01:00.0        (must match the file name)
 *   vendor_id=8086              (4 hex digits; required)
 *   device_id=10d3              (required)
 *   subsystem_vendor_id=8086    (optional: absent, not compared)
 *   subsystem_device_id=0000    (optional)
 *   driver=vfio-pci             (the VFIO driver it was bound to; required)
 *   module=vfio_pci             (the module providing it; absent: built in)
 *   host_module=e1000e          (the module of the driver it was taken from;
 *                                absent: none, or built in)
 *   group=false                 (the bind used --group)
 *   group_member=false          (joined as a member of its IOMMU group)
 *   created=1763769600          (Unix time)
 *   tool_version=0.1.0
 *
 * A PF whose VF count is persisted (`sriov --persist`) has a file of the
 * same [device] format in /etc/vfio-hostdev/sriov/<address>.conf, with
 * numvfs=N (1 or more; required there) and vfs=<its VFs' addresses;> in
 * place of the driver keys: persist-apply gives it N VFs before it binds
 * the devices. */
#pragma once

#include <glib.h>

/* The one format this version writes and reads. */
#define HD_PERSIST_FORMAT 1

/* The public VhPersistConfig (include/vfio-hostdev.h) is this struct, opaque. */
typedef struct _VhPersistConfig {
  char *address;
  guint16 vendor_id;
  guint16 device_id;
  gboolean has_subsystem; /* the subsystem IDs were recorded and are compared */
  guint16 subsystem_vendor_id;
  guint16 subsystem_device_id;
  char *driver;
  char *module; /* NULL: built in, or not known */
  char *host_module; /* the host driver's module it was taken from; NULL: none or built in */
  gboolean group;
  gboolean group_member;
  gint64 created;
  char *tool_version;
  guint sriov_numvfs; /* a PF's VF count file: its count; 0 in a device's */
  char **sriov_vfs;   /* ... and its VFs' addresses when persisted */
} HdPersistConfig;

HdPersistConfig *hd_persist_config_new(const char *address);
void hd_persist_config_free(HdPersistConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdPersistConfig, hd_persist_config_free)

/* "/etc/vfio-hostdev/devices/<address>.conf". */
char *hd_persist_config_path(const char *address);

/* Creates the directory when missing (mode 0755) and checks that this
 * process may write there, so that `bind --persist` fails before binding
 * rather than after. */
gboolean hd_persist_config_ensure_dir(GError **error);

/* CONFIG as its file holds it. */
char *hd_persist_config_to_data(const HdPersistConfig *config, gsize *length);

/* Parses LENGTH bytes of DATA, which must be ADDRESS's file (a device's, or
 * a PF's VF count when SRIOV), named PATH in errors. What decides which
 * device is bound (address, IDs, driver or count) is required; the rest
 * has defaults. */
HdPersistConfig *hd_persist_config_parse(const char *data, gsize length, gboolean sriov, const char *address,
                                         const char *path, GError **error);

/* Writes CONFIG atomically (write, fsync, rename), mode 0644. */
gboolean hd_persist_config_save(const HdPersistConfig *config, GError **error);

/* The configuration of ADDRESS (canonical); NULL without error when there
 * is none. A file that cannot be parsed is an error naming the file. */
HdPersistConfig *hd_persist_config_load(const char *address, GError **error);

/* TRUE when ADDRESS has a configuration file, parsable or not. */
gboolean hd_persist_config_exists(const char *address);

/* Removes the configuration of ADDRESS; a missing one is not an error. */
gboolean hd_persist_config_remove(const char *address, GError **error);

/* Every configuration, sorted by address; files that cannot be parsed are
 * reported through PROBLEMS (strings) and skipped. No directory: none. */
GPtrArray *hd_persist_config_list(GPtrArray *problems, GError **error);

/* The same for the VF counts of PFs (/etc/vfio-hostdev/sriov/); a
 * configuration with sriov_numvfs > 0 is saved there. */
char *hd_persist_sriov_path(const char *address);
HdPersistConfig *hd_persist_sriov_load(const char *address, GError **error);
gboolean hd_persist_sriov_remove(const char *address, GError **error);
GPtrArray *hd_persist_sriov_list(GPtrArray *problems, GError **error);

/* "8086:10d3" or "8086:10d3 (subsystem 8086:0000)": the IDs for messages. */
char *hd_persist_config_ids(const HdPersistConfig *config);
