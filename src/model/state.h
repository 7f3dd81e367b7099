/* SPDX-License-Identifier: MIT */
/* The persisted snapshot: the source's position and the aggregates, saved and loaded as one. */
#pragma once

#include "counter_table.h"
#include "imported_files.h"
#include "stats.h"

#define STATE_FILE_NAME "state"
/* 1: no windows, no caps; 2: no imports; 3: one cursor for the journal too;
 * all still read. */
#define STATE_VERSION 4

#define STATE_FILE_ID_BYTES 16

/* What one snapshot holds; everything is borrowed. */
struct state_snapshot {
        const char *cursor; /* a syslog file's, past the last line the counts include; NULL: none */
        const char *source; /* a description of where the positions are from */
        const struct stats *stats;
        const struct imported_files *imports;
        /* The journal's positions (see journal_source.h): key a file's
         * 16-byte id, [0] the last sequence number counted, [1] when the
         * file was last seen. */
        const struct counter_table *journal_positions;
};

/* Where a loaded snapshot goes; all should be empty. */
struct state_tables {
        struct stats *stats;
        struct imported_files *imports;
        struct counter_table *journal_positions;
};

/* Atomically replaces DIR/state with snap. Returns 0 or -errno; on failure
 * the previous snapshot is intact. */
int state_save(const char *dir, const struct state_snapshot *snap);

/* Loads DIR/state into t's tables. Returns 0, -ENOENT if there is no
 * snapshot, -EBADMSG if it is truncated, corrupt or of an unknown version
 * (*ret_reason then says which, static string), or another -errno; after a
 * failure the tables may hold part of it and must be discarded.
 * *ret_cursor and *ret_source are set on success (NULL if none were saved);
 * the caller frees them. A cursor from version 3 or older may be the
 * journal's, in its merged order. */
int state_load(const char *dir, const struct state_tables *t, char **ret_cursor, char **ret_source,
               const char **ret_reason);
