// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/module-index.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *normalize(const char *name, gsize len)
{
  char *out = g_strndup(name, len);

  g_strdelimit(out, "-", '_');
  return out;
}

char *hd_module_index_entry_name(const char *line)
{
  const char *end = strchr(line, ':');
  g_autofree char *path = end != NULL ? g_strndup(line, (gsize)(end - line)) : g_strdup(line);
  const char *base = strrchr(g_strstrip(path), '/');
  const char *ko;

  base = base != NULL ? base + 1 : path;
  ko = strstr(base, ".ko");
  if (ko == NULL || ko == base)
    return NULL;
  return normalize(base, (gsize)(ko - base));
}

/* TRUE when a line of the file at PATH names MODULE (normalized). */
static gboolean file_lists(const char *path, const char *module, GError **error)
{
  FILE *file = fopen(path, "re");
  char *line = NULL;
  size_t capacity = 0;
  gboolean found = FALSE;

  if (file == NULL) {
    int saved = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "cannot read %s: %s", path, g_strerror(saved));
    return FALSE;
  }
  while (!found && getline(&line, &capacity, file) >= 0) {
    g_autofree char *name = hd_module_index_entry_name(line);
    found = name != NULL && strcmp(name, module) == 0;
  }
  /* a read error (EISDIR, EIO) must not pass for "not listed" */
  if (!found && ferror(file))
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot read %s", path);
  free(line);
  fclose(file);
  return found;
}

gboolean hd_module_index_lookup(const char *modules_dir, const char *module, HdModuleAvailability *out,
                                GError **error)
{
  g_autofree char *wanted = normalize(module, strlen(module));
  g_autofree char *builtin = g_build_filename(modules_dir, "modules.builtin", NULL);
  g_autofree char *dep = g_build_filename(modules_dir, "modules.dep", NULL);
  g_autoptr(GError) local = NULL;

  if (file_lists(builtin, wanted, NULL)) {
    *out = HD_MODULE_BUILTIN;
    return TRUE;
  }
  if (file_lists(dep, wanted, &local)) {
    *out = HD_MODULE_LOADABLE;
    return TRUE;
  }
  if (local != NULL) {
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  *out = HD_MODULE_ABSENT;
  return TRUE;
}

/* TRUE when the dependency list of a modules.dep LINE names WANTED. */
static gboolean line_lists_dependency(const char *line, const char *wanted)
{
  const char *colon = strchr(line, ':');
  g_auto(GStrv) paths = g_strsplit_set(colon != NULL ? colon + 1 : "", " \t\n", -1);
  gboolean found = FALSE;

  for (guint i = 0; paths[i] != NULL && !found; i++) {
    g_autofree char *name = hd_module_index_entry_name(paths[i]);
    found = name != NULL && strcmp(name, wanted) == 0;
  }
  return found;
}

gboolean hd_module_index_depends_on(const char *modules_dir, const char *module, const char *dependency)
{
  g_autofree char *wanted_module = normalize(module, strlen(module));
  g_autofree char *wanted_dependency = normalize(dependency, strlen(dependency));
  g_autofree char *path = g_build_filename(modules_dir, "modules.dep", NULL);
  FILE *file = fopen(path, "re");
  char *line = NULL;
  size_t capacity = 0;
  gboolean depends = FALSE, seen = FALSE;

  while (file != NULL && !seen && getline(&line, &capacity, file) >= 0) {
    g_autofree char *name = hd_module_index_entry_name(line);
    seen = name != NULL && strcmp(name, wanted_module) == 0;
    depends = seen && line_lists_dependency(line, wanted_dependency);
  }
  free(line);
  if (file != NULL)
    fclose(file);
  return depends;
}
