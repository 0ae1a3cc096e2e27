// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/run/run-guardian.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Not one a user sends a process group by habit, as SIGTERM or SIGHUP. */
#define PARENT_DIED_SIGNAL (SIGRTMIN + 3)

/* The guardian leads the command's process group, so it gets what the
 * tool forwards to the group and what the terminal sends its foreground
 * group: none of it is for the guardian. */
static void ignore_group_signals(void)
{
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP && sig != PARENT_DIED_SIGNAL)
      signal(sig, SIG_IGN);
}

/* The guardian's whole life, in the forked child of a process that may
 * have threads: async-signal-safe calls only. */
G_GNUC_NORETURN static void guard(pid_t tool)
{
  sigset_t died;
  int sig;

  setpgid(0, 0);
  ignore_group_signals();
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
  kill(-getpid(), SIGKILL); /* its group: the guardian goes with it */
  _exit(0);
}

pid_t hd_run_guardian_start(void)
{
  pid_t tool = getpid();
  pid_t pid = fork();

  if (pid == 0)
    guard(tool);
  if (pid < 0)
    return 0;
  setpgid(pid, pid); /* as the guardian does: whichever runs first */
  return pid;
}

void hd_run_guardian_stop(pid_t guardian)
{
  if (guardian <= 0)
    return;
  kill(guardian, SIGKILL);
  while (waitpid(guardian, NULL, 0) < 0 && errno == EINTR)
    ;
}
