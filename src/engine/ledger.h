/* SPDX-License-Identifier: MIT */
/* The exactly-once core: the counts, the record of imported files, and the
 * position in the source they stand for, saved as one snapshot.
 *
 * One rule makes every entry count exactly once across kills and restarts:
 * the position saved (a syslog file's cursor, or the journal's positions
 * per file) is always that of the last entries the counts include, and
 * both only ever reach the disk together, in one atomic file. Between two
 * pumps, every entry read is counted and the position covers exactly
 * those; a snapshot is only taken there. Once anything breaks that
 * agreement in memory (a failed read, an allocation that failed half-way
 * through an event), the ledger is poisoned: it is never saved again, and
 * the next start resumes from the last good snapshot. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "imported_files.h"
#include "source.h"
#include "stats.h"

/* Caller storage: ledger_init(), then always ledger_done(). */
struct ledger {
        struct stats *stats;
        struct imported_files *imports;
        struct counter_table *journal_positions; /* lent to a journal source */
        char *cursor;                            /* a syslog file's, past the last line counted; NULL: none yet */
        bool poisoned;                           /* counts and position may disagree: never save */
};

/* Empty counts with limits. Returns 0 or -ENOMEM. */
int ledger_init(struct ledger *l, const struct stats_limits *limits);
void ledger_done(struct ledger *l);

/* Loads the snapshot of state_dir into an empty ledger. Returns 0, -ENOENT
 * (no snapshot: the ledger stays empty), or as state_load() (*ret_reason;
 * the ledger must then be discarded). *ret_source: where the snapshot's
 * cursor is from, or NULL; caller frees. */
int ledger_load(struct ledger *l, const char *state_dir, char **ret_source, const char **ret_reason);

/* Reads and counts about max entries of src, which must be positioned after
 * what l counted, then takes the position of the last one. A backlog is
 * counted on a second thread unless counting_thread is false (both cores
 * busy already), and a journal's files are then also read on two threads,
 * up to max entries each. Returns how many were counted (fewer than max:
 * src is drained for now) or -errno, which poisons l (-ENOTRECOVERABLE: it
 * already was). */
long ledger_pump(struct ledger *l, struct source *src, size_t max, bool counting_thread);

/* Saves the counts and the cursor, from source_key (a description of the
 * source), as one snapshot in state_dir. Returns 0 or -errno
 * (-ENOTRECOVERABLE: poisoned, nothing written). */
int ledger_save(const struct ledger *l, const char *state_dir, const char *source_key);

/* Marks l unsaveable after a failure that left it half-updated; returns r. */
int ledger_poison(struct ledger *l, int r);
