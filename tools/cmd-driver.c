#include <stdio.h>

#include "commands.h"
#include "device-json.h"
#include "hd-error.h"
#include "sysfs.h"

static int run_driver(int argc, char **argv);

const CliCommand cmd_driver = {
  "driver", "(BDF | --modalias STRING)",
  "Tell which VFIO driver bind would choose for a device, and why.", run_driver,
};

/* A modalias as sysfs shows it: "pci:" then printable, space-free text. */
static gboolean check_modalias(const char *modalias, GError **error)
{
  gboolean printable = TRUE;

  for (const char *p = modalias; *p != '\0'; p++)
    printable = printable && g_ascii_isgraph(*p);
  if (!g_str_has_prefix(modalias, "pci:") || !printable) {
    g_autofree char *shown = g_strescape(modalias, NULL);
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID,
                "invalid modalias \"%.80s\": expected a PCI modalias as sysfs shows it (pci:v...d...sv...)", shown);
    return FALSE;
  }
  return TRUE;
}

static gboolean check_modules_dir(const char *dir, GError **error)
{
  if (dir == NULL || hd_sysfs_is_dir(dir))
    return TRUE;
  g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "--modules-dir %s: no such directory", dir);
  return FALSE;
}

/* The modalias to match: given, or read from the device. */
static char *resolve_modalias(HdManager *manager, const char *given, const char *address, GError **error)
{
  if (given != NULL)
    return check_modalias(given, error) ? g_strdup(given) : NULL;
  g_autoptr(HdDevice) device = hd_device_load_by_name(manager, address, error);
  return device != NULL ? g_strdup(device->modalias) : NULL;
}

static void print_plain(const HdVfioChoice *choice)
{
  printf("%s\n", choice->module);
  if (choice->candidates->len > 0)
    printf("candidates (fewest wildcards wins, ties go to the earliest line):\n");
  for (guint i = 0; i < choice->candidates->len; i++) {
    const HdVfioCandidate *candidate = g_ptr_array_index(choice->candidates, i);
    printf("  %-24s %2u wildcards  %s  (%s:%u)\n", candidate->module, candidate->wildcards, candidate->pattern,
           candidate->source, candidate->line);
  }
  printf("reason: %s\n", choice->reason);
}

static int run_driver(int argc, char **argv)
{
  gboolean json = FALSE;
  g_autofree char *modalias_option = NULL;
  g_autofree char *modules_dir = NULL;
  const GOptionEntry entries[] = {
    {"modalias", 0, 0, G_OPTION_ARG_STRING, &modalias_option, "Choose for this modalias instead of a device", "STRING"},
    {"modules-dir", 0, 0, G_OPTION_ARG_FILENAME, &modules_dir,
     "Read DIR/modules.alias and DIR/modules.builtin.alias instead of the running kernel's", "DIR"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON object", NULL},
    {NULL},
  };
  g_autoptr(GError) error = NULL;

  if (!cli_parse(&cmd_driver, entries,
                 "The key is \"vfio_\" + the modalias; every vfio_pci: alias matching it (fnmatch) is a candidate;\n"
                 "the one with the fewest wildcards (*, ?, [...]) wins; ties go to the earliest line,\n"
                 "modules.alias before modules.builtin.alias. No candidate: vfio_pci.",
                 &argc, &argv))
    return HD_ERROR_INVALID;
  if ((modalias_option != NULL) == (argc == 2) || argc > 2)
    return cli_usage_error(&cmd_driver, "give either one BDF or --modalias STRING");
  if (!check_modules_dir(modules_dir, &error))
    return cli_fail(error);
  g_autoptr(HdManager) manager = hd_manager_new(modules_dir, &error);
  if (manager == NULL)
    return cli_fail(error);
  g_autofree char *modalias = resolve_modalias(manager, modalias_option, argv[1], &error);
  if (modalias == NULL)
    return cli_fail(error);
  g_autoptr(HdVfioChoice) choice = hd_vfio_choose(manager, modalias);
  if (json)
    cli_print_json(choice_to_json(choice));
  else
    print_plain(choice);
  cli_print_warnings(manager);
  return 0;
}
