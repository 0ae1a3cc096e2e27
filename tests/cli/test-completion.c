// SPDX-License-Identifier: LGPL-2.1-or-later
/* The bash completion (docs/completion/vfio-hostdev) run by bash under the
 * mock, as bash would run it for a user pressing TAB: it must offer the
 * commands, each command's options, and the fake host's PCI addresses.
 * Also the man page's source (docs/vfio-hostdev.1.scd.in): both must know
 * every command of `vfio-hostdev --help` and every option of its own
 * --help, so that neither falls behind the tool. */
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
                                                        "reset", "status", "prepare", "release", "recover", "test",
                                                        "run", "doctor", "unpersist", "persist-apply", NULL};
       *name != NULL; name++)
    assert_offers(all, *name);
  g_assert_cmpuint(g_strv_length(some), ==, 4); /* reattach, reset, release, recover */
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
  assert_offers(bind, "--persist");
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

/* The commands `vfio-hostdev --help` lists. */
static GPtrArray *help_commands(MockHost *host)
{
  g_auto(CliResult) result = {0};
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  gboolean in_list = FALSE;

  cli_run(host, &result, "--help", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_auto(GStrv) lines = g_strsplit(result.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    if (g_str_equal(lines[i], "Commands:")) {
      in_list = TRUE;
      continue;
    }
    if (in_list && lines[i][0] == '\0')
      break;
    g_auto(GStrv) words = g_strsplit_set(g_strstrip(lines[i]), " ", 2);
    if (in_list && words[0] != NULL)
      g_ptr_array_add(names, g_strdup(words[0]));
  }
  g_assert_cmpuint(names->len, >, 10);
  return names;
}

/* The options of `vfio-hostdev COMMAND --help` ("--json", "-d"...), but
 * -h and --help, which every command has. */
static GPtrArray *help_options(MockHost *host, const char *command)
{
  g_auto(CliResult) result = {0};
  GPtrArray *options = g_ptr_array_new_with_free_func(g_free);

  cli_run(host, &result, command, "--help", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_auto(GStrv) lines = g_strsplit(result.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    const char *line = lines[i];
    /* GOption's lines: "  -d, --device=BDF   ..." or "  --json   ..." */
    if (!g_str_has_prefix(line, "  -"))
      continue;
    g_auto(GStrv) words = g_strsplit_set(g_strstrip((char *)line), " =,", -1);
    /* ", " between a short and a long form leaves an empty word */
    for (guint w = 0; words[w] != NULL && (words[w][0] == '-' || words[w][0] == '\0'); w++)
      if (words[w][0] != '\0' && !g_str_equal(words[w], "-h") && !g_str_equal(words[w], "--help"))
        g_ptr_array_add(options, g_strdup(words[w]));
  }
  return options;
}

/* Every command of the tool is offered, and every option of each. */
static void test_every_command_and_option(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(GPtrArray) commands = help_commands(host);
  g_auto(GStrv) offered = complete(host, "vfio-hostdev ");

  for (guint i = 0; i < commands->len; i++) {
    const char *command = g_ptr_array_index(commands, i);
    g_autoptr(GPtrArray) options = help_options(host, command);
    g_autofree char *line = g_strdup_printf("vfio-hostdev %s -", command);
    g_auto(GStrv) offered_options = complete(host, line);
    g_test_message("%s: %u options", command, options->len);
    assert_offers(offered, command);
    for (guint o = 0; o < options->len; o++)
      assert_offers(offered_options, g_ptr_array_index(options, o));
  }
}

/* prepare and release: files after --xml, users after --user, and for
 * release the owners that hold devices. */
static void test_managed(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_auto(CliResult) result = {0};

  cli_run(host, &result, "prepare", "--owner", "vm1", "0000:01:00.0", NULL);
  g_assert_cmpint(result.status, ==, 0);
  g_auto(GStrv) owners = complete(host, "vfio-hostdev release --owner ");
  g_auto(GStrv) new_owner = complete(host, "vfio-hostdev prepare --owner ");
  g_auto(GStrv) users = complete(host, "vfio-hostdev prepare --owner vm2 --user roo");
  g_auto(GStrv) files = complete(host, "vfio-hostdev prepare --owner vm2 --xml /et");
  g_auto(GStrv) addresses = complete(host, "vfio-hostdev prepare --owner vm2 0000:00:02");
  g_auto(GStrv) no_addresses = complete(host, "vfio-hostdev release ");

  g_assert_cmpuint(g_strv_length(owners), ==, 1);
  g_assert_cmpstr(owners[0], ==, "vm1");
  g_assert_cmpuint(g_strv_length(new_owner), ==, 0);
  assert_offers(users, "root");
  assert_offers(files, "/etc");
  g_assert_cmpuint(g_strv_length(addresses), ==, 1);
  g_assert_cmpstr(addresses[0], ==, "02.0");
  g_assert_cmpuint(g_strv_length(no_addresses), ==, 0);
}

/* The lines of the man page's COMMANDS section that belong to COMMAND:
 * from its heading line ("*bind* _BDF_...") to the next command's. */
static char *man_block(const char *man, const char *command)
{
  g_autofree char *heading = g_strdup_printf("\n*%s*", command);
  const char *start = strstr(man, heading);
  const char *end = NULL;

  if (start == NULL)
    return NULL;
  start++;
  for (end = strchr(start, '\n'); end != NULL; end = strchr(end + 1, '\n'))
    if ((end[1] == '*' && g_ascii_islower(end[2])) || end[1] == '#')
      break;
  return end != NULL ? g_strndup(start, (gsize)(end - start)) : g_strdup(start);
}

/* The man page has every command, and every option in that command's
 * section ("*--json*", "*-d*"). */
static void test_man_page(void)
{
  g_autoptr(MockHost) host = cli_host("q35-zoo");
  g_autoptr(GPtrArray) commands = help_commands(host);
  g_autofree char *man = NULL;

  g_assert_true(g_file_get_contents(MAN_SOURCE, &man, NULL, NULL));
  for (guint i = 0; i < commands->len; i++) {
    const char *command = g_ptr_array_index(commands, i);
    g_autoptr(GPtrArray) options = help_options(host, command);
    g_autofree char *block = man_block(man, command);
    if (block == NULL)
      g_error("the man page has no section for %s", command);
    for (guint o = 0; o < options->len; o++) {
      g_autofree char *marked = g_strdup_printf("*%s*", (const char *)g_ptr_array_index(options, o));
      if (strstr(block, marked) == NULL)
        g_error("the man page's %s section does not document %s", command, marked);
    }
  }
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
  g_test_add_func("/completion/every-command-and-option", test_every_command_and_option);
  g_test_add_func("/completion/managed", test_managed);
  g_test_add_func("/man/every-command-and-option", test_man_page);
  return g_test_run();
}
