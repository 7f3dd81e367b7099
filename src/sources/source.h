/* SPDX-License-Identifier: MIT */
/* Where the entries come from: the journal or a syslog file, behind one set
 * of calls (see journal_source.h and syslog_source.h for each). */
#pragma once

#include <stdbool.h>

#include "entry.h"
#include "journal_source.h"
#include "syslog_source.h"

struct source;

/* Exactly one of journal and syslog is set. */
struct source_options {
        const struct journal_source_options *journal;
        struct counter_table *journal_positions; /* the journal's: see journal_source.h */
        const struct syslog_source_options *syslog;
};

int source_open(const struct source_options *o, struct source **ret);
struct source *source_close(struct source *s);

/* Positions the source after the entry of cursor (NULL: from the start). A
 * cursor of the other kind of source is taken as none. A journal keeps its
 * positions per file: a cursor given to it is one saved by a reader of the
 * merged journal, carried over (journal_source_migrate()). Returns 0 or
 * -errno; *ret_found (may be NULL) says whether the cursor's place was
 * found. */
int source_seek(struct source *s, const char *cursor, bool *ret_found);

int source_next(struct source *s, struct entry *ret);

/* Makes the position cover every entry returned: a syslog file's is a
 * cursor, in *ret (caller frees; NULL if nothing was read since the seek);
 * a journal's are the positions per file (*ret NULL). Returns 0 or -errno. */
int source_commit(struct source *s, char **ret);

int source_wait_params(struct source *s, int *ret_fd, short *ret_events, int *ret_timeout_ms);
int source_process(struct source *s);

/* Problems to log, or NULL: see journal_source_take_notices(). */
char **source_take_notices(struct source *s);

/* Whether cursor is one of s's kind of source. */
bool source_cursor_is_mine(const struct source *s, const char *cursor);

/* The syslog file behind s, or NULL if it is not one. */
struct syslog_source *source_syslog(struct source *s);

/* The journal behind s, or NULL if it is not one. */
struct journal_source *source_journal(struct source *s);
