/* SPDX-License-Identifier: MIT */
/* The persisted snapshot: the source's cursor and the aggregates, saved and loaded as one. */
#pragma once

#include "imported_files.h"
#include "stats.h"

#define STATE_FILE_NAME "state"
#define STATE_VERSION   3 /* 1: no windows, no caps; 2: no imports; both still read */

/* What one snapshot holds; everything is borrowed. */
struct state_snapshot {
        const char *cursor; /* of the last entry the counts include; NULL: nothing read yet */
        const char *source; /* a description of where the cursor is from */
        const struct stats *stats;
        const struct imported_files *imports;
};

/* Atomically replaces DIR/state with snap. Returns 0 or -errno; on failure
 * the previous snapshot is intact. */
int state_save(const char *dir, const struct state_snapshot *snap);

/* Loads DIR/state, adding its counts into s and its record of imported
 * files into imports (both should be empty). Returns 0, -ENOENT if there is
 * no snapshot, -EBADMSG if it is truncated, corrupt or of an unknown version
 * (*ret_reason then says which, static string), or another -errno; after a
 * failure s and imports may hold part of it and must be discarded.
 * *ret_cursor and *ret_source are set on success (NULL if none were saved);
 * the caller frees them. */
int state_load(const char *dir, struct stats *s, struct imported_files *imports, char **ret_cursor, char **ret_source,
               const char **ret_reason);
