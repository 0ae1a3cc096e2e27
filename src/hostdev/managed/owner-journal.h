/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The owner journal: what one VM (an "owner") holds and what the
 * prepare or release working for it is doing, so that an operation cut
 * short by a crash or SIGKILL can be rolled back or finished by the next
 * invocation (recover.h). One GKeyFile per owner,
 * /run/vfio-hostdev/owner-<name>.journal, replaced atomically (write,
 * fsync, rename, fsync of the directory) before every step it covers:
 *
 *   [journal]
 *   owner=vm1
 *   operation=prepare            (prepare | release: the last one started)
 *   running=true                 (false once it finished: the owner holds its devices)
 *   user=qemu                    (prepare --user; uid and gid as resolved then)
 *   uid=107
 *   gid=107
 *   iommu_acl=held               (pending | held: the user's ACL entry on /dev/iommu counts this owner)
 *   memlock=4294967296           (prepare --memlock-needed, bytes: the user's VMs share iommufd's limit)
 *   pid=4242                     (the process that ran the operation, for people)
 *   started=1763769600
 *   tool_version=0.1.0
 *
 *   [device 0000:01:00.0]        (one per device the owner holds or is taking)
 *   managed=true
 *   pending=true                 (taken by the running prepare: undone if it was interrupted)
 *
 *   [node /dev/vfio/8]           (a node handed to the user, and what it was before)
 *   uid=0
 *   gid=0
 *   mode=0600
 *   pending=true
 *
 * The per-device records (device-record.h) say what each device was
 * before; the journal says which devices an interrupted operation had
 * started on. Recovery rules: an interrupted prepare (running, operation
 * prepare) is rolled back: pending nodes get their owners back, pending
 * devices are released; an interrupted release is finished. */
#pragma once

#include <glib.h>

#include "util/file-lock.h"

/* Owner names become file names: a safe charset, bounded length. */
#define HD_OWNER_NAME_MAX 64

/* TRUE when NAME is 1 to HD_OWNER_NAME_MAX characters of [A-Za-z0-9_.:@+-]
 * starting with a letter, digit or '_'; else HD_ERROR_INVALID saying so. */
gboolean hd_owner_name_check(const char *name, GError **error);

typedef enum {
  HD_JOURNAL_PREPARE,
  HD_JOURNAL_RELEASE,
} HdJournalOperation;

/* Whether the owner's user has an ACL entry on /dev/iommu for this owner:
 * the entry is one per user, counted by the owners whose journals say so,
 * and removed with the last of them (iommu-acl.h). */
typedef enum {
  HD_JOURNAL_ACL_NONE,
  HD_JOURNAL_ACL_PENDING, /* being added by the running prepare: undone if it was interrupted */
  HD_JOURNAL_ACL_HELD,
} HdJournalAcl;

typedef struct {
  char *address;
  gboolean managed;
  gboolean pending;
} HdJournalDevice;

typedef struct {
  char *path;      /* "/dev/vfio/8" */
  guint uid;       /* before it was handed over */
  guint gid;
  guint mode;
  gboolean pending;
} HdJournalNode;

typedef struct {
  char *owner;
  HdJournalOperation operation;
  gboolean running;
  char *user;      /* NULL: nodes are left to root */
  guint uid;
  guint gid;
  HdJournalAcl iommu_acl;
  guint64 memlock;    /* the guest RAM the VMM pins (--memlock-needed), bytes; 0: not said */
  gint64 pid;
  gint64 started;
  GPtrArray *devices; /* HdJournalDevice*, in the order they were taken */
  GPtrArray *nodes;   /* HdJournalNode* */
} HdJournal;

HdJournal *hd_journal_new(const char *owner);
void hd_journal_free(HdJournal *journal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdJournal, hd_journal_free)

/* "prepare", "release". */
const char *hd_journal_operation_name(HdJournalOperation operation);

/* Marks the start of OPERATION by this process (running, pid, time); the
 * caller saves. */
void hd_journal_begin(HdJournal *journal, HdJournalOperation operation);

/* The journal of OWNER; NULL without error when there is none. A journal
 * that cannot be parsed is HD_ERROR_FAILED naming the file. */
HdJournal *hd_journal_load(const char *owner, GError **error);

/* Parses OWNER's journal from its text (LENGTH bytes of DATA, as
 * hd_journal_save() writes it; ORIGIN names it in errors): what
 * hd_journal_load() does with the file's contents. Devices must have
 * canonical addresses and nodes be under /dev/vfio/, each listed once;
 * anything else is HD_ERROR_FAILED ("damaged"). */
HdJournal *hd_journal_parse(const char *data, gsize length, const char *owner, const char *origin, GError **error);

/* The text hd_journal_save() writes (LENGTH gets its length). */
char *hd_journal_to_data(const HdJournal *journal, gsize *length);

/* Writes JOURNAL atomically; a durable step. */
gboolean hd_journal_save(const HdJournal *journal, GError **error);

/* Removes OWNER's journal (a missing one is fine); a durable step. */
gboolean hd_journal_remove(const char *owner, GError **error);

/* Names of the owners that have a journal, sorted. */
GPtrArray *hd_journal_list_owners(GError **error);

/* Serialises the operations of one owner (owner-<name>.lock). */
HdFileLock *hd_journal_lock(const char *owner, guint timeout_ms, GError **error);

HdJournalDevice *hd_journal_find_device(const HdJournal *journal, const char *address);
HdJournalNode *hd_journal_find_node(const HdJournal *journal, const char *path);

/* Appends a device or node (pending) and returns it. */
HdJournalDevice *hd_journal_add_device(HdJournal *journal, const char *address, gboolean managed);
HdJournalNode *hd_journal_add_node(HdJournal *journal, const char *path, guint uid, guint gid, guint mode);
