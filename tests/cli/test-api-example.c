// SPDX-License-Identifier: LGPL-2.1-or-later
/* docs/examples/api-example.c, built against the public header and the
 * shared library only, run against the fake host: what it prints through
 * the API must agree with the fake kernel's tree, and its bind and
 * reattach must change the tree as the command's do. */
#include "bind-test-util.h"

#define E1000E "0000:01:00.0"
#define EDU "0000:00:02.0"

static void run_example(MockHost *host, CliResult *result, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autoptr(GError) error = NULL;

  cli_result_clear(result);
  g_ptr_array_add(argv, (gpointer)API_EXAMPLE_BIN);
  for (; *args != NULL; args++)
    g_ptr_array_add(argv, (gpointer)*args);
  g_ptr_array_add(argv, NULL);
  g_assert_true(mock_host_run(host, (const char *const *)argv->pdata, &result->out, &result->err, &result->status,
                              &error));
  g_assert_no_error(error);
  g_test_message("exit %d\nstdout:\n%s\nstderr:\n%s", result->status, result->out, result->err);
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The fake tree's devices, sorted, as the API lists them. */
static GPtrArray *tree_devices(MockHost *host)
{
  g_autofree char *dir = g_build_filename(mock_host_root(host), "sys/bus/pci/devices", NULL);
  g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const char *name;

  g_assert_nonnull(listing);
  while ((name = g_dir_read_name(listing)) != NULL)
    g_ptr_array_add(names, g_strdup(name));
  g_ptr_array_sort(names, compare_strings);
  return names;
}

/* "ADDRESS VVVV:DDDD driver=DRIVER group=N vfio=..." for ADDRESS as the tree has it. */
static void assert_line_matches_tree(MockHost *host, const char *line, const char *address)
{
  g_autofree char *driver = bt_driver(host, address);
  g_autofree char *prefix = g_strdup_printf("%s ", address);
  g_autofree char *driver_field = g_strdup_printf(" driver=%s ", driver != NULL ? driver : "-");

  g_assert_true(g_str_has_prefix(line, prefix));
  g_assert_nonnull(strstr(line, driver_field));
}

static void test_lists_every_device(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(GPtrArray) devices = tree_devices(host);
  g_auto(CliResult) result = {0};
  const char *const args[] = {NULL};

  run_example(host, &result, args);
  g_assert_cmpint(result.status, ==, 0);
  g_auto(GStrv) lines = g_strsplit(result.out, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, devices->len + 1); /* the last is empty */
  for (guint i = 0; i < devices->len; i++)
    assert_line_matches_tree(host, lines[i], g_ptr_array_index(devices, i));
}

static void test_shows_variant_choice(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  const char *const args[] = {EDU, NULL};

  run_example(host, &result, args);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "\nchoice " EDU ": qedu_mig\n"));
  g_assert_nonnull(strstr(result.out, "\ncandidate: qedu_mig (5 wildcards)\n"));
  g_assert_nonnull(strstr(result.out, "\ncandidate: vfio_pci (7 wildcards)\n"));
}

static void test_binds_and_reattaches(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  const char *const bind[] = {E1000E, "bind", NULL};
  const char *const reattach[] = {E1000E, "reattach", NULL};
  g_autofree char *group = cli_link_basename(host, "/sys/bus/pci/devices/" E1000E "/iommu_group");

  run_example(host, &result, bind);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "\nbind " E1000E ": bound, driver vfio-pci\n"));
  bt_assert_vfio(host, E1000E, "vfio-pci", group);
  run_example(host, &result, reattach);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "\nreattach " E1000E ": restored, driver e1000e\n"));
  bt_assert_original(host, E1000E, "e1000e", 0);
}

/* Errors come back as GErrors whose codes are the command's exit codes. */
static void test_errors_are_exit_codes(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};
  const char *const missing[] = {"0000:00:09.0", NULL};
  const char *const malformed[] = {"00:1g.0", NULL};

  run_example(host, &result, missing);
  g_assert_cmpint(result.status, ==, 3);
  g_assert_true(g_str_has_prefix(result.err, "error: "));
  run_example(host, &result, malformed);
  g_assert_cmpint(result.status, ==, 2);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/api-example/lists-every-device", test_lists_every_device);
  g_test_add_func("/api-example/shows-variant-choice", test_shows_variant_choice);
  g_test_add_func("/api-example/binds-and-reattaches", test_binds_and_reattaches);
  g_test_add_func("/api-example/errors-are-exit-codes", test_errors_are_exit_codes);
  return g_test_run();
}
