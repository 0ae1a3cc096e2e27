// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/run/run-signals.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "util/hd-error.h"

static const int terminating_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

gboolean hd_run_signals_hold(HdRunSignals *signals, GError **error)
{
  int rc;

  sigemptyset(&signals->terminating);
  for (gsize i = 0; i < G_N_ELEMENTS(terminating_signals); i++)
    sigaddset(&signals->terminating, terminating_signals[i]);
  signals->waited = signals->terminating;
  sigaddset(&signals->waited, SIGCHLD);
  if ((rc = pthread_sigmask(SIG_BLOCK, &signals->waited, &signals->original)) != 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "cannot block signals: %s", g_strerror(rc));
    return FALSE;
  }
  signal(SIGCHLD, SIG_DFL);
  return TRUE;
}

int hd_run_signals_take_pending(HdRunSignals *signals)
{
  const struct timespec now = {0, 0};
  int sig;

  do
    sig = sigtimedwait(&signals->terminating, NULL, &now);
  while (sig < 0 && errno == EINTR);
  return sig > 0 ? sig : 0;
}

int hd_run_signals_wait(HdRunSignals *signals, siginfo_t *info)
{
  memset(info, 0, sizeof(*info));
  return sigwaitinfo(&signals->waited, info);
}

void hd_run_signals_release_in_child(const HdRunSignals *signals)
{
  pthread_sigmask(SIG_SETMASK, &signals->original, NULL);
}
