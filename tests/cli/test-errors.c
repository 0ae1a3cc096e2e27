// SPDX-License-Identifier: LGPL-2.1-or-later
/* Bad input: every malformed address, absent device and bad usage gets its
 * documented exit code and a one-line error, and changes nothing. */
#include "cli-test.h"

static const char *const malformed[] = {
  "zz:00.0", "0000:00:02.8", "0000:00:20.0", "../00:02.0", "", "0000:00:02", "0000:00:02.0 ", " 00:02.0",
  "000:00:02.0", "0000:000:02.0", "0000:00:02.0/..", "0x00:02.0", "00:02.0\n", "-1:00:02.0",
};

static void test_malformed_addresses(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");

  for (guint i = 0; i < G_N_ELEMENTS(malformed); i++) {
    g_auto(CliResult) show = {0};
    g_auto(CliResult) driver = {0};

    cli_run(host, &show, "show", malformed[i], NULL);
    g_assert_cmpint(show.status, ==, 2);
    cli_assert_one_line(show.err);
    /* a leading '-' reads as an (unknown) option: still a usage error */
    if (malformed[i][0] != '-')
      g_assert_nonnull(strstr(show.err, "invalid PCI address"));
    g_assert_cmpstr(show.out, ==, "");

    cli_run(host, &driver, "driver", malformed[i], NULL);
    g_assert_cmpint(driver.status, ==, 2);
    cli_assert_one_line(driver.err);
  }
}

static void test_absent_device(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "show", "0000:0f:1f.7", NULL);
  g_assert_cmpint(result.status, ==, 3);
  cli_assert_one_line(result.err);
  g_assert_nonnull(strstr(result.err, "0000:0f:1f.7"));

  cli_run(host, &result, "driver", "0f:1f.7", "--json", NULL);
  g_assert_cmpint(result.status, ==, 3);
  cli_assert_one_line(result.err);
  /* a wide domain that does not exist */
  cli_run(host, &result, "show", "10000:00:02.0", NULL);
  g_assert_cmpint(result.status, ==, 3);
}

static void test_bad_usage(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  const char *const *cases[] = {
    (const char *const[]){"frobnicate", NULL},
    (const char *const[]){"list", "--no-such-option", NULL},
    (const char *const[]){"list", "extra", NULL},
    (const char *const[]){"show", NULL},
    (const char *const[]){"show", "00:02.0", "00:03.0", NULL},
    (const char *const[]){"driver", NULL},
    (const char *const[]){"driver", "00:02.0", "--modalias", "pci:v00001234d000011E8sv*", NULL},
    (const char *const[]){"driver", "--modalias", "usb:v1234p5678", NULL},
    (const char *const[]){"driver", "--modalias", "pci:v0000 1234", NULL},
    (const char *const[]){"driver", "--modalias", "pci:v00001234", "--modules-dir", "/nonexistent/dir", NULL},
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GError) error = NULL;
    int status = -1;

    g_ptr_array_add(argv, (gpointer)VFIO_HOSTDEV_BIN);
    for (const char *const *arg = cases[i]; *arg != NULL; arg++)
      g_ptr_array_add(argv, (gpointer)*arg);
    g_ptr_array_add(argv, NULL);
    g_assert_true(mock_host_run(host, (const char *const *)argv->pdata, &out, &err, &status, &error));
    g_test_message("case %u: %s", i, err);
    g_assert_cmpint(status, ==, 2);
    cli_assert_one_line(err);
  }
}

static void test_help(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  const char *const commands[] = {"list", "show", "driver"};
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "--help", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_nonnull(strstr(result.out, "Exit status"));
  for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
    cli_run(host, &result, commands[i], "--help", NULL);
    g_assert_cmpint(result.status, ==, 0);
    g_assert_nonnull(strstr(result.out, commands[i]));
    g_assert_nonnull(strstr(result.out, "Exit status"));
    g_assert_nonnull(strstr(result.out, "--json"));
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/errors/malformed-addresses", test_malformed_addresses);
  g_test_add_func("/errors/absent-device", test_absent_device);
  g_test_add_func("/errors/bad-usage", test_bad_usage);
  g_test_add_func("/errors/help", test_help);
  return g_test_run();
}
