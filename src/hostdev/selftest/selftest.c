// SPDX-License-Identifier: LGPL-2.1-or-later
/* The self-test runner: selects the cases, opens the device through the
 * backend (the "open" case), runs each case and reports it, and undoes
 * everything afterwards whatever happened. */
#include "hostdev/selftest/selftest.h"

#include <signal.h>
#include <string.h>

#include "util/hd-error.h"
#include "hostdev/selftest/selftest-context.h"

struct _VhSelftest {
  HdDevice *device;
  GPtrArray *cases; /* const HdSelftestCase*, "open" excluded */
  HdSelftest t;
  gboolean opened;
  char *reopen_failed_after; /* the case after which the device could not be opened again */
  sigset_t old_mask;
  gboolean masked;
  int interrupted;
  GPtrArray *cleanup_problems;
};

static const HdSelftestCase open_case = {
  {"open", "open the device through the IOMMU backend and attach it to a new IO address space"}, NULL,
};

const HdSelftestCaseInfo *hd_selftest_open_case(void)
{
  return &open_case.info;
}

static GPtrArray *select_cases(const char *filter)
{
  const struct {
    const HdSelftestCase *cases;
    guint n;
  } groups[] = {
    {hd_selftest_iommufd_cases, hd_selftest_n_iommufd_cases},
    {hd_selftest_device_cases, hd_selftest_n_device_cases},
    {hd_selftest_dma_cases, hd_selftest_n_dma_cases},
    {hd_selftest_driver_cases, hd_selftest_n_driver_cases},
  };
  GPtrArray *selected = g_ptr_array_new();

  for (guint g = 0; g < G_N_ELEMENTS(groups); g++)
    for (guint i = 0; i < groups[g].n; i++)
      if (filter == NULL || g_pattern_match_simple(filter, groups[g].cases[i].info.name))
        g_ptr_array_add(selected, (gpointer)&groups[g].cases[i]);
  return selected;
}

GPtrArray *hd_selftest_cases(const char *filter)
{
  /* HdSelftestCase starts with its HdSelftestCaseInfo. */
  return select_cases(filter);
}

HdSelftestRun *hd_selftest_prepare(HdManager *manager, const char *address, HdSelftestIommuKind kind,
                                   const char *filter, GError **error)
{
  g_autoptr(HdDevice) device = hd_device_load_by_name(manager, address, error);
  g_autoptr(GPtrArray) cases = NULL;

  if (device == NULL)
    return NULL;
  if (!device->vfio.bound) {
    g_set_error(error, HD_ERROR, HD_ERROR_REFUSED,
                "%s is not bound to a VFIO driver (driver: %s): nothing opened; bind it first with "
                "`vfio-hostdev bind %s`",
                device->address, device->driver != NULL ? device->driver : "none", device->address);
    return NULL;
  }
  cases = select_cases(filter);
  if (cases->len == 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "--filter '%s' selects no case (see `vfio-hostdev test --list`)",
                filter);
    return NULL;
  }
  HdSelftestIommu *iommu = hd_selftest_iommu_new(kind, device, error);
  if (iommu == NULL)
    return NULL;

  HdSelftestRun *run = g_new0(HdSelftestRun, 1);
  run->device = g_steal_pointer(&device);
  run->cases = g_steal_pointer(&cases);
  run->t.device = run->device;
  run->t.iommu = iommu;
  run->t.hugepages = hd_hugepage_reservations_new();
  hd_hugepage_reservations_set_node(run->t.hugepages, run->device->numa_node);
  run->t.diagnostics = g_ptr_array_new_with_free_func(g_free);
  run->cleanup_problems = g_ptr_array_new_with_free_func(g_free);
  return run;
}

const char *hd_selftest_address(const HdSelftestRun *run)
{
  return run->device->address;
}

const char *hd_selftest_backend_name(const HdSelftestRun *run)
{
  return run->t.iommu->ops->name;
}

char *hd_selftest_describe(const HdSelftestRun *run)
{
  const HdDevice *device = run->device;

  return g_strdup_printf("%s %04x:%04x on %s, IOMMU group %" G_GINT64_FORMAT ", %s backend", device->address,
                         device->vendor_id, device->device_id, device->driver != NULL ? device->driver : "(none)",
                         device->iommu_group, hd_selftest_backend_name(run));
}

guint hd_selftest_plan(const HdSelftestRun *run)
{
  return run->cases->len + 1;
}

int hd_selftest_interrupted(const HdSelftestRun *run)
{
  return run->interrupted;
}

const GPtrArray *hd_selftest_cleanup_problems(const HdSelftestRun *run)
{
  return run->cleanup_problems;
}

/* ---- what a case calls ---- */

G_GNUC_PRINTF(3, 0)
static HdCaseStatus set_reason(HdSelftest *t, HdCaseStatus status, const char *format, va_list args)
{
  g_free(t->reason);
  t->reason = g_strdup_vprintf(format, args);
  return status;
}

HdCaseStatus hd_selftest_fail(HdSelftest *t, const char *format, ...)
{
  va_list args;

  va_start(args, format);
  set_reason(t, HD_CASE_FAIL, format, args);
  va_end(args);
  return HD_CASE_FAIL;
}

HdCaseStatus hd_selftest_skip(HdSelftest *t, const char *format, ...)
{
  va_list args;

  va_start(args, format);
  set_reason(t, HD_CASE_SKIP, format, args);
  va_end(args);
  return HD_CASE_SKIP;
}

HdCaseStatus hd_selftest_fail_error(HdSelftest *t, GError *error)
{
  HdCaseStatus status = hd_selftest_fail(t, "%s", error->message);

  g_error_free(error);
  return status;
}

void hd_selftest_diag(HdSelftest *t, const char *format, ...)
{
  va_list args;

  va_start(args, format);
  g_ptr_array_add(t->diagnostics, g_strdup_vprintf(format, args));
  va_end(args);
}

/* ---- running ---- */

static HdCaseStatus sweep_mappings(HdSelftest *t, HdCaseStatus status);

/* What the device looks like right after opening, before any case
 * touches it (config.bus_master_off_at_open judges it). */
static void record_command(HdSelftest *t)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer(&t->command_error, g_free);
  if (!hd_vfio_config_read16(&t->vdev, HD_PCI_COMMAND, &t->command_at_open, &error))
    t->command_error = g_strdup(error->message);
}

/* Opens the device; DIAGNOSE: say what the backend did. */
static gboolean open_device(HdSelftestRun *run, gboolean diagnose, GError **error)
{
  HdSelftest *t = &run->t;
  g_autoptr(GError) ranges_error = NULL;

  g_ptr_array_set_size(t->iommu->notes, 0);
  gboolean opened = hd_selftest_iommu_open(t->iommu, run->device, error);
  for (guint i = 0; diagnose && i < t->iommu->notes->len; i++)
    hd_selftest_diag(t, "%s", (const char *)g_ptr_array_index(t->iommu->notes, i));
  if (!opened)
    return FALSE;
  if (!hd_vfio_device_init(&t->vdev, t->iommu->device_fd, error)) {
    hd_vfio_device_clear(&t->vdev);
    t->iommu->ops->close(t->iommu);
    return FALSE;
  }
  run->opened = TRUE;
  record_command(t);
  /* The DMA cases need the ranges; dma.iova_ranges judges them. */
  t->ranges = t->iommu->ops->iova_ranges(t->iommu, &ranges_error);
  if (t->ranges == NULL && diagnose)
    hd_selftest_diag(t, "IOVA ranges: %s", ranges_error->message);
  return TRUE;
}

/* Closes the device and the backend, as after the run (the driver's
 * device included: it needs the open device). */
static void close_device(HdSelftestRun *run)
{
  HdSelftest *t = &run->t;

  g_clear_pointer(&t->driver, hd_selftest_driver_device_free);
  t->driver_probed = FALSE;
  g_clear_pointer(&t->driver_failure, g_free);
  hd_vfio_device_clear(&t->vdev);
  g_clear_pointer(&t->ranges, g_array_unref);
  t->iommu->ops->close(t->iommu);
  run->opened = FALSE;
}

static HdCaseStatus run_open(HdSelftestRun *run)
{
  g_autoptr(GError) error = NULL;

  if (!open_device(run, TRUE, &error))
    return hd_selftest_fail_error(&run->t, g_steal_pointer(&error));
  return HD_CASE_PASS;
}

/* A case that opens the device on its own runs with it closed; it is
 * opened again afterwards for the cases after it. */
static HdCaseStatus run_closed(HdSelftestRun *run, const HdSelftestCase *c)
{
  HdSelftest *t = &run->t;
  g_autoptr(GError) error = NULL;

  close_device(run);
  HdCaseStatus status = c->run(t);
  if (open_device(run, FALSE, &error))
    return status;
  hd_selftest_diag(t, "opening the device again after the case: %s", error->message);
  run->reopen_failed_after = g_strdup(c->info.name);
  if (status == HD_CASE_FAIL)
    return status;
  return hd_selftest_fail(t, "the device could not be opened again after the case: %s", error->message);
}

static HdCaseStatus run_case(HdSelftestRun *run, const HdSelftestCase *c)
{
  if (!run->opened && run->reopen_failed_after != NULL)
    return hd_selftest_skip(&run->t, "the device could not be opened again after %s", run->reopen_failed_after);
  if (!run->opened)
    return hd_selftest_skip(&run->t, "the device could not be opened (see case 1, open)");
  if (c->closed_device)
    return run_closed(run, c);
  return sweep_mappings(&run->t, c->run(&run->t));
}

static void report_case(HdSelftestRun *run, guint number, const HdSelftestCase *c, HdCaseStatus status,
                        HdSelftestReport report, gpointer user_data)
{
  HdSelftest *t = &run->t;
  HdSelftestResult result = {
    .number = number,
    .name = c->info.name,
    .status = status,
    .reason = status == HD_CASE_PASS ? NULL : t->reason,
    .diagnostics = t->diagnostics,
  };

  report(&result, user_data);
  g_ptr_array_set_size(t->diagnostics, 0);
  g_clear_pointer(&t->reason, g_free);
}

static void hold_signals(HdSelftestRun *run)
{
  sigset_t set;

  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  run->masked = sigprocmask(SIG_BLOCK, &set, &run->old_mask) == 0;
}

static int pending_signal(void)
{
  static const int held[] = {SIGINT, SIGTERM, SIGHUP};
  sigset_t pending;

  if (sigpending(&pending) < 0)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS(held); i++)
    if (sigismember(&pending, held[i]))
      return held[i];
  return 0;
}

/* Whatever a case left mapped is unmapped before the next one runs, so
 * that a failure cannot fail the cases after it; a case that passed and
 * left a mapping fails. The kernels without VFIO_UNMAP_ALL rely on each
 * case's own cleanup. */
static HdCaseStatus sweep_mappings(HdSelftest *t, HdCaseStatus status)
{
  guint64 unmapped = 0;

  if (t->iommu->ops->unmap_all(t->iommu, &unmapped) < 0 || unmapped == 0)
    return status;
  hd_selftest_diag(t, "%" G_GUINT64_FORMAT " bytes were left mapped after the case; unmapped", unmapped);
  if (status == HD_CASE_PASS)
    return hd_selftest_fail(t, "the case left %" G_GUINT64_FORMAT " bytes of IOVA mapped", unmapped);
  return status;
}

/* After a signal: the cases that did not run, each reported as skipped. */
static void report_not_run(HdSelftestRun *run, guint from, guint number, HdSelftestReport report,
                           gpointer user_data)
{
  for (guint i = from; i < run->cases->len; i++) {
    hd_selftest_skip(&run->t, "interrupted by signal %d before it ran", run->interrupted);
    report_case(run, number++, g_ptr_array_index(run->cases, i), HD_CASE_SKIP, report, user_data);
  }
}

/* Undoes what the cases left in place, in reverse order of setting up. */
static void cleanup(HdSelftestRun *run)
{
  HdSelftest *t = &run->t;
  g_autoptr(GPtrArray) problems = NULL;

  close_device(run);
  problems = hd_hugepage_reservations_restore(t->hugepages);
  for (guint i = 0; i < problems->len; i++)
    g_ptr_array_add(run->cleanup_problems, g_strdup(g_ptr_array_index(problems, i)));
}

gboolean hd_selftest_execute(HdSelftestRun *run, HdSelftestReport report, gpointer user_data)
{
  gboolean failed = FALSE;
  HdCaseStatus status;
  guint number = 1;

  hold_signals(run);
  status = run_open(run);
  failed |= status == HD_CASE_FAIL;
  report_case(run, number++, &open_case, status, report, user_data);
  for (guint i = 0; i < run->cases->len; i++) {
    const HdSelftestCase *c = g_ptr_array_index(run->cases, i);
    if ((run->interrupted = pending_signal()) != 0) {
      report_not_run(run, i, number, report, user_data);
      break;
    }
    status = run_case(run, c);
    failed |= status == HD_CASE_FAIL;
    report_case(run, number++, c, status, report, user_data);
  }
  cleanup(run);
  return !failed && !run->interrupted;
}

void hd_selftest_free(HdSelftestRun *run)
{
  if (run == NULL)
    return;
  hd_selftest_iommu_free(run->t.iommu);
  hd_hugepage_reservations_free(run->t.hugepages);
  g_ptr_array_unref(run->t.diagnostics);
  g_free(run->t.reason);
  g_free(run->t.driver_failure);
  g_free(run->t.command_error);
  g_free(run->reopen_failed_after);
  g_ptr_array_unref(run->cases);
  g_ptr_array_unref(run->cleanup_problems);
  hd_device_free(run->device);
  /* Last: a signal held back during the run is delivered now, with
   * everything undone. */
  if (run->masked)
    sigprocmask(SIG_SETMASK, &run->old_mask, NULL);
  g_free(run);
}
