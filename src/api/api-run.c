// SPDX-License-Identifier: LGPL-2.1-or-later
/* The public API: run (bind, run a command, restore). */
#include "api/api-private.h"

#include "util/hd-error.h"
#include "util/hugepage-spec.h"
#include "hostdev/run/run.h"


struct _VhRunOptions {
  GPtrArray *addresses; /* NULL-terminated */
  char *driver;
  VhBindFlags flags;
  GArray *hugepages; /* HdHugepageRequest */
};

VhRunOptions *vh_run_options_new(void)
{
  VhRunOptions *options = g_new0(VhRunOptions, 1);

  options->addresses = g_ptr_array_new_null_terminated(0, g_free, TRUE);
  options->hugepages = g_array_new(FALSE, FALSE, sizeof(HdHugepageRequest));
  return options;
}

void vh_run_options_free(VhRunOptions *options)
{
  if (options == NULL)
    return;
  g_ptr_array_unref(options->addresses);
  g_free(options->driver);
  g_array_unref(options->hugepages);
  g_free(options);
}

void vh_run_options_add_device(VhRunOptions *options, const char *address)
{
  g_ptr_array_add(options->addresses, g_strdup(address));
}

void vh_run_options_set_driver(VhRunOptions *options, const char *driver)
{
  g_free(options->driver);
  options->driver = g_strdup(driver);
}

void vh_run_options_set_bind_flags(VhRunOptions *options, VhBindFlags flags)
{
  options->flags = flags;
}

gboolean vh_run_options_add_hugepages(VhRunOptions *options, const char *spec, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_hugepage_spec_parse(spec, options->hugepages, error);
}

VhRun *vh_run_new(GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_run_new(error);
}

void vh_run_free(VhRun *run)
{
  hd_run_free(run);
}

/* What run's internal options cannot say: a dry run, or no device. */
static gboolean check_options(const VhRunOptions *options, GError **error)
{
  if ((options->flags & ~(VH_BIND_GROUP | VH_BIND_FORCE | VH_BIND_NOIOMMU)) != 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "run takes only the group, force and noiommu bind flags");
    return FALSE;
  }
  if (options->addresses->len == 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "run needs at least one device");
    return FALSE;
  }
  return TRUE;
}

gboolean vh_run_setup(VhRun *run, VhManager *manager, const VhRunOptions *options, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  if (!check_options(options, error))
    return FALSE;
  HdRunOptions run_options = {
    .addresses = (const char *const *)options->addresses->pdata,
    .driver = options->driver,
    .group = (options->flags & VH_BIND_GROUP) != 0,
    .force = (options->flags & VH_BIND_FORCE) != 0,
    .noiommu = (options->flags & VH_BIND_NOIOMMU) != 0,
    .unbind_timeout_ms = api_unbind_timeout(manager),
    .hugepages = options->hugepages,
  };
  return hd_run_setup(run, api_hd_manager(manager), &run_options, error);
}

const char *const *vh_run_get_addresses(const VhRun *run)
{
  return hd_run_addresses(run);
}

int vh_run_command(VhRun *run, const char *const *argv, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_run_command(run, argv, error);
}

GPtrArray *vh_run_restore(VhRun *run, VhManager *manager)
{
  return hd_run_restore(run, api_hd_manager(manager));
}
