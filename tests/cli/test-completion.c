/* The bash completion (docs/completion/vfio-hostdev) run by bash under the
 * mock, as bash would run it for a user pressing TAB: it must offer the
 * commands, each command's options, and the fake host's PCI addresses. */
#include "cli-test.h"

/* The completions bash would offer for LINE (the cursor at its end), one
 * per element. */
static GStrv complete(MockHost *host, const char *line)
{
  g_autofree char *script = g_strdup_printf(
    "source '%s' || exit 9\n"
    "COMP_LINE=\"$1\"; COMP_POINT=${#COMP_LINE}\n"
    "read -ra COMP_WORDS <<<\"$COMP_LINE\"; COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
    "[[ $COMP_LINE == *' ' ]] && COMP_CWORD=${#COMP_WORDS[@]}\n"
    "_vfio_hostdev\n"
    "printf '%%s\\n' \"${COMPREPLY[@]}\"\n",
    COMPLETION_SCRIPT);
  const char *const argv[] = {"bash", "-c", script, "bash", line, NULL};
  g_auto(CliResult) result = {0};
  g_autoptr(GError) error = NULL;

  g_assert_true(mock_host_run(host, argv, &result.out, &result.err, &result.status, &error));
  g_assert_no_error(error);
  g_test_message("'%s' -> [%s] %s", line, result.out, result.err);
  g_assert_cmpint(result.status, ==, 0);
  g_assert_cmpstr(result.err, ==, "");
  return g_strsplit(g_strchomp(result.out), "\n", -1);
}

static void assert_offers(GStrv offered, const char *word)
{
  g_assert_true(g_strv_contains((const char *const *)offered, word));
}

static void test_commands(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(GStrv) all = complete(host, "vfio-hostdev ");
  g_auto(GStrv) some = complete(host, "vfio-hostdev re");

  for (const char *const *name = (const char *const[]){"list", "show", "driver", "bind", "reattach", "unbind",
                                                        "reset", "status", "test", "run", "doctor", NULL};
       *name != NULL; name++)
    assert_offers(all, *name);
  g_assert_cmpuint(g_strv_length(some), ==, 2);
  assert_offers(some, "reattach");
  assert_offers(some, "reset");
}

static void test_options(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(GStrv) bind = complete(host, "vfio-hostdev bind --");
  g_auto(GStrv) doctor = complete(host, "vfio-hostdev doctor --");
  g_auto(GStrv) iommu = complete(host, "vfio-hostdev test 00:02.0 --iommu ");

  assert_offers(bind, "--group");
  assert_offers(bind, "--dry-run");
  assert_offers(bind, "--driver");
  g_assert_cmpuint(g_strv_length(doctor), ==, 2);
  assert_offers(doctor, "--json");
  assert_offers(doctor, "--help");
  assert_offers(iommu, "iommufd");
}

/* Every address of the fake host, and no more. */
static void test_addresses(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(GStrv) offered = complete(host, "vfio-hostdev show ");
  g_autofree char *dir = g_build_filename(mock_host_root(host), "/sys/bus/pci/devices", NULL);
  g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
  const char *address;
  guint count = 0;

  g_assert_nonnull(listing);
  while ((address = g_dir_read_name(listing)) != NULL) {
    assert_offers(offered, address);
    count++;
  }
  g_assert_cmpuint(g_strv_length(offered), ==, count);
  assert_offers(offered, "0000:00:02.0");
}

/* bash splits words at ':', so after "0000:00:0" only the part after the
 * last ':' is replaced: the replies must be cut to match. */
static void test_address_after_colon(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(GStrv) offered = complete(host, "vfio-hostdev bind 0000:00:02");

  g_assert_cmpuint(g_strv_length(offered), ==, 1);
  g_assert_cmpstr(offered[0], ==, "02.0");
}

/* --driver offers the registered drivers; --method the device's methods. */
static void test_option_arguments(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(GStrv) drivers = complete(host, "vfio-hostdev bind --driver ");
  g_auto(GStrv) methods = complete(host, "vfio-hostdev reset 0000:03:00.0 --method ");
  g_autofree char *expected = mock_host_read_trim(host, "/sys/bus/pci/devices/0000:03:00.0/reset_method");
  g_auto(GStrv) expected_methods = g_strsplit(expected, " ", -1);

  assert_offers(drivers, "e1000e");
  assert_offers(drivers, "vfio_pci");
  g_assert_cmpuint(g_strv_length(methods), ==, g_strv_length(expected_methods));
  for (char **method = expected_methods; *method != NULL; method++)
    assert_offers(methods, *method);
}

/* Commands without an address argument offer none. */
static void test_no_addresses_for_list(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(GStrv) offered = complete(host, "vfio-hostdev list ");

  g_assert_cmpuint(g_strv_length(offered), ==, 0);
}

/* run: its options, addresses after -d, a command name after --. */
static void test_run(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(GStrv) options = complete(host, "vfio-hostdev run --");
  g_auto(GStrv) addresses = complete(host, "vfio-hostdev run -d 0000:00:02");
  g_auto(GStrv) command = complete(host, "vfio-hostdev run -d 0000:00:02.0 -- s");

  for (const char *const *name = (const char *const[]){"--device", "--hugepages", "--driver", "--group", "--force",
                                                        "--shell", "--", NULL};
       *name != NULL; name++)
    assert_offers(options, *name);
  g_assert_cmpuint(g_strv_length(addresses), ==, 1);
  g_assert_cmpstr(addresses[0], ==, "02.0");
  assert_offers(command, "sh");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/completion/commands", test_commands);
  g_test_add_func("/completion/options", test_options);
  g_test_add_func("/completion/addresses", test_addresses);
  g_test_add_func("/completion/address-after-colon", test_address_after_colon);
  g_test_add_func("/completion/option-arguments", test_option_arguments);
  g_test_add_func("/completion/no-addresses-for-list", test_no_addresses_for_list);
  g_test_add_func("/completion/run", test_run);
  return g_test_run();
}
