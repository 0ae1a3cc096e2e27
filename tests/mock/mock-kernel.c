// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-kernel.c: what the kernel does when a sysfs attribute is written.
 *
 * The preload routes write(2) on a tracked fd here with the attribute's
 * resolved logical path.  Each operation: count the write and check the
 * fault table (under the lock), sleep the configured delay (outside the
 * lock, so operations on different devices overlap as in the kernel),
 * then mutate the tree under the lock.
 */
#include "mock-tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PAGE_SIZE - 1: driver_set_override() refuses longer writes. */
#define OVERRIDE_MAX 4095

typedef enum {
  K_NONE, K_DRIVERS_PROBE, K_BIND, K_UNBIND, K_OVERRIDE, K_RESET, K_RESET_METHOD, K_NUMVFS, K_AUTOPROBE,
  K_HUGEPAGES
} KernelAttr;

typedef struct {
  KernelAttr kind;
  char attr[32];
  char driver[128];   /* bind/unbind */
  char device[64];    /* device attributes: the device the file belongs to; hugepages: the pool */
} Target;

static bool looks_like_bdf(const char *s)
{
  unsigned d, b, sl, f;
  char tail;

  return strlen(s) == 12 && sscanf(s, "%4x:%2x:%2x.%1x%c", &d, &b, &sl, &f, &tail) == 4;
}

static KernelAttr device_attr_kind(const char *name)
{
  if (strcmp(name, "driver_override") == 0)
    return K_OVERRIDE;
  if (strcmp(name, "reset") == 0)
    return K_RESET;
  if (strcmp(name, "reset_method") == 0)
    return K_RESET_METHOD;
  if (strcmp(name, "sriov_numvfs") == 0)
    return K_NUMVFS;
  if (strcmp(name, "sriov_drivers_autoprobe") == 0)
    return K_AUTOPROBE;
  return K_NONE;
}

static bool classify(const char *logical, Target *t)
{
  const char *base = strrchr(logical, '/');
  char drv[256], file[64], pool[41];
  int node;

  memset(t, 0, sizeof(*t));
  if (base == NULL)
    return false;
  snprintf(t->attr, sizeof(t->attr), "%s", base + 1);
  if (strcmp(logical, "/sys/bus/pci/drivers_probe") == 0) {
    t->kind = K_DRIVERS_PROBE;
    return true;
  }
  if (sscanf(logical, "/sys/kernel/mm/hugepages/%63[^/]/%63s", t->device, file) == 2 &&
      strcmp(file, "nr_hugepages") == 0) {
    t->kind = K_HUGEPAGES;
    return true;
  }
  if (sscanf(logical, "/sys/devices/system/node/node%d/hugepages/%40[^/]/%63s", &node, pool, file) == 3 &&
      strcmp(file, "nr_hugepages") == 0) {
    /* a NUMA node's pool: "nodeN:hugepages-<size>kB" (no '/': it names counters) */
    snprintf(t->device, sizeof(t->device), "node%d:%s", node, pool);
    t->kind = K_HUGEPAGES;
    return true;
  }
  if (sscanf(logical, "/sys/bus/pci/drivers/%255[^/]/%63s", drv, file) == 2 &&
      strchr(file, '/') == NULL && strlen(drv) < sizeof(t->driver)) {
    snprintf(t->driver, sizeof(t->driver), "%s", drv);
    t->kind = strcmp(file, "bind") == 0 ? K_BIND : strcmp(file, "unbind") == 0 ? K_UNBIND : K_NONE;
    return t->kind != K_NONE;
  }
  if (strncmp(logical, "/sys/devices/", 13) == 0 && (t->kind = device_attr_kind(t->attr))) {
    const char *prev = base;
    while (prev > logical && prev[-1] != '/')
      prev--;
    if ((size_t)(base - prev) >= sizeof(t->device))
      return false;
    memcpy(t->device, prev, (size_t)(base - prev));
    t->device[base - prev] = '\0';
    return looks_like_bdf(t->device);
  }
  return false;
}

bool mt_kernel_is_special(const char *logical)
{
  Target t;

  return classify(logical, &t);
}

/* sysfs_streq(): a device name as written, minus one trailing newline. */
static void strip_newline(char *s)
{
  size_t len = strlen(s);

  if (len > 0 && s[len - 1] == '\n')
    s[len - 1] = '\0';
}

/* kstrtoul(s, 0): decimal, 0x hex or 0 octal, one trailing newline. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
  char buf[64], *end;

  if (strlen(s) >= sizeof(buf) || s[0] == '\0' || s[0] == '-' || s[0] == '+' || s[0] == ' ')
    return -EINVAL;
  snprintf(buf, sizeof(buf), "%s", s);
  strip_newline(buf);
  errno = 0;
  *out = strtoul(buf, &end, 0);
  if (buf[0] == '\0' || *end != '\0')
    return -EINVAL;
  if (errno == ERANGE || *out > max)
    return -ERANGE;
  return 0;
}

static int write_override(const char *bdf, const char *data, size_t count)
{
  char dir[PATH_MAX], rel[PATH_MAX];
  char value[OVERRIDE_MAX + 2];

  if (count >= OVERRIDE_MAX)
    return -EINVAL;
  /* driver_set_override(): up to the first newline; empty clears. */
  snprintf(value, sizeof(value), "%s", data);
  value[strcspn(value, "\n")] = '\0';
  if (mt_device_dir(bdf, dir) < 0)
    return -ENODEV;
  mt_fmt(rel, "%s/driver_override", dir);
  return mt_writef(rel, "%s\n", value[0] ? value : "(null)");
}

static int do_unbind(const char *driver, const char *bdf)
{
  char current[128];

  if (mt_device_driver(bdf, current) < 0 || strcmp(current, driver) != 0)
    return -ENODEV;
  return mt_unbind(bdf);
}

static int do_bind(const char *driver, const char *bdf)
{
  char dir[PATH_MAX];
  MtDriver drv;

  if (!mt_driver_lookup(driver, &drv) || mt_device_dir(bdf, dir) < 0)
    return -ENODEV;
  /* bind_store(): driver_match_device() first, then the probe, which
   * refuses a bound device with EBUSY. */
  if (!mt_driver_matches(&drv, bdf))
    return -ENODEV;
  return mt_probe(&drv, bdf);
}

static int do_reset(const char *bdf, const char *data)
{
  char dir[PATH_MAX], rel[PATH_MAX];
  unsigned long v;
  char *methods;
  int rc;

  if ((rc = parse_uint(data, ~0UL, &v)) < 0 || v != 1)
    return -EINVAL;
  if (mt_device_dir(bdf, dir) < 0)
    return -ENODEV;
  mt_fmt(rel, "%s/reset_method", dir);
  methods = mt_read_trim(rel);
  if (methods == NULL || methods[0] == '\0') {
    free(methods);
    return -ENOTTY; /* pci_reset_function() with no method left */
  }
  methods[strcspn(methods, " ")] = '\0';
  mt_log("resets.log", "%s %s\n", bdf, methods);
  free(methods);
  return 0;
}

/* The methods a device supports: its reset_method at build time, kept by
 * mkhost in .mock/reset-methods/<bdf>. */
static bool method_supported(const char *bdf, const char *name)
{
  char rel[PATH_MAX];
  char *all, *save = NULL;
  bool found = false;

  mt_fmt(rel, "/.mock/reset-methods/%s", bdf);
  if ((all = mt_read_trim(rel)) == NULL)
    return false;
  for (char *m = strtok_r(all, " ", &save); m && !found; m = strtok_r(NULL, " ", &save))
    found = strcmp(m, name) == 0;
  free(all);
  return found;
}

static int store_methods(const char *rel, const char *value)
{
  return mt_writef(rel, "%s%s", value, value[0] ? "\n" : "");
}

/* reset_method_store(): "default", "" (disable all) or a list of methods
 * the device supports; anything else is EINVAL and keeps the old list. */
static int do_reset_method(const char *bdf, const char *data)
{
  char dir[PATH_MAX], rel[PATH_MAX], value[512] = "", *copy, *save = NULL;
  static const char *const known[] = { "device_specific", "acpi", "flr", "af_flr", "pm", "bus",
                                       "cxl_bus" };
  int rc = 0;

  if (mt_device_dir(bdf, dir) < 0)
    return -ENODEV;
  mt_fmt(rel, "%s/reset_method", dir);
  if ((copy = strdup(data)) == NULL)
    return -ENOMEM;
  strip_newline(copy);
  if (strcmp(copy, "default") == 0) {
    char mrel[PATH_MAX];
    char *defaults;
    mt_fmt(mrel, "/.mock/reset-methods/%s", bdf);
    defaults = mt_read_trim(mrel);
    rc = store_methods(rel, defaults ? defaults : "");
    free(defaults);
    free(copy);
    return rc;
  }
  for (char *m = strtok_r(copy, " ", &save); m && rc == 0; m = strtok_r(NULL, " ", &save)) {
    bool is_known = false;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
      is_known |= strcmp(known[i], m) == 0;
    if (!is_known || !method_supported(bdf, m) || strlen(value) + strlen(m) + 2 > sizeof(value)) {
      rc = -EINVAL;
      break;
    }
    if (value[0])
      strcat(value, " ");
    strcat(value, m);
  }
  free(copy);
  return rc < 0 ? rc : store_methods(rel, value);
}

static int do_numvfs(const char *bdf, const char *data)
{
  unsigned long n;
  int rc;

  if ((rc = parse_uint(data, 0xffff, &n)) < 0)
    return -EINVAL; /* kstrtou16() */
  return mt_sriov_set_numvfs(bdf, (unsigned)n);
}

/* kstrtobool(): the first character decides, "on"/"off" the second. */
static int parse_bool(const char *s, bool *out)
{
  switch (s[0]) {
  case 'y': case 'Y': case 't': case 'T': case '1':
    *out = true;
    return 0;
  case 'n': case 'N': case 'f': case 'F': case '0':
    *out = false;
    return 0;
  case 'o': case 'O':
    if (s[1] == 'n' || s[1] == 'N' || s[1] == 'f' || s[1] == 'F') {
      *out = s[1] == 'n' || s[1] == 'N';
      return 0;
    }
    return -EINVAL;
  default:
    return -EINVAL;
  }
}

static int do_autoprobe(const char *bdf, const char *data)
{
  bool on;

  if (parse_bool(data, &on) < 0)
    return -EINVAL;
  return mt_sriov_set_autoprobe(bdf, on);
}

/* The VFs a write of sriov_numvfs creates or destroys: the kernel adds
 * and removes them one by one (pci_iov_add_virtfn()), so each costs the
 * modelled "sriov-vf" delay. */
static unsigned numvfs_changed(const char *bdf, const char *data)
{
  unsigned long n;
  unsigned now = mt_sriov_numvfs(bdf);

  /* nothing to do, or EBUSY (non-zero to another non-zero) */
  if (parse_uint(data, 0xffff, &n) < 0 || n == now || (n != 0 && now != 0))
    return 0;
  return n != 0 ? (unsigned)n : now;
}

static int do_hugepages(const char *pool, const char *data)
{
  unsigned long n;

  if (parse_uint(data, (unsigned long)-1, &n) < 0)
    return -EINVAL;
  return mt_hugepages_set_nr(pool, n);
}

static int perform(const Target *t, const char *bdf, const char *data, size_t count)
{
  switch (t->kind) {
  case K_DRIVERS_PROBE:
    return mt_attach(bdf);
  case K_BIND:
    return do_bind(t->driver, bdf);
  case K_UNBIND:
    return do_unbind(t->driver, bdf);
  case K_OVERRIDE:
    return write_override(bdf, data, count);
  case K_RESET:
    return do_reset(bdf, data);
  case K_RESET_METHOD:
    return do_reset_method(bdf, data);
  case K_NUMVFS:
    return do_numvfs(bdf, data);
  case K_AUTOPROBE:
    return do_autoprobe(bdf, data);
  case K_HUGEPAGES:
    return do_hugepages(bdf, data);
  default:
    return -EINVAL;
  }
}

static const char *delay_op(KernelAttr kind)
{
  switch (kind) {
  case K_UNBIND: return "unbind";
  case K_BIND:
  case K_DRIVERS_PROBE: return "probe";
  case K_RESET: return "reset";
  case K_NUMVFS: return "sriov";
  case K_AUTOPROBE: return "autoprobe";
  case K_OVERRIDE: return "override";
  case K_HUGEPAGES: return "hugepages";
  default: return "other";
  }
}

ssize_t mt_kernel_write(const char *logical, const char *buf, size_t count)
{
  char bdf[128];
  char *data;
  Target t;
  int lock, rc;

  if (!classify(logical, &t))
    return -EINVAL;
  if ((data = strndup(buf, count)) == NULL)
    return -ENOMEM;
  if (t.kind == K_BIND || t.kind == K_UNBIND || t.kind == K_DRIVERS_PROBE) {
    snprintf(bdf, sizeof(bdf), "%s", data);
    strip_newline(bdf);
  } else {
    snprintf(bdf, sizeof(bdf), "%s", t.device);
  }
  lock = mt_lock();
  rc = -mt_fault_check_write(t.attr, bdf);
  mt_unlock(lock);
  if (rc == 0) {
    /* ops.log orders every operation's begin and end across processes and
     * threads, so that tests can prove operations overlapped without
     * timing them */
    mt_log("ops.log", "begin %s %s\n", delay_op(t.kind), bdf);
    mt_delay(delay_op(t.kind), bdf);
    if (t.kind == K_NUMVFS)
      mt_delay_each("sriov-vf", bdf, numvfs_changed(bdf, data));
    lock = mt_lock();
    rc = perform(&t, bdf, data, count);
    mt_unlock(lock);
    mt_log("ops.log", "end %s %s\n", delay_op(t.kind), bdf);
  }
  free(data);
  return rc < 0 ? rc : (ssize_t)count;
}
