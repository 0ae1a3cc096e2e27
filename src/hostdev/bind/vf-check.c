// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/bind/vf-check.h"

#include "hostdev/shared/device-record.h"
#include "hostdev/shared/host-use.h"
#include "hostdev/shared/vfio-holders.h"

/* A VF this tool holds: its record is the only copy of what it was. */
static void check_record(const HdDevice *pf, const HdDevice *vf, gboolean force, GPtrArray *forced,
                         GPtrArray *refusals)
{
  g_autoptr(HdDeviceRecord) record = hd_record_load(vf->address, NULL);

  if (record == NULL)
    return;
  if (record->owner != NULL) {
    g_ptr_array_add(refusals, g_strdup_printf("its VF %s belongs to owner %s; `vfio-hostdev release --owner %s` gives "
                                              "it back first", vf->address, record->owner, record->owner));
    return;
  }
  g_autofree char *what = g_strdup_printf("its VF %s is bound to %s", vf->address,
                                          vf->driver != NULL ? vf->driver : "no driver");
  if (force) {
    g_ptr_array_add(forced, g_steal_pointer(&what));
    return;
  }
  g_ptr_array_add(refusals, g_strdup_printf("%s has %u VFs enabled and %s by vfio-hostdev; a PF with VFs cannot be "
                                            "bound to VFIO; reattach its VFs, or --force disables them anyway",
                                            pf->address, pf->sriov_numvfs, what));
}

/* What the VFs' removal is for, in refusals. */
typedef struct {
  gboolean own_records_ok; /* `sriov`: VFs vfio-hostdev bound without an owner may go */
  const char *action;      /* "bind disables" */
} VfCheckMode;

static void check_vf(HdManager *manager, const HdDevice *pf, const HdDevice *vf, const VfCheckMode *mode,
                     gboolean force, GPtrArray *forced, GPtrArray *refusals)
{
  g_autoptr(HdDeviceRecord) record = mode->own_records_ok ? hd_record_load(vf->address, NULL) : NULL;

  if (!mode->own_records_ok)
    check_record(pf, vf, force, forced, refusals);
  else if (record != NULL && record->owner != NULL)
    g_ptr_array_add(refusals, g_strdup_printf("its VF %s belongs to owner %s; `vfio-hostdev release --owner %s` gives "
                                              "it back first", vf->address, record->owner, record->owner));
  if (vf->vfio.bound)
    hd_vfio_holders_refusals(manager, vf, refusals);
  g_autoptr(GPtrArray) users = hd_host_use(manager, vf);
  if (users->len == 0)
    return;
  g_autofree char *refusal = mode->own_records_ok ? hd_host_use_refusal_unforceable(vf, users)
                                                  : hd_host_use_refusal(vf, users, force, forced);
  if (refusal != NULL)
    g_ptr_array_add(refusals, g_strdup_printf("%s has VFs enabled, which %s: %s", pf->address, mode->action, refusal));
}

static gboolean check_vfs(HdManager *manager, const HdDevice *pf, const VfCheckMode *mode, gboolean force,
                          GPtrArray *forced, GPtrArray *refusals)
{
  guint before = refusals->len;

  for (guint i = 0; i < pf->vfs->len; i++) {
    const char *address = g_ptr_array_index(pf->vfs, i);
    g_autoptr(GError) error = NULL;
    g_autoptr(HdDevice) vf = hd_device_load_by_name(manager, address, &error);
    if (vf == NULL) {
      g_ptr_array_add(refusals, g_strdup_printf("cannot read VF %s of %s: %s", address, pf->address, error->message));
      continue;
    }
    check_vf(manager, pf, vf, mode, force, forced, refusals);
  }
  return refusals->len == before;
}

gboolean hd_vf_check(HdManager *manager, const HdDevice *pf, gboolean force, GPtrArray *forced, GPtrArray *refusals)
{
  const VfCheckMode mode = {FALSE, "bind disables"};

  return check_vfs(manager, pf, &mode, force, forced, refusals);
}

gboolean hd_vf_check_removal(HdManager *manager, const HdDevice *pf, GPtrArray *refusals)
{
  const VfCheckMode mode = {TRUE, "removing them destroys"};

  return check_vfs(manager, pf, &mode, FALSE, NULL, refusals);
}
