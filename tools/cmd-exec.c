// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>
#include <string.h>

#include "commands.h"

static int run_exec(int argc, char **argv);

const CliCommand cmd_exec = {
  "exec", "--owner NAME [--user USER] -- VMM [ARGS...]",
  "Run an owner's VMM as its user with the devices' descriptors open and their arguments.", run_exec,
};

static const char exec_description[] =
  "Replaces itself with VMM ARGS... plus the QEMU arguments of the owner's devices (as prepared).\n"
  "With the iommufd form (QEMU >= 9.0, a host with /dev/iommu and cdevs) /dev/iommu and each\n"
  "device's cdev are opened here and inherited: -object iommufd,id=iommufd0,fd=N and\n"
  "-device vfio-pci,host=BDF,iommufd=iommufd0,fd=M. With the group form nothing is opened (QEMU\n"
  "opens the group node itself) and the arguments are prepare's. The VMM runs as USER (default:\n"
  "the owner's --user; another only with the iommufd form), its groups, group and user set and\n"
  "checked. The QEMU version comes from --qemu-version, --qemu, or else from VMM -version.\n"
  "Exit status: the VMM's once it runs; before that 2 (usage), 3 (the owner holds nothing),\n"
  "4 (an operation of the owner running or interrupted, a device off VFIO, another user with\n"
  "the group form) or 1 (a node cannot be opened, privileges cannot be dropped, VMM cannot run).";

/* Index of the first "--" in ARGV, or ARGC: the VMM's own options are not ours. */
static int find_separator(int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--") == 0)
      return i;
  return argc;
}

/* --qemu-version, --qemu PATH, or the VMM itself. */
static gboolean read_qemu_version(const char *version, const char *qemu, const char *vmm, guint *major,
                                  guint *minor, GError **error)
{
  if (version != NULL)
    return vh_qemu_version_parse(version, major, minor, error);
  if (vh_qemu_version_query(qemu != NULL ? qemu : vmm, major, minor, error))
    return TRUE;
  if (qemu == NULL)
    g_prefix_error(error, "give --qemu-version X.Y or --qemu PATH: ");
  return FALSE;
}

static int run_exec(int argc, char **argv)
{
  g_autofree char *owner = NULL, *user = NULL, *qemu_version = NULL, *qemu = NULL;
  const GOptionEntry entries[] = {
    {"owner", 0, 0, G_OPTION_ARG_STRING, &owner, "The VM whose devices the VMM gets", "NAME"},
    {"user", 0, 0, G_OPTION_ARG_STRING, &user, "Run the VMM as this user (name or uid; default: the owner's --user)", "USER"},
    {"qemu-version", 0, 0, G_OPTION_ARG_STRING, &qemu_version, "The VMM is QEMU X.Y: iommufd forms from 9.0 on", "X.Y"},
    {"qemu", 0, 0, G_OPTION_ARG_FILENAME, &qemu, "Ask this QEMU binary its version (PATH -version)", "PATH"},
    {NULL},
  };
  int separator = find_separator(argc, argv);
  int option_argc = separator;
  g_autofree char **option_argv = g_new0(char *, separator + 1);
  const char *const *vmm = separator < argc ? (const char *const *)argv + separator + 1 : NULL;
  g_autoptr(GError) error = NULL;
  guint major = 0, minor = 0;

  memcpy(option_argv, argv, separator * sizeof(char *));
  if (!cli_parse(&cmd_exec, entries, exec_description, &option_argc, &option_argv))
    return VH_ERROR_INVALID;
  if (option_argc > 1)
    return cli_usage_error(&cmd_exec, "unexpected argument \"%s\": the VMM goes after --", option_argv[1]);
  if (owner == NULL)
    return cli_usage_error(&cmd_exec, "--owner NAME is required");
  if (vmm == NULL || vmm[0] == NULL)
    return cli_usage_error(&cmd_exec, "missing -- VMM");
  if (qemu_version != NULL && qemu != NULL)
    return cli_usage_error(&cmd_exec, "give either --qemu-version X.Y or --qemu PATH, not both");
  if (!read_qemu_version(qemu_version, qemu, vmm[0], &major, &minor, &error))
    return cli_fail(error);
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  if (manager == NULL)
    return cli_fail(error);
  g_autoptr(VhExecPlan) plan = vh_exec_plan_new(manager, owner, user, major, minor, &error);
  cli_print_warnings(manager);
  if (plan == NULL)
    return cli_fail(error);
  fflush(stdout);
  fflush(stderr);
  vh_exec_plan_exec(plan, vmm, &error);
  return cli_fail(error);
}
