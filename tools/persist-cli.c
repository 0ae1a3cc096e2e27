// SPDX-License-Identifier: LGPL-2.1-or-later
#include "persist-cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "vfio-hostdev.h"

void cli_persist_warn(const char *message)
{
  /* one line, as every message of the command */
  g_autofree char *line = g_strdelimit(g_strdup(message), "\r\n", ' ');

  fprintf(stderr, "vfio-hostdev: warning: %s\n", line);
}

gboolean cli_persist_ready(gboolean dry_run, GError **error)
{
  return dry_run || vh_persist_check_writable(error);
}

static void print_persisted(const VhPersistConfig *config, gboolean dry_run)
{
  const char *address = vh_persist_config_get_address(config);
  g_autofree char *path = vh_persist_path(address);
  g_autofree char *ids = vh_persist_config_describe_ids(config);

  printf("%s: %s: %s on %s at every boot while it is %s\n", address, dry_run ? "would persist" : "persisted", path,
         vh_persist_config_get_driver(config), ids);
}

static void print_manager_warnings(VhManager *manager)
{
  const GPtrArray *warnings = vh_manager_get_warnings(manager);

  for (guint i = 0; i < warnings->len; i++)
    cli_persist_warn(g_ptr_array_index(warnings, i));
}

/* The initramfs carries the early list (its hook copies it): a rebuild
 * makes the next boot bind what is persisted now. Its failure is a
 * warning: the configuration is written, and persist-apply still binds at
 * boot. */
static void update_initramfs(void)
{
  g_autofree char *program = g_find_program_in_path("update-initramfs");
  const char *argv[] = {program, "-u", NULL};
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (program == NULL) {
    fprintf(stderr, "vfio-hostdev: note: no update-initramfs: the initramfs is not rebuilt (early binding there "
                    "needs initramfs-tools; the modprobe guard, the udev rule and persist-apply still apply)\n");
    return;
  }
  fprintf(stderr, "vfio-hostdev: rebuilding the initramfs for early binding: %s -u\n", program);
  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error)) {
    g_autofree char *message = g_strdup_printf("cannot run %s: %s", program, error->message);
    cli_persist_warn(message);
    return;
  }
  /* its chatter on stderr: stdout is the command's (and --json's) */
  fputs(out, stderr);
  fputs(err, stderr);
  if (!g_spawn_check_wait_status(status, &error)) {
    g_autofree char *message = g_strdup_printf("%s -u failed (%s): the initramfs still has the previous "
                                               "persisted devices; run it again",
                                               program, error->message);
    cli_persist_warn(message);
  }
}

gboolean cli_persist_update_early(VhManager *manager, gboolean initramfs, GError **error)
{
  gboolean changed = FALSE;

  if (!vh_persist_update_early(manager, &changed, error))
    return FALSE;
  /* the initramfs has what it had: no rebuild for an unchanged list */
  if (initramfs && changed)
    update_initramfs();
  return TRUE;
}

GHashTable *cli_persist_bound(const GPtrArray *results, gboolean group, gboolean force, gboolean dry_run,
                              gboolean initramfs, GError **error)
{
  VhBindFlags flags = (group ? VH_BIND_GROUP : 0) | (force ? VH_BIND_FORCE : 0) | (dry_run ? VH_BIND_DRY_RUN : 0);
  /* its own manager: only for reading the devices' IDs */
  g_autoptr(VhManager) manager = vh_manager_new(NULL, error);
  g_autoptr(GPtrArray) configs = NULL;

  if (manager == NULL)
    return NULL;
  configs = vh_persist_bound(manager, results, flags, error);
  if (configs != NULL && !dry_run && !cli_persist_update_early(manager, initramfs, error))
    g_clear_pointer(&configs, g_ptr_array_unref);
  print_manager_warnings(manager);
  if (configs == NULL)
    return NULL;
  GHashTable *persisted = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)vh_persist_config_free);
  while (configs->len > 0) {
    VhPersistConfig *config = g_ptr_array_steal_index(configs, 0);
    g_hash_table_replace(persisted, (gpointer)vh_persist_config_get_address(config), config);
  }
  return persisted;
}

gboolean cli_persisted(GHashTable *persisted, const char *address)
{
  return (persisted != NULL && g_hash_table_contains(persisted, address)) || vh_persist_exists(address);
}

static gint compare_addresses(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

void cli_persist_print(GHashTable *persisted, gboolean dry_run)
{
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array(persisted, NULL);
  guint n = g_hash_table_size(persisted);

  qsort(keys, n, sizeof(gpointer), compare_addresses);
  for (guint i = 0; i < n; i++)
    print_persisted(g_hash_table_lookup(persisted, keys[i]), dry_run);
}

/* ---- status ------------------------------------------------------------ */

static void set_string_or_null(JsonObject *object, const char *key, const char *value)
{
  if (value != NULL)
    json_object_set_string_member(object, key, value);
  else
    json_object_set_null_member(object, key);
}

static void set_id_or_null(JsonObject *object, const char *key, gboolean has, guint16 id)
{
  g_autofree char *text = has ? g_strdup_printf("%04x", id) : NULL;

  set_string_or_null(object, key, text);
}

static JsonObject *config_to_json(const VhPersistConfig *config, const char *found_ids)
{
  JsonObject *object = json_object_new();
  g_autofree char *path = vh_persist_path(vh_persist_config_get_address(config));
  gboolean subsystem = vh_persist_config_has_subsystem(config);

  json_object_set_string_member(object, "file", path);
  set_id_or_null(object, "vendor_id", TRUE, vh_persist_config_get_vendor_id(config));
  set_id_or_null(object, "device_id", TRUE, vh_persist_config_get_device_id(config));
  set_id_or_null(object, "subsystem_vendor_id", subsystem, vh_persist_config_get_subsystem_vendor_id(config));
  set_id_or_null(object, "subsystem_device_id", subsystem, vh_persist_config_get_subsystem_device_id(config));
  json_object_set_string_member(object, "driver", vh_persist_config_get_driver(config));
  set_string_or_null(object, "module", vh_persist_config_get_module(config));
  json_object_set_boolean_member(object, "group", vh_persist_config_is_group(config));
  json_object_set_int_member(object, "created", vh_persist_config_get_created(config));
  set_string_or_null(object, "found_ids", found_ids);
  return object;
}

static char *persisted_problem(const VhPersistStatus *persisted)
{
  if (!vh_persist_status_is_present(persisted))
    return g_strdup("persisted, but no device is at this address: skipped at boot");
  if (vh_persist_status_get_found_ids(persisted) != NULL)
    return g_strdup_printf("persisted, but the device at this address is now %s: skipped at boot",
                           vh_persist_status_get_found_ids(persisted));
  return NULL;
}

/* The keys every status entry has, for a persisted device without record. */
static JsonNode *persisted_to_json(const VhPersistStatus *persisted)
{
  const VhPersistConfig *config = vh_persist_status_get_config(persisted);
  JsonObject *object = json_object_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local(vh_persist_config_get_created(config));
  g_autofree char *since = time != NULL ? g_date_time_format_iso8601(time) : g_strdup("?");
  g_autofree char *problem = persisted_problem(persisted);

  json_object_set_string_member(object, "address", vh_persist_config_get_address(config));
  json_object_set_string_member(object, "state", "persisted");
  json_object_set_boolean_member(object, "present", vh_persist_status_is_present(persisted));
  json_object_set_null_member(object, "original_driver");
  json_object_set_null_member(object, "original_override");
  set_string_or_null(object, "current_driver", vh_persist_status_get_current_driver(persisted));
  json_object_set_string_member(object, "target_driver", vh_persist_config_get_driver(config));
  json_object_set_int_member(object, "sriov_numvfs", 0);
  json_object_set_null_member(object, "sriov_provisioned");
  json_object_set_boolean_member(object, "group_member", vh_persist_config_is_group_member(config));
  json_object_set_null_member(object, "owner");
  json_object_set_boolean_member(object, "managed", FALSE);
  json_object_set_int_member(object, "since", vh_persist_config_get_created(config));
  json_object_set_string_member(object, "since_text", since);
  set_string_or_null(object, "problem", problem);
  json_object_set_boolean_member(object, "persisted", TRUE);
  json_object_set_object_member(object, "persist", config_to_json(config, vh_persist_status_get_found_ids(persisted)));
  json_node_take_object(node, object);
  return node;
}

static void warn_problems(GPtrArray *problems, GError *error)
{
  for (guint i = 0; i < problems->len; i++)
    cli_persist_warn(g_ptr_array_index(problems, i));
  if (error == NULL)
    return;
  g_autofree char *message = g_strdup_printf("cannot read the persisted bindings: %s", error->message);
  cli_persist_warn(message);
  g_error_free(error);
}

/* Records' objects: "persisted", and "persist" (null when not). */
/* A PF whose VF count `sriov --persist` persisted: that count. */
static void set_persisted_numvfs(JsonObject *object, const char *address)
{
  g_autoptr(GPtrArray) pfs = vh_persist_sriov_list(NULL, NULL);

  for (guint i = 0; pfs != NULL && i < pfs->len; i++) {
    const VhPersistConfig *pf = g_ptr_array_index(pfs, i);
    if (g_str_equal(vh_persist_config_get_address(pf), address)) {
      json_object_set_int_member(object, "persisted_numvfs", vh_persist_config_get_sriov_numvfs(pf));
      return;
    }
  }
  json_object_set_null_member(object, "persisted_numvfs");
}

static void mark_records(JsonArray *array)
{
  for (guint i = 0; i < json_array_get_length(array); i++) {
    JsonObject *object = json_array_get_object_element(array, i);
    const char *address = json_object_get_string_member(object, "address");
    g_autoptr(VhPersistConfig) config = vh_persist_load(address, NULL);
    json_object_set_boolean_member(object, "persisted", vh_persist_exists(address));
    set_persisted_numvfs(object, address);
    if (config != NULL)
      json_object_set_object_member(object, "persist", config_to_json(config, NULL));
    else
      json_object_set_null_member(object, "persist");
  }
}

void cli_status_json_persisted(JsonArray *array)
{
  GError *error = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) unbound = NULL;

  mark_records(array);
  unbound = vh_status_list_persisted(problems, &error);
  warn_problems(problems, error);
  for (guint i = 0; unbound != NULL && i < unbound->len; i++)
    json_array_add_element(array, persisted_to_json(g_ptr_array_index(unbound, i)));
}

static void print_line(const VhPersistConfig *config, const char *now)
{
  g_autofree char *ids = vh_persist_config_describe_ids(config);

  printf("%-13s %-34s %-14s %s\n", vh_persist_config_get_address(config), ids, vh_persist_config_get_driver(config),
         now);
}

static char *describe_unbound(const VhPersistStatus *persisted)
{
  const char *driver = vh_persist_status_get_current_driver(persisted);

  if (!vh_persist_status_is_present(persisted))
    return g_strdup("gone: skipped at boot");
  if (vh_persist_status_get_found_ids(persisted) != NULL)
    return g_strdup_printf("changed: now %s, skipped at boot", vh_persist_status_get_found_ids(persisted));
  return g_strdup_printf("not bound by vfio-hostdev (on %s)", driver != NULL ? driver : "no driver");
}

static const VhPersistStatus *find_unbound(const GPtrArray *unbound, const char *address)
{
  for (guint i = 0; i < unbound->len; i++) {
    const VhPersistStatus *persisted = g_ptr_array_index(unbound, i);
    if (g_str_equal(vh_persist_config_get_address(vh_persist_status_get_config(persisted)), address))
      return persisted;
  }
  return NULL;
}

/* What the device is now: its record's state, or why it has none. */
static char *describe_now(const VhPersistConfig *config, const GPtrArray *unbound)
{
  const char *address = vh_persist_config_get_address(config);
  const VhPersistStatus *persisted = find_unbound(unbound, address);
  g_autoptr(VhStatusEntry) entry = NULL;

  if (persisted != NULL)
    return describe_unbound(persisted);
  entry = vh_status_get(address, NULL);
  return g_strdup(entry != NULL ? vh_state_name(vh_status_entry_get_state(entry)) : "?");
}

/* The PFs whose VF count `sriov --persist` persisted, and their count now. */
static void print_persisted_pfs(void)
{
  GError *error = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) pfs = vh_persist_sriov_list(problems, &error);

  warn_problems(problems, error);
  if (pfs == NULL || pfs->len == 0)
    return;
  g_autoptr(VhManager) manager = vh_manager_new(NULL, NULL);
  printf("\nPersisted VF counts (given again at boot):\n%-13s %-34s %-6s %s\n", "ADDRESS", "IDS", "VFS", "NOW");
  for (guint i = 0; i < pfs->len; i++) {
    const VhPersistConfig *pf = g_ptr_array_index(pfs, i);
    g_autofree char *ids = vh_persist_config_describe_ids(pf);
    g_autoptr(VhDevice) device = manager != NULL ? vh_manager_get_device(manager, vh_persist_config_get_address(pf), NULL)
                                                 : NULL;
    g_autofree char *now = device != NULL ? g_strdup_printf("%u VFs", vh_device_get_sriov_numvfs(device))
                                          : g_strdup("gone");
    printf("%-13s %-34s %-6u %s\n", vh_persist_config_get_address(pf), ids, vh_persist_config_get_sriov_numvfs(pf), now);
  }
}

void cli_status_print_persisted(void)
{
  GError *error = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
  /* vh_status_list_persisted() reports the damaged files; this list would again */
  g_autoptr(GPtrArray) configs = vh_persist_list(NULL, &error);
  g_autoptr(GPtrArray) unbound = configs != NULL ? vh_status_list_persisted(problems, &error) : NULL;

  warn_problems(problems, error);
  print_persisted_pfs();
  if (unbound == NULL || configs->len == 0)
    return;
  printf("\nPersisted (bound again at boot):\n%-13s %-34s %-14s %s\n", "ADDRESS", "IDS", "DRIVER", "NOW");
  for (guint i = 0; i < configs->len; i++) {
    const VhPersistConfig *config = g_ptr_array_index(configs, i);
    g_autofree char *now = describe_now(config, unbound);
    print_line(config, now);
  }
}
