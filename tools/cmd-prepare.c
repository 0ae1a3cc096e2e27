// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "commands.h"

static int run_prepare(int argc, char **argv);

const CliCommand cmd_prepare = {
  "prepare", "--owner NAME (--xml FILE | BDF...)",
  "Prepare the devices of one VM (managed mode): bound, owned, handed to its user, all or nothing.", run_prepare,
};

static const char prepare_description[] =
  "Devices come from libvirt domain XML (--xml FILE, '-' for stdin: one <domain>, or one bare\n"
  "<hostdev> or <interface type='hostdev'>) or as addresses (managed). Managed devices are bound as `bind` binds them (the\n"
  "variant rule, or <driver name='vfio' model='MODULE'/>); unmanaged ones must already be on a\n"
  "VFIO driver. A device belongs to one owner at a time; preparing again for the same owner\n"
  "changes nothing. --adopt-only binds nothing (for a VM that runs already: devices not on VFIO\n"
  "are refused). --user hands the group nodes and cdevs to the VM's user until release.\n"
  "State (records and the owner's journal) is in /run/vfio-hostdev/; an interrupted prepare is\n"
  "rolled back by the next command or `vfio-hostdev recover`. The last line of the plain output,\n"
  "\"qemu-args: ...\", holds QEMU's arguments for the devices: iommufd forms for QEMU >= 9.0\n"
  "when the host has /dev/iommu and every device a cdev, group forms (host=BDF) otherwise;\n"
  "the version comes from --qemu-version X.Y or from running `QEMU -version` (--qemu PATH).\n"
  "With neither, group forms whenever every device has its group node (any QEMU takes them).\n"
  "A device in a PCI domain above ffff (Intel VMD) is named by sysfsdev= instead of host=.";

#define DEFAULT_UNBIND_TIMEOUT_S 10.0

/* "1073741824", "1G", "512M", "64k": binary multiples. */
static gboolean parse_size(const char *text, guint64 *out)
{
  static const char units[] = "kmgt";
  char *end = NULL;
  guint64 value = g_ascii_strtoull(text, &end, 10);
  guint64 multiplier = 1;

  if (end == text || !g_ascii_isdigit(*text))
    return FALSE;
  if (*end != '\0') {
    const char *unit = strchr(units, g_ascii_tolower(*end));
    if (unit == NULL || end[1] != '\0')
      return FALSE;
    multiplier = (guint64)1 << (10 * (unit - units + 1));
  }
  if (value > G_MAXUINT64 / multiplier)
    return FALSE;
  *out = value * multiplier;
  return TRUE;
}

/* Domain XML from stdin, read as far as the size bound lets the parser
 * reject it (a pipe has no size to check first). */
static gboolean add_stdin(VhPrepareRequest *request, GError **error)
{
  g_autoptr(GString) text = g_string_new(NULL);
  char buffer[65536];
  ssize_t n;

  while ((n = read(STDIN_FILENO, buffer, sizeof(buffer))) > 0) {
    g_string_append_len(text, buffer, n);
    if (text->len > VH_DOMAIN_XML_MAX_BYTES)
      break;
  }
  if (n < 0) {
    g_set_error(error, VH_ERROR, VH_ERROR_INVALID, "cannot read the domain XML from stdin: %s", g_strerror(errno));
    return FALSE;
  }
  return vh_prepare_request_add_domain_xml(request, text->str, text->len, "<stdin>", error);
}

static JsonNode *device_to_json(const VhPreparedDevice *device)
{
  JsonObject *object = json_object_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);

  json_object_set_string_member(object, "address", vh_prepared_device_get_address(device));
  json_object_set_boolean_member(object, "managed", vh_prepared_device_is_managed(device));
  json_object_set_string_member(object, "outcome", vh_prepare_outcome_name(vh_prepared_device_get_outcome(device)));
  json_object_set_member(object, "vfio_driver", cli_json_string(vh_prepared_device_get_vfio_driver(device)));
  json_object_set_member(object, "original_driver", cli_json_string(vh_prepared_device_get_original_driver(device)));
  json_object_set_int_member(object, "iommu_group", vh_prepared_device_get_iommu_group(device));
  json_object_set_member(object, "vfio_device", cli_json_string(vh_prepared_device_get_vfio_device(device)));
  json_object_set_member(object, "group_node", cli_json_string(vh_prepared_device_get_group_node(device)));
  json_object_set_member(object, "cdev", cli_json_string(vh_prepared_device_get_cdev(device)));
  json_object_set_member(object, "qemu_args", cli_json_strings(vh_prepared_device_get_qemu_args(device)));
  json_node_take_object(node, object);
  return node;
}

static void print_json(const char *owner, const char *user, const VhPrepareResult *result)
{
  JsonObject *object = json_object_new();
  JsonArray *array = json_array_new();
  JsonNode *root = json_node_new(JSON_NODE_OBJECT);
  const GPtrArray *devices = vh_prepare_result_get_devices(result);

  for (guint i = 0; i < devices->len; i++)
    json_array_add_element(array, device_to_json(g_ptr_array_index(devices, i)));
  json_object_set_string_member(object, "owner", owner);
  json_object_set_member(object, "user", cli_json_string(user));
  json_object_set_boolean_member(object, "iommufd", vh_prepare_result_uses_iommufd(result));
  json_object_set_member(object, "qemu_args", cli_json_strings(vh_prepare_result_get_qemu_args(result)));
  json_object_set_array_member(object, "devices", array);
  json_node_take_object(root, object);
  cli_print_json(root);
}

static void print_device(const VhPreparedDevice *device, const char *owner)
{
  g_autoptr(GString) line = g_string_new(vh_prepared_device_get_address(device));
  const char *driver = vh_prepared_device_get_vfio_driver(device);
  const char *original = vh_prepared_device_get_original_driver(device);
  const char *group_node = vh_prepared_device_get_group_node(device);
  const char *cdev = vh_prepared_device_get_cdev(device);

  switch (vh_prepared_device_get_outcome(device)) {
  case VH_PREPARE_BOUND:
    g_string_append_printf(line, ": bound to %s (was %s%s)", driver, original != NULL ? "on " : "unbound",
                           original != NULL ? original : "");
    break;
  case VH_PREPARE_ON_VFIO:
    g_string_append_printf(line, ": on %s already", driver);
    break;
  case VH_PREPARE_OWNED:
    g_string_append_printf(line, ": held by %s already, on %s", owner, driver);
    break;
  }
  g_string_append_printf(line, ", %s; %s%s%s", vh_prepared_device_is_managed(device) ? "managed" : "unmanaged",
                         group_node != NULL ? group_node : "no group node", cdev != NULL ? ", " : "",
                         cdev != NULL ? cdev : "");
  puts(line->str);
}

static void print_plain(const char *owner, const VhPrepareResult *result)
{
  const GPtrArray *devices = vh_prepare_result_get_devices(result);
  const GPtrArray *args = vh_prepare_result_get_qemu_args(result);
  g_autoptr(GString) joined = g_string_new(NULL);

  if (devices->len == 0)
    printf("owner %s: no PCI host devices to prepare\n", owner);
  for (guint i = 0; i < devices->len; i++)
    print_device(g_ptr_array_index(devices, i), owner);
  for (guint i = 0; i < args->len; i++)
    g_string_append_printf(joined, " %s", (const char *)g_ptr_array_index(args, i));
  printf("qemu-args:%s\n", joined->str);
}

typedef struct {
  char *owner;
  char *xml;
  char *user;
  char *memlock;
  gboolean json;
  double timeout;
  gboolean adopt_only;
  char *qemu_version;
  char *qemu;
} PrepareArgs;

static void prepare_args_clear(PrepareArgs *args)
{
  g_free(args->owner);
  g_free(args->xml);
  g_free(args->user);
  g_free(args->memlock);
  g_free(args->qemu_version);
  g_free(args->qemu);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PrepareArgs, prepare_args_clear)

/* Usage problems (exit 2) in words; NULL when the words are fine. */
static char *check_usage(const PrepareArgs *args, int argc, guint64 *memlock)
{
  if (args->owner == NULL)
    return g_strdup("--owner NAME is required");
  if (args->xml != NULL && argc > 1)
    return g_strdup("give either --xml FILE or addresses, not both");
  if (args->xml == NULL && argc < 2)
    return g_strdup("missing --xml FILE or BDF");
  if (args->timeout <= 0 || args->timeout > 3600)
    return g_strdup("--unbind-timeout must be between 0 and 3600 seconds");
  if (args->qemu_version != NULL && args->qemu != NULL)
    return g_strdup("give either --qemu-version X.Y or --qemu PATH, not both");
  if (args->memlock != NULL && !parse_size(args->memlock, memlock))
    return g_strdup_printf("--memlock-needed \"%s\" is not a size (bytes, or a number with K, M, G or T)",
                           args->memlock);
  return NULL;
}

/* The QEMU version from --qemu-version or --qemu (0.0: neither given). */
static gboolean read_qemu_version(const PrepareArgs *args, guint *major, guint *minor, GError **error)
{
  *major = *minor = 0;
  if (args->qemu_version != NULL)
    return vh_qemu_version_parse(args->qemu_version, major, minor, error);
  if (args->qemu != NULL)
    return vh_qemu_version_query(args->qemu, major, minor, error);
  return TRUE;
}

/* The devices: addresses (managed), or domain XML from a file or stdin. */
static VhPrepareRequest *read_request(const PrepareArgs *args, char **addresses, GError **error)
{
  g_autoptr(VhPrepareRequest) request = vh_prepare_request_new(args->owner);

  if (args->xml == NULL) {
    for (; *addresses != NULL; addresses++)
      if (!vh_prepare_request_add_device(request, *addresses, TRUE, NULL, error))
        return NULL;
  } else if (g_str_equal(args->xml, "-")) {
    if (!add_stdin(request, error))
      return NULL;
  } else if (!vh_prepare_request_add_domain_xml_file(request, args->xml, error)) {
    return NULL;
  }
  vh_prepare_request_set_user(request, args->user);
  vh_prepare_request_set_adopt_only(request, args->adopt_only);
  return g_steal_pointer(&request);
}

static int run_prepare(int argc, char **argv)
{
  g_auto(PrepareArgs) args = {NULL, NULL, NULL, NULL, FALSE, DEFAULT_UNBIND_TIMEOUT_S, FALSE, NULL, NULL};
  const GOptionEntry entries[] = {
    {"owner", 0, 0, G_OPTION_ARG_STRING, &args.owner, "The VM the devices are for (letters, digits, _.:@+-; up to 64)", "NAME"},
    {"xml", 0, 0, G_OPTION_ARG_FILENAME, &args.xml, "libvirt domain XML with the <hostdev> elements ('-': stdin)", "FILE"},
    {"user", 0, 0, G_OPTION_ARG_STRING, &args.user, "Hand the group nodes and cdevs to this user (name or uid) until release", "USER"},
    {"memlock-needed", 0, 0, G_OPTION_ARG_STRING, &args.memlock, "The guest's RAM: warn when the VMM may not pin it (CAP_IPC_LOCK, RLIMIT_MEMLOCK)", "SIZE"},
    {"adopt-only", 0, 0, G_OPTION_ARG_NONE, &args.adopt_only, "Bind nothing: take only devices already on a VFIO driver (a running VM's)", NULL},
    {"qemu-version", 0, 0, G_OPTION_ARG_STRING, &args.qemu_version, "The QEMU that runs the VM is X.Y: iommufd forms from 9.0 on", "X.Y"},
    {"qemu", 0, 0, G_OPTION_ARG_FILENAME, &args.qemu, "Ask this QEMU binary its version (PATH -version)", "PATH"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &args.json, "Print a JSON object", NULL},
    {"unbind-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &args.timeout, "Seconds an unbind may block before the device is reported stuck (default 10)", "SECONDS"},
    {NULL},
  };
  g_autoptr(GError) error = NULL;
  guint64 memlock = 0;
  guint qemu_major, qemu_minor;

  if (!cli_parse(&cmd_prepare, entries, prepare_description, &argc, &argv))
    return VH_ERROR_INVALID;
  g_autofree char *usage = check_usage(&args, argc, &memlock);
  if (usage != NULL)
    return cli_usage_error(&cmd_prepare, "%s", usage);
  if (!read_qemu_version(&args, &qemu_major, &qemu_minor, &error))
    return cli_fail(error);
  g_autoptr(VhPrepareRequest) request = read_request(&args, argv + 1, &error);
  if (request == NULL)
    return cli_fail(error);
  vh_prepare_request_set_memlock_needed(request, memlock);
  vh_prepare_request_set_qemu_version(request, qemu_major, qemu_minor);
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  vh_manager_set_unbind_timeout(manager, (guint)(args.timeout * 1000));
  vh_manager_recover_interrupted(manager);
  g_autoptr(VhPrepareResult) result = vh_prepare(manager, request, &error);
  cli_print_warnings(manager);
  if (result == NULL)
    return cli_fail(error);
  if (args.json)
    print_json(args.owner, args.user, result);
  else
    print_plain(args.owner, result);
  return 0;
}
