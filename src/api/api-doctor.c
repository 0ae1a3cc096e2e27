// SPDX-License-Identifier: LGPL-2.1-or-later
/* The public API: host readiness (doctor). */
#include "api/api-private.h"

#include "hostdev/doctor/doctor.h"

G_STATIC_ASSERT((int)VH_CHECK_PASS == (int)HD_CHECK_PASS);
G_STATIC_ASSERT((int)VH_CHECK_WARN == (int)HD_CHECK_WARN);
G_STATIC_ASSERT((int)VH_CHECK_FAIL == (int)HD_CHECK_FAIL);

GPtrArray *vh_doctor(VhManager *manager)
{
  return hd_doctor_run(api_hd_manager(manager));
}

VhCheckStatus vh_doctor_worst(const GPtrArray *checks)
{
  return (VhCheckStatus)hd_doctor_worst(checks);
}

const char *vh_check_status_name(VhCheckStatus status)
{
  return hd_check_status_name((HdCheckStatus)status);
}

const char *vh_check_get_id(const VhCheck *check) { return check->id; }
const char *vh_check_get_title(const VhCheck *check) { return check->title; }
VhCheckStatus vh_check_get_status(const VhCheck *check) { return (VhCheckStatus)check->status; }
const char *vh_check_get_message(const VhCheck *check) { return check->message; }
const char *vh_check_get_fix(const VhCheck *check) { return check->fix; }
