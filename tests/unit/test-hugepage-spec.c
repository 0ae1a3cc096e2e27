// SPDX-License-Identifier: LGPL-2.1-or-later
/* `run --hugepages`: SIZE=COUNT items, sizes in K, M or G, each size once. */
#include "util/hd-error.h"
#include "util/hugepage-spec.h"

static GArray *new_requests(void)
{
  return g_array_new(FALSE, FALSE, sizeof(HdHugepageRequest));
}

static const HdHugepageRequest *nth(GArray *requests, guint i)
{
  return &g_array_index(requests, HdHugepageRequest, i);
}

static void test_valid(void)
{
  g_autoptr(GArray) requests = new_requests();
  g_autoptr(GError) error = NULL;

  g_assert_true(hd_hugepage_spec_parse("2M=512,1G=2", requests, &error));
  g_assert_no_error(error);
  g_assert_true(hd_hugepage_spec_parse("64kB=0", requests, &error));
  g_assert_cmpuint(requests->len, ==, 3);
  g_assert_cmpuint(nth(requests, 0)->size_kb, ==, 2048);
  g_assert_cmpuint(nth(requests, 0)->count, ==, 512);
  g_assert_cmpuint(nth(requests, 1)->size_kb, ==, 1024 * 1024);
  g_assert_cmpuint(nth(requests, 1)->count, ==, 2);
  g_assert_cmpuint(nth(requests, 2)->size_kb, ==, 64);
  g_assert_cmpuint(nth(requests, 2)->count, ==, 0);
}

/* Units in any case, an optional B; one size however written. */
static void test_units(void)
{
  static const char *const same[] = {"2M=1", "2m=1", "2MB=1", "2mb=1", "2048K=1", "2048kB=1", "2048KB=1"};

  for (guint i = 0; i < G_N_ELEMENTS(same); i++) {
    g_autoptr(GArray) requests = new_requests();
    g_autoptr(GError) error = NULL;

    g_assert_true(hd_hugepage_spec_parse(same[i], requests, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(nth(requests, 0)->size_kb, ==, 2048);
  }
}

/* Refused with HD_ERROR_INVALID quoting the item; the array is unchanged. */
static void test_invalid(void)
{
  static const char *const bad[] = {
    "", "2M", "=1", "M=1", "0M=1", "2X=1", "2MiB=1", "2M=", "2M=-1", "2M=+1", "2M= 1", " 2M=1", "2M=1x",
    "2M=0x10", "2M=1,", ",2M=1", "2M=1,,1G=1", "2M=1,2048kB=2", "2M=99999999999", "99999999999999G=1",
  };

  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GArray) requests = new_requests();
    g_autoptr(GError) error = NULL;

    g_assert_true(hd_hugepage_spec_parse("1G=1", requests, &error));
    g_test_message("%s", bad[i]);
    g_assert_false(hd_hugepage_spec_parse(bad[i], requests, &error));
    g_assert_error(error, HD_ERROR, HD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "hugepage request"));
    g_assert_cmpuint(requests->len, ==, 1);
  }
}

/* A repeated option adds up, but a size may still come only once. */
static void test_repeated_size_across_texts(void)
{
  g_autoptr(GArray) requests = new_requests();
  g_autoptr(GError) error = NULL;

  g_assert_true(hd_hugepage_spec_parse("2M=1", requests, &error));
  g_assert_false(hd_hugepage_spec_parse("1G=1,2M=4", requests, &error));
  g_assert_error(error, HD_ERROR, HD_ERROR_INVALID);
  g_assert_nonnull(strstr(error->message, "twice"));
  g_assert_cmpuint(requests->len, ==, 1);
}

/* The message stays one short printable line whatever was typed. */
static void test_message_quotes(void)
{
  g_autoptr(GArray) requests = new_requests();
  g_autoptr(GError) error = NULL;
  g_autofree char *long_item = g_strnfill(200, '7');

  g_assert_false(hd_hugepage_spec_parse("2\nM=1", requests, &error));
  g_assert_null(strchr(error->message, '\n'));
  g_clear_error(&error);
  g_assert_false(hd_hugepage_spec_parse(long_item, requests, &error));
  g_assert_cmpuint(strlen(error->message), <, 200);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/hugepage-spec/valid", test_valid);
  g_test_add_func("/hugepage-spec/units", test_units);
  g_test_add_func("/hugepage-spec/invalid", test_invalid);
  g_test_add_func("/hugepage-spec/repeated-size-across-texts", test_repeated_size_across_texts);
  g_test_add_func("/hugepage-spec/message-quotes", test_message_quotes);
  return g_test_run();
}
