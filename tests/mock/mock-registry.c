// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-registry.c: which drivers the fake kernel has registered, which
 * modules exist, and the id tables (as modules.alias patterns) the driver
 * core matches devices against.
 *
 * $ROOT/.mock/drivers: one driver per line, "name module vfio state
 * migration sriov", vfio 0|1, state available|loaded|builtin, migration the
 * MT_MIG_* bits in hex (optional, 0), sriov 0|1 whether the driver has
 * sriov_configure() (optional, 1); registration order is file
 * order (modprobe moves a loaded driver to the end, as registering does).
 * $ROOT/.mock/aliases: "pattern module" lines copied by mkhost from the
 * fixture's modules.alias files, so that a test corrupting the host's
 * modules.alias does not change what the kernel binds.
 */
#include "mock-tree.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *state_name(MtModState s)
{
  switch (s) {
  case MT_MOD_LOADED: return "loaded";
  case MT_MOD_BUILTIN: return "builtin";
  default: return "available";
  }
}

static MtModState state_parse(const char *s)
{
  if (strcmp(s, "loaded") == 0)
    return MT_MOD_LOADED;
  if (strcmp(s, "builtin") == 0)
    return MT_MOD_BUILTIN;
  return MT_MOD_AVAILABLE;
}

int mt_drivers_load(MtDriver **drivers)
{
  char *text = mt_read("/.mock/drivers");
  char *save = NULL;
  MtDriver *v = NULL;
  int n = 0, cap = 0;

  *drivers = NULL;
  if (text == NULL)
    return -errno;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char name[128], module[128], state[32];
    int vfio;
    unsigned migration = 0;
    int sriov = 1;
    if (sscanf(line, "%127s %127s %d %31s %x %d", name, module, &vfio, state, &migration, &sriov) < 4)
      continue;
    if (n == cap) {
      MtDriver *nv = realloc(v, sizeof(*v) * (size_t)(cap = cap ? cap * 2 : 32));
      if (nv == NULL)
        break;
      v = nv;
    }
    memset(&v[n], 0, sizeof(v[n]));
    snprintf(v[n].name, sizeof(v[n].name), "%s", name);
    snprintf(v[n].module, sizeof(v[n].module), "%s", module);
    v[n].vfio = vfio != 0;
    v[n].state = state_parse(state);
    v[n].migration = migration;
    v[n].sriov_configure = sriov != 0;
    n++;
  }
  free(text);
  *drivers = v;
  return n;
}

int mt_drivers_save(const MtDriver *drivers, int n)
{
  size_t cap = (size_t)n * 300 + 1, len = 0;
  char *text = malloc(cap);
  int rc;

  if (text == NULL)
    return -ENOMEM;
  text[0] = '\0';
  for (int i = 0; i < n; i++)
    len += (size_t)snprintf(text + len, cap - len, "%s %s %d %s %x %d\n", drivers[i].name,
                            drivers[i].module, drivers[i].vfio ? 1 : 0,
                            state_name(drivers[i].state), drivers[i].migration,
                            drivers[i].sriov_configure ? 1 : 0);
  rc = mt_write("/.mock/drivers", text);
  free(text);
  return rc;
}

bool mt_driver_lookup(const char *name, MtDriver *out)
{
  MtDriver *v;
  int n = mt_drivers_load(&v);
  bool found = false;

  for (int i = 0; i < n && !found; i++) {
    if (strcmp(v[i].name, name) == 0 && v[i].state != MT_MOD_AVAILABLE) {
      *out = v[i];
      found = true;
    }
  }
  free(v);
  return found;
}

int mt_driver_register_tree(const MtDriver *drv)
{
  char rel[PATH_MAX], target[PATH_MAX];
  static const char *const files[] = { "bind", "unbind", "new_id", "remove_id" };
  int rc;

  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    mt_fmt(rel, "/sys/bus/pci/drivers/%s/%s", drv->name, files[i]);
    /* Write-only in sysfs. */
    if ((rc = mt_write_bytes(rel, "", 0, 0200)) < 0)
      return rc;
  }
  mt_fmt(rel, "/sys/bus/pci/drivers/%s/uevent", drv->name);
  mt_write_bytes(rel, "", 0, 0200);
  mt_fmt(rel, "/sys/bus/pci/drivers/%s/module", drv->name);
  mt_fmt(target, "/sys/module/%s", drv->module);
  if ((rc = mt_link(rel, target)) < 0)
    return rc;
  mt_fmt(rel, "/sys/module/%s/drivers/pci:%s", drv->module, drv->name);
  mt_fmt(target, "/sys/bus/pci/drivers/%s", drv->name);
  if ((rc = mt_link(rel, target)) < 0)
    return rc;
  if (drv->state == MT_MOD_LOADED) {
    mt_fmt(rel, "/sys/module/%s/initstate", drv->module);
    mt_write(rel, "live\n");
  }
  /* a VFIO driver needs module vfio, whose init registers its classes:
   * "vfio-dev" (>= 6.1) and, with CONFIG_VFIO_GROUP, "vfio" */
  if (drv->vfio && mt_host_flag("vfio_dev"))
    mt_mkdir_p("/sys/class/vfio-dev");
  if (drv->vfio && mt_host_flag("vfio_group"))
    mt_mkdir_p("/sys/class/vfio");
  return 0;
}

bool mt_alias_match(const char *module, const char *modalias)
{
  static char *text; /* cached: the alias table never changes */
  static size_t len;
  const char *p;

  if (text == NULL) {
    text = mt_read("/.mock/aliases");
    if (text == NULL)
      return false;
    len = strlen(text);
  }
  for (p = text; p < text + len;) {
    const char *eol = strchr(p, '\n');
    char pattern[1024], mod[256];
    size_t l = eol ? (size_t)(eol - p) : strlen(p);
    if (l < sizeof(pattern) + sizeof(mod)) {
      char line[sizeof(pattern) + sizeof(mod)];
      memcpy(line, p, l);
      line[l] = '\0';
      if (sscanf(line, "%1023s %255s", pattern, mod) == 2 && strcmp(mod, module) == 0 &&
          fnmatch(pattern, modalias, 0) == 0)
        return true;
    }
    p += l + 1;
  }
  return false;
}

bool mt_host_flag(const char *key)
{
  char *text = mt_read("/.mock/host");
  char want[128];
  bool on = false;

  if (text == NULL)
    return false;
  snprintf(want, sizeof(want), "\n%s=1", key);
  /* Prepend a newline so the first line matches like the others. */
  {
    size_t l = strlen(text);
    char *t = malloc(l + 2);
    if (t != NULL) {
      t[0] = '\n';
      memcpy(t + 1, text, l + 1);
      on = strstr(t, want) != NULL;
      free(t);
    }
  }
  free(text);
  return on;
}
