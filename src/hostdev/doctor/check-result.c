// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/doctor/check-result.h"

#include <glib.h>

HdCheck *hd_check_new(const char *id, const char *title, HdCheckStatus status, const char *message,
                      const char *fix)
{
  HdCheck *check = g_new0(HdCheck, 1);

  check->id = id;
  check->title = title;
  check->status = status;
  check->message = g_strdup(message);
  check->fix = g_strdup(fix);
  return check;
}

void hd_check_free(HdCheck *check)
{
  if (check == NULL)
    return;
  g_free(check->message);
  g_free(check->fix);
  g_free(check);
}

const char *hd_check_status_name(HdCheckStatus status)
{
  switch (status) {
  case HD_CHECK_PASS:
    return "pass";
  case HD_CHECK_WARN:
    return "warn";
  case HD_CHECK_FAIL:
    return "fail";
  }
  g_return_val_if_reached("?");
}
