/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vfio-hostdev test`: opens a VFIO-bound device through one IOMMU backend
 * and runs the self-test cases on it (the kernel's VFIO selftests'
 * catalogue and more), one result per case. The cases are listed in
 * selftest-cases-*.c; the command formats the results (KTAP or JSON). */
#pragma once

#include <glib.h>

#include "hostdev/device/manager.h"
#include "hostdev/selftest/selftest-iommu.h"

typedef enum {
  HD_CASE_PASS,
  HD_CASE_FAIL,
  HD_CASE_SKIP,
} HdCaseStatus;

/* The public VhSelftestCase, VhSelftestResult and VhSelftest are these
 * structs, opaque. */
typedef struct _VhSelftestCase {
  const char *name;    /* "dma.map_hugetlb_2m" */
  const char *summary; /* one line: what it checks */
} HdSelftestCaseInfo;

typedef struct _VhSelftestResult {
  guint number;             /* 1-based, in the order run */
  const char *name;
  HdCaseStatus status;
  const char *reason;       /* why it failed or was skipped; NULL when it passed */
  const GPtrArray *diagnostics; /* lines the case printed on its way */
} HdSelftestResult;

typedef struct _VhSelftest HdSelftestRun;

/* The cases whose name matches the glob FILTER (NULL: all), in run order,
 * as const HdSelftestCaseInfo*. "open" (which opens the device) is not
 * among them: it always runs first. */
GPtrArray *hd_selftest_cases(const char *filter);

/* The case that opens the device. */
const HdSelftestCaseInfo *hd_selftest_open_case(void);

/* Everything that can be checked without opening anything: the device
 * exists (HD_ERROR_INVALID, HD_ERROR_NO_DEVICE), it is bound to a VFIO
 * driver (HD_ERROR_REFUSED otherwise), the backend can work on this host
 * (HD_ERROR_FAILED), FILTER selects at least one case (HD_ERROR_INVALID). */
HdSelftestRun *hd_selftest_prepare(HdManager *manager, const char *address, HdSelftestIommuKind kind,
                                   const char *filter, GError **error);

const char *hd_selftest_address(const HdSelftestRun *run);
const char *hd_selftest_backend_name(const HdSelftestRun *run);
/* "1234:11e8 on qedu-mig, IOMMU group 2" */
char *hd_selftest_describe(const HdSelftestRun *run);
/* How many results the run will report ("open" included). */
guint hd_selftest_plan(const HdSelftestRun *run);

typedef void (*HdSelftestReport)(const HdSelftestResult *result, gpointer user_data);

/* Opens the device and runs the cases, calling REPORT after each; then
 * undoes everything (IRQs off, mappings gone, device closed, hugepage pools
 * back to their sizes), also when a case failed. SIGINT, SIGTERM and SIGHUP
 * are held back while it runs: one arriving stops the run after the
 * current case, and is delivered when the run is freed, after the cleanup.
 * Returns TRUE when no case failed and the run was not interrupted. */
gboolean hd_selftest_execute(HdSelftestRun *run, HdSelftestReport report, gpointer user_data);

/* The signal that stopped the run, or 0. */
int hd_selftest_interrupted(const HdSelftestRun *run);

/* Problems of the cleanup (a hugepage pool that could not be restored),
 * one line each; empty when everything was undone. */
const GPtrArray *hd_selftest_cleanup_problems(const HdSelftestRun *run);

/* Frees, then lets a held-back signal through. */
void hd_selftest_free(HdSelftestRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdSelftestRun, hd_selftest_free)
