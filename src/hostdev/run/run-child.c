// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/run/run-child.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/hd-error.h"

typedef struct {
  const HdRunSignals *signals;
  pid_t group;         /* the process group to join; 0: a new one */
  gboolean foreground; /* the tool had the terminal: the command gets it */
} ChildSetup;

/* Makes the calling process's group the terminal's foreground, which a
 * background group may do only with SIGTTOU blocked. Async-signal-safe:
 * the command calls it between fork and exec. */
static void take_terminal(void)
{
  sigset_t ttou, old;

  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  pthread_sigmask(SIG_BLOCK, &ttou, &old);
  tcsetpgrp(STDIN_FILENO, getpgrp());
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Between fork and exec, in the command: the guardian's process group,
 * the terminal when the tool had it, death with the tool (what the
 * guardian does for the group, for a run without one). */
static void child_setup(gpointer user_data)
{
  const ChildSetup *setup = user_data;

  setpgid(0, setup->group);
  if (setup->foreground)
    take_terminal();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  hd_run_signals_release_in_child(setup->signals);
}

static gboolean has_terminal(void)
{
  return isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
}

gboolean hd_run_child_spawn(const char *const *argv, char **envp, const HdRunSignals *signals, pid_t group,
                            GPid *pid, gboolean *foreground, GError **error)
{
  /* The command is the user's: it keeps the tool's stdin and every
   * descriptor it was given (ours are close-on-exec). */
  const GSpawnFlags flags = G_SPAWN_SEARCH_PATH_FROM_ENVP | G_SPAWN_DO_NOT_REAP_CHILD |
                            G_SPAWN_CHILD_INHERITS_STDIN | G_SPAWN_LEAVE_DESCRIPTORS_OPEN;
  ChildSetup setup = {signals, group, has_terminal()};

  if (!g_spawn_async(NULL, (char **)argv, envp, flags, child_setup, &setup, pid, error))
    return FALSE;
  setpgid(*pid, group != 0 ? group : *pid); /* as the child does: whichever runs first */
  *foreground = setup.foreground;
  return TRUE;
}

void hd_run_child_take_terminal(void)
{
  take_terminal();
}

static int shell_status(const siginfo_t *info)
{
  if (info->si_code == CLD_KILLED || info->si_code == CLD_DUMPED)
    return 128 + info->si_status;
  return info->si_status;
}

/* The terminal's signals come from the kernel (SI_KERNEL); kill(2) and
 * sigqueue(3) say SI_USER/SI_QUEUE. */
static gboolean sent_by_terminal(const siginfo_t *info)
{
  return info->si_code == SI_KERNEL;
}

int hd_run_child_wait(GPid pid, pid_t group, HdRunSignals *signals, GError **error)
{
  for (;;) {
    siginfo_t ended = {0};
    /* not reaped (WNOWAIT): its pid stays its own, so the process group
     * the guardian may kill cannot be another's (hd_run_child_reap) */
    int done = waitid(P_PID, (id_t)pid, &ended, WEXITED | WNOHANG | WNOWAIT);
    siginfo_t info;
    int sig;

    if (done == 0 && ended.si_pid == pid)
      return shell_status(&ended);
    if (done < 0 && errno != EINTR) {
      /* not with SIGCHLD at its default action; but never spin */
      int saved = errno;
      g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "lost track of the command (pid %d): %s", (int)pid,
                  g_strerror(saved));
      return -1;
    }
    /* a command that ends after waitpid() leaves SIGCHLD pending: no lost wake-up */
    sig = hd_run_signals_wait(signals, &info);
    if (sig > 0 && sig != SIGCHLD && !sent_by_terminal(&info))
      kill(-group, sig); /* the command's process group: what it started too */
  }
}

void hd_run_child_reap(GPid pid)
{
  if (pid <= 0)
    return;
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

int hd_run_child_spawn_failure_status(const GError *error)
{
  return g_error_matches(error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT) ? 127 : 126;
}
