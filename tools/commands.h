/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The subcommands of vfio-hostdev; each parses its own options. */
#pragma once

#include "cli.h"

extern const CliCommand cmd_list;
extern const CliCommand cmd_show;
extern const CliCommand cmd_driver;
extern const CliCommand cmd_bind;
extern const CliCommand cmd_reattach;
extern const CliCommand cmd_unbind;
extern const CliCommand cmd_reset;
extern const CliCommand cmd_sriov;
extern const CliCommand cmd_status;
extern const CliCommand cmd_test;
extern const CliCommand cmd_doctor;
extern const CliCommand cmd_prepare;
extern const CliCommand cmd_release;
extern const CliCommand cmd_cdi;
extern const CliCommand cmd_recover;
extern const CliCommand cmd_run;
extern const CliCommand cmd_exec;
extern const CliCommand cmd_persist_apply;
extern const CliCommand cmd_unpersist;
