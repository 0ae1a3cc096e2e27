// SPDX-License-Identifier: LGPL-2.1-or-later
/* prepare --user on a host with iommufd (the realistic fake host: /dev/iommu
 * and cdevs) gives the user a POSIX ACL entry on /dev/iommu, never its owner
 * or mode: one entry per user, kept while any owner of that user holds
 * devices, removed with the last; two users get two entries; a prepare
 * killed at any step is rolled back by recover without taking the entry
 * from the user's other owner. */
#include "managed-test-util.h"

#define EDU_R "0000:00:02.0"
#define VIRTIO_R "0000:00:03.0"

static void prepare_ok(MockHost *host, const char *owner, const char *user, const char *address)
{
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "prepare", "--owner", owner, "--user", user, address, NULL);
  g_assert_cmpint(result.status, ==, 0);
}

static void release_ok(MockHost *host, const char *owner)
{
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "release", "--owner", owner, NULL);
  g_assert_cmpint(result.status, ==, 0);
}

/* "ENTRIES;mode=..." with the mode of BEFORE (what mt_iommu_acl gave with no ACL) */
static char *acl_with(const char *entries, const char *before)
{
  return g_strconcat(entries, strchr(before, ';'), NULL);
}

static guint mode_group_bits(const char *acl)
{
  return (guint)g_ascii_strtoull(strstr(acl, "mode=") + 5, NULL, 8) & 070;
}

static void test_acl_same_user(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autofree char *before = mt_iommu_acl(host);
  g_autofree char *held = NULL, *still = NULL, *after = NULL;

  g_assert_cmpstr(before, ==, strchr(before, ';')); /* no named entry yet */
  g_assert_cmpint(mt_uid(host, "/dev/iommu"), ==, 0);
  prepare_ok(host, "vm1", "nobody", EDU_R);
  held = mt_iommu_acl(host);
  g_assert_true(g_str_has_prefix(held, "65534:6;"));
  /* the mask (the group bits) lets the entry read and write */
  g_assert_cmpuint(mode_group_bits(held), ==, 060);
  g_assert_cmpint(mt_uid(host, "/dev/iommu"), ==, 0);
  g_autofree char *journal = mock_host_read(host, "/run/vfio-hostdev/owner-vm1.journal");
  g_assert_nonnull(strstr(journal, "iommu_acl=held"));

  prepare_ok(host, "vm2", "nobody", VIRTIO_R);
  g_autofree char *both = mt_iommu_acl(host);
  g_assert_cmpstr(both, ==, held);
  release_ok(host, "vm1");
  still = mt_iommu_acl(host);
  g_assert_cmpstr(still, ==, held);
  release_ok(host, "vm2");
  after = mt_iommu_acl(host);
  g_assert_cmpstr(after, ==, before);
  g_assert_cmpint(mt_uid(host, "/dev/iommu"), ==, 0);
}

static void test_acl_two_users(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autofree char *before = mt_iommu_acl(host);
  g_autofree char *both = acl_with("1:6,65534:6", before);
  g_autofree char *one = acl_with("1:6", before);

  prepare_ok(host, "vm1", "nobody", EDU_R);
  prepare_ok(host, "vm2", "daemon", VIRTIO_R);
  g_autofree char *now = mt_iommu_acl(host);
  g_assert_cmpstr(now, ==, both);
  release_ok(host, "vm1");
  g_autofree char *left = mt_iommu_acl(host);
  g_assert_cmpstr(left, ==, one);
  release_ok(host, "vm2");
  g_autofree char *after = mt_iommu_acl(host);
  g_assert_cmpstr(after, ==, before);
}

/* iommufd charges one limit per user: --memlock-needed of a second VM of
 * nobody's names the first's need too (from its journal). */
static void test_memlock_per_user(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "prepare", "--owner", "vm1", "--user", "nobody", "--memlock-needed", "1G", "--qemu-version",
          "9.0", EDU_R, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_autofree char *journal = mock_host_read(host, "/run/vfio-hostdev/owner-vm1.journal");
  g_assert_nonnull(strstr(journal, "memlock=1073741824\n"));
  cli_run(host, &result, "prepare", "--owner", "vm2", "--user", "nobody", "--memlock-needed", "2G", "--qemu-version",
          "9.0", VIRTIO_R, NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.err, "with its 1 other VM(s) held here (1 of them saying 1048576 KiB), at least "
                                      "3145728 KiB in all"));
  /* the legacy container charges each VMM alone: nothing summed */
  cli_run(host, &result, "prepare", "--owner", "vm3", "--user", "nobody", "--memlock-needed", "2G", "--qemu-version",
          "7.2", "0000:00:04.0", NULL);
  g_assert_null(strstr(result.err, "in all"));
  g_assert_nonnull(strstr(result.err, "counts each VMM process on its own"));
}

/* vm1 holds the entry for nobody; vm2's prepare for nobody (of edu, on its
 * VFIO driver already: binding virtio would load virtio_vfio_pci, which a
 * rollback rightly leaves loaded) is killed before each durable step and
 * recovered: vm1's entry stays, all else as before. */
#define MAX_STEPS 20

/* Recovery puts everything back, so one host serves every step. */
static void test_acl_crash(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  const char *const args[] = {"prepare", "--owner", "vm2", "--user", "nobody", EDU_R, NULL};
  guint step = 1;

  prepare_ok(host, "vm1", "nobody", VIRTIO_R);
  g_autofree char *held = mt_iommu_acl(host);
  g_autofree char *state = mt_state_hash(host);
  for (; step <= MAX_STEPS; step++) {
    if (!mt_crash_then_recover(host, step, args, &result))
      break;
    g_autofree char *now = mt_iommu_acl(host);
    g_assert_cmpstr(now, ==, held);
    g_autofree char *state_now = mt_state_hash(host);
    g_assert_cmpstr(state_now, ==, state);
  }
  g_test_message("prepare has %u durable steps", step - 1);
  g_assert_cmpuint(step, >, 3);
  g_assert_cmpuint(step, <=, MAX_STEPS);
}

/* vm1's prepare killed before each step, alone: recover leaves no entry. */
static void test_acl_crash_last(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  const char *const args[] = {"prepare", "--owner", "vm1", "--user", "nobody", EDU_R, NULL};
  g_autofree char *state = mt_state_hash(host);
  guint step = 1;

  for (; step <= MAX_STEPS; step++) {
    if (!mt_crash_then_recover(host, step, args, &result))
      break;
    g_autofree char *state_now = mt_state_hash(host);
    g_assert_cmpstr(state_now, ==, state);
  }
  g_assert_cmpuint(step, >, 3);
  g_assert_cmpuint(step, <=, MAX_STEPS);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/iommu-acl/same-user", test_acl_same_user);
  g_test_add_func("/iommu-acl/two-users", test_acl_two_users);
  g_test_add_func("/iommu-acl/memlock-per-user", test_memlock_per_user);
  g_test_add_func("/iommu-acl/crash-other-owner", test_acl_crash);
  g_test_add_func("/iommu-acl/crash-last-owner", test_acl_crash_last);
  return g_test_run();
}
