/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command `run` starts gets a process group of its own, and a
 * guardian: a small process forked by the tool before the command, that
 * leads the command's process group (so the group exists before the
 * command can start anything), waits for the tool's death
 * (PR_SET_PDEATHSIG) and then SIGKILLs that whole group. The
 * command's own parent-death signal reaches only the command; a child it
 * forked (a grandchild of the tool) would outlive a SIGKILLed `run` and
 * keep the devices open. Recovery of the devices and pools is then
 * `vfio-hostdev recover`'s. A process that leaves the group (setsid,
 * setpgid) leaves the guardian's reach too. */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* Forks the guardian, the leader of a new process group whose id is its
 * pid, for the command to join; 0 when it cannot (the run goes on without
 * one, the command in a group of its own). */
pid_t hd_run_guardian_start(void);

/* The command has ended and the tool has restored what the run changed
 * (a SIGKILL during the restore still ends the command's group): the
 * guardian is stopped and reaped. What the command left running in its
 * group is left alone (a VM it started on purpose): restoring a device it
 * holds is refused, exit 5. */
void hd_run_guardian_stop(pid_t guardian);
