// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-udev.c: the libudev entry points the tool and libpci use, served
 * from the fake host.
 *
 * systemd 252's libudev walks /sys with directory fds and checks that /sys
 * is a real sysfs, so path rewriting cannot reach it; the preload defines
 * these symbols itself and they take precedence over libudev's.  Only this
 * subset exists: any other libudev call on these objects is unsupported.
 *
 *  - enumeration with subsystem "pci" lists the resolved paths of the fake
 *    /sys/bus/pci/devices entries in host form, sorted;
 *  - the hwdb answers from $ROOT/.mock/hwdb ("pattern<TAB>key<TAB>value"
 *    lines written by mkhost), matching patterns with fnmatch() like
 *    hwdb.bin's globs.  No hwdb file: udev_hwdb_new() returns NULL, as on
 *    a system without hwdb.bin.
 */
#include "mock-preload.h"
#include "mock-tree.h"

#include <errno.h>
#include <fnmatch.h>
#include <libudev.h>
#include <stdlib.h>
#include <string.h>

struct udev {
  int refcount;
};

struct udev_list_entry {
  struct udev_list_entry *next;
  char *name;
  char *value;
};

struct udev_enumerate {
  int refcount;
  struct udev *udev;
  bool wants_pci;       /* no subsystem filter, or "pci" among them */
  bool filtered;
  struct udev_list_entry *list;
};

struct udev_hwdb {
  int refcount;
  char *text;                       /* the hwdb file */
  struct udev_list_entry *result;   /* of the last lookup */
};

static void list_free(struct udev_list_entry *e)
{
  while (e != NULL) {
    struct udev_list_entry *next = e->next;
    free(e->name);
    free(e->value);
    free(e);
    e = next;
  }
}

/* Appends after *tail; returns the new tail or NULL on ENOMEM. */
static struct udev_list_entry *list_append(struct udev_list_entry **head,
                                           struct udev_list_entry *tail, const char *name,
                                           const char *value)
{
  struct udev_list_entry *e = calloc(1, sizeof(*e));

  if (e == NULL || (e->name = strdup(name)) == NULL ||
      (value != NULL && (e->value = strdup(value)) == NULL)) {
    if (e != NULL)
      free(e->name);
    free(e);
    return NULL;
  }
  if (tail != NULL)
    tail->next = e;
  else
    *head = e;
  return e;
}

struct udev *udev_new(void)
{
  struct udev *u;

  mock_root();
  if ((u = calloc(1, sizeof(*u))) != NULL)
    u->refcount = 1;
  return u;
}

struct udev *udev_ref(struct udev *udev)
{
  if (udev != NULL)
    udev->refcount++;
  return udev;
}

struct udev *udev_unref(struct udev *udev)
{
  if (udev != NULL && --udev->refcount == 0)
    free(udev);
  return NULL;
}

struct udev_enumerate *udev_enumerate_new(struct udev *udev)
{
  struct udev_enumerate *e;

  if (udev == NULL) {
    errno = EINVAL;
    return NULL;
  }
  if ((e = calloc(1, sizeof(*e))) == NULL)
    return NULL;
  e->refcount = 1;
  e->udev = udev_ref(udev);
  e->wants_pci = true;
  return e;
}

struct udev_enumerate *udev_enumerate_ref(struct udev_enumerate *e)
{
  if (e != NULL)
    e->refcount++;
  return e;
}

struct udev_enumerate *udev_enumerate_unref(struct udev_enumerate *e)
{
  if (e == NULL || --e->refcount > 0)
    return NULL;
  list_free(e->list);
  udev_unref(e->udev);
  free(e);
  return NULL;
}

struct udev *udev_enumerate_get_udev(struct udev_enumerate *e)
{
  return e != NULL ? e->udev : NULL;
}

int udev_enumerate_add_match_subsystem(struct udev_enumerate *e, const char *subsystem)
{
  if (e == NULL)
    return -EINVAL;
  if (subsystem == NULL)
    return 0;
  /* Subsystem matches are ORed: the first one replaces "everything". */
  if (!e->filtered)
    e->wants_pci = false;
  e->filtered = true;
  e->wants_pci |= fnmatch(subsystem, "pci", 0) == 0;
  return 0;
}

static int cmp_paths(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Resolved host-form paths of the fake /sys/bus/pci/devices entries,
 * sorted like libudev sorts syspaths. */
static char **pci_syspaths(int *count)
{
  char **names, **paths;
  int n = mt_list_dir("/sys/bus/pci/devices", &names), m = 0;

  *count = 0;
  if (n < 0)
    return NULL;
  if ((paths = calloc((size_t)n + 1, sizeof(char *))) != NULL) {
    for (int i = 0; i < n; i++) {
      char rel[PATH_MAX], resolved[PATH_MAX];
      if (mt_fmt(rel, "/sys/bus/pci/devices/%s", names[i]) == 0 &&
          mt_resolve(rel, resolved) == 0 && (paths[m] = strdup(resolved)) != NULL)
        m++;
    }
    qsort(paths, (size_t)m, sizeof(char *), cmp_paths);
    *count = m;
  }
  mt_strv_free(names);
  return paths;
}

int udev_enumerate_scan_devices(struct udev_enumerate *e)
{
  struct udev_list_entry *tail = NULL;
  char **paths;
  int n;

  if (e == NULL)
    return -EINVAL;
  list_free(e->list);
  e->list = NULL;
  if (!e->wants_pci)
    return 0;
  mock_root();
  paths = pci_syspaths(&n);
  for (int i = 0; i < n && (tail = list_append(&e->list, tail, paths[i], NULL)) != NULL; i++)
    ;
  mt_strv_free(paths);
  return 0;
}

struct udev_list_entry *udev_enumerate_get_list_entry(struct udev_enumerate *e)
{
  return e != NULL ? e->list : NULL;
}

struct udev_list_entry *udev_list_entry_get_next(struct udev_list_entry *entry)
{
  return entry != NULL ? entry->next : NULL;
}

const char *udev_list_entry_get_name(struct udev_list_entry *entry)
{
  return entry != NULL ? entry->name : NULL;
}

const char *udev_list_entry_get_value(struct udev_list_entry *entry)
{
  return entry != NULL ? entry->value : NULL;
}

struct udev_hwdb *udev_hwdb_new(struct udev *udev)
{
  struct udev_hwdb *hwdb;
  char *text;

  mock_root();
  if ((text = mt_read("/.mock/hwdb")) == NULL)
    return NULL;
  if ((hwdb = calloc(1, sizeof(*hwdb))) == NULL) {
    free(text);
    return NULL;
  }
  hwdb->refcount = 1;
  hwdb->text = text;
  return hwdb;
}

struct udev_hwdb *udev_hwdb_ref(struct udev_hwdb *hwdb)
{
  if (hwdb != NULL)
    hwdb->refcount++;
  return hwdb;
}

struct udev_hwdb *udev_hwdb_unref(struct udev_hwdb *hwdb)
{
  if (hwdb == NULL || --hwdb->refcount > 0)
    return NULL;
  list_free(hwdb->result);
  free(hwdb->text);
  free(hwdb);
  return NULL;
}

/* Sets key to value in the result list, replacing an earlier match (a more
 * specific pattern later in the file wins). */
static void result_set(struct udev_hwdb *hwdb, const char *key, const char *value)
{
  struct udev_list_entry *e, *tail = NULL;

  for (e = hwdb->result; e != NULL; tail = e, e = e->next) {
    if (strcmp(e->name, key) == 0) {
      char *v = strdup(value);
      if (v != NULL) {
        free(e->value);
        e->value = v;
      }
      return;
    }
  }
  list_append(&hwdb->result, tail, key, value);
}

struct udev_list_entry *udev_hwdb_get_properties_list_entry(struct udev_hwdb *hwdb,
                                                            const char *modalias,
                                                            unsigned int flags)
{
  char *copy, *save = NULL;

  if (hwdb == NULL || modalias == NULL) {
    errno = EINVAL;
    return NULL;
  }
  list_free(hwdb->result);
  hwdb->result = NULL;
  if ((copy = strdup(hwdb->text)) == NULL)
    return NULL;
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *key = strchr(line, '\t'), *value;
    if (key == NULL || (value = strchr(key + 1, '\t')) == NULL)
      continue;
    *key++ = '\0';
    *value++ = '\0';
    if (fnmatch(line, modalias, 0) == 0)
      result_set(hwdb, key, value);
  }
  free(copy);
  return hwdb->result;
}
