// SPDX-License-Identifier: LGPL-2.1-or-later
/* vfio-hostdev: prepares PCI devices for VFIO passthrough. This file only
 * dispatches to the subcommands. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "config.h"

static const CliCommand *const commands[] = {
  &cmd_list,
  &cmd_show,
  &cmd_driver,
  &cmd_bind,
  &cmd_reattach,
  &cmd_unbind,
  &cmd_reset,
  &cmd_sriov,
  &cmd_status,
  &cmd_prepare,
  &cmd_release,
  &cmd_cdi,
  &cmd_recover,
  &cmd_exec,
  &cmd_test,
  &cmd_doctor,
  &cmd_run,
  &cmd_unpersist,
  &cmd_persist_apply,
};

static void print_usage(FILE *out)
{
  fprintf(out, "Usage: vfio-hostdev COMMAND [OPTIONS...]\n\nCommands:\n");
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    fprintf(out, "  %-13s %s\n", commands[i]->name, commands[i]->summary);
  fprintf(out, "\n'vfio-hostdev COMMAND --help' describes a command.\n\n%s", CLI_EXIT_CODES_HELP);
}

int main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  if (argc < 2) {
    print_usage(stderr);
    return VH_ERROR_INVALID;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    print_usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("vfio-hostdev %s\n", VFIO_HOSTDEV_VERSION);
    return 0;
  }
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    if (strcmp(argv[1], commands[i]->name) == 0)
      return commands[i]->run(argc - 1, argv + 1);
  fprintf(stderr, "vfio-hostdev: unknown command \"%s\" (see vfio-hostdev --help)\n", argv[1]);
  return VH_ERROR_INVALID;
}
