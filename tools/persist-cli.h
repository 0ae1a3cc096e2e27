/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `bind --persist` and `status` add for persisted bindings, kept out
 * of cmd-bind.c and cmd-status.c so that those stay about their own job.
 * These take no manager and no status entries: they read what they need
 * themselves, through the public API; warnings go to stderr directly. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "vfio-hostdev.h"

/* Prints "vfio-hostdev: warning: MESSAGE" on stderr. */
void cli_persist_warn(const char *message);

/* bind --persist, before binding: the configuration directory must be
 * writable, so that a bind that cannot be persisted does not happen. A dry
 * run checks nothing and creates nothing. */
gboolean cli_persist_ready(gboolean dry_run, GError **error);

/* bind --persist, after a successful bind: writes (dry run: plans) the
 * configuration of each device of RESULTS (vh_bind()'s VhBindResult*) left
 * on a VFIO driver, for a bind with --group GROUP and --force FORCE, then
 * (not in a dry run) cli_persist_update_early().
 * Returns them by address (VhPersistConfig*), or NULL with ERROR when a
 * file could not be written. */
GHashTable *cli_persist_bound(const GPtrArray *results, gboolean group, gboolean force, gboolean dry_run,
                              gboolean initramfs, GError **error);

/* After the configuration changed: regenerates the early binding's files
 * (vh_persist_update_early(); MANAGER's warnings are the caller's to print) and, with
 * INITRAMFS and when they changed, runs `update-initramfs -u` from PATH,
 * saying so on stderr (a note when there is none; a warning when it fails). */
gboolean cli_persist_update_early(VhManager *manager, gboolean initramfs, GError **error);

/* For bind --json's "persisted": ADDRESS is in PERSISTED (NULL: no
 * --persist), or was persisted before. */
gboolean cli_persisted(GHashTable *persisted, const char *address);

/* One line per configuration of PERSISTED, in address order. */
void cli_persist_print(GHashTable *persisted, gboolean dry_run);

/* status --json: sets "persisted" and "persist" on each record's object of
 * ARRAY and appends the persisted devices without a record (state
 * "persisted", with the same keys). */
void cli_status_json_persisted(JsonArray *array);

/* status: after the table, one line per persisted device (nothing when no
 * device is persisted). */
void cli_status_print_persisted(void);
