/* SPDX-License-Identifier: MIT */
/* The persisted snapshot: the source's cursor and the aggregates, saved and loaded as one. */
#pragma once

#include "stats.h"

#define STATE_FILE_NAME "state"
#define STATE_VERSION   3 /* 1: no windows, no caps; 2: no imports; both still read */

/* Atomically replaces DIR/state with cursor (may be NULL: nothing read yet),
 * source (a description of where the cursor is from) and the counts in s.
 * Returns 0 or -errno; on failure the previous snapshot is intact. */
int state_save(const char *dir, const char *cursor, const char *source, const struct stats *s);

/* Loads DIR/state, adding its counts into s (which should be empty).
 * Returns 0, -ENOENT if there is no snapshot, -EBADMSG if it is truncated,
 * corrupt or of an unknown version (*ret_reason then says which, static
 * string), or another -errno; after a failure s may hold part of the counts
 * and must be discarded. *ret_cursor and *ret_source are set on success
 * (NULL if none were saved); the caller frees them. */
int state_load(const char *dir, struct stats *s, char **ret_cursor, char **ret_source, const char **ret_reason);
