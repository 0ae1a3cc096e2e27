/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The per-device state record: what a device was like before this tool
 * bound it, so that `reattach` can restore exactly that (not merely the
 * kernel's default driver), even after a crash. One GKeyFile per device,
 * /run/vfio-hostdev/<address>.record, replaced atomically:
 *
 *   [device]
 *   address=0000:01:00.0
 *   original_driver=e1000e          (absent: the device was unbound)
 *   original_override=              (absent: no driver_override)
 *   sriov_numvfs=0                  (VFs to re-enable on reattach)
 *   sriov_drivers_autoprobe=1       (with VFs: the PF's setting, put back after
 *                                    the VFs are recreated)
 *   sriov_provisioned=4             (`sriov`: the VF count vfio-hostdev gave the PF,
 *                                    which stays on its own driver; sriov_numvfs
 *                                    and the [vf N] groups are what it had before)
 *   target_driver=vfio-pci
 *   group=true                      (bound with its IOMMU group by --group)
 *   functions=true                  (bound as a function of a whole device by
 *                                    --functions; absent otherwise)
 *   since=1763769600                (Unix time of the bind)
 *   tool_version=0.1.0
 *   state=bound                     (binding | bound | stuck)
 *   problem=...                     (stuck: what did not finish)
 *   owner=vm1                       (prepare: the VM holding it; absent for bind)
 *   managed=true                    (with owner: release restores the original driver)
 *   adopted=true                    (with owner: the record predates the owner, whose
 *                                    release only takes the owner off again)
 *
 *   [vf 0] ...                      (with VFs: each VF's driver, driver_override
 *                                    and owner, vf-record.h)
 */
#pragma once

#include <glib.h>

typedef enum {
  HD_RECORD_BINDING, /* written before the first change; a crash leaves this */
  HD_RECORD_BOUND,   /* the bind was verified */
  HD_RECORD_STUCK,   /* a kernel write did not return, or a rollback failed */
} HdRecordState;

typedef struct {
  char *address;
  char *original_driver;   /* NULL: was unbound */
  char *original_override; /* NULL: was clear */
  guint sriov_numvfs;
  int sriov_autoprobe; /* the PF's sriov_drivers_autoprobe; -1: not recorded */
  int sriov_provisioned; /* `sriov`: the VF count set on the PF (on its own driver); -1: not an sriov record */
  GPtrArray *vfs;      /* HdVfRecord*, by index; NULL or empty: not recorded */
  char *target_driver;
  gboolean group;
  gboolean functions; /* came along with another function of its device (bind --functions) */
  gint64 since;
  char *tool_version;
  HdRecordState state;
  char *problem; /* NULL unless stuck */
  char *owner;    /* the VM (prepare --owner) holding it; NULL when bound by bind */
  gboolean managed; /* owner only: release puts it back on original_driver */
  gboolean adopted; /* owner only: the record existed before the owner took the device */
} HdDeviceRecord;

HdDeviceRecord *hd_record_new(const char *address);
void hd_record_free(HdDeviceRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdDeviceRecord, hd_record_free)

/* "binding", "bound", "stuck". */
const char *hd_record_state_name(HdRecordState state);

/* Creates the state directory when missing (mode 0755). */
gboolean hd_record_ensure_dir(GError **error);

/* The record of ADDRESS; NULL without error when there is none. A record
 * that cannot be parsed is an error (HD_ERROR_FAILED) naming the file. */
HdDeviceRecord *hd_record_load(const char *address, GError **error);

/* Parses a record's text (LENGTH bytes of DATA, as hd_record_save()
 * writes it; ORIGIN names it in errors). The address must be canonical
 * ("0000:01:00.0"). NULL and HD_ERROR_FAILED when it cannot be parsed.
 * hd_record_load() reads the file and calls it, then checks that the
 * record is the named device's. */
HdDeviceRecord *hd_record_parse(const char *data, gsize length, const char *origin, GError **error);

/* The text hd_record_save() writes (LENGTH gets its length). */
char *hd_record_to_data(const HdDeviceRecord *record, gsize *length);

/* Writes RECORD atomically (write, fsync, rename). */
gboolean hd_record_save(const HdDeviceRecord *record, GError **error);

/* Removes the record of ADDRESS; a missing one is not an error. */
gboolean hd_record_remove(const char *address, GError **error);

/* Every record, sorted by address; records that cannot be parsed are
 * reported through PROBLEMS (strings) and skipped. */
GPtrArray *hd_record_list(GPtrArray *problems, GError **error);
