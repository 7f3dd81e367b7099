/* SPDX-License-Identifier: MIT */
/* Where the entries come from: the journal or a syslog file, behind one set
 * of calls (see journal_source.h and syslog_source.h for each). */
#pragma once

#include <stdbool.h>

#include "entry.h"
#include "journal_source.h"
#include "syslog_source.h"

struct source;

/* Exactly one of the two is set. */
struct source_options {
        const struct journal_source_options *journal;
        const struct syslog_source_options *syslog;
};

int source_open(const struct source_options *o, struct source **ret);
struct source *source_close(struct source *s);

/* Positions the source after the entry of cursor (NULL: from the start). A
 * cursor of the other kind of source is taken as none. Returns 0 or -errno;
 * *ret_found (may be NULL) says whether the cursor's place was found. */
int source_seek(struct source *s, const char *cursor, bool *ret_found);

int source_next(struct source *s, struct entry *ret);
int source_cursor(struct source *s, char **ret);
int source_wait_params(struct source *s, int *ret_fd, short *ret_events, int *ret_timeout_ms);
int source_process(struct source *s, const char *cursor);

/* Whether cursor is one of s's kind of source. */
bool source_cursor_is_mine(const struct source *s, const char *cursor);

/* The syslog file behind s, or NULL if it is not one. */
struct syslog_source *source_syslog(struct source *s);

/* The journal behind s, or NULL if it is not one. */
struct journal_source *source_journal(struct source *s);
