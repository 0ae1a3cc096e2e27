// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>

#include "commands.h"
#include "device-json.h"

static int run_driver(int argc, char **argv);

const CliCommand cmd_driver = {
  "driver", "(BDF | --modalias STRING)",
  "Tell which VFIO driver bind would choose for a device, and why.", run_driver,
};

static gboolean check_modules_dir(const char *dir, GError **error)
{
  if (dir == NULL || g_file_test(dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  g_set_error(error, VH_ERROR, VH_ERROR_INVALID, "--modules-dir %s: no such directory", dir);
  return FALSE;
}

/* The choice for the modalias given, or for the device's. */
static VhVfioChoice *choose(VhManager *manager, const char *modalias, const char *address, GError **error)
{
  if (modalias != NULL)
    return vh_manager_choose_vfio_driver_for_modalias(manager, modalias, error);
  g_autoptr(VhDevice) device = vh_manager_get_device(manager, address, error);
  return device != NULL ? vh_manager_choose_vfio_driver(manager, device) : NULL;
}

static void print_plain(const VhVfioChoice *choice)
{
  const GPtrArray *candidates = vh_vfio_choice_get_candidates(choice);

  printf("%s\n", vh_vfio_choice_get_module(choice));
  if (candidates->len > 0)
    printf("candidates (fewest wildcards wins, ties go to the earliest line):\n");
  for (guint i = 0; i < candidates->len; i++) {
    const VhVfioCandidate *candidate = g_ptr_array_index(candidates, i);
    printf("  %-24s %2u wildcards  %s  (%s:%u)\n", vh_vfio_candidate_get_module(candidate),
           vh_vfio_candidate_get_wildcards(candidate), vh_vfio_candidate_get_pattern(candidate),
           vh_vfio_candidate_get_file(candidate), vh_vfio_candidate_get_line(candidate));
  }
  printf("reason: %s\n", vh_vfio_choice_get_reason(choice));
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
    return VH_ERROR_INVALID;
  if ((modalias_option != NULL) == (argc == 2) || argc > 2)
    return cli_usage_error(&cmd_driver, "give either one BDF or --modalias STRING");
  if (!check_modules_dir(modules_dir, &error))
    return cli_fail(error);
  g_autoptr(VhManager) manager = vh_manager_new(modules_dir, &error);
  if (manager == NULL)
    return cli_fail(error);
  g_autoptr(VhVfioChoice) choice = choose(manager, modalias_option, argv[1], &error);
  if (choice == NULL)
    return cli_fail(error);
  if (json)
    cli_print_json(choice_to_json(choice));
  else
    print_plain(choice);
  cli_print_warnings(manager);
  return 0;
}
