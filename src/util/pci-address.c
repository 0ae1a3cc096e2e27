// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/pci-address.h"

#include <string.h>

#include "util/hd-error.h"

/* How much of the caller's input an error message quotes: enough to recognise
 * it, short enough that a pasted file or a hostile argument cannot flood the
 * terminal or a log line. */
#define QUOTE_MAX 64

/* The forms accepted, repeated in every parse error so the user sees at once
 * what to type instead. */
#define EXPECTED_FORMS "expected DDDD:BB:DD.F or BB:DD.F, e.g. 0000:01:00.0"

/* TEXT shortened to QUOTE_MAX bytes and escaped (g_strescape turns control
 * characters and non-ASCII bytes into C escapes), inside double quotes, so the
 * error stays one printable line whatever the input was. */
static char *quote_input(const char *text)
{
  g_autofree char *head = g_strndup(text, QUOTE_MAX);
  g_autofree char *escaped = g_strescape(head, NULL);
  gboolean cut = strnlen(text, QUOTE_MAX + 1) > QUOTE_MAX;

  return g_strdup_printf("\"%s\"%s", escaped, cut ? "..." : "");
}

static void set_invalid(GError **error, const char *text, const char *reason)
{
  g_autofree char *quoted = quote_input(text);

  g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "invalid PCI address %s: %s (" EXPECTED_FORMS ")",
              quoted, reason);
}

/* Number of consecutive hex digits at P. We scan by hand instead of using
 * strtoul, which would accept leading spaces, signs and "0x". */
static gsize count_hex(const char *p)
{
  gsize n = 0;

  while (g_ascii_isxdigit(p[n]))
    n++;
  return n;
}

/* Value of the first N (at most 8) hex digits at P. */
static guint32 hex_value(const char *p, gsize n)
{
  guint32 value = 0;

  for (gsize i = 0; i < n; i++)
    value = (value << 4) | (guint32)g_ascii_xdigit_value(p[i]);
  return value;
}

/* Parses the "BB:DD.F" tail shared by both forms into ADDR. Returns NULL on
 * success, otherwise a static reason for the error message. */
static const char *parse_bus_slot_function(const char *p, HdPciAddress *addr)
{
  guint32 slot;

  if (count_hex(p) != 2 || p[2] != ':')
    return "the bus must be exactly 2 hex digits followed by ':'";
  addr->bus = (guint8)hex_value(p, 2);
  p += 3;

  if (count_hex(p) != 2 || p[2] != '.')
    return "the device must be exactly 2 hex digits followed by '.'";
  slot = hex_value(p, 2);
  if (slot > 0x1f)
    return "the device must be at most 1f";
  addr->slot = (guint8)slot;
  p += 3;

  if (p[0] < '0' || p[0] > '7' || g_ascii_isxdigit(p[1]))
    return "the function must be a single digit 0-7";
  addr->function = (guint8)(p[0] - '0');

  if (p[1] != '\0')
    return "unexpected characters after the function";
  return NULL;
}

/* Parses the domain of the long form; P points at its first digit. Returns
 * NULL and advances *P past the ':' on success, or a static reason. */
static const char *parse_domain(const char **p, HdPciAddress *addr)
{
  gsize n = count_hex(*p);

  /* Fewer than 4 digits is a typo rather than a shorthand the kernel uses;
   * more than 8 would not fit the 32-bit domain. */
  if (n < 4 || n > 8 || (*p)[n] != ':')
    return "the domain must be 4 to 8 hex digits followed by ':'";
  addr->domain = hex_value(*p, n);
  *p += n + 1;
  return NULL;
}

/* The form is told apart by the number of colons: one for "BB:DD.F", two for
 * "DDDD:BB:DD.F"; the field parsers then reject any stray character. */
static const char *parse_address(const char *text, HdPciAddress *addr)
{
  const char *first_colon = strchr(text, ':');
  const char *p = text;
  const char *reason;

  if (*text == '\0')
    return "the string is empty";
  if (first_colon == NULL)
    return "no ':' found";

  if (strchr(first_colon + 1, ':') != NULL) {
    reason = parse_domain(&p, addr);
    if (reason != NULL)
      return reason;
  } else {
    addr->domain = 0;
  }
  return parse_bus_slot_function(p, addr);
}

gboolean hd_pci_address_parse(const char *text, HdPciAddress *out, GError **error)
{
  HdPciAddress addr = { 0 };
  const char *reason;

  if (text == NULL) {
    g_set_error_literal(error, HD_ERROR, HD_ERROR_INVALID,
                        "invalid PCI address: none given (" EXPECTED_FORMS ")");
    return FALSE;
  }

  reason = parse_address(text, &addr);
  if (reason != NULL) {
    set_invalid(error, text, reason);
    return FALSE;
  }

  /* OUT is only written on success so callers can keep a previous value. */
  if (out != NULL)
    *out = addr;
  return TRUE;
}

const char *hd_pci_address_format(const HdPciAddress *addr, char buf[HD_PCI_ADDRESS_STRLEN])
{
  g_return_val_if_fail(addr != NULL && buf != NULL, NULL);
  /* Out-of-range fields would not fit the buffer and name no real device. */
  g_return_val_if_fail(addr->slot <= 0x1f && addr->function <= 7, NULL);

  /* %04x pads to the usual 4 digits and lets wider (VMD) domains keep all of
   * theirs, exactly as the kernel names them in sysfs. */
  g_snprintf(buf, HD_PCI_ADDRESS_STRLEN, "%04" G_GINT32_MODIFIER "x:%02x:%02x.%x",
             addr->domain, (guint)addr->bus, (guint)addr->slot, (guint)addr->function);
  return buf;
}

char *hd_pci_address_to_string(const HdPciAddress *addr)
{
  char buf[HD_PCI_ADDRESS_STRLEN];

  if (hd_pci_address_format(addr, buf) == NULL)
    return NULL;
  return g_strdup(buf);
}

gboolean hd_pci_address_equal(const HdPciAddress *a, const HdPciAddress *b)
{
  return hd_pci_address_compare(a, b) == 0;
}

static int compare_u32(guint32 a, guint32 b)
{
  return (a > b) - (a < b);
}

int hd_pci_address_compare(const HdPciAddress *a, const HdPciAddress *b)
{
  int c;

  g_return_val_if_fail(a != NULL && b != NULL, 0);

  /* Field by field, never memcmp: the struct has padding bytes. */
  c = compare_u32(a->domain, b->domain);
  if (c == 0)
    c = compare_u32(a->bus, b->bus);
  if (c == 0)
    c = compare_u32(a->slot, b->slot);
  if (c == 0)
    c = compare_u32(a->function, b->function);
  return c;
}

gboolean hd_pci_address_is_canonical(const char *text)
{
  HdPciAddress parsed;
  char canonical[HD_PCI_ADDRESS_STRLEN];

  return hd_pci_address_parse(text, &parsed, NULL) && g_str_equal(hd_pci_address_format(&parsed, canonical), text);
}
