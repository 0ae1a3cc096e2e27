/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mock-mkhost-keys.h: reading and checking the fixture keys of a device
 * group, and the error helpers shared by mock-mkhost's usage pieces
 * (mock-mkhost-usage.c, mock-mkhost-net.c). */
#pragma once

#include <glib.h>

/* Sets a G_FILE_ERROR_FAILED error from FMT; returns FALSE. */
gboolean mk_fail(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* TRUE if RC >= 0, else an error "WHAT: strerror(-RC)". */
gboolean mk_check(int rc, const char *what, GError **error);

/* KEY of GROUP, stripped; DEF (copied) when it is missing. */
char *mk_key_str(GKeyFile *kf, const char *group, const char *key, const char *def);

/* KEY as true/yes/1 or false/no/0 (any case) into OUT; DEF when missing
 * or empty.  Anything else is an error. */
gboolean mk_key_bool(GKeyFile *kf, const char *group, const char *key, gboolean def, GError **error,
                     gboolean *out);

/* The ';'-separated list of KEY, stripped, empty ones left out. */
GStrv mk_key_list(GKeyFile *kf, const char *group, const char *key);

/* Every key "KIND.NAME.PROP" of the group names one of NAMES and one of
 * PROPS (NAME may contain dots: eth0.100). */
gboolean mk_check_keys(GKeyFile *kf, const char *group, const char *kind, const char *const *names,
                       const char *const *props, GError **error);

/* migration= of a [driver]: the words of debugfs' migration/features
 * (stop-copy, p2p, pre-copy, dirty-tracking) as MT_MIG_* bits into OUT;
 * 0 when missing. An unknown word is an error. */
gboolean mk_key_migration(GKeyFile *kf, const char *group, unsigned *out, GError **error);
