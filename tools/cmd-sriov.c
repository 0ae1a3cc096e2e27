// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "commands.h"
#include "persist-cli.h"

static int run_sriov(int argc, char **argv);

const CliCommand cmd_sriov = {
  "sriov", "BDF --vfs N", "Give an SR-IOV PF N VFs (0: none), none probed by a host driver; --bind puts them on VFIO.",
  run_sriov,
};

static const char sriov_description[] =
  "The PF stays on its driver, which creates the VFs. sriov_drivers_autoprobe is 0 while they are\n"
  "created, so that no host VF driver probes them, and as it was afterwards. VFs already there are\n"
  "removed first, refused while one is in use by the host, open through VFIO or an owner's. What\n"
  "the PF had is recorded: `vfio-hostdev reattach BDF` gives it back. --bind binds every VF to\n"
  "its VFIO driver (the variant rule per VF) in parallel; --persist makes it so at every boot:\n"
  "persist-apply gives the PF its N VFs again and binds them (docs/persist.md).";

#define DEFAULT_UNBIND_TIMEOUT_S 10.0
/* the PCI spec's limit: TotalVFs is 16 bits */
#define MAX_VFS 0xffff

static const VhBindResult *bind_result_of(const GPtrArray *results, const char *address)
{
  for (guint i = 0; results != NULL && i < results->len; i++)
    if (g_str_equal(vh_bind_result_get_address(g_ptr_array_index(results, i)), address))
      return g_ptr_array_index(results, i);
  return NULL;
}

/* The driver a VF is on now (NULL: none). */
static char *current_driver(VhManager *manager, const char *address)
{
  g_autoptr(VhDevice) device = vh_manager_get_device(manager, address, NULL);

  return device != NULL ? g_strdup(vh_device_get_driver(device)) : NULL;
}

static JsonNode *vf_to_json(VhManager *manager, const char *address, const VhBindResult *bound, GHashTable *persisted)
{
  JsonObject *object = json_object_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  g_autofree char *driver = current_driver(manager, address);

  json_object_set_string_member(object, "address", address);
  json_object_set_member(object, "outcome",
                         cli_json_string(bound != NULL ? vh_bind_outcome_name(vh_bind_result_get_outcome(bound)) : NULL));
  json_object_set_member(object, "driver", cli_json_string(driver));
  json_object_set_member(object, "vfio_device",
                         cli_json_string(bound != NULL ? vh_bind_result_get_vfio_device(bound) : NULL));
  json_object_set_boolean_member(object, "persisted", cli_persisted(persisted, address));
  json_node_take_object(node, object);
  return node;
}

static void print_json(VhManager *manager, const VhSriovResult *result, GHashTable *persisted,
                       const VhPersistConfig *persisted_pf)
{
  JsonObject *object = json_object_new();
  JsonNode *root = json_node_new(JSON_NODE_OBJECT);
  const GPtrArray *vfs = vh_sriov_result_get_vfs(result);
  const GPtrArray *bound = vh_sriov_result_get_bind_results(result);
  int autoprobe = vh_sriov_result_get_autoprobe(result);
  JsonArray *array = json_array_new();

  json_object_set_string_member(object, "address", vh_sriov_result_get_address(result));
  json_object_set_int_member(object, "numvfs", vh_sriov_result_get_numvfs(result));
  json_object_set_int_member(object, "previous_numvfs", vh_sriov_result_get_previous_numvfs(result));
  json_object_set_int_member(object, "original_numvfs", vh_sriov_result_get_original_numvfs(result));
  json_object_set_boolean_member(object, "recorded", vh_sriov_result_is_recorded(result));
  if (autoprobe >= 0)
    json_object_set_boolean_member(object, "sriov_drivers_autoprobe", autoprobe != 0);
  else
    json_object_set_null_member(object, "sriov_drivers_autoprobe");
  for (guint i = 0; i < vfs->len; i++) {
    const char *vf = g_ptr_array_index(vfs, i);
    json_array_add_element(array, vf_to_json(manager, vf, bind_result_of(bound, vf), persisted));
  }
  json_object_set_array_member(object, "vfs", array);
  if (persisted_pf != NULL)
    json_object_set_int_member(object, "persisted_numvfs", vh_persist_config_get_sriov_numvfs(persisted_pf));
  else
    json_object_set_null_member(object, "persisted_numvfs");
  json_node_take_object(root, object);
  cli_print_json(root);
}

static void print_text(const VhSriovResult *result, GHashTable *persisted, const VhPersistConfig *persisted_pf)
{
  const GPtrArray *vfs = vh_sriov_result_get_vfs(result);
  const GPtrArray *bound = vh_sriov_result_get_bind_results(result);

  printf("%s: %u VFs (was %u)", vh_sriov_result_get_address(result), vh_sriov_result_get_numvfs(result),
         vh_sriov_result_get_previous_numvfs(result));
  if (vh_sriov_result_is_recorded(result))
    printf("; `vfio-hostdev reattach %s` gives back %u", vh_sriov_result_get_address(result),
           vh_sriov_result_get_original_numvfs(result));
  printf("\n");
  for (guint i = 0; i < vfs->len; i++) {
    const char *vf = g_ptr_array_index(vfs, i);
    const VhBindResult *vf_bound = bind_result_of(bound, vf);
    if (vf_bound == NULL)
      continue;
    const char *vfio_device = vh_bind_result_get_vfio_device(vf_bound);
    printf("%s: %s %s (%s)\n", vf, vh_bind_outcome_name(vh_bind_result_get_outcome(vf_bound)),
           vh_bind_result_get_driver(vf_bound), vfio_device != NULL ? vfio_device : "no vfio-dev");
  }
  if (persisted_pf != NULL)
    printf("%s: gets %u VFs at every boot (persisted)\n", vh_sriov_result_get_address(result),
           vh_persist_config_get_sriov_numvfs(persisted_pf));
  if (persisted != NULL)
    cli_persist_print(persisted, FALSE);
}

/* N: a decimal count, nothing else. */
static gboolean parse_count(const char *text, guint *count)
{
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned(text, 10, 0, MAX_VFS, &value, NULL))
    return FALSE;
  *count = (guint)value;
  return TRUE;
}

static int run_sriov(int argc, char **argv)
{
  g_autofree char *vfs_text = NULL;
  gboolean bind = FALSE, persist = FALSE, no_initramfs = FALSE, json = FALSE;
  double timeout = DEFAULT_UNBIND_TIMEOUT_S;
  const GOptionEntry entries[] = {
    {"vfs", 0, 0, G_OPTION_ARG_STRING, &vfs_text, "The number of VFs the PF gets (0: none)", "N"},
    {"bind", 0, 0, G_OPTION_ARG_NONE, &bind, "Bind every VF to its VFIO driver", NULL},
    {"persist", 0, 0, G_OPTION_ARG_NONE, &persist, "With --bind: the VF count and the VFs' binding again at every boot (/etc/vfio-hostdev/)", NULL},
    {"no-initramfs", 0, 0, G_OPTION_ARG_NONE, &no_initramfs, "With --persist: do not run update-initramfs -u", NULL},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON object", NULL},
    {"unbind-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, "Seconds an unbind may block before the device is reported stuck (default 10)", "SECONDS"},
    {NULL},
  };
  g_autoptr(GError) error = NULL;
  guint numvfs = 0;

  if (!cli_parse(&cmd_sriov, entries, sriov_description, &argc, &argv))
    return VH_ERROR_INVALID;
  if (argc != 2)
    return cli_usage_error(&cmd_sriov, argc < 2 ? "missing BDF" : "one BDF only");
  if (vfs_text == NULL)
    return cli_usage_error(&cmd_sriov, "missing --vfs N");
  if (!parse_count(vfs_text, &numvfs))
    return cli_usage_error(&cmd_sriov, "--vfs wants a number of VFs from 0 to %u, not \"%s\"", MAX_VFS, vfs_text);
  if (persist && !bind)
    return cli_usage_error(&cmd_sriov, "--persist needs --bind (it persists the VFs' binding)");
  if (timeout < 0.001 || timeout > 3600)
    return cli_usage_error(&cmd_sriov, "--unbind-timeout must be between 0.001 and 3600 seconds");
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL || (persist && !cli_persist_ready(FALSE, &error)))
    return cli_fail(error);
  vh_manager_recover_interrupted(manager);
  vh_manager_set_unbind_timeout(manager, (guint)(timeout * 1000));
  g_autoptr(VhSriovResult) result = vh_sriov(manager, argv[1], numvfs, bind ? VH_SRIOV_BIND : 0, &error);
  const GPtrArray *bound = result != NULL ? vh_sriov_result_get_bind_results(result) : NULL;
  /* the count first: the VFs' bindings are useless at boot without it */
  g_autoptr(VhPersistConfig) persisted_pf = persist && result != NULL ? vh_persist_sriov(manager, result, &error)
                                                                      : NULL;
  g_autoptr(GHashTable) persisted = persist && bound != NULL && error == NULL ? cli_persist_bound(bound, FALSE, FALSE, FALSE,
                                                                                             !no_initramfs, &error)
                                                             : NULL;
  cli_print_warnings(manager);
  if (result != NULL && json)
    print_json(manager, result, persisted, persisted_pf);
  else if (result != NULL)
    print_text(result, persisted, persisted_pf);
  return error != NULL ? cli_fail(error) : 0;
}
