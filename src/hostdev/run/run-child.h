/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command `run` runs: started with the tool's standard streams and
 * descriptors and the held signals released in it, then waited for while
 * the tool forwards the signals it receives. */
#pragma once

#include <glib.h>

#include "hostdev/run/run-signals.h"

/* Starts ARGV (argv[0] looked up in PATH) with ENVP, in process group
 * GROUP (the guardian's; 0: a new one whose id is *PID), given the terminal when the tool is in the
 * terminal's foreground (*FOREGROUND then TRUE: take it back with
 * hd_run_child_take_terminal() once it ended), and killed if the tool dies.
 * FALSE with a G_SPAWN_ERROR when it cannot start (not found, not
 * executable). */
gboolean hd_run_child_spawn(const char *const *argv, char **envp, const HdRunSignals *signals, pid_t group,
                            GPid *pid, gboolean *foreground, GError **error);

/* Makes the tool's process group the terminal's foreground again. */
void hd_run_child_take_terminal(void);

/* Waits for PID to end. A terminating signal the tool receives meanwhile
 * is forwarded to process group GROUP, unless the terminal sent it (Ctrl-C, Ctrl-\, hang-up
 * go to the whole foreground process group, the command included, which
 * must not get them twice). Returns the status as a shell reports it: the
 * exit code, or 128 + the signal that killed it; -1 with ERROR when it
 * cannot be waited for (someone else reaped it). The ended command is left
 * a zombie (reap it with hd_run_child_reap() once the guardian is
 * stopped), so that no other process gets its pid meanwhile. */
int hd_run_child_wait(GPid pid, pid_t group, HdRunSignals *signals, GError **error);

/* Reaps the ended command PID (nothing for 0). */
void hd_run_child_reap(GPid pid);

/* The status a shell gives a command that could not start: 127 when it
 * was not found, 126 otherwise. */
int hd_run_child_spawn_failure_status(const GError *error);
