// SPDX-License-Identifier: LGPL-2.1-or-later
/* The fake host's fixture reader (tests/mock/mock-mkhost.c) on any input.
 *
 * mock-mkhost has no parsing step separate from building: it reads the
 * GKeyFile and writes the fake root as it goes. Rather than rewrite it, this
 * target runs the whole builder (its main() is renamed mock_mkhost_main at
 * compile time) on each input, into a fresh temporary root that is removed
 * afterwards. Fixtures are trusted test data; what is fuzzed is that no
 * fixture makes the builder crash, overflow, leak or hang.
 *
 * Guards, because the builder creates files named by the input and this
 * may run as root: inputs containing ".." are skipped (a name could climb
 * out of the root), and so are inputs enabling more than 8 VFs on a device
 * (each VF is dozens of files: slow and not more interesting). */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz-common.h"

#define MAX_VFS 8

int mock_mkhost_main(int argc, char **argv);

/* TRUE when a [device] group asks for more VFs than MAX_VFS, read the way
 * mock-mkhost reads it (strtoll, base 0, after stripping). */
static gboolean too_many_vfs(const char *text, gsize size)
{
  g_autoptr(GKeyFile) file = g_key_file_new();
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_data(file, text, size, G_KEY_FILE_NONE, NULL))
    return FALSE;
  groups = g_key_file_get_groups(file, NULL);
  for (char **group = groups; *group != NULL; group++) {
    g_autofree char *value = g_key_file_get_string(file, *group, "sriov-numvfs", NULL);
    if (value != NULL && g_ascii_strtoll(g_strstrip(value), NULL, 0) > MAX_VFS)
      return TRUE;
  }
  return FALSE;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;

  if (g_strstr_len(text, (gssize)size, "..") != NULL || too_many_vfs(text, size))
    return 0;
  dir = g_dir_make_tmp("fuzz-mkhost-XXXXXX", &error);
  FUZZ_ASSERT(dir != NULL);
  g_autofree char *fixture = g_build_filename(dir, "fuzz.ini", NULL);
  g_autofree char *root = g_build_filename(dir, "root", NULL);
  FUZZ_ASSERT(g_file_set_contents(fixture, text, (gssize)size, NULL));

  char *argv[] = {"mock-mkhost", fixture, root, NULL};
  int status = mock_mkhost_main(3, argv);
  FUZZ_ASSERT(status == 0 || status == 1);
  FUZZ_ASSERT(nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0);
  return 0;
}
