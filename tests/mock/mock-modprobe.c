// SPDX-License-Identifier: LGPL-2.1-or-later
/* modprobe for the fake host: "loads" modules into the fake kernel.
 *
 *   modprobe [-q] [-v] [-b] [-a] [--] MODULE...
 *
 * Loading registers the module's PCI drivers (bus/pci/drivers/<d> with
 * bind/unbind and the module link, /sys/module/<m>/drivers/pci:<d>), moves
 * them to the end of the registration order and, like driver_register(),
 * binds every unbound device they match (driver_override included).
 * Already loaded or builtin: nothing to do.  Unknown: exit 1 with
 * modprobe's message.  Each load is logged in $ROOT/.mock/modprobe.log.
 * Dashes and underscores in names are equivalent, as for kmod.  After a
 * load, the "post:" soft dependencies in modules.softdep are loaded too,
 * as kmod's modprobe does (the vfio module's vfio_iommu_type1).
 */
#include "mock-tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void normalize_name(const char *in, char *out, size_t size)
{
  snprintf(out, size, "%s", in);
  for (char *p = out; *p; p++)
    if (*p == '-')
      *p = '_';
}

/* Moves the drivers of module to the end, marked loaded; returns how many
 * entries the module has (0: unknown) and whether it was loaded before. */
static int mark_loaded(MtDriver *drivers, int n, const char *module, bool *was_loaded)
{
  MtDriver *tmp = malloc(sizeof(*tmp) * (size_t)(n ? n : 1));
  int found = 0, k = 0;

  *was_loaded = false;
  for (int i = 0; i < n; i++) {
    char name[128];
    normalize_name(drivers[i].module, name, sizeof(name));
    if (strcmp(name, module) != 0)
      tmp[k++] = drivers[i];
  }
  for (int i = 0; i < n; i++) {
    char name[128];
    normalize_name(drivers[i].module, name, sizeof(name));
    if (strcmp(name, module) != 0)
      continue;
    found++;
    *was_loaded |= drivers[i].state != MT_MOD_AVAILABLE;
    tmp[k] = drivers[i];
    if (tmp[k].state == MT_MOD_AVAILABLE)
      tmp[k].state = MT_MOD_LOADED;
    k++;
  }
  if (!*was_loaded)
    memcpy(drivers, tmp, sizeof(*tmp) * (size_t)n);
  free(tmp);
  return found;
}

static int load(const char *arg, bool quiet);

/* The modules MODULE's "softdep MODULE pre: ... post: ..." line of
 * modules.softdep names after "post:", loaded after it as kmod's modprobe
 * does (busybox's does not); unknown ones are skipped. */
static void load_post_softdeps(const char *module)
{
  char *release = mt_read_trim("/.mock/release");
  char rel[PATH_MAX], *text, *line, *save = NULL;

  mt_fmt(rel, "/lib/modules/%s/modules.softdep", release ? release : "");
  free(release);
  text = mt_read(rel);
  for (line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
    char *word, *words = NULL, name[128];
    bool ours = false, in = false;
    int k = 0;
    for (word = strtok_r(line, " \t", &words); word; word = strtok_r(NULL, " \t", &words), k++) {
      normalize_name(word, name, sizeof(name));
      if (k == 0 && strcmp(word, "softdep") != 0)
        break;
      if (k == 1)
        ours = strcmp(name, module) == 0;
      else if (k > 1 && ours && word[strlen(word) - 1] == ':')
        in = strcmp(word, "post:") == 0;
      else if (k > 1 && ours && in)
        load(word, true);
    }
  }
  free(text);
}

static int load(const char *arg, bool quiet)
{
  char module[128], rel[PATH_MAX];
  MtDriver *drivers;
  bool was_loaded;
  int n, found, lock = mt_lock();

  normalize_name(arg, module, sizeof(module));
  n = mt_drivers_load(&drivers);
  found = mark_loaded(drivers, n < 0 ? 0 : n, module, &was_loaded);
  if (found == 0) {
    char *release = mt_read_trim("/.mock/release");
    if (!quiet)
      fprintf(stderr, "modprobe: FATAL: Module %s not found in directory /lib/modules/%s\n", arg,
              release ? release : "");
    free(release);
    free(drivers);
    mt_unlock(lock);
    return 1;
  }
  if (!was_loaded) {
    mt_drivers_save(drivers, n);
    mt_fmt(rel, "/sys/module/%s/initstate", module);
    mt_write(rel, "live\n");
    for (int i = n - found; i < n; i++) {
      if (strcmp(drivers[i].name, "-") == 0)
        continue;
      mt_driver_register_tree(&drivers[i]);
      mt_driver_attach_all(&drivers[i]);
    }
    mt_log("modprobe.log", "%s\n", module);
  }
  free(drivers);
  mt_unlock(lock);
  if (!was_loaded)
    load_post_softdeps(module);
  return 0;
}

int main(int argc, char **argv)
{
  const char *root = getenv("VFIO_HOSTDEV_MOCK_ROOT");
  bool quiet = false, options = true;
  int rc = 0, modules = 0;

  if (root == NULL || root[0] != '/') {
    fprintf(stderr, "modprobe (vfio-hostdev mock): VFIO_HOSTDEV_MOCK_ROOT is not set\n");
    return 1;
  }
  mt_set_root(root);
  for (int i = 1; i < argc; i++) {
    if (options && strcmp(argv[i], "--") == 0) {
      options = false;
    } else if (options && argv[i][0] == '-') {
      if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
        quiet = true;
      else if (strcmp(argv[i], "-r") == 0 || strcmp(argv[i], "--remove") == 0) {
        fprintf(stderr, "modprobe (vfio-hostdev mock): removing modules is not emulated\n");
        return 1;
      }
      /* -v, -b, -a and others change nothing here. */
    } else {
      modules++;
      rc |= load(argv[i], quiet);
    }
  }
  if (modules == 0) {
    fprintf(stderr, "modprobe: ERROR: missing parameters. See -h.\n");
    return 1;
  }
  return rc;
}
