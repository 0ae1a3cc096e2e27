// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/owner-journal.h"

#include <errno.h>
#include <gio/gio.h>
#include <unistd.h>

#include "util/atomic-file.h"
#include "config.h"
#include "hostdev/shared/device-record.h"
#include "util/hd-error.h"
#include "util/pci-address.h"
#include "util/sysfs-paths.h"

#define MAIN_GROUP "journal"
#define DEVICE_PREFIX "device "
#define NODE_PREFIX "node "
#define FILE_PREFIX "owner-"
#define FILE_SUFFIX ".journal"

static const char *const operation_names[] = {"prepare", "release"};
/* HdJournalAcl; "none" is never written */
static const char *const acl_names[] = {"none", "pending", "held"};

static gboolean owner_char_ok(char c, gboolean first)
{
  if (g_ascii_isalnum(c) || c == '_')
    return TRUE;
  return !first && strchr(".:@+-", c) != NULL;
}

gboolean hd_owner_name_check(const char *name, GError **error)
{
  gsize length = strlen(name);

  if (length == 0 || length > HD_OWNER_NAME_MAX) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "owner name must have 1 to %d characters, not %" G_GSIZE_FORMAT,
                HD_OWNER_NAME_MAX, length);
    return FALSE;
  }
  for (gsize i = 0; i < length; i++)
    if (!owner_char_ok(name[i], i == 0)) {
      g_set_error(error, HD_ERROR, HD_ERROR_INVALID,
                  "owner name \"%.*s\" has a character other than letters, digits and _.:@+- (or starts with one "
                  "of .:@+-) at position %" G_GSIZE_FORMAT,
                  HD_OWNER_NAME_MAX, name, i + 1);
      return FALSE;
    }
  return TRUE;
}

static void device_free(HdJournalDevice *device)
{
  g_free(device->address);
  g_free(device);
}

static void node_free(HdJournalNode *node)
{
  g_free(node->path);
  g_free(node);
}

HdJournal *hd_journal_new(const char *owner)
{
  HdJournal *journal = g_new0(HdJournal, 1);

  journal->owner = g_strdup(owner);
  journal->devices = g_ptr_array_new_with_free_func((GDestroyNotify)device_free);
  journal->nodes = g_ptr_array_new_with_free_func((GDestroyNotify)node_free);
  return journal;
}

void hd_journal_free(HdJournal *journal)
{
  if (journal == NULL)
    return;
  g_free(journal->owner);
  g_free(journal->user);
  g_ptr_array_unref(journal->devices);
  g_ptr_array_unref(journal->nodes);
  g_free(journal);
}

const char *hd_journal_operation_name(HdJournalOperation operation)
{
  return operation_names[operation];
}

void hd_journal_begin(HdJournal *journal, HdJournalOperation operation)
{
  journal->operation = operation;
  journal->running = TRUE;
  journal->pid = getpid();
  journal->started = g_get_real_time() / G_USEC_PER_SEC;
}

static char *journal_path(const char *owner)
{
  g_autofree char *name = g_strconcat(FILE_PREFIX, owner, FILE_SUFFIX, NULL);

  return hd_path_state_file(name);
}

HdJournalDevice *hd_journal_find_device(const HdJournal *journal, const char *address)
{
  for (guint i = 0; i < journal->devices->len; i++) {
    HdJournalDevice *device = g_ptr_array_index(journal->devices, i);
    if (g_str_equal(device->address, address))
      return device;
  }
  return NULL;
}

HdJournalNode *hd_journal_find_node(const HdJournal *journal, const char *path)
{
  for (guint i = 0; i < journal->nodes->len; i++) {
    HdJournalNode *node = g_ptr_array_index(journal->nodes, i);
    if (g_str_equal(node->path, path))
      return node;
  }
  return NULL;
}

HdJournalDevice *hd_journal_add_device(HdJournal *journal, const char *address, gboolean managed)
{
  HdJournalDevice *device = g_new0(HdJournalDevice, 1);

  device->address = g_strdup(address);
  device->managed = managed;
  device->pending = TRUE;
  g_ptr_array_add(journal->devices, device);
  return device;
}

HdJournalNode *hd_journal_add_node(HdJournal *journal, const char *path, guint uid, guint gid, guint mode)
{
  HdJournalNode *node = g_new0(HdJournalNode, 1);

  node->path = g_strdup(path);
  node->uid = uid;
  node->gid = gid;
  node->mode = mode;
  node->pending = TRUE;
  g_ptr_array_add(journal->nodes, node);
  return node;
}

/* ---- saving ---------------------------------------------------------------- */

static void save_main(GKeyFile *file, const HdJournal *journal)
{
  g_key_file_set_string(file, MAIN_GROUP, "owner", journal->owner);
  g_key_file_set_string(file, MAIN_GROUP, "operation", hd_journal_operation_name(journal->operation));
  g_key_file_set_boolean(file, MAIN_GROUP, "running", journal->running);
  if (journal->user != NULL) {
    g_key_file_set_string(file, MAIN_GROUP, "user", journal->user);
    g_key_file_set_uint64(file, MAIN_GROUP, "uid", journal->uid);
    g_key_file_set_uint64(file, MAIN_GROUP, "gid", journal->gid);
  }
  if (journal->iommu_acl != HD_JOURNAL_ACL_NONE)
    g_key_file_set_string(file, MAIN_GROUP, "iommu_acl", acl_names[journal->iommu_acl]);
  if (journal->memlock > 0)
    g_key_file_set_uint64(file, MAIN_GROUP, "memlock", journal->memlock);
  g_key_file_set_int64(file, MAIN_GROUP, "pid", journal->pid);
  g_key_file_set_int64(file, MAIN_GROUP, "started", journal->started);
  g_key_file_set_string(file, MAIN_GROUP, "tool_version", VFIO_HOSTDEV_VERSION);
}

static void save_devices(GKeyFile *file, const HdJournal *journal)
{
  for (guint i = 0; i < journal->devices->len; i++) {
    const HdJournalDevice *device = g_ptr_array_index(journal->devices, i);
    g_autofree char *group = g_strconcat(DEVICE_PREFIX, device->address, NULL);
    g_key_file_set_boolean(file, group, "managed", device->managed);
    g_key_file_set_boolean(file, group, "pending", device->pending);
  }
}

static void save_nodes(GKeyFile *file, const HdJournal *journal)
{
  for (guint i = 0; i < journal->nodes->len; i++) {
    const HdJournalNode *node = g_ptr_array_index(journal->nodes, i);
    g_autofree char *group = g_strconcat(NODE_PREFIX, node->path, NULL);
    g_autofree char *mode = g_strdup_printf("%04o", node->mode);
    g_key_file_set_uint64(file, group, "uid", node->uid);
    g_key_file_set_uint64(file, group, "gid", node->gid);
    g_key_file_set_string(file, group, "mode", mode);
    g_key_file_set_boolean(file, group, "pending", node->pending);
  }
}

char *hd_journal_to_data(const HdJournal *journal, gsize *length)
{
  g_autoptr(GKeyFile) file = g_key_file_new();

  save_main(file, journal);
  save_devices(file, journal);
  save_nodes(file, journal);
  return g_key_file_to_data(file, length, NULL);
}

gboolean hd_journal_save(const HdJournal *journal, GError **error)
{
  g_autofree char *path = journal_path(journal->owner);
  gsize length = 0;

  if (!hd_record_ensure_dir(error))
    return FALSE;
  g_autofree char *data = hd_journal_to_data(journal, &length);
  return hd_atomic_write(path, data, length, 0600, error);
}

gboolean hd_journal_remove(const char *owner, GError **error)
{
  g_autofree char *path = journal_path(owner);

  return hd_atomic_remove(path, error);
}

/* ---- loading --------------------------------------------------------------- */

static gboolean parse_operation(const char *text, HdJournalOperation *out)
{
  for (guint i = 0; i < G_N_ELEMENTS(operation_names); i++)
    if (g_strcmp0(text, operation_names[i]) == 0) {
      *out = (HdJournalOperation)i;
      return TRUE;
    }
  return FALSE;
}

static gboolean parse_acl(const char *text, HdJournalAcl *out)
{
  *out = HD_JOURNAL_ACL_NONE;
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS(acl_names); i++)
    if (g_str_equal(text, acl_names[i])) {
      *out = (HdJournalAcl)i;
      return TRUE;
    }
  return text == NULL;
}

static gboolean parse_mode(const char *text, guint *out)
{
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned(text, 8, 0, 07777, &value, NULL))
    return FALSE;
  *out = (guint)value;
  return TRUE;
}

/* Recovery gives a node its owner and mode back: only VFIO's nodes, named
 * without "..", "." or doubled slashes. */
static gboolean node_path_ok(const char *path)
{
  g_autofree char *canonical = g_canonicalize_filename(path, "/");

  return g_str_has_prefix(path, "/dev/vfio/") && g_str_equal(canonical, path);
}

/* A section this version does not understand makes the journal damaged:
 * guessing what an interrupted operation did could strand a device. */
static gboolean load_section(GKeyFile *file, const char *group, HdJournal *journal)
{
  if (g_str_has_prefix(group, DEVICE_PREFIX)) {
    const char *address = group + strlen(DEVICE_PREFIX);
    /* recovery writes to the sysfs paths of that address */
    if (!hd_pci_address_is_canonical(address) || hd_journal_find_device(journal, address) != NULL)
      return FALSE;
    HdJournalDevice *device = hd_journal_add_device(journal, address,
                                                    g_key_file_get_boolean(file, group, "managed", NULL));
    device->pending = g_key_file_get_boolean(file, group, "pending", NULL);
    return TRUE;
  }
  if (g_str_has_prefix(group, NODE_PREFIX)) {
    const char *path = group + strlen(NODE_PREFIX);
    g_autofree char *mode_text = g_key_file_get_string(file, group, "mode", NULL);
    guint mode = 0;
    if (!node_path_ok(path) || hd_journal_find_node(journal, path) != NULL || !parse_mode(mode_text, &mode))
      return FALSE;
    HdJournalNode *node = hd_journal_add_node(journal, path,
                                              (guint)g_key_file_get_uint64(file, group, "uid", NULL),
                                              (guint)g_key_file_get_uint64(file, group, "gid", NULL), mode);
    node->pending = g_key_file_get_boolean(file, group, "pending", NULL);
    return TRUE;
  }
  return g_str_equal(group, MAIN_GROUP);
}

static HdJournal *damaged(const char *path, const char *why, GError **error)
{
  g_set_error(error, HD_ERROR, HD_ERROR_FAILED,
              "owner journal %s is damaged (%s); check its devices with `vfio-hostdev status`, then remove it", path,
              why);
  return NULL;
}

HdJournal *hd_journal_parse(const char *data, gsize length, const char *owner, const char *origin, GError **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new();
  g_autoptr(GError) local = NULL;

  if (!g_key_file_load_from_data(file, data, length, G_KEY_FILE_NONE, &local))
    return damaged(origin, local->message, error);
  g_autofree char *name = g_key_file_get_string(file, MAIN_GROUP, "owner", NULL);
  g_autofree char *operation = g_key_file_get_string(file, MAIN_GROUP, "operation", NULL);
  g_autofree char *acl = g_key_file_get_string(file, MAIN_GROUP, "iommu_acl", NULL);
  g_autoptr(HdJournal) journal = hd_journal_new(owner);
  g_auto(GStrv) groups = g_key_file_get_groups(file, NULL);

  if (g_strcmp0(name, owner) != 0)
    return damaged(origin, "it names another owner", error);
  if (!parse_operation(operation, &journal->operation))
    return damaged(origin, "unknown operation", error);
  journal->running = g_key_file_get_boolean(file, MAIN_GROUP, "running", NULL);
  journal->user = g_key_file_get_string(file, MAIN_GROUP, "user", NULL);
  /* an ACL entry is a user's: the journal names it by a (valid) user name and uid together */
  if (!parse_acl(acl, &journal->iommu_acl) ||
      (journal->iommu_acl != HD_JOURNAL_ACL_NONE &&
       (journal->user == NULL || !g_key_file_has_key(file, MAIN_GROUP, "uid", NULL))))
    return damaged(origin, "unknown iommu_acl, or one without a user and uid", error);
  journal->uid = (guint)g_key_file_get_uint64(file, MAIN_GROUP, "uid", NULL);
  journal->gid = (guint)g_key_file_get_uint64(file, MAIN_GROUP, "gid", NULL);
  journal->memlock = g_key_file_get_uint64(file, MAIN_GROUP, "memlock", NULL);
  journal->pid = g_key_file_get_int64(file, MAIN_GROUP, "pid", NULL);
  journal->started = g_key_file_get_int64(file, MAIN_GROUP, "started", NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (!load_section(file, groups[i], journal))
      return damaged(origin, "unknown or malformed section", error);
  return g_steal_pointer(&journal);
}

HdJournal *hd_journal_load(const char *owner, GError **error)
{
  g_autofree char *path = journal_path(owner);
  g_autoptr(GError) local = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents(path, &data, &length, &local)) {
    if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return NULL;
    return damaged(path, local->message, error);
  }
  return hd_journal_parse(data, length, owner, path, error);
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *hd_journal_list_owners(GError **error)
{
  g_autofree char *dir_path = hd_path_state_dir();
  g_autoptr(GPtrArray) owners = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, &local);
  const char *name;

  if (dir == NULL) {
    if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return g_steal_pointer(&owners);
    g_propagate_error(error, g_steal_pointer(&local));
    return NULL;
  }
  while ((name = g_dir_read_name(dir)) != NULL) {
    if (!g_str_has_prefix(name, FILE_PREFIX) || !g_str_has_suffix(name, FILE_SUFFIX))
      continue;
    g_autofree char *owner = g_strndup(name + strlen(FILE_PREFIX),
                                       strlen(name) - strlen(FILE_PREFIX) - strlen(FILE_SUFFIX));
    if (hd_owner_name_check(owner, NULL))
      g_ptr_array_add(owners, g_steal_pointer(&owner));
  }
  g_ptr_array_sort(owners, compare_names);
  return g_steal_pointer(&owners);
}

HdFileLock *hd_journal_lock(const char *owner, guint timeout_ms, GError **error)
{
  g_autofree char *name = g_strconcat(FILE_PREFIX, owner, ".lock", NULL);
  g_autofree char *path = hd_path_state_file(name);

  if (!hd_record_ensure_dir(error))
    return NULL;
  return hd_file_lock_acquire(path, timeout_ms, error);
}
