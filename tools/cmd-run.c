// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>
#include <string.h>

#include "commands.h"

static int run_run(int argc, char **argv);

const CliCommand cmd_run = {
  "run", "-d BDF [-d BDF...] (-s | -- COMMAND...)",
  "Bind devices, run a command (or a shell) with them, then restore everything.", run_run,
};

static const char run_description[] =
  "Binds the devices as `bind` does (same refusals, --group, --force) and makes the hugepages free,\n"
  "then runs COMMAND with " VH_RUN_ENV_BDFS " (the devices' addresses, space-separated) and\n"
  VH_RUN_ENV_SELFTESTS_BDF " (the first, for the kernel's VFIO selftests) in its environment, or\n"
  "with -s an interactive shell ($SHELL, else /bin/sh). When it ends, whatever it did, the devices\n"
  "this run bound go back to their drivers with their VFs (devices already on a VFIO driver stay)\n"
  "and grown hugepage pools shrink back; SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded to the\n"
  "command and restoring follows.\n"
  "Exit status: the command's (128+N when signal N killed it), unless the devices could not be\n"
  "bound (bind's code below; the command does not run), the hugepages could not be had (1), the\n"
  "command could not start (127 not found, 126 not executable) or something could not be\n"
  "restored (5; stderr says what was left where).";

/* Index of the first "--" in ARGV, or ARGC. Split by hand: GOption would
 * keep or drop the "--" depending on what follows, and would take the
 * command's own options for ours. */
static int find_separator(int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--") == 0)
      return i;
  return argc;
}

/* One line per problem, as every error of the tool. */
static void print_error(const char *message)
{
  g_autoptr(GError) error = g_error_new_literal(VH_ERROR, VH_ERROR_FAILED, message);

  cli_fail(error);
}

/* Warnings gathered since the last call (*PRINTED counts those already out). */
static void print_new_warnings(VhManager *manager, guint *printed)
{
  const GPtrArray *warnings = vh_manager_get_warnings(manager);

  for (; *printed < warnings->len; (*printed)++)
    cli_warn(g_ptr_array_index(warnings, *printed));
}

static const char *user_shell(void)
{
  const char *shell = g_getenv("SHELL");

  return shell != NULL && shell[0] != '\0' ? shell : "/bin/sh";
}

static int run_command(VhRun *run, gboolean shell, const char *const *command)
{
  const char *shell_argv[] = {user_shell(), NULL};
  g_autoptr(GError) error = NULL;

  if (shell) {
    g_autofree char *devices = g_strjoinv(" ", (char **)vh_run_get_addresses(run));
    fprintf(stderr, "vfio-hostdev: %s is a shell with %s on a VFIO driver; leaving it restores them\n",
            shell_argv[0], devices);
  }
  /* nothing of ours may come out after the command's output */
  fflush(stdout);
  fflush(stderr);
  int status = vh_run_command(run, shell ? shell_argv : command, &error);
  if (error != NULL)
    print_error(error->message);
  return status;
}

/* Binds, runs, restores; the exit status as the description says. */
static int bind_run_restore(const VhRunOptions *options, gboolean shell, const char *const *command)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VhRun) run = vh_run_new(&error);
  guint printed = 0;
  int status;

  if (run == NULL)
    return cli_fail(error);
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  vh_manager_recover_interrupted(manager);
  if (vh_run_setup(run, manager, options, &error)) {
    print_new_warnings(manager, &printed);
    status = run_command(run, shell, command);
  } else {
    print_new_warnings(manager, &printed);
    status = cli_fail(error);
  }
  g_autoptr(GPtrArray) problems = vh_run_restore(run, manager);
  print_new_warnings(manager, &printed);
  for (guint i = 0; i < problems->len; i++)
    print_error(g_ptr_array_index(problems, i));
  return problems->len > 0 ? VH_ERROR_UNFINISHED : status;
}

static int run_run(int argc, char **argv)
{
  g_auto(GStrv) devices = NULL, hugepages = NULL;
  g_autofree char *driver = NULL;
  gboolean group = FALSE, force = FALSE, noiommu = FALSE, shell = FALSE;
  const GOptionEntry entries[] = {
    {"device", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &devices, "A device to bind for the command (repeat for more)", "BDF"},
    {"hugepages", 0, 0, G_OPTION_ARG_STRING_ARRAY, &hugepages, "Hugepages that must be free during the run, e.g. 2M=512,1G=2", "SIZE=COUNT,..."},
    {"driver", 0, 0, G_OPTION_ARG_STRING, &driver, "The VFIO driver (a driver or module name) instead of the variant rule's", "NAME"},
    {"group", 0, 0, G_OPTION_ARG_NONE, &group, "Also bind the IOMMU group's members that hold a host driver", NULL},
    {"force", 0, 0, G_OPTION_ARG_NONE, &force, "Unbind even a device the host is using, or a PF whose VFs are in use", NULL},
    {"noiommu", 0, 0, G_OPTION_ARG_NONE, &noiommu, "Also bind a device that gets a no-IOMMU group (no DMA isolation)", NULL},
    {"shell", 's', 0, G_OPTION_ARG_NONE, &shell, "Run an interactive shell ($SHELL, else /bin/sh) instead of a command", NULL},
    {NULL},
  };
  int separator = find_separator(argc, argv);
  int option_argc = separator;
  g_autofree char **option_argv = g_new0(char *, separator + 1);
  const char *const *command = separator < argc ? (const char *const *)argv + separator + 1 : NULL;
  g_autoptr(VhRunOptions) options = vh_run_options_new();
  g_autoptr(GError) error = NULL;

  memcpy(option_argv, argv, separator * sizeof(char *));
  if (!cli_parse(&cmd_run, entries, run_description, &option_argc, &option_argv))
    return VH_ERROR_INVALID;
  if (option_argc > 1)
    return cli_usage_error(&cmd_run, "unexpected argument \"%s\": the command goes after --", option_argv[1]);
  if (devices == NULL)
    return cli_usage_error(&cmd_run, "missing -d BDF");
  if (command != NULL && command[0] == NULL)
    return cli_usage_error(&cmd_run, "missing COMMAND after --");
  if (shell == (command != NULL))
    return cli_usage_error(&cmd_run, shell ? "-s and a COMMAND exclude each other" : "missing -- COMMAND... or -s");
  for (guint i = 0; hugepages != NULL && hugepages[i] != NULL; i++)
    if (!vh_run_options_add_hugepages(options, hugepages[i], &error))
      return cli_usage_error(&cmd_run, "--hugepages: %s", error->message);
  for (guint i = 0; devices[i] != NULL; i++)
    vh_run_options_add_device(options, devices[i]);
  vh_run_options_set_driver(options, driver);
  vh_run_options_set_bind_flags(options, (group ? VH_BIND_GROUP : 0) | (force ? VH_BIND_FORCE : 0) |
                                             (noiommu ? VH_BIND_NOIOMMU : 0));
  return bind_run_restore(options, shell, command);
}
