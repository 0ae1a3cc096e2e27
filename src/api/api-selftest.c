// SPDX-License-Identifier: LGPL-2.1-or-later
/* The public API: the VFIO self-tests (`vfio-hostdev test`). */
#include "api/api-private.h"

#include "hostdev/selftest/selftest.h"

G_STATIC_ASSERT((int)VH_SELFTEST_IOMMU_AUTO == (int)HD_SELFTEST_IOMMU_AUTO);
G_STATIC_ASSERT((int)VH_SELFTEST_IOMMU_TYPE1 == (int)HD_SELFTEST_IOMMU_TYPE1);
G_STATIC_ASSERT((int)VH_SELFTEST_IOMMU_IOMMUFD == (int)HD_SELFTEST_IOMMU_IOMMUFD);
G_STATIC_ASSERT((int)VH_SELFTEST_IOMMU_TYPE1_LEGACY == (int)HD_SELFTEST_IOMMU_TYPE1_LEGACY);
G_STATIC_ASSERT((int)VH_CASE_PASS == (int)HD_CASE_PASS);
G_STATIC_ASSERT((int)VH_CASE_FAIL == (int)HD_CASE_FAIL);
G_STATIC_ASSERT((int)VH_CASE_SKIP == (int)HD_CASE_SKIP);

GPtrArray *vh_selftest_list_cases(const char *filter)
{
  GPtrArray *cases = hd_selftest_cases(filter);

  /* "open" always runs first; alone it is no run */
  if (cases->len > 0)
    g_ptr_array_insert(cases, 0, (gpointer)hd_selftest_open_case());
  return cases;
}

const char *vh_selftest_case_get_name(const VhSelftestCase *test_case) { return test_case->name; }
const char *vh_selftest_case_get_summary(const VhSelftestCase *test_case) { return test_case->summary; }

VhSelftest *vh_selftest_new(VhManager *manager, const char *address, VhSelftestIommu iommu, const char *filter,
                            GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_selftest_prepare(api_hd_manager(manager), address, (HdSelftestIommuKind)iommu, filter, error);
}

void vh_selftest_free(VhSelftest *selftest)
{
  hd_selftest_free(selftest);
}

const char *vh_selftest_get_address(const VhSelftest *selftest) { return hd_selftest_address(selftest); }
const char *vh_selftest_get_backend(const VhSelftest *selftest) { return hd_selftest_backend_name(selftest); }
char *vh_selftest_describe(const VhSelftest *selftest) { return hd_selftest_describe(selftest); }
guint vh_selftest_get_plan(const VhSelftest *selftest) { return hd_selftest_plan(selftest); }
int vh_selftest_get_interrupted(const VhSelftest *selftest) { return hd_selftest_interrupted(selftest); }
const GPtrArray *vh_selftest_get_cleanup_problems(const VhSelftest *selftest) { return hd_selftest_cleanup_problems(selftest); }

static void ignore_result(const HdSelftestResult *result, gpointer user_data)
{
}

gboolean vh_selftest_execute(VhSelftest *selftest, VhSelftestReport report, gpointer user_data)
{
  /* VhSelftestReport is HdSelftestReport: the result struct is the same */
  return hd_selftest_execute(selftest, report != NULL ? report : ignore_result, user_data);
}

guint vh_selftest_result_get_number(const VhSelftestResult *result) { return result->number; }
const char *vh_selftest_result_get_name(const VhSelftestResult *result) { return result->name; }
VhCaseStatus vh_selftest_result_get_status(const VhSelftestResult *result) { return (VhCaseStatus)result->status; }
const char *vh_selftest_result_get_reason(const VhSelftestResult *result) { return result->reason; }
const GPtrArray *vh_selftest_result_get_diagnostics(const VhSelftestResult *result) { return result->diagnostics; }
