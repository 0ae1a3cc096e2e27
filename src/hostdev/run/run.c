// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/run/run.h"

#include <string.h>

#include "hostdev/bind/bind.h"
#include "hostdev/device/device.h"
#include "util/hd-error.h"
#include "util/hugepage-spec.h"
#include "util/pci-address.h"
#include "hostdev/bind/reattach.h"
#include "hostdev/managed/run-journal.h"
#include "hostdev/run/run-child.h"
#include "hostdev/run/run-guardian.h"
#include "hostdev/run/run-signals.h"
#include "hostdev/shared/hugepage-reservations.h"

struct _VhRun {
  HdRunSignals signals;
  char **addresses;                   /* canonical, as asked, without duplicates */
  GPtrArray *bound;                   /* addresses this run bound (group members too): restore reattaches them */
  HdHugepageReservations *hugepages;  /* pools this run grew */
  HdRunJournal *journal;              /* what a `recover` after a SIGKILL undoes; NULL before setup */
  guint unbind_timeout_ms;
  /* From the command's start to the end of the restore: a SIGKILL of the
   * tool until then leaves nothing of the command's group running */
  GPid command;                       /* ended but not reaped: its group's id stays its own */
  pid_t guardian;
};

/* The restore is over (or never comes): the guardian goes, then the
 * command's zombie. */
static void end_command(HdRun *run)
{
  hd_run_guardian_stop(run->guardian);
  run->guardian = 0;
  hd_run_child_reap(run->command);
  run->command = 0;
}

HdRun *hd_run_new(GError **error)
{
  HdRun *run = g_new0(HdRun, 1);

  if (!hd_run_signals_hold(&run->signals, error)) {
    g_free(run);
    return NULL;
  }
  run->addresses = g_new0(char *, 1);
  run->bound = g_ptr_array_new_with_free_func(g_free);
  run->hugepages = hd_hugepage_reservations_new();
  return run;
}

void hd_run_free(HdRun *run)
{
  if (run == NULL)
    return;
  end_command(run);
  g_strfreev(run->addresses);
  g_ptr_array_unref(run->bound);
  hd_hugepage_reservations_free(run->hugepages);
  hd_run_journal_end(run->journal);
  g_free(run);
}

const char *const *hd_run_addresses(const HdRun *run)
{
  return (const char *const *)run->addresses;
}

/* The environment names devices the way sysfs does, whatever form the user
 * typed, and each once. */
static gboolean canonicalize(HdRun *run, const char *const *addresses, GError **error)
{
  g_autoptr(GPtrArray) canonical = g_ptr_array_new_with_free_func(g_free);

  for (; *addresses != NULL; addresses++) {
    HdPciAddress address;
    if (!hd_pci_address_parse(*addresses, &address, error))
      return FALSE;
    char *text = hd_pci_address_to_string(&address);
    if (g_ptr_array_find_with_equal_func(canonical, text, g_str_equal, NULL))
      g_free(text);
    else
      g_ptr_array_add(canonical, text);
  }
  g_ptr_array_add(canonical, NULL);
  g_strfreev(run->addresses);
  run->addresses = (char **)g_ptr_array_free(g_steal_pointer(&canonical), FALSE);
  return TRUE;
}

/* The NUMA node all the devices are on, or -1 (no NUMA, or several nodes:
 * no pool is nearer to all of them than the whole one). */
static gint64 devices_node(HdRun *run, HdManager *manager, GError **error)
{
  gint64 node = -1;

  for (char **address = run->addresses; *address != NULL; address++) {
    g_autoptr(HdDevice) device = hd_device_load_by_name(manager, *address, error);
    if (device == NULL)
      return G_MININT64;
    if (device->numa_node < 0 || (address != run->addresses && device->numa_node != node))
      return -1;
    node = device->numa_node;
  }
  return node;
}

static gboolean reserve_hugepages(HdRun *run, HdManager *manager, const GArray *requests, GError **error)
{
  if (requests == NULL || requests->len == 0)
    return TRUE;
  gint64 node = devices_node(run, manager, error);
  if (node == G_MININT64)
    return FALSE;
  hd_hugepage_reservations_set_node(run->hugepages, node);
  for (guint i = 0; requests != NULL && i < requests->len; i++) {
    const HdHugepageRequest *request = &g_array_index(requests, HdHugepageRequest, i);
    g_autofree char *reason = NULL;
    if (request->count == 0)
      continue;
    if (!hd_hugepages_make_free(run->hugepages, request->size_kb, request->count, &reason, NULL)) {
      g_autofree char *name = hd_hugepage_size_name(request->size_kb);
      g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot reserve %" G_GUINT64_FORMAT " %s hugepages: %s",
                  request->count, name, reason);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean bind_devices(HdRun *run, HdManager *manager, const HdRunOptions *options, GError **error)
{
  HdBindOptions bind_options = {
    .driver = options->driver,
    .group = options->group,
    .force = options->force,
    .noiommu = options->noiommu,
    .unbind_timeout_ms = options->unbind_timeout_ms,
  };
  g_autoptr(GError) local = NULL;

  if (!hd_run_journal_binding(run->journal, hd_run_addresses(run), error))
    return FALSE;
  g_autoptr(GPtrArray) results = hd_bind(manager, hd_run_addresses(run), &bind_options, &local);

  /* bind is all or nothing, so BOUND and an error never meet; should they,
   * restoring what is bound is still right */
  for (guint i = 0; results != NULL && i < results->len; i++) {
    const HdBindResult *result = g_ptr_array_index(results, i);
    if (result->outcome == HD_BIND_BOUND)
      g_ptr_array_add(run->bound, g_strdup(result->address));
  }
  g_autoptr(GError) journal_error = NULL;
  if (!hd_run_journal_bound(run->journal, run->bound, &journal_error) && local == NULL) {
    g_propagate_prefixed_error(error, g_steal_pointer(&journal_error), "cannot journal the devices bound: ");
    return FALSE;
  }
  if (local != NULL) {
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  return TRUE;
}

/* Hugepages first: when they cannot be had, no device has been through an
 * unbind and a rebind for nothing. */
gboolean hd_run_setup(HdRun *run, HdManager *manager, const HdRunOptions *options, GError **error)
{
  run->unbind_timeout_ms = options->unbind_timeout_ms;
  if (!canonicalize(run, options->addresses, error))
    return FALSE;
  /* journaled before each change: a SIGKILL leaves `recover` the way back */
  if ((run->journal = hd_run_journal_begin(error)) == NULL)
    return FALSE;
  hd_hugepage_reservations_set_hook(run->hugepages, hd_run_journal_grow, run->journal);
  return reserve_hugepages(run, manager, options->hugepages, error) && bind_devices(run, manager, options, error);
}

/* The command's environment: the tool's, plus the devices' addresses
 * (space-separated, canonical, in order) and the first of them, where the
 * kernel's VFIO selftests (tools/testing/selftests/vfio) look for their
 * device when none is on their command line. */
static char **run_environ(const HdRun *run)
{
  char **envp = g_get_environ();
  g_autofree char *all = g_strjoinv(" ", run->addresses);

  envp = g_environ_setenv(envp, VH_RUN_ENV_BDFS, all, TRUE);
  if (run->addresses[0] != NULL)
    envp = g_environ_setenv(envp, VH_RUN_ENV_SELFTESTS_BDF, run->addresses[0], TRUE);
  return envp;
}

int hd_run_command(HdRun *run, const char *const *argv, GError **error)
{
  int sig = hd_run_signals_take_pending(&run->signals);
  g_autoptr(GError) local = NULL;
  GPid pid = 0;

  /* the user gave up while the devices were being bound: honour it */
  if (sig != 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "got signal %d (%s) before the command started; it was not run",
                sig, g_strsignal(sig));
    return 128 + sig;
  }
  g_auto(GStrv) envp = run_environ(run);
  gboolean foreground = FALSE;
  /* the guardian first: a command that kills the tool at once still has
   * its group, and whatever it started, killed */
  pid_t guardian = hd_run_guardian_start();
  if (!hd_run_child_spawn(argv, envp, &run->signals, guardian, &pid, &foreground, &local)) {
    hd_run_guardian_stop(guardian);
    int status = hd_run_child_spawn_failure_status(local);
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot run the command: %s", local->message);
    return status;
  }
  run->command = pid;
  run->guardian = guardian;
  int status = hd_run_child_wait(pid, guardian != 0 ? guardian : pid, &run->signals, error);
  if (foreground)
    hd_run_child_take_terminal();
  if (status < 0)
    run->command = 0; /* reaped by someone else: not ours to wait for */
  return status < 0 ? HD_ERROR_FAILED : status;
}

/* Problems of reattach, each a line that says what to run to finish. */
static void reattach_bound(HdRun *run, HdManager *manager, GPtrArray *problems)
{
  g_autoptr(GError) error = NULL;

  if (run->bound->len == 0)
    return;
  g_ptr_array_add(run->bound, NULL);
  const char *const *addresses = (const char *const *)run->bound->pdata;
  g_autoptr(GPtrArray) results = hd_reattach(manager, addresses, run->unbind_timeout_ms, &error);
  if (results == NULL) {
    /* refused or impossible as a whole: every device stays on its VFIO driver */
    g_autofree char *list = g_strjoinv(" ", (char **)addresses);
    gboolean one = run->bound->len == 2; /* one address and the NULL */
    g_ptr_array_add(problems, g_strdup_printf("%s left on %s VFIO driver (%s); `vfio-hostdev reattach %s` gives %s "
                                              "back", list, one ? "its" : "their", error->message, list,
                                              one ? "it" : "them"));
  }
  for (guint i = 0; results != NULL && i < results->len; i++) {
    const HdReattachResult *result = g_ptr_array_index(results, i);
    if (result->error != NULL)
      g_ptr_array_add(problems, g_strdup(result->error->message));
  }
  g_ptr_array_set_size(run->bound, 0);
}

GPtrArray *hd_run_restore(HdRun *run, HdManager *manager)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) pools = NULL;

  /* the command may have left a process holding a device (a VM still
   * running): what bind saw of /proc is out of date */
  hd_manager_forget_fd_scan(manager);
  reattach_bound(run, manager, problems);
  pools = hd_hugepage_reservations_restore(run->hugepages);
  g_ptr_array_extend_and_steal(problems, g_steal_pointer(&pools));
  /* what is left is reported (exit 5) and the records say how to finish */
  g_clear_pointer(&run->journal, hd_run_journal_end);
  end_command(run);
  return problems;
}
