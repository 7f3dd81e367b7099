/* SPDX-License-Identifier: MIT */
#include "source.h"

#include <errno.h>
#include <stdlib.h>

struct source {
        struct journal_source *journal; /* exactly one of the two */
        struct syslog_source *syslog;
};

int source_open(const struct source_options *o, struct source **ret) {
        struct source *s = calloc(1, sizeof(*s));
        int r;

        if (!s)
                return -ENOMEM;
        if (o->syslog)
                r = syslog_source_open(o->syslog, &s->syslog);
        else
                r = journal_source_open(o->journal, o->journal_positions, &s->journal);
        if (r < 0) {
                free(s);
                return r;
        }
        *ret = s;
        return 0;
}

struct source *source_close(struct source *s) {
        if (!s)
                return NULL;
        journal_source_close(s->journal);
        syslog_source_close(s->syslog);
        free(s);
        return NULL;
}

int source_seek(struct source *s, const char *cursor, bool *ret_found) {
        bool found = true;
        int r;

        if (cursor && !source_cursor_is_mine(s, cursor))
                cursor = NULL;
        if (s->syslog) {
                r = syslog_source_seek(s->syslog, cursor);
                found = r > 0;
        } else
                r = cursor ? journal_source_migrate(s->journal, cursor) : 0;
        if (r < 0)
                return r;
        if (ret_found)
                *ret_found = found;
        return 0;
}

int source_next(struct source *s, struct entry *ret) {
        if (s->syslog)
                return syslog_source_next(s->syslog, ret);
        return journal_source_next(s->journal, ret);
}

int source_commit(struct source *s, char **ret) {
        *ret = NULL;
        if (s->syslog)
                return syslog_source_cursor(s->syslog, ret);
        return journal_source_commit(s->journal);
}

int source_wait_params(struct source *s, int *ret_fd, short *ret_events, int *ret_timeout_ms) {
        if (s->syslog)
                return syslog_source_wait_params(s->syslog, ret_fd, ret_events, ret_timeout_ms);
        return journal_source_wait_params(s->journal, ret_fd, ret_events, ret_timeout_ms);
}

int source_process(struct source *s) {
        if (s->syslog)
                return syslog_source_process(s->syslog);
        return journal_source_process(s->journal);
}

char **source_take_notices(struct source *s) {
        return s->journal ? journal_source_take_notices(s->journal) : NULL;
}

bool source_cursor_is_mine(const struct source *s, const char *cursor) {
        return syslog_cursor_is(cursor) == !!s->syslog;
}

struct syslog_source *source_syslog(struct source *s) {
        return s->syslog;
}

struct journal_source *source_journal(struct source *s) {
        return s->journal;
}
