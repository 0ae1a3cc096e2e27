/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state of a PF's VFs, recorded before the VFs are disabled and put
 * back once they are created again: each VF's driver, driver_override and
 * owner, by VF index (virtfnN). Disabling VFs destroys them; the kernel
 * creates new devices at the same addresses but in new IOMMU groups, so a
 * VF is found again by its index, never by a remembered group.
 *
 * bind (of a PF with VFs) keeps the list in the PF's state record, one
 * GKeyFile group per VF next to [device] (device-record.h):
 *
 *   [vf 0]
 *   address=0000:03:00.1     (at record time; the VF is looked up by index)
 *   driver=igbvf             (absent: on no driver)
 *   driver_override=vfio-pci (absent: clear)
 *   owner=vm1                (absent: no owner's record held it)
 *
 * `sriov` provisioning reuses the same list and the same restore: capture
 * what the VFs are, change them, and hd_vf_records_restore() at the end. */
#pragma once

#include <glib.h>

#include "hostdev/shared/device-record.h"

typedef struct {
  guint index;           /* N of the PF's virtfnN */
  char *address;         /* the VF's address when recorded */
  char *driver;          /* NULL: on no driver */
  char *driver_override; /* NULL: clear */
  char *owner;           /* the owner (prepare --owner) whose record held the VF, or NULL */
} HdVfRecord;

void hd_vf_record_free(HdVfRecord *vf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdVfRecord, hd_vf_record_free)

/* The address of the PF's VF number INDEX now (virtfnINDEX), NULL when
 * the PF has no such VF. */
char *hd_vf_address(const char *pf_address, guint index);

/* HdVfRecord* for every VF the PF at PF_ADDRESS has now, in index order;
 * the owner comes from the VF's own state record. */
GPtrArray *hd_vf_records_capture(const char *pf_address);

/* Adds one "vf N" group per record to FILE. */
void hd_vf_records_save(const GPtrArray *vfs, GKeyFile *file);

/* The records of FILE's "vf N" groups, in index order (empty when none).
 * FALSE (HD_ERROR_FAILED, naming ORIGIN) for a group that cannot be read:
 * a bad index, a duplicate, or an address that is not canonical. */
gboolean hd_vf_records_load(GKeyFile *file, const char *origin, GPtrArray **vfs, GError **error);

/* The PF's sriov_drivers_autoprobe: 0 or 1, -1 when it has none. */
int hd_vf_autoprobe_read(const char *pf_address);

/* Sets the PF's sriov_drivers_autoprobe to VALUE (0 or 1). */
gboolean hd_vf_autoprobe_write(const char *pf_address, int value, GError **error);

/* Gives the PF at PF_ADDRESS (on its driver) NUMVFS VFs again, each as
 * VFS says (HdVfRecord*, NULL or empty: created as the kernel likes):
 * sriov_drivers_autoprobe is off while the VFs are created and each gets
 * its driver_override and its driver (through a temporary override naming
 * exactly it, verified), so that no default driver takes a VF meant to
 * stay on none; then autoprobe is put back to AUTOPROBE (-1: as it was).
 * A VF on no driver stays on none. VFs already enabled are kept and only
 * corrected, so this also finishes an interrupted restore. */
gboolean hd_vf_records_restore(const char *pf_address, guint numvfs, const GPtrArray *vfs, int autoprobe,
                               guint timeout_ms, GError **error);

/* Disables the VFs of the PF at PF_ADDRESS (sriov_numvfs=0, which
 * destroys them) and removes the state records of those vfio-hostdev
 * bound without an owner: their devices are gone. The caller has checked
 * that no VF is in use (vf-check.h). */
gboolean hd_vf_disable(const char *pf_address, guint timeout_ms, GError **error);

/* Undoes `sriov` provisioning of RECORD's PF (record->sriov_provisioned
 * >= 0): VFs other than the recorded count disabled (hd_vf_disable), and
 * without VFs to recreate, sriov_drivers_autoprobe put back. The recorded
 * VFs are then recreated by hd_vf_records_restore(). */
gboolean hd_vf_provisioned_undo(const HdDeviceRecord *record, guint timeout_ms, GError **error);
