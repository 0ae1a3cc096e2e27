// SPDX-License-Identifier: LGPL-2.1-or-later
/* persist-apply (what vfio-hostdev-persist.service runs at boot) and
 * unpersist; `bind --persist` is in cmd-bind.c with persist-cli.c. */
#include <stdio.h>

#include "commands.h"
#include "persist-cli.h"

static int run_persist_apply(int argc, char **argv);
static int run_unpersist(int argc, char **argv);

const CliCommand cmd_persist_apply = {
  "persist-apply", "", "Bind the persisted devices that are present and unchanged (run at boot).", run_persist_apply,
};

const CliCommand cmd_unpersist = {
  "unpersist", "BDF...", "Stop binding devices at boot (bind --persist undone); --reattach also gives them back.",
  run_unpersist,
};

static const char apply_description[] =
  "First gives each PF of /etc/vfio-hostdev/sriov/ (sriov --persist) its VFs when it has none\n"
  "(a PF gone, changed or with another count is left alone with a warning); then reads\n"
  "/etc/vfio-hostdev/devices/ and binds each device as `bind` does (without --force or\n"
  "--group). A device that is gone, or whose vendor, device or subsystem IDs are no longer the\n"
  "persisted ones, is skipped with a warning and never bound: exit status 0. Damaged files and\n"
  "devices that bind refuses or fails make the status non-zero. vfio-hostdev-persist.service\n"
  "runs this once per boot; nothing is retried.";

static const char unpersist_description[] =
  "Removes /etc/vfio-hostdev/devices/<BDF>.conf, and for a PF its VF count (sriov --persist)\n"
  "with the bindings of the VFs persisted with it (warnings name them); the device stays on its VFIO driver unless\n"
  "--reattach, which first gives it back as `reattach` does (nothing is removed when that fails),\n"
  "and then also unpersists what came back with it (bind --group members, bind --functions\n"
  "functions).\n"
  "Works for a device that is gone. An address that was not persisted is a warning.";

#define DEFAULT_UNBIND_TIMEOUT_S 10.0

static void print_warnings(VhManager *manager)
{
  const GPtrArray *warnings = vh_manager_get_warnings(manager);

  for (guint i = 0; i < warnings->len; i++)
    cli_persist_warn(g_ptr_array_index(warnings, i));
}

/* ---- persist-apply --------------------------------------------------------- */

/* The driver it is on or would be: the persisted one until bind chose. */
static const char *apply_driver(const VhPersistApplyResult *result)
{
  const char *driver = vh_persist_apply_result_get_driver(result);

  return driver != NULL ? driver : vh_persist_config_get_driver(vh_persist_apply_result_get_config(result));
}

/* Early binding should have kept the host driver away: say that it did not. */
static void print_unbound(const VhPersistApplyResult *result)
{
  const char *original = vh_persist_apply_result_get_original_driver(result);

  if (original == NULL)
    return;
  g_autofree char *message = g_strdup_printf(
    "%s: had to unbind %s first (early binding did not keep it away: built in, loaded before, or "
    "vfio-hostdev.early=0)",
    vh_persist_config_get_address(vh_persist_apply_result_get_config(result)), original);
  cli_persist_warn(message);
}

static void print_apply_result(const VhPersistApplyResult *result)
{
  const char *address = vh_persist_config_get_address(vh_persist_apply_result_get_config(result));

  switch (vh_persist_apply_result_get_outcome(result)) {
  case VH_PERSIST_PLANNED:
    printf("%s: would bind it to %s\n", address, apply_driver(result));
    break;
  case VH_PERSIST_ALREADY:
    printf("%s: already on %s; nothing changed\n", address, vh_persist_apply_result_get_driver(result));
    break;
  case VH_PERSIST_BOUND:
    printf("%s: bound to %s (%s)\n", address, vh_persist_apply_result_get_driver(result),
           vh_persist_apply_result_get_vfio_device(result));
    break;
  case VH_PERSIST_VFS_PLANNED:
    printf("%s: would give it %u VFs\n", address, vh_persist_config_get_sriov_numvfs(vh_persist_apply_result_get_config(result)));
    break;
  case VH_PERSIST_VFS_CREATED:
    printf("%s: gave it %u VFs\n", address, vh_persist_config_get_sriov_numvfs(vh_persist_apply_result_get_config(result)));
    break;
  case VH_PERSIST_VFS_PRESENT:
    printf("%s: has its %u VFs already; nothing changed\n", address,
           vh_persist_config_get_sriov_numvfs(vh_persist_apply_result_get_config(result)));
    break;
  case VH_PERSIST_GONE:
  case VH_PERSIST_CHANGED:
  case VH_PERSIST_VFS_OTHER:
  case VH_PERSIST_FAILED:
    break; /* warnings and the error line say it */
  }
}

static void set_string_or_null(JsonObject *object, const char *key, const char *value)
{
  if (value != NULL)
    json_object_set_string_member(object, key, value);
  else
    json_object_set_null_member(object, key);
}

static JsonNode *apply_result_to_json(const VhPersistApplyResult *result)
{
  JsonObject *object = json_object_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  const VhPersistConfig *config = vh_persist_apply_result_get_config(result);
  g_autofree char *ids = vh_persist_config_describe_ids(config);
  const GError *error = vh_persist_apply_result_get_error(result);

  json_object_set_string_member(object, "address", vh_persist_config_get_address(config));
  json_object_set_string_member(object, "outcome", vh_persist_outcome_name(vh_persist_apply_result_get_outcome(result)));
  json_object_set_string_member(object, "persisted_ids", ids);
  set_string_or_null(object, "found_ids", vh_persist_apply_result_get_found_ids(result));
  set_string_or_null(object, "driver", apply_driver(result));
  set_string_or_null(object, "vfio_device", vh_persist_apply_result_get_vfio_device(result));
  set_string_or_null(object, "unbound_driver", vh_persist_apply_result_get_original_driver(result));
  set_string_or_null(object, "error", error != NULL ? error->message : NULL);
  if (vh_persist_config_get_sriov_numvfs(config) > 0)
    json_object_set_int_member(object, "numvfs", vh_persist_config_get_sriov_numvfs(config));
  else
    json_object_set_null_member(object, "numvfs");
  json_node_take_object(node, object);
  return node;
}

/* Skipped devices, and devices a host driver had to be taken from, are
 * warnings: on stderr, that is in the journal at boot. */
static void print_skipped(const GPtrArray *results)
{
  for (guint i = 0; i < results->len; i++) {
    const VhPersistApplyResult *result = g_ptr_array_index(results, i);
    VhPersistOutcome outcome = vh_persist_apply_result_get_outcome(result);
    if (outcome == VH_PERSIST_GONE || outcome == VH_PERSIST_CHANGED || outcome == VH_PERSIST_VFS_OTHER)
      cli_persist_warn(vh_persist_apply_result_get_error(result)->message);
    else if (outcome == VH_PERSIST_BOUND)
      print_unbound(result);
  }
}

static void print_apply_results(const GPtrArray *results, gboolean json)
{
  if (json) {
    JsonArray *array = json_array_new();
    JsonNode *root = json_node_new(JSON_NODE_ARRAY);
    for (guint i = 0; i < results->len; i++)
      json_array_add_element(array, apply_result_to_json(g_ptr_array_index(results, i)));
    json_node_take_array(root, array);
    cli_print_json(root);
  } else if (results->len == 0) {
    printf("no device is persisted\n");
  } else {
    for (guint i = 0; i < results->len; i++)
      print_apply_result(g_ptr_array_index(results, i));
  }
  print_skipped(results);
}

/* The devices that failed, and the files that could not be read (each a
 * warning already), as one error; skipped devices are warnings. */
static GError *apply_error(const GPtrArray *results, guint damaged)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new();

  for (guint i = 0; i < results->len; i++) {
    const VhPersistApplyResult *result = g_ptr_array_index(results, i);
    if (vh_persist_apply_result_get_outcome(result) == VH_PERSIST_FAILED)
      g_ptr_array_add(errors, (gpointer)vh_persist_apply_result_get_error(result));
  }
  GError *error = cli_results_error(errors);
  if (error == NULL && damaged > 0)
    error = g_error_new(VH_ERROR, VH_ERROR_FAILED, "%u persisted binding%s could not be read", damaged,
                        damaged == 1 ? "" : "s");
  return error;
}

static int run_persist_apply(int argc, char **argv)
{
  gboolean dry_run = FALSE, json = FALSE;
  double timeout = DEFAULT_UNBIND_TIMEOUT_S;
  const GOptionEntry entries[] = {
    {"dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Print what would be bound; change nothing", NULL},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON array", NULL},
    {"unbind-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, "Seconds an unbind may block before the device is reported stuck (default 10)", "SECONDS"},
    {NULL},
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);

  if (!cli_parse(&cmd_persist_apply, entries, apply_description, &argc, &argv))
    return VH_ERROR_INVALID;
  if (argc > 1)
    return cli_usage_error(&cmd_persist_apply, "unexpected argument \"%s\"", argv[1]);
  if (timeout <= 0 || timeout > 3600)
    return cli_usage_error(&cmd_persist_apply, "--unbind-timeout must be between 0 and 3600 seconds");
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  if (!dry_run)
    vh_manager_recover_interrupted(manager);
  vh_manager_set_unbind_timeout(manager, (guint)(timeout * 1000));
  g_autoptr(GPtrArray) results = vh_persist_apply(manager, dry_run ? VH_BIND_DRY_RUN : VH_BIND_NONE, problems, &error);
  if (results != NULL)
    error = apply_error(results, problems->len);
  print_warnings(manager);
  for (guint i = 0; i < problems->len; i++)
    cli_persist_warn(g_ptr_array_index(problems, i));
  if (results != NULL)
    print_apply_results(results, json);
  return error != NULL ? cli_fail(error) : 0;
}

/* ---- unpersist --------------------------------------------------------------- */

/* Canonical forms of ARGV's addresses, each once; NULL after a usage error. */
static GPtrArray *parse_addresses(int argc, char **argv, GError **error)
{
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func(g_free);

  for (int i = 1; i < argc; i++) {
    char *canonical = vh_address_canonicalize(argv[i], error);
    if (canonical == NULL)
      return NULL;
    if (g_ptr_array_find_with_equal_func(addresses, canonical, g_str_equal, NULL))
      g_free(canonical);
    else
      g_ptr_array_add(addresses, canonical);
  }
  g_ptr_array_add(addresses, NULL);
  return g_steal_pointer(&addresses);
}

/* What --reattach gives back: present devices that vfio-hostdev bound or
 * that are on a VFIO driver; a gone one has nothing to give back. */
static GPtrArray *to_reattach(VhManager *manager, const GPtrArray *addresses)
{
  GPtrArray *present = g_ptr_array_new();

  for (guint i = 0; i + 1 < addresses->len; i++) {
    const char *address = g_ptr_array_index(addresses, i);
    g_autoptr(VhDevice) device = vh_manager_get_device(manager, address, NULL);
    g_autoptr(VhStatusEntry) record = vh_status_get(address, NULL);
    if (device != NULL && (vh_device_is_vfio_bound(device) || record != NULL)) {
      g_ptr_array_add(present, (gpointer)address);
    } else {
      g_autofree char *warning = g_strdup_printf("%s is %s; nothing to reattach", address,
                                                 device == NULL ? "gone" : "not on a VFIO driver");
      vh_manager_add_warning(manager, warning);
    }
  }
  g_ptr_array_add(present, NULL);
  return present;
}

/* Devices that --reattach gave back along with the named ones (their
 * group's --group members, their device's --functions functions) are
 * unpersisted with them: persisted but back on their host drivers, they
 * would be bound alone at the next boot. Added to ADDRESSES and, when
 * persisted, to WAS. */
static void add_companions(GPtrArray *addresses, GHashTable *was, const GPtrArray *reattached)
{
  for (guint i = 0; reattached != NULL && i < reattached->len; i++) {
    const VhReattachResult *result = g_ptr_array_index(reattached, i);
    const char *address = vh_reattach_result_get_address(result);
    gboolean companion = vh_reattach_result_is_group_member(result) || vh_reattach_result_is_function_member(result);
    if (!companion || !vh_persist_exists(address) || g_hash_table_contains(was, address))
      continue;
    char *copy = g_strdup(address);
    g_ptr_array_insert(addresses, (gint)addresses->len - 1, copy);
    g_hash_table_add(was, copy);
  }
}

static JsonNode *unpersist_to_json(const char *address, gboolean was_persisted, guint numvfs,
                                   const VhReattachResult *reattached)
{
  JsonObject *object = json_object_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);

  json_object_set_string_member(object, "address", address);
  json_object_set_boolean_member(object, "removed", was_persisted);
  if (numvfs > 0)
    json_object_set_int_member(object, "removed_numvfs", numvfs);
  else
    json_object_set_null_member(object, "removed_numvfs");
  set_string_or_null(object, "reattach",
                     reattached != NULL ? vh_reattach_outcome_name(vh_reattach_result_get_outcome(reattached)) : NULL);
  set_string_or_null(object, "driver", reattached != NULL ? vh_reattach_result_get_driver(reattached) : NULL);
  json_node_take_object(node, object);
  return node;
}

static const VhReattachResult *find_reattached(const GPtrArray *reattached, const char *address)
{
  for (guint i = 0; reattached != NULL && i < reattached->len; i++) {
    const VhReattachResult *result = g_ptr_array_index(reattached, i);
    if (g_str_equal(vh_reattach_result_get_address(result), address))
      return result;
  }
  return NULL;
}

static void print_unpersisted(const GPtrArray *addresses, GHashTable *was, GHashTable *counts,
                              const GPtrArray *reattached, gboolean json)
{
  JsonArray *array = json_array_new();
  JsonNode *root = json_node_new(JSON_NODE_ARRAY);

  for (guint i = 0; i + 1 < addresses->len; i++) {
    const char *address = g_ptr_array_index(addresses, i);
    const VhReattachResult *result = find_reattached(reattached, address);
    gboolean persisted = g_hash_table_contains(was, address);
    guint numvfs = GPOINTER_TO_UINT(g_hash_table_lookup(counts, address));
    json_array_add_element(array, unpersist_to_json(address, persisted, numvfs, result));
    if (!json && numvfs > 0)
      printf("%s: its %u VFs are no longer made at boot\n", address, numvfs);
    if (json || !persisted)
      continue;
    const char *driver = result != NULL ? vh_reattach_result_get_driver(result) : NULL;
    if (result != NULL)
      printf("%s: no longer bound at boot; back on %s\n", address, driver != NULL ? driver : "no driver");
    else
      printf("%s: no longer bound at boot; left as it is now\n", address);
  }
  json_node_take_array(root, array);
  if (json)
    cli_print_json(root);
  else
    json_node_unref(root);
}

/* Which of ADDRESSES (not copied) have a configuration, before it is removed. */
static GHashTable *which_persisted(const GPtrArray *addresses)
{
  GHashTable *was = g_hash_table_new(g_str_hash, g_str_equal);

  for (guint i = 0; i + 1 < addresses->len; i++)
    if (vh_persist_exists(g_ptr_array_index(addresses, i)))
      g_hash_table_add(was, g_ptr_array_index(addresses, i));
  return was;
}

/* The VF counts `sriov --persist` persisted for ADDRESSES (not copied),
 * before they are removed. */
static GHashTable *which_counts(const GPtrArray *addresses)
{
  GHashTable *counts = g_hash_table_new(g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) pfs = vh_persist_sriov_list(NULL, NULL);

  for (guint i = 0; i + 1 < addresses->len; i++)
    for (guint j = 0; pfs != NULL && j < pfs->len; j++) {
      const VhPersistConfig *pf = g_ptr_array_index(pfs, j);
      if (g_str_equal(vh_persist_config_get_address(pf), g_ptr_array_index(addresses, i)))
        g_hash_table_insert(counts, g_ptr_array_index(addresses, i),
                            GUINT_TO_POINTER(vh_persist_config_get_sriov_numvfs(pf)));
    }
  return counts;
}

static int run_unpersist(int argc, char **argv)
{
  gboolean reattach = FALSE, json = FALSE, no_initramfs = FALSE;
  double timeout = DEFAULT_UNBIND_TIMEOUT_S;
  const GOptionEntry entries[] = {
    {"reattach", 0, 0, G_OPTION_ARG_NONE, &reattach, "Also give the devices back to their original driver now", NULL},
    {"no-initramfs", 0, 0, G_OPTION_ARG_NONE, &no_initramfs, "Do not run update-initramfs -u", NULL},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON array", NULL},
    {"unbind-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, "With --reattach: seconds an unbind may block (default 10)", "SECONDS"},
    {NULL},
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reattached = NULL;

  if (!cli_parse(&cmd_unpersist, entries, unpersist_description, &argc, &argv))
    return VH_ERROR_INVALID;
  if (argc < 2)
    return cli_usage_error(&cmd_unpersist, "missing BDF");
  if (timeout <= 0 || timeout > 3600)
    return cli_usage_error(&cmd_unpersist, "--unbind-timeout must be between 0 and 3600 seconds");
  g_autoptr(GPtrArray) addresses = parse_addresses(argc, argv, &error);
  if (addresses == NULL)
    return cli_fail(error);
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  vh_manager_set_unbind_timeout(manager, (guint)(timeout * 1000));
  g_autoptr(GHashTable) was = which_persisted(addresses);
  g_autoptr(GHashTable) counts = which_counts(addresses);
  if (reattach) {
    vh_manager_recover_interrupted(manager);
    g_autoptr(GPtrArray) present = to_reattach(manager, addresses);
    /* nothing to give back: vh_reattach() wants at least one address */
    if (present->len > 1)
      reattached = vh_reattach(manager, (const char *const *)present->pdata, &error);
    if (error != NULL) {
      print_warnings(manager);
      g_prefix_error(&error, "not unpersisted: ");
      return cli_fail(error);
    }
    add_companions(addresses, was, reattached);
  }
  gboolean removed = vh_unpersist(manager, (const char *const *)addresses->pdata, &error) &&
                     cli_persist_update_early(manager, !no_initramfs, &error);
  print_warnings(manager);
  if (removed)
    print_unpersisted(addresses, was, counts, reattached, json);
  return error != NULL ? cli_fail(error) : 0;
}
