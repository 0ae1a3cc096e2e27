// SPDX-License-Identifier: LGPL-2.1-or-later
/* Drives the public API's error paths (run by test-api-errors against a
 * fake host whose state directories the test has broken) and prints one
 * line per call: "NAME DOMAIN CODE [both]" for an error ("both": results
 * came with it, which the contract forbids), "NAME ok" otherwise; with
 * the argument "version", the library's version and its checks. Built
 * like a program using the library: the public header only. */
#include <stdio.h>
#include <vfio-hostdev.h>

static void report(const char *name, gboolean returned, GError *error)
{
  if (error == NULL) {
    printf("%s ok\n", name);
    return;
  }
  printf("%s %s %d%s\n", name, g_quark_to_string(error->domain), error->code, returned ? " both" : "");
  g_error_free(error);
}

/* "version RUNTIME HEADER" and the run-time and compile-time checks around
 * the header's own version, each 1 or 0. */
static void print_version(void)
{
  printf("version %s %s\n", vh_version(), VH_VERSION_STRING);
  printf("check %d %d %d %d %d\n", vh_check_version(0, 0, 0),
         vh_check_version(VH_VERSION_MAJOR, VH_VERSION_MINOR, VH_VERSION_MICRO),
         vh_check_version(VH_VERSION_MAJOR, VH_VERSION_MINOR, VH_VERSION_MICRO + 1),
         vh_check_version(VH_VERSION_MAJOR, VH_VERSION_MINOR + 1, 0), vh_check_version(VH_VERSION_MAJOR + 1, 0, 0));
  printf("macro %d %d %d %d\n", VH_CHECK_VERSION(0, 0, 0),
         VH_CHECK_VERSION(VH_VERSION_MAJOR, VH_VERSION_MINOR, VH_VERSION_MICRO),
         VH_CHECK_VERSION(VH_VERSION_MAJOR, VH_VERSION_MINOR, VH_VERSION_MICRO + 1),
         VH_CHECK_VERSION(VH_VERSION_MAJOR + 1, 0, 0));
}

int main(int argc, char **argv)
{
  GError *error = NULL;

  if (argc > 1 && g_str_equal(argv[1], "version")) {
    print_version();
    return 0;
  }
  const char *const devices[] = {"0000:01:00.0", NULL};
  const char *const missing_command[] = {"/nonexistent/command", NULL};

  VhManager *bad_modules = vh_manager_new("/nonexistent/modules", &error);
  report("manager-new", bad_modules != NULL, g_steal_pointer(&error));
  vh_manager_free(bad_modules);
  VhManager *manager = vh_manager_new(NULL, &error);
  if (manager == NULL) {
    report("manager", FALSE, error);
    return 1;
  }

  GPtrArray *recovered = vh_recover(manager, &error);
  report("recover", recovered != NULL, g_steal_pointer(&error));
  GPtrArray *status = vh_status_list(manager, &error);
  report("status", status != NULL, g_steal_pointer(&error));
  gboolean writable = vh_persist_check_writable(&error);
  report("persist-writable", writable, g_steal_pointer(&error));
  VhPersistConfig *config = vh_persist_load("0000:01:00.0", &error);
  report("persist-load", config != NULL, g_steal_pointer(&error));
  GPtrArray *bound = vh_bind(manager, devices, NULL, VH_BIND_NONE, &error);
  report("bind", bound != NULL, g_steal_pointer(&error));
  GPtrArray *none = g_ptr_array_new();
  GPtrArray *persisted = vh_persist_bound(manager, none, VH_BIND_NOIOMMU, &error);
  report("persist-noiommu", persisted != NULL, g_steal_pointer(&error));
  g_clear_pointer(&persisted, g_ptr_array_unref);
  g_ptr_array_unref(none);
  GPtrArray *released = vh_release(manager, "vm1", &error);
  report("release", released != NULL, g_steal_pointer(&error));
  VhPrepareRequest *request = vh_prepare_request_new("vm1");
  gboolean added = vh_prepare_request_add_domain_xml_file(request, "/nonexistent/vm.xml", &error);
  report("prepare-xml", added, g_steal_pointer(&error));

  VhRun *run = vh_run_new(&error);
  report("run-new", run != NULL, g_steal_pointer(&error));
  int status_code = run != NULL ? vh_run_command(run, missing_command, &error) : -1;
  gboolean ran = error == NULL && status_code >= 0;
  report("run-command", ran, g_steal_pointer(&error));

  vh_run_free(run);
  vh_prepare_request_free(request);
  g_clear_pointer(&released, g_ptr_array_unref);
  g_clear_pointer(&bound, g_ptr_array_unref);
  vh_persist_config_free(config);
  g_clear_pointer(&status, g_ptr_array_unref);
  g_clear_pointer(&recovered, g_ptr_array_unref);
  vh_manager_free(manager);
  return 0;
}
