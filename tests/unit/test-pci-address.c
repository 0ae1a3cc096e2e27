// SPDX-License-Identifier: LGPL-2.1-or-later
/* In-process tests of PCI address parsing, formatting and ordering. */
#include <string.h>

#include "util/hd-error.h"
#include "util/pci-address.h"

typedef struct {
  const char *text;
  guint32 domain;
  guint8 bus;
  guint8 slot;
  guint8 function;
  const char *canonical;
} ValidCase;

static const ValidCase valid_cases[] = {
  { "0000:00:02.0", 0x0000, 0x00, 0x02, 0, "0000:00:02.0" },
  { "00:02.0", 0x0000, 0x00, 0x02, 0, "0000:00:02.0" },
  { "0000:3b:00.1", 0x0000, 0x3b, 0x00, 1, "0000:3b:00.1" },
  { "0000:3B:00.1", 0x0000, 0x3b, 0x00, 1, "0000:3b:00.1" },
  { "3B:1f.7", 0x0000, 0x3b, 0x1f, 7, "0000:3b:1f.7" },
  { "ABCD:Ef:1F.7", 0xabcd, 0xef, 0x1f, 7, "abcd:ef:1f.7" },
  { "ffff:ff:1f.7", 0xffff, 0xff, 0x1f, 7, "ffff:ff:1f.7" },
  { "0001:02:03.4", 0x0001, 0x02, 0x03, 4, "0001:02:03.4" },
  /* VMD domains start at 0x10000. */
  { "10000:00:02.0", 0x10000, 0x00, 0x02, 0, "10000:00:02.0" },
  { "10001:e1:00.0", 0x10001, 0xe1, 0x00, 0, "10001:e1:00.0" },
  { "ABCDEF01:00:00.0", 0xabcdef01, 0x00, 0x00, 0, "abcdef01:00:00.0" },
  { "ffffffff:ff:1f.7", 0xffffffff, 0xff, 0x1f, 7, "ffffffff:ff:1f.7" },
  /* Leading zeros beyond 4 digits are accepted and dropped on output. */
  { "00000000:00:02.0", 0x0000, 0x00, 0x02, 0, "0000:00:02.0" },
};

static void test_parse_valid(void)
{
  for (gsize i = 0; i < G_N_ELEMENTS(valid_cases); i++) {
    const ValidCase *c = &valid_cases[i];
    HdPciAddress addr;
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    char buf[HD_PCI_ADDRESS_STRLEN];

    g_test_message("valid: %s", c->text);
    memset(&addr, 0xaa, sizeof(addr));
    g_assert_true(hd_pci_address_parse(c->text, &addr, &error));
    g_assert_no_error(error);
    g_assert_cmphex(addr.domain, ==, c->domain);
    g_assert_cmphex(addr.bus, ==, c->bus);
    g_assert_cmphex(addr.slot, ==, c->slot);
    g_assert_cmpuint(addr.function, ==, c->function);

    g_assert_cmpstr(hd_pci_address_format(&addr, buf), ==, c->canonical);
    g_assert_true(hd_pci_address_format(&addr, buf) == buf);
    text = hd_pci_address_to_string(&addr);
    g_assert_cmpstr(text, ==, c->canonical);
  }
}

static const char *const invalid_cases[] = {
  "",
  ":",
  "::",
  "0",
  "00",
  "00:02",
  "00:02.",
  "0000:00:02",
  "0000:00:02.",
  /* domain digits */
  "0:00:02.0",
  "00:00:02.0",
  "000:00:02.0",
  "000000000:00:02.0",
  "100000000:00:02.0",
  /* bus and device digits */
  "0000:0:02.0",
  "0000:000:02.0",
  "0000:00:2.0",
  "0000:00:002.0",
  "0:2.0",
  "000:02.0",
  /* device above 0x1f */
  "0000:00:20.0",
  "0000:00:ff.0",
  "00:20.0",
  /* function */
  "0000:00:02.8",
  "0000:00:02.9",
  "0000:00:02.a",
  "0000:00:02.00",
  "0000:00:02.07",
  "0000:00:02.-1",
  "00:02.8",
  /* non-hex */
  "000g:00:02.0",
  "0000:0g:02.0",
  "0000:00:0g.0",
  "zz:02.0",
  /* spaces */
  " 0000:00:02.0",
  "0000:00:02.0 ",
  "0000:00:02.0\n",
  "\t00:02.0",
  "0000: 00:02.0",
  /* signs and prefixes */
  "+0000:00:02.0",
  "-0000:00:02.0",
  "0x0000:00:02.0",
  "0000:0x0:02.0",
  "00:+2.0",
  "00:02.+0",
  /* extra characters */
  "0000:00:02.0x",
  "0000:00:02.0:",
  "0000:00:02.0.1",
  "0000:0000:00:02.0",
  "0000:00:02:0",
  "0000.00.02.0",
  "0000-00-02.0",
  /* path characters */
  "../0000:00:02.0",
  "0000:00:02.0/../..",
  "0000:00:02.0/",
  "/sys/bus/pci/devices/0000:00:02.0",
  "..",
  "0000:00:02.0\xff",
};

static void assert_invalid(const char *text)
{
  HdPciAddress addr = { 0x1234, 0x56, 0x07, 3 };
  g_autoptr(GError) error = NULL;

  g_assert_false(hd_pci_address_parse(text, &addr, &error));
  g_assert_error(error, HD_ERROR, HD_ERROR_INVALID);
  g_assert_nonnull(strstr(error->message, "invalid PCI address"));
  g_assert_null(strchr(error->message, '\n'));
  /* A failed parse leaves the output untouched. */
  g_assert_cmphex(addr.domain, ==, 0x1234);
  g_assert_cmphex(addr.bus, ==, 0x56);
  g_assert_cmphex(addr.slot, ==, 0x07);
  g_assert_cmpuint(addr.function, ==, 3);
}

static void test_parse_invalid(void)
{
  for (gsize i = 0; i < G_N_ELEMENTS(invalid_cases); i++) {
    g_autofree char *shown = g_strescape(invalid_cases[i], NULL);

    g_test_message("invalid: \"%s\"", shown);
    assert_invalid(invalid_cases[i]);
  }
}

static void test_parse_null(void)
{
  HdPciAddress addr;
  g_autoptr(GError) error = NULL;

  g_assert_false(hd_pci_address_parse(NULL, &addr, &error));
  g_assert_error(error, HD_ERROR, HD_ERROR_INVALID);
}

static void test_parse_no_output(void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true(hd_pci_address_parse("00:02.0", NULL, &error));
  g_assert_no_error(error);
  g_assert_false(hd_pci_address_parse("00:02", NULL, NULL));
}

/* The message quotes the input and says what was wrong with it. */
static void test_error_message_quotes_input(void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false(hd_pci_address_parse("0000:00:20.0", NULL, &error));
  g_assert_nonnull(strstr(error->message, "\"0000:00:20.0\""));
  g_assert_nonnull(strstr(error->message, "device"));
  g_clear_error(&error);

  g_assert_false(hd_pci_address_parse("000:00:02.0", NULL, &error));
  g_assert_nonnull(strstr(error->message, "\"000:00:02.0\""));
  g_assert_nonnull(strstr(error->message, "domain"));
  g_clear_error(&error);

  g_assert_false(hd_pci_address_parse("0000:00:02.8", NULL, &error));
  g_assert_nonnull(strstr(error->message, "function"));
  g_clear_error(&error);

  g_assert_false(hd_pci_address_parse("", NULL, &error));
  g_assert_nonnull(strstr(error->message, "\"\""));
}

/* Control characters and non-ASCII bytes appear escaped, never raw. */
static void test_error_message_escapes(void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false(hd_pci_address_parse("00:02.0\n\x1b[2J\xff", NULL, &error));
  g_assert_nonnull(strstr(error->message, "\"00:02.0\\n\\033[2J\\377\""));
  for (const char *p = error->message; *p != '\0'; p++)
    g_assert_true(g_ascii_isprint(*p));
}

/* A huge argument is cut in the message, which stays short. */
static void test_error_message_truncates(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *huge = g_strnfill(1 << 20, 'a');

  g_assert_false(hd_pci_address_parse(huge, NULL, &error));
  g_assert_error(error, HD_ERROR, HD_ERROR_INVALID);
  g_assert_cmpuint(strlen(error->message), <, 300);
  /* The ellipsis sits outside the quotes: input may itself contain "...". */
  g_assert_nonnull(strstr(error->message, "aaaa\"..."));
}

/* parse(format(a)) == a over a spread of addresses, both forms. */
static void test_round_trip(void)
{
  static const guint32 domains[] = { 0, 1, 0xabcd, 0xffff, 0x10000, 0x12345678, 0xffffffff };

  for (gsize d = 0; d < G_N_ELEMENTS(domains); d++) {
    for (guint bus = 0; bus <= 0xff; bus += 0x33) {
      for (guint slot = 0; slot <= 0x1f; slot++) {
        for (guint fn = 0; fn <= 7; fn++) {
          HdPciAddress a = { domains[d], (guint8)bus, (guint8)slot, (guint8)fn };
          HdPciAddress b;
          char buf[HD_PCI_ADDRESS_STRLEN];

          g_assert_true(hd_pci_address_parse(hd_pci_address_format(&a, buf), &b, NULL));
          g_assert_true(hd_pci_address_equal(&a, &b));
          g_assert_cmpint(hd_pci_address_compare(&a, &b), ==, 0);
          g_assert_cmpuint(strlen(buf), <, HD_PCI_ADDRESS_STRLEN);
        }
      }
    }
  }
}

static HdPciAddress parse_ok(const char *text)
{
  HdPciAddress addr;
  g_autoptr(GError) error = NULL;

  g_assert_true(hd_pci_address_parse(text, &addr, &error));
  g_assert_no_error(error);
  return addr;
}

/* Only the exact canonical spelling: state files name files and paths. */
static void test_is_canonical(void)
{
  const char *const yes[] = {"0000:01:00.0", "0000:ff:1f.7", "10000:00:02.0"};
  const char *const no[] = {"01:00.0", "0000:01:00.0 ", "0000:FF:1f.7", "00000:01:00.0", "../../etc", "", "0000:01:00.8"};

  for (guint i = 0; i < G_N_ELEMENTS(yes); i++)
    g_assert_true(hd_pci_address_is_canonical(yes[i]));
  for (guint i = 0; i < G_N_ELEMENTS(no); i++)
    g_assert_false(hd_pci_address_is_canonical(no[i]));
}

static void test_equal(void)
{
  HdPciAddress a = parse_ok("0000:3b:00.1");
  HdPciAddress b = parse_ok("3B:00.1");
  HdPciAddress c = parse_ok("0000:3b:00.0");
  HdPciAddress d = parse_ok("0001:3b:00.1");

  g_assert_true(hd_pci_address_equal(&a, &b));
  g_assert_false(hd_pci_address_equal(&a, &c));
  g_assert_false(hd_pci_address_equal(&a, &d));
}

static int compare_for_sort(gconstpointer a, gconstpointer b)
{
  return hd_pci_address_compare(a, b);
}

/* Each field outranks the ones after it, whatever their values. */
static void test_compare(void)
{
  static const char *const sorted[] = {
    "0000:00:00.0", "0000:00:00.7", "0000:00:01.0", "0000:00:1f.7", "0000:01:00.0",
    "0000:ff:1f.7", "0001:00:00.0", "ffff:ff:1f.7", "10000:00:00.0",
  };
  g_autoptr(GArray) addrs = g_array_new(FALSE, FALSE, sizeof(HdPciAddress));

  for (gsize i = 0; i < G_N_ELEMENTS(sorted); i++) {
    HdPciAddress a = parse_ok(sorted[i]);
    HdPciAddress b = parse_ok(sorted[G_N_ELEMENTS(sorted) - 1 - i]);

    g_array_append_val(addrs, b);
    if (i > 0) {
      HdPciAddress prev = parse_ok(sorted[i - 1]);

      g_assert_cmpint(hd_pci_address_compare(&prev, &a), ==, -1);
      g_assert_cmpint(hd_pci_address_compare(&a, &prev), ==, 1);
    }
    g_assert_cmpint(hd_pci_address_compare(&a, &a), ==, 0);
  }

  g_array_sort(addrs, compare_for_sort);
  for (gsize i = 0; i < G_N_ELEMENTS(sorted); i++) {
    g_autofree char *text = hd_pci_address_to_string(&g_array_index(addrs, HdPciAddress, i));

    g_assert_cmpstr(text, ==, sorted[i]);
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);

  g_test_add_func("/pci-address/parse/valid", test_parse_valid);
  g_test_add_func("/pci-address/parse/invalid", test_parse_invalid);
  g_test_add_func("/pci-address/parse/null", test_parse_null);
  g_test_add_func("/pci-address/parse/no-output", test_parse_no_output);
  g_test_add_func("/pci-address/error/quotes-input", test_error_message_quotes_input);
  g_test_add_func("/pci-address/error/escapes", test_error_message_escapes);
  g_test_add_func("/pci-address/error/truncates", test_error_message_truncates);
  g_test_add_func("/pci-address/round-trip", test_round_trip);
  g_test_add_func("/pci-address/is-canonical", test_is_canonical);
  g_test_add_func("/pci-address/equal", test_equal);
  g_test_add_func("/pci-address/compare", test_compare);

  return g_test_run();
}
