// SPDX-License-Identifier: LGPL-2.1-or-later
/* doctor: the host's plumbing: a writable sysfs, the running kernel's
 * modules.alias, huge pages. */
#include <string.h>

#include "hostdev/doctor/doctor-checks.h"
#include "hostdev/shared/deny-list.h"
#include "util/host-paths.h"
#include "util/mount-point.h"
#include "util/sysfs-paths.h"
#include "util/string-list.h"
#include "util/sysfs.h"

#define SYSFS_TITLE "/sys writable"

HdCheck *hd_doctor_check_sysfs_writable(void)
{
  /* the directory every bind writes under */
  g_autofree char *devices = hd_path_pci_devices();
  g_autofree char *mountinfo = hd_path_mountinfo();
  g_autoptr(GError) error = NULL;
  g_autoptr(HdMountPoint) mount = hd_mount_point_of(mountinfo, devices, &error);
  g_autofree char *message = NULL;

  if (error != NULL)
    return hd_check_new("sysfs-writable", SYSFS_TITLE, HD_CHECK_WARN, error->message,
                        "check that /proc is mounted so that the mount table can be read");
  if (mount == NULL || g_strcmp0(mount->fstype, "sysfs") != 0) {
    message = g_strdup_printf("%s is not on a sysfs mount (%s)", devices,
                              mount != NULL ? mount->fstype : "no mount covers it");
    return hd_check_new("sysfs-writable", SYSFS_TITLE, HD_CHECK_FAIL, message, "mount -t sysfs sysfs /sys");
  }
  if (mount->read_only) {
    message = g_strdup_printf("sysfs at %s is mounted read-only (a container?): binding writes to it",
                              mount->target);
    return hd_check_new("sysfs-writable", SYSFS_TITLE, HD_CHECK_FAIL, message,
                        "run on the host, or in a privileged container with /sys mounted read-write "
                        "(mount -o remount,rw /sys)");
  }
  message = g_strdup_printf("sysfs at %s is mounted read-write", mount->target);
  return hd_check_new("sysfs-writable", SYSFS_TITLE, HD_CHECK_PASS, message, NULL);
}

/* ---- modules.alias -------------------------------------------------------- */

/* Aliases naming a module other than the generic vfio_pci: variant drivers. */
static guint count_variants(const HdAliasTable *aliases)
{
  guint variants = 0;

  for (guint i = 0; i < hd_alias_table_n_aliases(aliases); i++)
    if (strcmp(hd_alias_table_get(aliases, i)->module, "vfio_pci") != 0)
      variants++;
  return variants;
}

HdCheck *hd_doctor_check_modules_alias(HdManager *manager)
{
  const HdAliasTable *aliases = hd_manager_vfio_aliases(manager);
  const char *problem = hd_manager_alias_problem(manager);
  const char *release = hd_manager_kernel_release(manager);
  g_autofree char *message = NULL;
  g_autofree char *fix = NULL;

  /* a warning, as everywhere in the tool: bind still works, with vfio_pci */
  if (problem != NULL) {
    message = g_strdup_printf("%s: bind falls back to vfio_pci and cannot choose a variant driver", problem);
    fix = g_strdup_printf("run depmod %s (sandboxed services: do not hide /lib/modules, e.g. "
                          "ProtectKernelModules=no)",
                          release);
    return hd_check_new("modules-alias", "modules.alias", HD_CHECK_WARN, message, fix);
  }
  message = g_strdup_printf("%u vfio_pci aliases for Linux %s (%u for variant drivers)",
                            hd_alias_table_n_aliases(aliases), release, count_variants(aliases));
  return hd_check_new("modules-alias", "modules.alias", HD_CHECK_PASS, message, NULL);
}

/* ---- huge pages -------------------------------------------------------------- */

#define HUGEPAGES_TITLE "Huge pages"

/* Appends "2048kB: 512 reserved, 500 free" for one size; returns the number reserved. */
static gint64 describe_size(const char *size_dir, GString *text)
{
  g_autofree char *nr_path = hd_path_hugepages(size_dir, "nr_hugepages");
  g_autofree char *free_path = hd_path_hugepages(size_dir, "free_hugepages");
  gint64 reserved = 0, available = 0;
  const char *size = g_str_has_prefix(size_dir, "hugepages-") ? size_dir + strlen("hugepages-") : size_dir;

  if (!hd_sysfs_read_int(nr_path, &reserved, NULL))
    return 0;
  hd_sysfs_read_int(free_path, &available, NULL);
  g_string_append_printf(text, "%s%s: %" G_GINT64_FORMAT " reserved, %" G_GINT64_FORMAT " free",
                         text->len > 0 ? "; " : "", size, reserved, available);
  return reserved;
}

/* The size to suggest reserving: 2 MiB when the host has it (any x86
 * host), else the first listed. */
static const char *preferred_size(const GPtrArray *sizes)
{
  for (guint i = 0; i < sizes->len; i++)
    if (strcmp(g_ptr_array_index(sizes, i), "hugepages-2048kB") == 0)
      return g_ptr_array_index(sizes, i);
  return g_ptr_array_index(sizes, 0);
}

/* Hugepages are not needed for VFIO, but guests backed by them are the
 * common setup for passthrough: none reserved is worth a warning only. */
HdCheck *hd_doctor_check_hugepages(void)
{
  g_autofree char *dir = hd_path_hugepages(NULL, NULL);
  g_autoptr(GPtrArray) sizes = hd_sysfs_list_dir(dir, NULL);
  g_autoptr(GString) text = g_string_new(NULL);
  g_autofree char *fix = NULL;
  gint64 reserved = 0;

  if (sizes == NULL || sizes->len == 0)
    return hd_check_new("hugepages", HUGEPAGES_TITLE, HD_CHECK_WARN,
                        "none: the kernel has no huge page sizes (no /sys/kernel/mm/hugepages)",
                        "guests run on normal pages; for hugepage-backed guests use a kernel with "
                        "CONFIG_HUGETLBFS");
  for (guint i = 0; i < sizes->len; i++)
    reserved += describe_size(g_ptr_array_index(sizes, i), text);
  if (reserved > 0)
    return hd_check_new("hugepages", HUGEPAGES_TITLE, HD_CHECK_PASS, text->str, NULL);
  g_autofree char *first = hd_path_hugepages(preferred_size(sizes), "nr_hugepages");
  g_autofree char *message = g_strdup_printf("none reserved (%s)", text->str);
  fix = g_strdup_printf("for hugepage-backed guests reserve some: echo N > %s, or hugepages=N on the kernel "
                        "command line",
                        first);
  return hd_check_new("hugepages", HUGEPAGES_TITLE, HD_CHECK_WARN, message, fix);
}

#define DENY_LIST_TITLE "Deny list"

/* What the deny list protects: shown so that a refusal is no surprise, and
 * a deny.conf that cannot be used fails (it blocks every bind). */
HdCheck *hd_doctor_check_deny_list(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rules = hd_deny_list_rules(&error);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);

  if (rules == NULL)
    return hd_check_new("deny-list", DENY_LIST_TITLE, HD_CHECK_FAIL, error->message,
                        "fix or remove /etc/vfio-hostdev/deny.conf: until then no device is bound");
  for (guint i = 0; i < rules->len; i++) {
    const HdDenyRule *rule = g_ptr_array_index(rules, i);
    g_ptr_array_add(parts, rule->address != NULL ? g_strdup_printf("%s (%s)", rule->address, rule->origin)
                                                 : g_strdup_printf("%s (%s)", rule->rule, rule->origin));
  }
  if (parts->len == 0)
    return hd_check_new("deny-list", DENY_LIST_TITLE, HD_CHECK_PASS,
                        "protects nothing: no deny.conf rules, and no root filesystem or swap on a PCI device", NULL);
  g_autofree char *list = hd_string_list_join(parts, ", ");
  g_autofree char *message = g_strdup_printf("protects %s", list);
  return hd_check_new("deny-list", DENY_LIST_TITLE, HD_CHECK_PASS, message, NULL);
}
