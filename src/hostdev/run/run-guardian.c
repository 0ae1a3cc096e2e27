// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/run/run-guardian.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Not one a user sends a process group by habit, as SIGTERM or SIGHUP. */
#define PARENT_DIED_SIGNAL (SIGRTMIN + 3)

/* The guardian's whole life, in the forked child of a process that may
 * have threads: async-signal-safe calls only. */
G_GNUC_NORETURN static void guard(pid_t tool, pid_t pgid)
{
  sigset_t died;
  int sig;

  sigemptyset(&died);
  sigaddset(&died, PARENT_DIED_SIGNAL);
  sigprocmask(SIG_BLOCK, &died, NULL);
  /* no descriptor of the tool kept open: a pipe reader would wait for us,
   * a lock would stay held */
  close_range(0, ~0U, 0);
  prctl(PR_SET_PDEATHSIG, PARENT_DIED_SIGNAL);
  /* the tool may have died before the line above */
  while (getppid() == tool)
    sigwait(&died, &sig);
  kill(-pgid, SIGKILL);
  _exit(0);
}

pid_t hd_run_guardian_start(pid_t pgid)
{
  pid_t tool = getpid();
  pid_t pid = fork();

  if (pid == 0)
    guard(tool, pgid);
  return pid < 0 ? 0 : pid;
}

void hd_run_guardian_stop(pid_t guardian)
{
  if (guardian <= 0)
    return;
  kill(guardian, SIGKILL);
  while (waitpid(guardian, NULL, 0) < 0 && errno == EINTR)
    ;
}
