/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* doctor: is this host ready for VFIO? A fixed list of checks, each
 * pass, warn or fail, with one line saying what was found and, unless it
 * passed, one line saying what to do. Reads only: it never changes the host
 * and works without privileges. */
#pragma once

#include "hostdev/device/manager.h"
#include "hostdev/doctor/check-result.h"

/* Runs every check in a fixed order: HdCheck*, owned by the array. */
GPtrArray *hd_doctor_run(HdManager *manager);

/* The worst status of CHECKS (HD_CHECK_PASS when empty). */
HdCheckStatus hd_doctor_worst(const GPtrArray *checks);
