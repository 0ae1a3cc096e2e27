/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The signals that would end `run` before it has put back what it changed:
 * SIGINT (Ctrl-C), SIGTERM (kill, service managers), SIGHUP (a closed
 * terminal) and SIGQUIT (Ctrl-\). They are blocked for the whole run,
 * binding and restoring included, so that no signal can cut either short;
 * while the command runs they are taken synchronously (sigwaitinfo) and
 * forwarded to it (run-child.h). SIGCHLD is blocked too: its arrival is how
 * the wait learns that the command ended. */
#pragma once

#include <glib.h>
#include <signal.h>

typedef struct {
  sigset_t terminating; /* SIGINT, SIGTERM, SIGHUP, SIGQUIT */
  sigset_t waited;      /* the same plus SIGCHLD */
  sigset_t original;    /* the mask before: the command gets it back */
} HdRunSignals;

/* Blocks them in the calling thread, which every thread started later
 * inherits: call it before anything starts a thread (bind does), or a
 * signal could be delivered to a thread that does not block it and end the
 * process. Also puts SIGCHLD back to its default action: a parent that
 * ignored it would make the kernel reap the command before we can wait. */
gboolean hd_run_signals_hold(HdRunSignals *signals, GError **error);

/* A terminating signal that arrived and is still pending, taken (so it
 * ends nothing later), or 0. */
int hd_run_signals_take_pending(HdRunSignals *signals);

/* Waits for the next held signal (terminating or SIGCHLD); INFO tells who
 * sent it. Returns the signal, or -1 when the wait was interrupted. */
int hd_run_signals_wait(HdRunSignals *signals, siginfo_t *info);

/* In the command's process, between fork and exec: its mask as the tool's
 * was before. Async-signal-safe. */
void hd_run_signals_release_in_child(const HdRunSignals *signals);
