/* SPDX-License-Identifier: MIT */
/* The entries of one SYSLOG_IDENTIFIER, read in order through sd-journal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry.h"

struct journal_source;

struct journal_source_options {
        const char *identifier; /* SYSLOG_IDENTIFIER to match */
        const char *namespace;  /* NULL: none */
        const char *directory;  /* NULL: the local journal */
        char *const *hosts;     /* NULL-terminated _HOSTNAMEs to match, or NULL: all */
        bool want_hostname;     /* read _HOSTNAME of every entry */
};

/* Opens the journal and positions it before the first entry. Returns 0 or
 * -errno (from sd-journal). */
int journal_source_open(const struct journal_source_options *o, struct journal_source **ret);

/* Accepts NULL; returns NULL. */
struct journal_source *journal_source_close(struct journal_source *js);

/* Positions the source so that the next entry is the first one after cursor:
 * the cursor's own entry, if it still exists, is skipped; if it was vacuumed,
 * reading resumes at the first entry after its position. cursor NULL: from
 * the head. Returns 0 or -errno. */
int journal_source_seek(struct journal_source *js, const char *cursor);

/* Advances to the next entry. Returns 1 and the entry in *ret, 0 at the end,
 * or -errno: the position is then unknown, and journal_source_cursor() must
 * not be trusted. */
int journal_source_next(struct journal_source *js, struct entry *ret);

/* For poll(): the fd to wait on, its events, and the longest wait in
 * milliseconds before journal_source_process() is due anyway (-1: forever).
 * Returns 0 or -errno. */
int journal_source_wait_params(struct journal_source *js, int *ret_fd, short *ret_events, int *ret_timeout_ms);

/* Processes the journal's change notifications after a wake-up (new entries,
 * rotation, vacuum, new files). cursor is that of the last entry the caller
 * consumed (NULL: none yet): if the journal has to be reopened because it
 * has no file, it is positioned there again. Returns 0 or -errno. */
int journal_source_process(struct journal_source *js, const char *cursor);

/* The cursor of the current entry, or NULL if none was read since the seek.
 * Returns 0 or -errno; caller frees *ret. */
int journal_source_cursor(struct journal_source *js, char **ret);

/* The options js was opened with, for opening the same journal again (on
 * another thread, say). The strings are borrowed from js. */
void journal_source_options(const struct journal_source *js, struct journal_source_options *ret);

/* Where a first import splits in two: the cursors of the journal's first
 * entry and of the second half's first one, and the latter's time. */
struct journal_split {
        char *head_cursor;
        char *middle_cursor;
        uint64_t middle_realtime_usec;
};

void journal_split_done(struct journal_split *split);

/* Positions the source at the entry nearest the middle of the journal's time
 * span, for splitting a first import in two: that entry is the next one
 * journal_source_next() returns. Fills *ret (the caller frees its cursors).
 * Returns 1, 0 if there is nothing to split (the source is back at the head
 * then), or -errno. */
int journal_source_seek_middle(struct journal_source *js, struct journal_split *ret);

/* Whether the current entry (the last one journal_source_next() returned) is
 * the one at cursor. Returns 1, 0, or -errno. */
int journal_source_at(struct journal_source *js, const char *cursor);
