#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "commands.h"
#include "domain-xml.h"
#include "hd-error.h"
#include "owner-json.h"
#include "prepare.h"
#include "qemu-args.h"
#include "recover.h"

static int run_prepare(int argc, char **argv);

const CliCommand cmd_prepare = {
  "prepare", "--owner NAME (--xml FILE | BDF...)",
  "Prepare the devices of one VM (managed mode): bound, owned, handed to its user, all or nothing.", run_prepare,
};

static const char prepare_description[] =
  "Devices come from libvirt domain XML (--xml FILE, '-' for stdin: a <domain> or bare <hostdev>\n"
  "elements) or as addresses (managed). Managed devices are bound as `bind` binds them (the\n"
  "variant rule, or <driver name='vfio' model='MODULE'/>); unmanaged ones must already be on a\n"
  "VFIO driver. A device belongs to one owner at a time; preparing again for the same owner\n"
  "changes nothing. --user hands the group nodes and cdevs to the VM's user until release.\n"
  "State (records and the owner's journal) is in /run/vfio-hostdev/; an interrupted prepare is\n"
  "rolled back by the next command or `vfio-hostdev recover`. The last line of the plain output,\n"
  "\"qemu-args: ...\", holds QEMU's arguments for the devices.";

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

static GPtrArray *specs_from_addresses(char **addresses, GError **error)
{
  g_autoptr(GPtrArray) specs = g_ptr_array_new_with_free_func((GDestroyNotify)hd_hostdev_spec_free);

  for (; *addresses != NULL; addresses++) {
    HdHostdevSpec *spec = g_new0(HdHostdevSpec, 1);
    g_ptr_array_add(specs, spec);
    spec->managed = TRUE;
    if (!hd_pci_address_parse(*addresses, &spec->address, error))
      return NULL;
  }
  return g_steal_pointer(&specs);
}

/* Domain XML from stdin, as bounded as from a file. */
static GPtrArray *specs_from_stdin(GError **error)
{
  g_autoptr(GString) text = g_string_new(NULL);
  char buffer[65536];
  ssize_t n;

  while ((n = read(STDIN_FILENO, buffer, sizeof(buffer))) > 0) {
    g_string_append_len(text, buffer, n);
    if (text->len > HD_DOMAIN_XML_MAX_BYTES)
      break;
  }
  if (n < 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "cannot read the domain XML from stdin: %s", g_strerror(errno));
    return NULL;
  }
  return hd_domain_xml_parse(text->str, text->len, "<stdin>", error);
}

static JsonNode *string_array(const GPtrArray *strings)
{
  JsonArray *array = json_array_new();
  JsonNode *node = json_node_new(JSON_NODE_ARRAY);

  for (guint i = 0; i < strings->len; i++)
    json_array_add_string_element(array, g_ptr_array_index(strings, i));
  json_node_take_array(node, array);
  return node;
}

static JsonNode *result_to_json(const HdPrepareResult *result, gboolean iommufd)
{
  JsonObject *object = json_object_new();
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  g_autoptr(GPtrArray) args = hd_qemu_device_args(result, iommufd);

  json_object_set_string_member(object, "address", result->address);
  json_object_set_boolean_member(object, "managed", result->managed);
  json_object_set_string_member(object, "outcome", hd_prepare_outcome_name(result->outcome));
  json_object_set_member(object, "vfio_driver", owner_json_string(result->driver));
  json_object_set_member(object, "original_driver", owner_json_string(result->original_driver));
  json_object_set_int_member(object, "iommu_group", result->group);
  json_object_set_member(object, "vfio_device", owner_json_string(result->vfio_device));
  json_object_set_member(object, "group_node", owner_json_string(result->group_node));
  json_object_set_member(object, "cdev", owner_json_string(result->cdev));
  json_object_set_member(object, "qemu_args", string_array(args));
  json_node_take_object(node, object);
  return node;
}

static void print_json(const char *owner, const char *user, const GPtrArray *results)
{
  JsonObject *object = json_object_new();
  JsonArray *devices = json_array_new();
  JsonNode *root = json_node_new(JSON_NODE_OBJECT);
  gboolean iommufd = hd_qemu_use_iommufd(results);
  g_autoptr(GPtrArray) args = hd_qemu_args(results);

  for (guint i = 0; i < results->len; i++)
    json_array_add_element(devices, result_to_json(g_ptr_array_index(results, i), iommufd));
  json_object_set_string_member(object, "owner", owner);
  json_object_set_member(object, "user", owner_json_string(user));
  json_object_set_boolean_member(object, "iommufd", iommufd);
  json_object_set_member(object, "qemu_args", string_array(args));
  json_object_set_array_member(object, "devices", devices);
  json_node_take_object(root, object);
  cli_print_json(root);
}

static void print_result(const HdPrepareResult *result, const char *owner)
{
  g_autoptr(GString) line = g_string_new(result->address);

  switch (result->outcome) {
  case HD_PREPARE_BOUND:
    g_string_append_printf(line, ": bound to %s (was %s%s)", result->driver,
                           result->original_driver != NULL ? "on " : "unbound",
                           result->original_driver != NULL ? result->original_driver : "");
    break;
  case HD_PREPARE_ON_VFIO:
    g_string_append_printf(line, ": on %s already", result->driver);
    break;
  case HD_PREPARE_OWNED:
    g_string_append_printf(line, ": held by %s already, on %s", owner, result->driver);
    break;
  }
  g_string_append_printf(line, ", %s; %s%s%s", result->managed ? "managed" : "unmanaged",
                         result->group_node != NULL ? result->group_node : "no group node",
                         result->cdev != NULL ? ", " : "", result->cdev != NULL ? result->cdev : "");
  puts(line->str);
}

static void print_plain(const char *owner, const GPtrArray *results)
{
  g_autoptr(GPtrArray) args = hd_qemu_args(results);

  if (results->len == 0)
    printf("owner %s: no PCI host devices to prepare\n", owner);
  for (guint i = 0; i < results->len; i++)
    print_result(g_ptr_array_index(results, i), owner);
  g_ptr_array_add(args, NULL);
  g_autofree char *joined = g_strjoinv(" ", (char **)args->pdata);
  printf("qemu-args:%s%s\n", *joined != '\0' ? " " : "", joined);
}

typedef struct {
  char *owner;
  char *xml;
  char *user;
  char *memlock;
  gboolean json;
  double timeout;
} PrepareArgs;

static void prepare_args_clear(PrepareArgs *args)
{
  g_free(args->owner);
  g_free(args->xml);
  g_free(args->user);
  g_free(args->memlock);
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
  if (args->memlock != NULL && !parse_size(args->memlock, memlock))
    return g_strdup_printf("--memlock-needed \"%s\" is not a size (bytes, or a number with K, M, G or T)",
                           args->memlock);
  return NULL;
}

static GPtrArray *read_specs(const PrepareArgs *args, char **addresses, GError **error)
{
  if (args->xml == NULL)
    return specs_from_addresses(addresses, error);
  if (g_str_equal(args->xml, "-"))
    return specs_from_stdin(error);
  return hd_domain_xml_parse_file(args->xml, error);
}

static int run_prepare(int argc, char **argv)
{
  g_auto(PrepareArgs) args = {NULL, NULL, NULL, NULL, FALSE, DEFAULT_UNBIND_TIMEOUT_S};
  const GOptionEntry entries[] = {
    {"owner", 0, 0, G_OPTION_ARG_STRING, &args.owner, "The VM the devices are for (letters, digits, _.:@+-; up to 64)", "NAME"},
    {"xml", 0, 0, G_OPTION_ARG_FILENAME, &args.xml, "libvirt domain XML with the <hostdev> elements ('-': stdin)", "FILE"},
    {"user", 0, 0, G_OPTION_ARG_STRING, &args.user, "Hand the group nodes and cdevs to this user (name or uid) until release", "USER"},
    {"memlock-needed", 0, 0, G_OPTION_ARG_STRING, &args.memlock, "Warn when RLIMIT_MEMLOCK here is below SIZE (the guest's RAM)", "SIZE"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &args.json, "Print a JSON object", NULL},
    {"unbind-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &args.timeout, "Seconds an unbind may block before the device is reported stuck (default 10)", "SECONDS"},
    {NULL},
  };
  g_autoptr(GError) error = NULL;
  guint64 memlock = 0;

  if (!cli_parse(&cmd_prepare, entries, prepare_description, &argc, &argv))
    return HD_ERROR_INVALID;
  g_autofree char *usage = check_usage(&args, argc, &memlock);
  if (usage != NULL)
    return cli_usage_error(&cmd_prepare, "%s", usage);
  g_autoptr(GPtrArray) specs = read_specs(&args, argv + 1, &error);
  if (specs == NULL)
    return cli_fail(error);
  g_autoptr(HdManager) manager = hd_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  hd_recover_interrupted(manager);
  HdPrepareOptions options = {args.owner, args.user, (guint)(args.timeout * 1000)};
  g_autoptr(GPtrArray) results = hd_prepare(manager, specs, &options, &error);
  g_autofree char *memlock_warning = args.memlock != NULL && results != NULL ? hd_prepare_memlock_warning(memlock) : NULL;
  if (memlock_warning != NULL)
    hd_manager_warn(manager, "%s", memlock_warning);
  cli_print_warnings(manager);
  if (results == NULL)
    return cli_fail(error);
  if (args.json)
    print_json(args.owner, args.user, results);
  else
    print_plain(args.owner, results);
  return 0;
}
