// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/run/run-child.h"

#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "util/hd-error.h"

static void child_setup(gpointer user_data)
{
  hd_run_signals_release_in_child(user_data);
}

gboolean hd_run_child_spawn(const char *const *argv, char **envp, const HdRunSignals *signals, GPid *pid,
                            GError **error)
{
  /* The command is the user's: it keeps the tool's stdin and every
   * descriptor it was given (ours are close-on-exec). */
  const GSpawnFlags flags = G_SPAWN_SEARCH_PATH_FROM_ENVP | G_SPAWN_DO_NOT_REAP_CHILD |
                            G_SPAWN_CHILD_INHERITS_STDIN | G_SPAWN_LEAVE_DESCRIPTORS_OPEN;

  return g_spawn_async(NULL, (char **)argv, envp, flags, child_setup, (gpointer)signals, pid, error);
}

static int shell_status(int wait_status)
{
  if (WIFSIGNALED(wait_status))
    return 128 + WTERMSIG(wait_status);
  return WEXITSTATUS(wait_status);
}

/* The terminal's signals come from the kernel (SI_KERNEL); kill(2) and
 * sigqueue(3) say SI_USER/SI_QUEUE. */
static gboolean sent_by_terminal(const siginfo_t *info)
{
  return info->si_code == SI_KERNEL;
}

int hd_run_child_wait(GPid pid, HdRunSignals *signals, GError **error)
{
  for (;;) {
    int wait_status = 0;
    pid_t done = waitpid(pid, &wait_status, WNOHANG);
    siginfo_t info;
    int sig;

    if (done == pid)
      return shell_status(wait_status);
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
      kill(pid, sig);
  }
}

int hd_run_child_spawn_failure_status(const GError *error)
{
  return g_error_matches(error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT) ? 127 : 126;
}
