// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/exec-plan.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "hostdev/device/device.h"
#include "hostdev/managed/owner-journal.h"
#include "hostdev/managed/prepare.h"
#include "hostdev/managed/qemu-args.h"
#include "util/hd-error.h"
#include "util/host-paths.h"
#include "util/node-owner.h"

/* Room for any passwd entry getpwuid_r returns here. */
#define PASSWD_BUFFER 16384

void hd_exec_plan_free(HdExecPlan *plan)
{
  if (plan == NULL)
    return;
  for (guint i = 0; i < plan->fds->len; i++)
    close(g_array_index(plan->fds, int, i));
  g_array_unref(plan->fds);
  g_ptr_array_unref(plan->args);
  g_free(plan->owner);
  g_free(plan->user);
  g_free(plan);
}

/* The journal of an owner that holds devices and is at rest. */
static HdJournal *load_journal(const char *owner, GError **error)
{
  GError *local = NULL;
  g_autoptr(HdJournal) journal = hd_journal_load(owner, &local);

  if (local != NULL) {
    g_propagate_error(error, local);
    return NULL;
  }
  if (journal == NULL || journal->devices->len == 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_NO_DEVICE, "owner %s holds no devices: `vfio-hostdev prepare` first",
                owner);
    return NULL;
  }
  if (journal->running) {
    g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "the %s of owner %s is running or was interrupted; "
                "`vfio-hostdev recover` finishes an interrupted one", hd_journal_operation_name(journal->operation),
                owner);
    return NULL;
  }
  return g_steal_pointer(&journal);
}

/* What prepare would report for each of JOURNAL's devices now. */
static GPtrArray *device_results(HdManager *manager, const HdJournal *journal, GError **error)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func((GDestroyNotify)hd_prepare_result_free);

  for (guint i = 0; i < journal->devices->len; i++) {
    const HdJournalDevice *entry = g_ptr_array_index(journal->devices, i);
    g_autoptr(HdDevice) device = hd_device_load_by_name(manager, entry->address, error);
    if (device == NULL)
      return NULL;
    if (!device->vfio.bound) {
      g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "%s of owner %s is not on a VFIO driver; release the owner and "
                  "prepare again", device->address, journal->owner);
      return NULL;
    }
    HdPrepareResult *result = g_new0(HdPrepareResult, 1);
    result->address = g_strdup(device->address);
    result->group_node = g_strdup(device->vfio.group_node);
    result->cdev = g_strdup(device->vfio.cdev);
    g_ptr_array_add(results, result);
  }
  return g_steal_pointer(&results);
}

static gboolean open_node(HdExecPlan *plan, const char *path, int *fd, GError **error)
{
  *fd = open(path, O_RDWR | O_CLOEXEC);
  if (*fd < 0) {
    int saved = errno;
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot open %s for owner %s: %s", path, plan->owner,
                g_strerror(saved));
    return FALSE;
  }
  g_array_append_val(plan->fds, *fd);
  return TRUE;
}

/* /dev/iommu and every cdev, and the arguments naming them. */
static gboolean open_iommufd(HdExecPlan *plan, const GPtrArray *results, GError **error)
{
  g_autofree char *iommu = hd_path_iommufd();
  int fd = -1;

  if (!open_node(plan, iommu, &fd, error))
    return FALSE;
  g_ptr_array_add(plan->args, g_strdup("-object"));
  g_ptr_array_add(plan->args, g_strdup_printf("iommufd,id=%s,fd=%d", HD_QEMU_IOMMUFD_ID, fd));
  for (guint i = 0; i < results->len; i++) {
    const HdPrepareResult *result = g_ptr_array_index(results, i);
    g_autoptr(GPtrArray) device = hd_qemu_device_args(result, TRUE);
    if (!open_node(plan, result->cdev, &fd, error))
      return FALSE;
    g_ptr_array_add(plan->args, g_strdup(g_ptr_array_index(device, 0)));
    g_ptr_array_add(plan->args, g_strdup_printf("%s,fd=%d", (const char *)g_ptr_array_index(device, 1), fd));
  }
  return TRUE;
}

/* The VMM's user: the owner's, unless descriptors carry the access. */
static gboolean choose_user(HdExecPlan *plan, const HdJournal *journal, const char *user, GError **error)
{
  const char *chosen = user != NULL ? user : journal->user;
  guint uid = 0, gid = 0;

  if (chosen == NULL)
    return TRUE;
  if (!hd_user_lookup(chosen, &uid, &gid, error))
    return FALSE;
  if (!plan->iommufd && (journal->user == NULL || uid != journal->uid)) {
    g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "owner %s's group nodes belong to %s, and with the group form "
                "QEMU opens them itself: run it as %s, or prepare the owner with --user %s",
                journal->owner, journal->user != NULL ? journal->user : "root",
                journal->user != NULL ? journal->user : "root", chosen);
    return FALSE;
  }
  plan->user = g_strdup(chosen);
  plan->uid = uid;
  plan->gid = gid;
  return TRUE;
}

HdExecPlan *hd_exec_plan_new(HdManager *manager, const char *owner, const char *user, const HdQemuVersion *version,
                             GError **error)
{
  if (!hd_owner_name_check(owner, error))
    return NULL;
  g_autoptr(HdJournal) journal = load_journal(owner, error);
  g_autoptr(GPtrArray) results = journal != NULL ? device_results(manager, journal, error) : NULL;
  if (results == NULL)
    return NULL;
  g_autoptr(HdExecPlan) plan = g_new0(HdExecPlan, 1);
  plan->owner = g_strdup(owner);
  plan->fds = g_array_new(FALSE, FALSE, sizeof(int));
  plan->args = g_ptr_array_new_with_free_func(g_free);
  plan->iommufd = hd_qemu_use_iommufd(results, version);
  if (!choose_user(plan, journal, user, error))
    return NULL;
  if (plan->iommufd)
    return open_iommufd(plan, results, error) ? g_steal_pointer(&plan) : NULL;
  g_ptr_array_unref(plan->args);
  plan->args = hd_qemu_args(results, FALSE);
  return g_steal_pointer(&plan);
}

static gboolean fail_errno(const char *what, const HdExecPlan *plan, GError **error)
{
  int saved = errno;

  g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot %s %s: %s", what, plan->user, g_strerror(saved));
  return FALSE;
}

/* Supplementary groups, group, then user (the order that keeps the right
 * to change the next); then checks that none of root's is left. */
static gboolean drop_privileges(const HdExecPlan *plan, GError **error)
{
  struct passwd entry, *found = NULL;
  g_autofree char *buffer = g_malloc(PASSWD_BUFFER);

  if (getpwuid_r(plan->uid, &entry, buffer, PASSWD_BUFFER, &found) != 0 || found == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot read the passwd entry of %s", plan->user);
    return FALSE;
  }
  if (initgroups(entry.pw_name, plan->gid) < 0)
    return fail_errno("set the supplementary groups of", plan, error);
  if (setgid(plan->gid) < 0)
    return fail_errno("take the group of", plan, error);
  if (setuid(plan->uid) < 0)
    return fail_errno("become", plan, error);
  if (getuid() != plan->uid || geteuid() != plan->uid || getgid() != plan->gid || getegid() != plan->gid ||
      (plan->uid != 0 && setuid(0) == 0)) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "could not drop privileges to %s", plan->user);
    return FALSE;
  }
  return TRUE;
}

gboolean hd_exec_plan_exec(HdExecPlan *plan, const char *const *argv, GError **error)
{
  g_autoptr(GPtrArray) command = g_ptr_array_new();

  for (guint i = 0; i < plan->fds->len; i++) {
    int fd = g_array_index(plan->fds, int, i);
    if (fcntl(fd, F_SETFD, 0) < 0) {
      int saved = errno;
      g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot pass descriptor %d: %s", fd, g_strerror(saved));
      return FALSE;
    }
  }
  if (plan->user != NULL && !drop_privileges(plan, error))
    return FALSE;
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add(command, (gpointer)argv[i]);
  for (guint i = 0; i < plan->args->len; i++)
    g_ptr_array_add(command, g_ptr_array_index(plan->args, i));
  g_ptr_array_add(command, NULL);
  execvp(argv[0], (char *const *)command->pdata);
  int saved = errno;
  g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot run %s: %s", argv[0], g_strerror(saved));
  return FALSE;
}
