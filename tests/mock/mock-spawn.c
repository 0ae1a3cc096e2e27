// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-spawn.c: the library's kernel write helper (util/kernel-write.h)
 * is run from its installed path, which a test build has not installed:
 * posix_spawn() of that path runs the build tree's helper instead. The
 * helper inherits the environment, so it runs under this preload too and
 * its write reaches the fake kernel, from its own process: a delayed or
 * held operation goes on after the tool has exited, as in the kernel. */
#include "mock-preload.h"

#include <spawn.h>
#include <string.h>

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
  if (strcmp(path, MOCK_WRITE_HELPER_INSTALLED) == 0)
    path = MOCK_WRITE_HELPER_BUILT;
  return MOCK_REAL(posix_spawn)(pid, path, actions, attr, argv, envp);
}
