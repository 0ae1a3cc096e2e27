// SPDX-License-Identifier: LGPL-2.1-or-later
/* The --memlock-needed warning: what it says for a VMM running as another
 * user (its limit cannot be known here) under each accounting, and that a
 * user that does not exist is not taken for root. */
#include <string.h>

#include "hostdev/managed/memlock.h"

static void test_other_user(void)
{
  g_autofree char *container = hd_memlock_warning(1024 * 1024 * 1024, "nobody", FALSE, "vm1");
  g_autofree char *iommufd = hd_memlock_warning(1024 * 1024 * 1024, "65534", TRUE, "vm1");

  g_assert_nonnull(container);
  g_assert_nonnull(strstr(container, "cannot check from here whether a VMM running as nobody may pin the 1048576 KiB"));
  g_assert_nonnull(strstr(container, "CAP_IPC_LOCK"));
  g_assert_nonnull(strstr(container, "counts each VMM process on its own"));
  g_assert_nonnull(iommufd);
  g_assert_nonnull(strstr(iommufd, "iommufd counts the pinned memory of all of that user's processes together"));
  g_assert_null(strchr(iommufd, '\n'));
}

static void test_unknown_user_is_not_root(void)
{
  g_autofree char *warning = hd_memlock_warning(4096, "no-such-user-anywhere", FALSE, "vm1");

  g_assert_nonnull(warning);
  g_assert_nonnull(strstr(warning, "no-such-user-anywhere"));
}

/* Nothing in doubt: a need of 0 bytes is below any limit. */
static void test_root_nothing_needed(void)
{
  g_autofree char *warning = hd_memlock_warning(0, NULL, FALSE, "vm1");

  g_assert_null(warning);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/memlock/other-user", test_other_user);
  g_test_add_func("/memlock/unknown-user-is-not-root", test_unknown_user_is_not_root);
  g_test_add_func("/memlock/root-nothing-needed", test_root_nothing_needed);
  return g_test_run();
}
