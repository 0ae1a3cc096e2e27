// SPDX-License-Identifier: LGPL-2.1-or-later
/* The owner journal (/run/vfio-hostdev/owner-<name>.journal) from hostile
 * input: never crashes or leaks; a journal it accepts names canonical
 * device addresses and nodes under /dev/vfio/ only, each once, and writing
 * it out and parsing that again gives the same text. The owner it is
 * parsed for is the one the input names when that is a valid owner name
 * (so that the seeds' journals load), else "vm1". */
#include "fuzz-common.h"
#include "hostdev/managed/owner-journal.h"
#include "util/pci-address.h"

static char *owner_of(const uint8_t *data, size_t size)
{
  g_autoptr(GKeyFile) file = g_key_file_new();
  char *owner = NULL;

  if (g_key_file_load_from_data(file, (const char *)data, size, G_KEY_FILE_NONE, NULL))
    owner = g_key_file_get_string(file, "journal", "owner", NULL);
  if (owner == NULL || !hd_owner_name_check(owner, NULL)) {
    g_free(owner);
    owner = g_strdup("vm1");
  }
  return owner;
}

/* Under /dev/vfio/, and no component ".." or "." or empty ("a//b"):
 * "..x" is a name like any other. */
static void assert_vfio_node(const char *path)
{
  g_auto(GStrv) parts = g_strsplit(path, "/", -1);

  FUZZ_ASSERT(g_str_has_prefix(path, "/dev/vfio/"));
  for (guint i = 1; parts[i] != NULL; i++)
    FUZZ_ASSERT(parts[i][0] != '\0' && !g_str_equal(parts[i], ".") && !g_str_equal(parts[i], ".."));
}

static void assert_safe(const HdJournal *journal)
{
  for (guint i = 0; i < journal->devices->len; i++) {
    const HdJournalDevice *device = g_ptr_array_index(journal->devices, i);
    FUZZ_ASSERT(hd_pci_address_is_canonical(device->address));
    FUZZ_ASSERT(hd_journal_find_device(journal, device->address) == device);
  }
  for (guint i = 0; i < journal->nodes->len; i++) {
    const HdJournalNode *node = g_ptr_array_index(journal->nodes, i);
    assert_vfio_node(node->path);
    FUZZ_ASSERT(node->mode <= 07777);
    FUZZ_ASSERT(hd_journal_find_node(journal, node->path) == node);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *owner = owner_of(data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(HdJournal) journal = hd_journal_parse((const char *)data, size, owner, "fuzz", &error);
  gsize length = 0, again_length = 0;

  FUZZ_ASSERT((journal == NULL) == (error != NULL));
  if (journal == NULL)
    return 0;
  assert_safe(journal);
  g_autofree char *text = hd_journal_to_data(journal, &length);
  g_autoptr(HdJournal) reparsed = hd_journal_parse(text, length, owner, "fuzz-again", NULL);
  FUZZ_ASSERT(reparsed != NULL);
  FUZZ_ASSERT(reparsed->devices->len == journal->devices->len && reparsed->nodes->len == journal->nodes->len);
  g_autofree char *again = hd_journal_to_data(reparsed, &again_length);
  FUZZ_ASSERT(again_length == length && memcmp(again, text, length) == 0);
  return 0;
}
