/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bind of a PF with VFs: VFIO drivers refuse a PF with SR-IOV enabled, so
 * its VFs are disabled, which destroys them. That is refused while a VF is
 * in use: by the host (host-use.h), by a process holding it through VFIO,
 * or by vfio-hostdev itself (the VF has a state record: bound, or an
 * owner's). Otherwise each VF's driver, driver_override and owner is
 * recorded (vf-record.h) and reattach gives each VF its own back. */
#pragma once

#include "hostdev/device/device.h"
#include "hostdev/device/manager.h"

/* Adds to REFUSALS (strings) why the VFs of PF may not be disabled; with
 * FORCE, uses --force overrides go to FORCED instead (a VF another owner
 * holds, or one a process has open through VFIO, is refused even then).
 * TRUE when the VFs may be disabled. */
gboolean hd_vf_check(HdManager *manager, const HdDevice *pf, gboolean force, GPtrArray *forced, GPtrArray *refusals);

/* The same for `sriov` changing or removing the VFs of a PF that stays on
 * its driver, and for reattach undoing that: no --force, and a VF that
 * vfio-hostdev bound without an owner may go (its record goes with it,
 * hd_vf_disable()); an owner's VF, one a process holds through VFIO and
 * one the host uses are refused. */
gboolean hd_vf_check_removal(HdManager *manager, const HdDevice *pf, GPtrArray *refusals);
