// SPDX-License-Identifier: LGPL-2.1-or-later
/* The public API: exec (a VMM started with an owner's devices open). */
#include "api/api-private.h"

#include "hostdev/managed/exec-plan.h"

VhExecPlan *vh_exec_plan_new(VhManager *manager, const char *owner, const char *user, guint qemu_major,
                             guint qemu_minor, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  HdQemuVersion version = {qemu_major, qemu_minor};

  return hd_exec_plan_new(api_hd_manager(manager), owner, user, &version, error);
}

void vh_exec_plan_free(VhExecPlan *plan)
{
  hd_exec_plan_free(plan);
}

gboolean vh_exec_plan_uses_iommufd(const VhExecPlan *plan) { return plan->iommufd; }
const GArray *vh_exec_plan_get_fds(const VhExecPlan *plan) { return plan->fds; }
const GPtrArray *vh_exec_plan_get_qemu_args(const VhExecPlan *plan) { return plan->args; }
const char *vh_exec_plan_get_user(const VhExecPlan *plan) { return plan->user; }

gboolean vh_exec_plan_exec(VhExecPlan *plan, const char *const *argv, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_exec_plan_exec(plan, argv, error);
}
