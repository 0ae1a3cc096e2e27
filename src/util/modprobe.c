// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/modprobe.h"

#include "util/hd-error.h"

/* PATH as given, or with the sbin directories appended: sudo and service
 * managers often run us with a PATH that lacks them. */
static char *find_modprobe(void)
{
  char *found = g_find_program_in_path("modprobe");

  if (found != NULL)
    return found;
  for (const char *const *dir = (const char *const[]){"/usr/sbin", "/sbin", NULL}; *dir != NULL; dir++) {
    char *candidate = g_build_filename(*dir, "modprobe", NULL);
    if (g_file_test(candidate, G_FILE_TEST_IS_EXECUTABLE))
      return candidate;
    g_free(candidate);
  }
  return NULL;
}

gboolean hd_modprobe(const char *module, GError **error)
{
  g_autofree char *program = find_modprobe();
  g_autofree char *err_text = NULL;
  g_autoptr(GError) local = NULL;
  int status = 0;

  if (program == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot load module %s: modprobe is not in PATH (install kmod)",
                module);
    return FALSE;
  }
  const char *argv[] = {program, module, NULL};
  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err_text, &status,
                    &local)) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot run %s: %s", program, local->message);
    return FALSE;
  }
  if (!g_spawn_check_wait_status(status, NULL)) {
    g_strstrip(err_text);
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "modprobe %s failed%s%s", module, *err_text != '\0' ? ": " : "",
                err_text);
    return FALSE;
  }
  return TRUE;
}
