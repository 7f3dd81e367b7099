/* SPDX-License-Identifier: MIT */
/* The pipeline: source (journal or syslog file) -> aggregates -> report files + state snapshot. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "stats.h"

struct collector;

/* Creates the output and state directories if missing, locks the state
 * directory against a second instance, loads the snapshot and opens the
 * journal at its cursor. The config is copied into the collector. Returns 0
 * or -errno; on failure *ret_error explains it in one line (caller frees). */
int collector_open(const struct config *c, struct collector **ret, char **ret_error);

/* Accepts NULL; returns NULL. Saves nothing. */
struct collector *collector_free(struct collector *col);

/* Reads and counts up to max entries. Returns how many were read (fewer than
 * max: the journal is drained for now) or -errno; after an error, nothing
 * more is read or saved (-ENOTRECOVERABLE): the process should exit, and the
 * next start resumes from the last snapshot. */
long collector_pump(struct collector *col, size_t max);

/* A first import (no cursor yet, no caps) in two halves side by side: the
 * journal is split at the middle of its time span; a thread of its own,
 * with a journal object of its own, counts from the head up to the middle
 * entry while this one reads from there to the end. The counts are merged;
 * the cursor is that of the last entry. Nothing may be saved until this
 * returns: the counts are no prefix of the journal before. Returns the
 * entries counted, 0 if nothing was done (not a first import, or too little
 * to split), or -errno; -ESTALE: the halves did not meet (the journal's
 * files changed between the two opens), and the collector must be opened
 * again and the journal read in one pass. After an error nothing more is
 * read or saved, as after collector_pump(). */
long collector_import_split(struct collector *col);

struct collector_import {
        bool already;       /* the same content was imported before: nothing counted */
        bool followed;      /* the file is one the syslog source read: nothing counted */
        time_t imported_at; /* when, if already */
        uint64_t lines;     /* of the file */
        uint64_t events;    /* of the identifier: counted now, or then if already */
};

/* Adds the [syslog] identifier's lines of a syslog file (plain or gzip) to
 * the counts, unless a file of the same content was imported before, and
 * saves the state. The source's position does not move. Returns 0 or
 * -errno: a file that cannot be opened changes nothing; one that fails
 * while it is counted leaves nothing more to read or save, as after
 * collector_pump(). */
int collector_import(struct collector *col, const char *path, struct collector_import *ret);

/* True after a failure that left the counts unsaveable. */
bool collector_poisoned(const struct collector *col);

/* Saves the state snapshot (cursor + counts). Returns 0 or -errno. */
int collector_save_state(struct collector *col);

/* Writes every report file, stamped with `now` (creating the output directory
 * again if it was removed), then saves the state, even if the pages failed.
 * Returns 0 or -errno; *ret_what names what failed ("pages" or "state").
 * -ENOTRECOVERABLE: a failed pump left the counts unsaveable; nothing was
 * written. */
int collector_flush(struct collector *col, time_t now, const char **ret_what);

/* For poll() on the journal: see journal_source_wait_params(). */
int collector_wait_params(struct collector *col, int *ret_fd, short *ret_events, int *ret_timeout_ms);

/* Handles the journal's notifications after a wake-up; then collector_pump()
 * reads what arrived. Returns 0 or -errno. */
int collector_process(struct collector *col);

/* True once users or messages beyond the caps are counted as "(other)". */
bool collector_caps_reached(const struct collector *col);

/* The aggregates, for status lines. */
const struct stats *collector_stats(const struct collector *col);

/* Where the loaded snapshot said its cursor came from, if that differs from
 * the configured source (the counts carry on); else NULL. */
const char *collector_previous_source(const struct collector *col);

/* True if a syslog file was opened with a saved position whose file was
 * found neither at the path nor rotated beside it: its start was read. */
bool collector_cursor_lost(const struct collector *col);
