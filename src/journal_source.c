/* SPDX-License-Identifier: MIT */
/* sd-journal does the matching; we only pick MESSAGE out of each entry. */
#include "journal_source.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

#include "macro.h"

struct journal_source {
        sd_journal *journal;
        bool positioned; /* an entry was returned since the last seek */
        bool pending;    /* the seek stopped on an entry not yet returned */
};

int journal_source_open(const struct journal_source_options *o, struct journal_source **ret) {
        _cleanup_free_ char *match = NULL;
        struct journal_source *js;
        int r;

        js = calloc(1, sizeof(*js));
        if (!js)
                return -ENOMEM;
        if (o->directory)
                r = sd_journal_open_directory(&js->journal, o->directory, 0);
        else if (o->namespace)
                r = sd_journal_open_namespace(&js->journal, o->namespace, 0);
        else
                r = sd_journal_open(&js->journal, SD_JOURNAL_LOCAL_ONLY);
        if (r < 0)
                goto fail;

        /* MESSAGE must reach us whole, however large (SPEC shows 64 KiB
         * messages whole); the default threshold cuts compressed fields. */
        r = sd_journal_set_data_threshold(js->journal, 0);
        if (r < 0)
                goto fail;
        if (asprintf(&match, "SYSLOG_IDENTIFIER=%s", o->identifier) < 0) {
                match = NULL;
                r = -ENOMEM;
                goto fail;
        }
        r = sd_journal_add_match(js->journal, match, 0);
        if (r < 0)
                goto fail;
        r = sd_journal_seek_head(js->journal);
        if (r < 0)
                goto fail;

        *ret = js;
        return 0;
fail:
        journal_source_close(js);
        return r;
}

struct journal_source *journal_source_close(struct journal_source *js) {
        if (!js)
                return NULL;
        sd_journal_close(js->journal);
        free(js);
        return NULL;
}

/* The "s=" (sequence number id) and "i=" (sequence number) fields of a cursor. */
static bool cursor_seqnum(const char *cursor, char seqnum_id[33], unsigned long long *ret_seqnum) {
        const char *s = strstr(cursor, "s="), *i = strstr(cursor, ";i=");
        char *end;

        if (!s || s != cursor || !i || i - (s + 2) != 32)
                return false;
        memcpy(seqnum_id, s + 2, 32);
        seqnum_id[32] = '\0';
        errno = 0;
        *ret_seqnum = strtoull(i + 3, &end, 16);
        return errno == 0 && end != i + 3;
}

/* True if the current entry is the one at cursor, or provably before it. */
static int already_counted(sd_journal *j, const char *cursor) {
        _cleanup_free_ char *current = NULL;
        char saved_id[33], current_id[33];
        unsigned long long saved_seqnum, current_seqnum;
        int r;

        r = sd_journal_test_cursor(j, cursor);
        if (r != 0)
                return r;
        /* sd-journal places us by seqnum when the cursor's writer still has
         * files here, else by time; neither should yield an older entry, but
         * a cheap check at start-up guards the exactly-once promise. */
        r = sd_journal_get_cursor(j, &current);
        if (r < 0)
                return r;
        if (!cursor_seqnum(cursor, saved_id, &saved_seqnum) || !cursor_seqnum(current, current_id, &current_seqnum))
                return 0;
        return strcmp(saved_id, current_id) == 0 && current_seqnum <= saved_seqnum;
}

int journal_source_seek(struct journal_source *js, const char *cursor) {
        int r;

        js->positioned = js->pending = false;
        if (!cursor)
                return sd_journal_seek_head(js->journal);

        r = sd_journal_seek_cursor(js->journal, cursor);
        if (r < 0)
                return r;
        for (;;) {
                r = sd_journal_next(js->journal);
                if (r <= 0)
                        return r; /* end: nothing new after the cursor */
                r = already_counted(js->journal, cursor);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
        }
        /* Stepping back with sd_journal_previous() would misbehave when this
         * is the first entry left; let journal_source_next() return it. */
        js->pending = true;
        return 0;
}

int journal_source_next(struct journal_source *js, const char **ret_msg, size_t *ret_len) {
        const void *data;
        size_t len;
        int r;

        if (js->pending)
                js->pending = false;
        else {
                r = sd_journal_next(js->journal);
                if (r <= 0)
                        return r;
        }
        js->positioned = true;

        r = sd_journal_get_data(js->journal, "MESSAGE", &data, &len);
        if (r == -ENOENT) {
                *ret_msg = NULL;
                *ret_len = 0;
                return 1;
        }
        if (r < 0)
                return r;
        *ret_msg = (const char *) data + strlen("MESSAGE=");
        *ret_len = len - strlen("MESSAGE=");
        return 1;
}

int journal_source_cursor(struct journal_source *js, char **ret) {
        if (!js->positioned) {
                *ret = NULL;
                return 0;
        }
        return sd_journal_get_cursor(js->journal, ret);
}
