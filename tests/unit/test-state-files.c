// SPDX-License-Identifier: LGPL-2.1-or-later
/* The state files recovery reads back: hd_record_parse() and
 * hd_journal_parse() (what hd_record_load() and hd_journal_load() use)
 * on texts the tool wrote and on damaged ones. What they accept is what
 * they write again; an address or node path that would send recovery
 * elsewhere is damaged, never followed. The fuzz targets state-record
 * and owner-journal check the same properties on random input. */
#include <glib.h>

#include "hostdev/shared/device-record.h"
#include "hostdev/shared/vf-record.h"
#include "util/hd-error.h"
#include "hostdev/managed/owner-journal.h"

/* As bind and prepare write them (fuzz/corpus/ holds more). */
static const char record_text[] = "[device]\n"
                                  "address=0000:01:00.0\n"
                                  "original_driver=e1000e\n"
                                  "sriov_numvfs=0\n"
                                  "target_driver=vfio-pci\n"
                                  "group=false\n"
                                  "since=1763769600\n"
                                  "tool_version=0.1.0\n"
                                  "state=bound\n"
                                  "owner=vm1\n"
                                  "managed=true\n"
                                  "adopted=false\n";

/* A PF whose two VFs bind disabled: one on igbvf, one with an override. */
static const char pf_record_text[] = "[device]\n"
                                     "address=0000:03:00.0\n"
                                     "original_driver=igb\n"
                                     "sriov_numvfs=2\n"
                                     "sriov_drivers_autoprobe=1\n"
                                     "target_driver=vfio-pci\n"
                                     "group=false\n"
                                     "since=1763769600\n"
                                     "tool_version=0.1.0\n"
                                     "state=bound\n"
                                     "\n"
                                     "[vf 0]\n"
                                     "address=0000:03:10.0\n"
                                     "driver=igbvf\n"
                                     "\n"
                                     "[vf 1]\n"
                                     "address=0000:03:10.4\n"
                                     "driver_override=vfio-pci\n"
                                     "owner=vm1\n";

static const char journal_text[] = "[journal]\n"
                                   "owner=vm1\n"
                                   "operation=prepare\n"
                                   "running=true\n"
                                   "user=nobody\n"
                                   "uid=65534\n"
                                   "gid=65534\n"
                                   "pid=4242\n"
                                   "started=1763769600\n"
                                   "tool_version=0.1.0\n"
                                   "\n"
                                   "[device 0000:01:00.0]\n"
                                   "managed=true\n"
                                   "pending=true\n"
                                   "\n"
                                   "[node /dev/vfio/8]\n"
                                   "uid=0\n"
                                   "gid=0\n"
                                   "mode=0600\n"
                                   "pending=true\n";

static void test_record_roundtrip(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdDeviceRecord) record = hd_record_parse(record_text, sizeof(record_text) - 1, "test", &error);
  gsize length = 0;

  g_assert_no_error(error);
  g_assert_cmpstr(record->address, ==, "0000:01:00.0");
  g_assert_cmpstr(record->original_driver, ==, "e1000e");
  g_assert_cmpint(record->state, ==, HD_RECORD_BOUND);
  g_assert_cmpstr(record->owner, ==, "vm1");
  g_assert_cmpint(record->since, ==, 1763769600);
  g_autofree char *text = hd_record_to_data(record, &length);
  g_assert_cmpstr(text, ==, record_text);
}

static void test_record_vfs_roundtrip(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdDeviceRecord) record = hd_record_parse(pf_record_text, sizeof(pf_record_text) - 1, "test", &error);
  gsize length = 0;

  g_assert_no_error(error);
  g_assert_cmpint(record->sriov_autoprobe, ==, 1);
  g_assert_cmpuint(record->vfs->len, ==, 2);
  const HdVfRecord *vf0 = g_ptr_array_index(record->vfs, 0);
  const HdVfRecord *vf1 = g_ptr_array_index(record->vfs, 1);
  g_assert_cmpuint(vf0->index, ==, 0);
  g_assert_cmpstr(vf0->driver, ==, "igbvf");
  g_assert_null(vf0->driver_override);
  g_assert_cmpuint(vf1->index, ==, 1);
  g_assert_cmpstr(vf1->address, ==, "0000:03:10.4");
  g_assert_null(vf1->driver);
  g_assert_cmpstr(vf1->driver_override, ==, "vfio-pci");
  g_assert_cmpstr(vf1->owner, ==, "vm1");
  g_autofree char *text = hd_record_to_data(record, &length);
  g_assert_cmpstr(text, ==, pf_record_text);
}

static void assert_record_damaged(const char *text, const char *why)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdDeviceRecord) record = hd_record_parse(text, strlen(text), "/run/vfio-hostdev/x.record", &error);

  g_assert_null(record);
  g_assert_error(error, HD_ERROR, HD_ERROR_FAILED);
  g_test_message("%s", error->message);
  g_assert_nonnull(strstr(error->message, "/run/vfio-hostdev/x.record is damaged"));
  g_assert_nonnull(strstr(error->message, why));
}

/* Recovery writes to /sys/bus/pci/devices/<address>/ and removes
 * <address>.record: only a canonical address will do. */
static void test_record_damaged(void)
{
  assert_record_damaged("[device]\naddress=../../../etc\nstate=bound\n", "not a canonical PCI address");
  assert_record_damaged("[device]\naddress=01:00.0\nstate=bound\n", "not a canonical PCI address");
  assert_record_damaged("[device]\naddress=0000:01:00.0 \nstate=bound\n", "not a canonical PCI address");
  assert_record_damaged("[device]\naddress=0000:01:00.0\nstate=dancing\n", "unknown state");
  assert_record_damaged("[device]\nstate=bound\n", "no address or state");
  assert_record_damaged("garbage", "damaged");
  assert_record_damaged("", "no address or state");
  /* a VF is found again by its index, and its address is checked */
  assert_record_damaged("[device]\naddress=0000:03:00.0\nstate=bound\n[vf x]\naddress=0000:03:10.0\n", "no VF index");
  assert_record_damaged("[device]\naddress=0000:03:00.0\nstate=bound\n[vf 70000]\naddress=0000:03:10.0\n",
                        "no VF index");
  assert_record_damaged("[device]\naddress=0000:03:00.0\nstate=bound\n[vf 0]\ndriver=igbvf\n", "no canonical address");
  assert_record_damaged("[device]\naddress=0000:03:00.0\nstate=bound\n[vf 0]\naddress=0000:03:10.0\n"
                        "[vf 00]\naddress=0000:03:10.0\n", "a VF index twice");
}

static void test_journal_roundtrip(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdJournal) journal = hd_journal_parse(journal_text, sizeof(journal_text) - 1, "vm1", "test", &error);
  gsize length = 0;

  g_assert_no_error(error);
  g_assert_true(journal->running);
  g_assert_cmpuint(journal->devices->len, ==, 1);
  g_assert_cmpuint(journal->nodes->len, ==, 1);
  g_assert_nonnull(hd_journal_find_node(journal, "/dev/vfio/8"));
  g_autofree char *text = hd_journal_to_data(journal, &length);
  g_assert_cmpstr(text, ==, journal_text);
}

static void assert_journal_damaged(const char *section, const char *why)
{
  g_autofree char *text = g_strconcat(journal_text, section, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HdJournal) journal = hd_journal_parse(text, strlen(text), "vm1", "/run/vfio-hostdev/j", &error);

  g_test_message("with \"%s\"", section);
  g_assert_null(journal);
  g_assert_error(error, HD_ERROR, HD_ERROR_FAILED);
  g_test_message("%s", error->message);
  g_assert_nonnull(strstr(error->message, "owner journal /run/vfio-hostdev/j is damaged"));
  g_assert_nonnull(strstr(error->message, why));
}

/* Rolling back gives each node its recorded owner and mode (chown, chmod)
 * and each device its driver: a journal naming anything but a VFIO node or
 * a canonical address is damaged, not followed. */
static void test_journal_damaged(void)
{
  const char *const bad[] = {
    "[node /etc/shadow]\nuid=1000\ngid=1000\nmode=0666\n",
    "[node /dev/vfio/../../etc/shadow]\nuid=1000\ngid=1000\nmode=0666\n",
    "[node /dev/vfio/./8]\nuid=0\ngid=0\nmode=0600\n",
    "[node /dev/vfio//8]\nuid=0\ngid=0\nmode=0600\n",
    "[node /dev/vfio/9]\nuid=0\ngid=0\nmode=10000\n",
    "[device ../../etc]\nmanaged=true\n",
    "[device 1:0.0]\nmanaged=true\n",
    "[devices 0000:01:00.0]\nmanaged=true\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
    assert_journal_damaged(bad[i], "unknown or malformed section");
  g_autoptr(GError) error = NULL;
  g_autoptr(HdJournal) other = hd_journal_parse(journal_text, sizeof(journal_text) - 1, "vm2", "j", &error);
  g_assert_null(other);
  g_assert_nonnull(strstr(error->message, "it names another owner"));
}

/* A component that merely starts with ".." is a name like any other (the
 * fuzzer's first finding was a property that said otherwise). */
static void test_journal_dotted_name(void)
{
  g_autofree char *text = g_strconcat(journal_text, "[node /dev/vfio/devices/..vfio0]\nmode=0600\n", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HdJournal) journal = hd_journal_parse(text, strlen(text), "vm1", "j", &error);

  g_assert_no_error(error);
  g_assert_nonnull(hd_journal_find_node(journal, "/dev/vfio/devices/..vfio0"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/state-files/record-roundtrip", test_record_roundtrip);
  g_test_add_func("/state-files/record-damaged", test_record_damaged);
  g_test_add_func("/state-files/record-vfs-roundtrip", test_record_vfs_roundtrip);
  g_test_add_func("/state-files/journal-roundtrip", test_journal_roundtrip);
  g_test_add_func("/state-files/journal-damaged", test_journal_damaged);
  g_test_add_func("/state-files/journal-dotted-name", test_journal_dotted_name);
  return g_test_run();
}
