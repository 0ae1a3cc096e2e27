// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/prepare.h"

#include <gio/gio.h>

#include "hostdev/bind/bind.h"
#include "hostdev/shared/device-record.h"
#include "hostdev/device/device.h"
#include "hostdev/managed/domain-xml.h"
#include "hostdev/shared/group-lock.h"
#include "hostdev/device/group-viability.h"
#include "util/hd-error.h"
#include "util/kernel-write.h"
#include "hostdev/device/iommu-group.h"
#include "util/node-owner.h"
#include "hostdev/managed/iommu-acl.h"
#include "hostdev/managed/owner-journal.h"
#include "hostdev/managed/owner-release.h"
#include "hostdev/managed/recover.h"
#include "util/host-paths.h"
#include "util/string-list.h"
#include "util/sysfs.h"

/* Waiting for another invocation on the same owner or group: longer than
 * its unbind timeout, so that a slow but healthy one is waited for. */
#define LOCK_TIMEOUT_MS (120 * 1000)
/* The group node and cdev belong to the VMM's user alone. */
#define NODE_MODE 0600

static const char *const outcome_names[] = {"bound", "on-vfio", "owned"};

const char *hd_prepare_outcome_name(HdPrepareOutcome outcome)
{
  return outcome_names[outcome];
}

void hd_prepare_result_free(HdPrepareResult *result)
{
  if (result == NULL)
    return;
  g_free(result->address);
  g_free(result->driver);
  g_free(result->original_driver);
  g_free(result->vfio_device);
  g_free(result->group_node);
  g_free(result->cdev);
  g_free(result);
}

/* What this call does with one device. */
typedef enum {
  ACTION_OWNED, /* the owner holds it already */
  ACTION_BIND,  /* managed, on a host driver or none: bind it */
  ACTION_ADOPT, /* on VFIO with a record of its own (bind's): the owner is added to it */
  ACTION_TAKE,  /* on VFIO without a record: a record is made for the owner */
} Action;

typedef struct {
  const HdHostdevSpec *spec;
  HdDevice *device;
  HdDeviceRecord *record; /* NULL: none */
  Action action;
} Item;

static void item_free(Item *item)
{
  hd_device_free(item->device);
  hd_record_free(item->record);
  g_free(item);
}

typedef struct {
  HdManager *manager;
  const HdPrepareOptions *options;
  guint uid;
  guint gid;
  GPtrArray *items;   /* Item*, one per distinct device, in spec order */
  HdJournal *journal; /* the owner's, once loaded or begun */
} Prepare;

/* ---- input ------------------------------------------------------------------ */

static Item *find_item(GPtrArray *items, const char *address)
{
  for (guint i = 0; i < items->len; i++) {
    Item *item = g_ptr_array_index(items, i);
    if (g_str_equal(item->device->address, address))
      return item;
  }
  return NULL;
}

/* Reads every device and its record; the first missing device or damaged
 * record fails. */
static GPtrArray *load_items(HdManager *manager, const GPtrArray *specs, GError **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func((GDestroyNotify)item_free);
  GError *local = NULL;

  for (guint i = 0; i < specs->len; i++) {
    const HdHostdevSpec *spec = g_ptr_array_index(specs, i);
    g_autoptr(HdDevice) device = hd_device_load(manager, &spec->address, error);
    if (device == NULL)
      return NULL;
    if (find_item(items, device->address) != NULL)
      continue;
    Item *item = g_new0(Item, 1);
    item->spec = spec;
    item->device = g_steal_pointer(&device);
    g_ptr_array_add(items, item);
    item->record = hd_record_load(item->device->address, &local);
    if (local != NULL) {
      /* a damaged record is left for the user: never overwritten */
      g_set_error(error, HD_ERROR, HD_ERROR_UNFINISHED, "refusing to prepare, nothing changed: %s; it is kept as it "
                  "is: `vfio-hostdev status` shows it", local->message);
      g_error_free(local);
      return NULL;
    }
  }
  return g_steal_pointer(&items);
}

static GPtrArray *lock_items(GPtrArray *items, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < items->len; i++) {
    const HdDevice *device = ((Item *)g_ptr_array_index(items, i))->device;
    hd_group_lock_names_add(names, device->address, device->iommu_group);
  }
  return hd_group_locks_acquire(names, LOCK_TIMEOUT_MS, error);
}

/* ---- checks: before anything changes ------------------------------------------ */

/* VFIO gives a whole group to one user: a member held by another owner
 * makes the group theirs. */
static void check_group_owners(const Prepare *prepare, const HdDevice *device, GPtrArray *refusals)
{
  g_autoptr(GPtrArray) members = device->iommu_group >= 0 ? hd_iommu_group_members(device->iommu_group, NULL) : NULL;

  for (guint i = 0; members != NULL && i < members->len; i++) {
    const char *member = g_ptr_array_index(members, i);
    g_autoptr(HdDeviceRecord) record = g_str_equal(member, device->address) ? NULL : hd_record_load(member, NULL);
    if (record != NULL && record->owner != NULL && !g_str_equal(record->owner, prepare->options->owner))
      g_ptr_array_add(refusals, g_strdup_printf("%s shares IOMMU group %" G_GINT64_FORMAT " with %s, which belongs "
                                                "to owner %s",
                                                device->address, device->iommu_group, member, record->owner));
  }
}

/* An unmanaged device is used as it is: its group must already be viable. */
static void check_unmanaged_group(const Prepare *prepare, const HdDevice *device, GHashTable *binding,
                                  GPtrArray *refusals)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blockers = hd_group_blockers(prepare->manager, device, binding, &error);

  if (blockers == NULL) {
    g_ptr_array_add(refusals, g_strdup_printf("cannot read the IOMMU group of %s: %s", device->address,
                                              error->message));
    return;
  }
  for (guint i = 0; i < blockers->len; i++) {
    const HdDevice *member = g_ptr_array_index(blockers, i);
    g_ptr_array_add(refusals, g_strdup_printf("IOMMU group %" G_GINT64_FORMAT " of %s is not viable: %s is on %s",
                                              device->iommu_group, device->address, member->address,
                                              member->driver));
  }
}

/* Decides ITEM's action, or adds why it cannot be prepared. */
static void check_item(const Prepare *prepare, Item *item, GPtrArray *refusals)
{
  const HdDevice *device = item->device;
  const HdDeviceRecord *record = item->record;
  const char *owner = prepare->options->owner;

  if (record != NULL && record->owner != NULL && !g_str_equal(record->owner, owner)) {
    g_ptr_array_add(refusals, g_strdup_printf("%s belongs to owner %s", device->address, record->owner));
    return;
  }
  if (device->noiommu) {
    g_ptr_array_add(refusals, g_strdup_printf("%s %s a no-IOMMU group (vfio's unsafe no-IOMMU mode: %s); QEMU "
                                              "cannot use one, so prepare never takes it; `vfio-hostdev bind "
                                              "--noiommu` is for userspace drivers such as DPDK",
                                              device->address, device->iommu_group >= 0 ? "is in" : "would get",
                                              hd_noiommu_danger()));
    return;
  }
  check_group_owners(prepare, device, refusals);
  if (record != NULL && record->owner != NULL)
    item->action = ACTION_OWNED;
  else if (device->vfio.bound)
    item->action = record != NULL ? ACTION_ADOPT : ACTION_TAKE;
  else if (item->spec->managed && prepare->options->adopt_only)
    g_ptr_array_add(refusals, g_strdup_printf("%s is %s%s, not on a VFIO driver, and adopting binds nothing",
                                              device->address, device->driver != NULL ? "on " : "unbound",
                                              device->driver != NULL ? device->driver : ""));
  else if (item->spec->managed)
    item->action = ACTION_BIND;
  else
    g_ptr_array_add(refusals, g_strdup_printf("%s is unmanaged (managed='no') and must already be on a VFIO driver, "
                                              "but it is %s%s; bind it first, or declare it managed",
                                              device->address, device->driver != NULL ? "on " : "unbound",
                                              device->driver != NULL ? device->driver : ""));
  if (item->action == ACTION_OWNED && !device->vfio.bound)
    g_ptr_array_add(refusals, g_strdup_printf("%s belongs to owner %s but is no longer on a VFIO driver; release "
                                              "the owner and prepare again",
                                              device->address, owner));
}

static GHashTable *binding_set(GPtrArray *items)
{
  GHashTable *binding = g_hash_table_new(g_str_hash, g_str_equal);

  for (guint i = 0; i < items->len; i++) {
    const Item *item = g_ptr_array_index(items, i);
    if (item->action == ACTION_BIND)
      g_hash_table_add(binding, item->device->address);
  }
  return binding;
}

static void check_user(const Prepare *prepare, GPtrArray *refusals)
{
  const HdJournal *journal = prepare->journal;
  const char *user = prepare->options->user;

  if (journal != NULL && journal->devices->len > 0 && user != NULL && g_strcmp0(journal->user, user) != 0)
    g_ptr_array_add(refusals, g_strdup_printf("owner %s holds devices for %s%s; prepare it with the same --user",
                                              prepare->options->owner, journal->user != NULL ? "user " : "root",
                                              journal->user != NULL ? journal->user : ""));
}

/* Work an earlier run left unfinished on ITEM (a kernel write in flight,
 * a record not bound): never built upon, its record never overwritten. */
static char *item_unfinished(const Item *item)
{
  const char *address = item->device->address;
  const HdDeviceRecord *record = item->record;
  g_autofree char *pending = hd_kernel_write_pending(address);
  if (pending != NULL)
    return g_strdup_printf("a kernel write for %s has not returned (%s); `vfio-hostdev status` shows it", address,
                           pending);
  if (record == NULL || record->state == HD_RECORD_BOUND)
    return NULL;
  return g_strdup_printf("%s was left %s by an earlier run%s%s; `vfio-hostdev status` shows it, `vfio-hostdev %s` "
                         "finishes it", address, hd_record_state_name(record->state),
                         record->problem != NULL ? ": " : "", record->problem != NULL ? record->problem : "",
                         record->owner != NULL ? "recover" : "reattach");
}

static gboolean check_unfinished(Prepare *prepare, GError **error)
{
  g_autoptr(GPtrArray) unfinished = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < prepare->items->len; i++) {
    char *why = item_unfinished(g_ptr_array_index(prepare->items, i));
    if (why != NULL)
      g_ptr_array_add(unfinished, why);
  }
  if (unfinished->len == 0)
    return TRUE;
  g_autofree char *text = hd_string_list_join(unfinished, "; ");
  g_set_error(error, HD_ERROR, HD_ERROR_UNFINISHED, "refusing to prepare for owner %s, nothing changed: %s",
              prepare->options->owner, text);
  return FALSE;
}

static gboolean check_items(Prepare *prepare, GError **error)
{
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);

  if (!check_unfinished(prepare, error))
    return FALSE;

  check_user(prepare, refusals);
  for (guint i = 0; i < prepare->items->len; i++)
    check_item(prepare, g_ptr_array_index(prepare->items, i), refusals);
  g_autoptr(GHashTable) binding = binding_set(prepare->items);
  for (guint i = 0; i < prepare->items->len; i++) {
    const Item *item = g_ptr_array_index(prepare->items, i);
    if (!item->spec->managed && item->device->vfio.bound && item->action != ACTION_OWNED)
      check_unmanaged_group(prepare, item->device, binding, refusals);
  }
  if (refusals->len == 0)
    return TRUE;
  g_autofree char *why = hd_string_list_join(refusals, "; ");
  g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "refusing to prepare for owner %s, nothing changed: %s",
              prepare->options->owner, why);
  return FALSE;
}

/* ---- binding ------------------------------------------------------------------ */

static GArray *bind_requests(GPtrArray *items)
{
  GArray *requests = g_array_new(FALSE, TRUE, sizeof(HdBindRequest));

  for (guint i = 0; i < items->len; i++) {
    const Item *item = g_ptr_array_index(items, i);
    HdBindRequest request = {item->device->address, item->spec->model};
    if (item->action == ACTION_BIND)
      g_array_append_val(requests, request);
  }
  return requests;
}

/* Runs bind over the managed devices to bind; DRY_RUN only plans (its
 * refusals are prepare's). Bind is all or nothing itself. */
static gboolean bind_items(Prepare *prepare, gboolean dry_run, GError **error)
{
  g_autoptr(GArray) requests = bind_requests(prepare->items);
  HdBindOptions options = {0};
  GError *local = NULL;

  if (requests->len == 0)
    return TRUE;
  options.dry_run = dry_run;
  options.unbind_timeout_ms = prepare->options->unbind_timeout_ms;
  options.owner = prepare->options->owner;
  options.locked = TRUE;
  /* prepare reports by its own items; bind's per-device results only go */
  GPtrArray *results = hd_bind_requests(prepare->manager, (const HdBindRequest *)(void *)requests->data,
                                        requests->len, &options, &local);
  if (results != NULL)
    g_ptr_array_unref(results);
  if (local == NULL)
    return TRUE;
  g_propagate_error(error, local);
  return FALSE;
}

/* ---- the journal and the records ----------------------------------------------- */

static gboolean is_new(const Item *item)
{
  return item->action != ACTION_OWNED;
}

/* Lists the devices this call takes as pending, before it touches any. */
static gboolean begin_journal(Prepare *prepare, GError **error)
{
  HdJournal *journal = prepare->journal;

  if (journal->user == NULL && prepare->options->user != NULL) {
    journal->user = g_strdup(prepare->options->user);
    journal->uid = prepare->uid;
    journal->gid = prepare->gid;
  }
  hd_journal_begin(journal, HD_JOURNAL_PREPARE);
  if (prepare->options->memlock > 0)
    journal->memlock = prepare->options->memlock;
  for (guint i = 0; i < prepare->items->len; i++) {
    const Item *item = g_ptr_array_index(prepare->items, i);
    HdJournalDevice *entry = hd_journal_find_device(journal, item->device->address);
    if (!is_new(item))
      continue;
    if (entry == NULL)
      entry = hd_journal_add_device(journal, item->device->address, item->spec->managed);
    entry->managed = item->spec->managed;
    entry->pending = TRUE;
  }
  return hd_journal_save(journal, error);
}

/* A device already on VFIO: the record says whose it is and what release
 * does with it. */
static gboolean record_owner(const Prepare *prepare, Item *item, GError **error)
{
  const HdDevice *device = item->device;

  if (item->action == ACTION_TAKE) {
    item->record = hd_record_new(device->address);
    item->record->original_driver = g_strdup(device->driver);
    item->record->original_override = g_strdup(device->driver_override);
    item->record->target_driver = g_strdup(device->driver);
    item->record->state = HD_RECORD_BOUND;
  }
  item->record->owner = g_strdup(prepare->options->owner);
  item->record->managed = item->spec->managed;
  item->record->adopted = item->action == ACTION_ADOPT;
  return hd_record_save(item->record, error);
}

static gboolean record_owners(Prepare *prepare, GError **error)
{
  for (guint i = 0; i < prepare->items->len; i++) {
    Item *item = g_ptr_array_index(prepare->items, i);
    if ((item->action == ACTION_ADOPT || item->action == ACTION_TAKE) && !record_owner(prepare, item, error))
      return FALSE;
  }
  return TRUE;
}

/* ---- handing nodes to the user ------------------------------------------------- */

/* Adds DEVICE's group node and cdev to the journal (pending) with what
 * they are now, unless the owner has them already. */
static gboolean journal_nodes(HdJournal *journal, const HdDevice *device, GError **error)
{
  const char *paths[] = {device->vfio.group_node, device->vfio.cdev};

  for (guint i = 0; i < G_N_ELEMENTS(paths); i++) {
    HdNodeOwner before;
    if (paths[i] == NULL || hd_journal_find_node(journal, paths[i]) != NULL)
      continue;
    if (!hd_node_owner_get(paths[i], &before, error))
      return FALSE;
    hd_journal_add_node(journal, paths[i], before.uid, before.gid, before.mode);
  }
  return TRUE;
}

/* A VMM of an unprivileged user using a cdev opens /dev/iommu too. */
static gboolean needs_iommu_acl(const HdJournal *journal)
{
  g_autofree char *iommu = hd_path_iommufd();

  if (journal->uid == 0 || !hd_sysfs_exists(iommu))
    return FALSE;
  for (guint i = 0; i < journal->nodes->len; i++)
    if (g_str_has_prefix(((const HdJournalNode *)g_ptr_array_index(journal->nodes, i))->path, "/dev/vfio/devices/"))
      return TRUE;
  return FALSE;
}

/* The nodes exist only once the devices are bound: read them again. */
static gboolean hand_over_nodes(Prepare *prepare, GError **error)
{
  HdJournal *journal = prepare->journal;
  HdNodeOwner user = {journal->uid, journal->gid, NODE_MODE};

  if (journal->user == NULL)
    return TRUE;
  for (guint i = 0; i < prepare->items->len; i++) {
    const Item *item = g_ptr_array_index(prepare->items, i);
    if (!is_new(item))
      continue;
    g_autoptr(HdDevice) device = hd_device_load(prepare->manager, &item->device->pci, error);
    if (device == NULL || !journal_nodes(journal, device, error))
      return FALSE;
  }
  if (!hd_journal_save(journal, error))
    return FALSE;
  for (guint i = 0; i < journal->nodes->len; i++) {
    const HdJournalNode *node = g_ptr_array_index(journal->nodes, i);
    if (node->pending && !hd_node_owner_set(node->path, &user, error))
      return FALSE;
  }
  return !needs_iommu_acl(journal) || hd_iommu_acl_grant(journal, error);
}

static gboolean finish_journal(HdJournal *journal, GError **error)
{
  for (guint i = 0; i < journal->devices->len; i++)
    ((HdJournalDevice *)g_ptr_array_index(journal->devices, i))->pending = FALSE;
  for (guint i = 0; i < journal->nodes->len; i++)
    ((HdJournalNode *)g_ptr_array_index(journal->nodes, i))->pending = FALSE;
  if (journal->iommu_acl == HD_JOURNAL_ACL_PENDING)
    journal->iommu_acl = HD_JOURNAL_ACL_HELD;
  journal->running = FALSE;
  return hd_journal_save(journal, error);
}

/* Every step after the journal lists the devices; a failure undoes them. */
static gboolean execute(Prepare *prepare, GError **error)
{
  g_autoptr(GError) cause = NULL;

  if (!begin_journal(prepare, error))
    return FALSE;
  if (bind_items(prepare, FALSE, &cause) && record_owners(prepare, &cause) && hand_over_nodes(prepare, &cause) &&
      finish_journal(prepare->journal, &cause))
    return TRUE;
  g_autoptr(GPtrArray) undone = g_ptr_array_new_with_free_func((GDestroyNotify)hd_release_result_free);
  g_autoptr(GError) undo_error = NULL;
  if (hd_owner_give_back(prepare->journal, TRUE, prepare->options->unbind_timeout_ms, undone, NULL, &undo_error)) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "prepare for owner %s failed, rolled back: %s",
                prepare->options->owner, cause->message);
    return FALSE;
  }
  g_set_error(error, HD_ERROR, HD_ERROR_UNFINISHED, "prepare for owner %s failed: %s; and rolling back: %s",
              prepare->options->owner, cause->message, undo_error->message);
  return FALSE;
}

/* ---- results ------------------------------------------------------------------- */

static HdPrepareOutcome outcome_of(Action action)
{
  switch (action) {
  case ACTION_OWNED:
    return HD_PREPARE_OWNED;
  case ACTION_BIND:
    return HD_PREPARE_BOUND;
  case ACTION_ADOPT:
  case ACTION_TAKE:
    break;
  }
  return HD_PREPARE_ON_VFIO;
}

static HdPrepareResult *result_for(HdManager *manager, const Item *item, GError **error)
{
  g_autoptr(HdDevice) now = hd_device_load(manager, &item->device->pci, error);
  g_autoptr(HdDeviceRecord) record = now != NULL ? hd_record_load(now->address, NULL) : NULL;

  if (now == NULL)
    return NULL;
  HdPrepareResult *result = g_new0(HdPrepareResult, 1);
  result->address = g_strdup(now->address);
  result->managed = record != NULL ? record->managed : item->spec->managed;
  result->outcome = outcome_of(item->action);
  result->driver = g_strdup(now->driver);
  result->original_driver = g_strdup(record != NULL ? record->original_driver : now->driver);
  result->group = now->iommu_group;
  result->vfio_device = g_strdup(now->vfio.device);
  result->group_node = g_strdup(now->vfio.group_node);
  result->cdev = g_strdup(now->vfio.cdev);
  return result;
}

static GPtrArray *make_results(HdManager *manager, GPtrArray *items, GError **error)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func((GDestroyNotify)hd_prepare_result_free);

  for (guint i = 0; i < items->len; i++) {
    HdPrepareResult *result = result_for(manager, g_ptr_array_index(items, i), error);
    if (result == NULL)
      return NULL;
    g_ptr_array_add(results, result);
  }
  return g_steal_pointer(&results);
}

/* ---- the whole ----------------------------------------------------------------- */

static gboolean any_new(GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    if (is_new(g_ptr_array_index(items, i)))
      return TRUE;
  return FALSE;
}

/* Under the owner lock: an interrupted operation of this owner is
 * recovered first, then the devices are read under their group locks,
 * checked, and prepared. */
static GPtrArray *prepare_locked(Prepare *prepare, const GPtrArray *specs, GError **error)
{
  g_autoptr(GPtrArray) recovered = g_ptr_array_new_with_free_func((GDestroyNotify)hd_recover_entry_free);
  g_autoptr(GPtrArray) locks = NULL;
  GError *local = NULL;

  hd_recover_owner_locked(prepare->manager, prepare->options->owner, prepare->options->unbind_timeout_ms, recovered);
  for (guint i = 0; i < recovered->len; i++) {
    g_autofree char *text = hd_recover_entry_describe(g_ptr_array_index(recovered, i));
    hd_manager_warn(prepare->manager, "%s", text);
  }
  g_autoptr(GPtrArray) unlocked = load_items(prepare->manager, specs, error);
  if (unlocked == NULL || (locks = lock_items(unlocked, error)) == NULL)
    return NULL;
  /* another invocation may have changed them while we waited */
  g_autoptr(GPtrArray) items = load_items(prepare->manager, specs, error);
  if (items == NULL)
    return NULL;
  g_autoptr(HdJournal) journal = hd_journal_load(prepare->options->owner, &local);
  if (local != NULL) {
    g_propagate_error(error, local);
    return NULL;
  }
  if (journal == NULL)
    journal = hd_journal_new(prepare->options->owner);
  prepare->items = items;
  prepare->journal = journal;
  if (!check_items(prepare, error) || !bind_items(prepare, TRUE, error))
    return NULL;
  if (any_new(items) && !execute(prepare, error))
    return NULL;
  return make_results(prepare->manager, items, error);
}

GPtrArray *hd_prepare(HdManager *manager, const GPtrArray *specs, const HdPrepareOptions *options, GError **error)
{
  Prepare prepare = {manager, options, 0, 0, NULL, NULL};

  if (!hd_owner_name_check(options->owner, error))
    return NULL;
  if (options->user != NULL && !hd_user_lookup(options->user, &prepare.uid, &prepare.gid, error))
    return NULL;
  if (specs->len > 0 && !hd_iommu_groups_present() && !hd_vfio_noiommu_enabled()) {
    g_set_error(error, HD_ERROR, HD_ERROR_REFUSED, "cannot prepare: %s", hd_iommu_enable_hint());
    return NULL;
  }
  g_autoptr(HdFileLock) lock = hd_journal_lock(options->owner, LOCK_TIMEOUT_MS, error);
  if (lock == NULL)
    return NULL;
  return prepare_locked(&prepare, specs, error);
}
