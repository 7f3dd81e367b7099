/* SPDX-License-Identifier: MIT */
/* The pipeline as --once and the daemon run it: a source (journal or syslog
 * file) into the ledger, and the ledger into the report files and the state
 * snapshot. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "import.h"
#include "stats.h"

struct engine;

/* Creates the output and state directories if missing, locks the state
 * directory against a second instance, loads the snapshot and opens the
 * source at its cursor. The config is copied. Local days follow the TZ in
 * force. Returns 0 or -errno; on failure *ret_error explains it in one line
 * (caller frees). */
int engine_open(const struct config *c, struct engine **ret, char **ret_error);

/* Accepts NULL; returns NULL. Saves nothing. */
struct engine *engine_free(struct engine *e);

/* Reads and counts about max entries (see ledger_pump()). Returns how many
 * were read (fewer than max: the source is drained for now) or -errno;
 * after an error, nothing more is read or saved (-ENOTRECOVERABLE): the
 * process should exit, and the next start resumes from the last snapshot. */
long engine_pump(struct engine *e, size_t max);

/* import_syslog_file() of the [syslog] identifier's lines, then the state
 * saved when the file was newly recorded (even with no line of the
 * identifier). Returns 0 or -errno; see
 * engine_poisoned() for whether it was the file or the engine. */
int engine_import(struct engine *e, const char *path, struct import_outcome *ret);

/* True after a failure that left the counts unsaveable. */
bool engine_poisoned(const struct engine *e);

/* Saves the state snapshot (position + counts). Returns 0 or -errno. */
int engine_save_state(struct engine *e);

/* What engine_flush() could not write: 0 or -errno each. */
struct flush_errors {
        int pages;
        const char *pages_what; /* "pages" or "Prometheus file" */
        int state;
};

/* Writes every report file, stamped with `now` (creating the output directory
 * again if it was removed), and saves the state meanwhile, even if the pages
 * fail. Returns 0 or -errno (the state's failure first), and in *ret each
 * failure. -ENOTRECOVERABLE: a failed pump left the counts unsaveable;
 * nothing was written. */
int engine_flush(struct engine *e, time_t now, struct flush_errors *ret);

/* For poll() on the source: see journal_source_wait_params(). */
int engine_wait_params(struct engine *e, int *ret_fd, short *ret_events, int *ret_timeout_ms);

/* Handles the source's notifications after a wake-up; then engine_pump()
 * reads what arrived. Returns 0 or -errno. */
int engine_process(struct engine *e);

/* Problems met by the source since the last call (a damaged journal file,
 * say), one line each, to log; NULL if none. Free with strv_free(). */
char **engine_take_notices(struct engine *e);

/* The aggregates, for status lines. */
const struct stats *engine_stats(const struct engine *e);

/* Where the loaded snapshot said its cursor came from, if that differs from
 * the configured source (the counts carry on); else NULL. */
const char *engine_previous_source(const struct engine *e);

/* True if a syslog file was opened with a saved position whose file was
 * found neither at the path nor rotated beside it: its start was read. */
bool engine_cursor_lost(const struct engine *e);
