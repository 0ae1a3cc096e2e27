// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/hugepage-spec.h"

#include <string.h>

#include "util/hd-error.h"

/* Enough of an item to recognise it; a pasted file stays one short line. */
#define QUOTE_MAX 32

#define EXPECTED_FORM "expected SIZE=COUNT[,SIZE=COUNT...], e.g. 2M=512,1G=2"

static void set_invalid(GError **error, const char *item, const char *reason)
{
  g_autofree char *head = g_strndup(item, QUOTE_MAX);
  g_autofree char *escaped = g_strescape(head, NULL);

  g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "invalid hugepage request \"%s%s\": %s (" EXPECTED_FORM ")",
              escaped, strlen(item) > QUOTE_MAX ? "..." : "", reason);
}

/* Decimal digits only: g_ascii_string_to_unsigned() alone would accept a
 * sign and leading spaces would slip through strtoull. */
static gboolean parse_decimal(const char *digits, gsize len, guint64 max, guint64 *out)
{
  g_autofree char *copy = g_strndup(digits, len);

  if (len == 0 || strspn(copy, "0123456789") != len)
    return FALSE;
  return g_ascii_string_to_unsigned(copy, 10, 0, max, out, NULL);
}

/* KiB per unit letter; 0 for anything else. */
static guint64 unit_kb(char unit)
{
  switch (g_ascii_toupper(unit)) {
  case 'K':
    return 1;
  case 'M':
    return 1024;
  case 'G':
    return 1024 * 1024;
  default:
    return 0;
  }
}

/* "2M", "2MB", "2048kB", "1G": a number, a unit, an optional B. */
static const char *parse_size(const char *text, gsize len, guint64 *size_kb)
{
  gsize digits = strspn(text, "0123456789");
  guint64 number = 0, unit;

  if (digits == 0)
    return "the page size must start with a number";
  if (digits == len)
    return "the page size needs a unit (K, M or G)";
  unit = unit_kb(text[digits]);
  if (unit == 0 || len - digits > 2 || (len - digits == 2 && g_ascii_toupper(text[digits + 1]) != 'B'))
    return "the page size's unit must be K, M or G";
  /* a page size above 2^40 KiB does not exist; the bound keeps the product in range */
  if (!parse_decimal(text, digits, G_GUINT64_CONSTANT(1) << 40, &number) || number == 0)
    return "the page size must be a positive number";
  *size_kb = number * unit;
  return NULL;
}

static gboolean has_size(const GArray *requests, guint64 size_kb)
{
  for (guint i = 0; i < requests->len; i++)
    if (g_array_index(requests, HdHugepageRequest, i).size_kb == size_kb)
      return TRUE;
  return FALSE;
}

/* One SIZE=COUNT item; NULL on success, else why not. */
static const char *parse_item(const char *item, const GArray *seen, HdHugepageRequest *out)
{
  const char *equals = strchr(item, '=');
  const char *reason;

  if (equals == NULL)
    return "missing '='";
  if ((reason = parse_size(item, (gsize)(equals - item), &out->size_kb)) != NULL)
    return reason;
  if (!parse_decimal(equals + 1, strlen(equals + 1), G_MAXUINT32, &out->count))
    return "the count must be a decimal number";
  if (has_size(seen, out->size_kb))
    return "that page size is given twice";
  return NULL;
}

gboolean hd_hugepage_spec_parse(const char *text, GArray *requests, GError **error)
{
  g_auto(GStrv) items = g_strsplit(text, ",", -1);
  g_autoptr(GArray) parsed = g_array_copy(requests);

  if (text[0] == '\0') {
    set_invalid(error, text, "empty");
    return FALSE;
  }
  for (guint i = 0; items[i] != NULL; i++) {
    HdHugepageRequest request = {0};
    const char *reason = items[i][0] == '\0' ? "empty item" : parse_item(items[i], parsed, &request);
    if (reason != NULL) {
      set_invalid(error, items[i][0] == '\0' ? text : items[i], reason);
      return FALSE;
    }
    g_array_append_val(parsed, request);
  }
  g_array_set_size(requests, 0);
  g_array_append_vals(requests, parsed->data, parsed->len);
  return TRUE;
}
