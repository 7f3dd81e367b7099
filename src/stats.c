/* SPDX-License-Identifier: MIT */
/* Event parsing plus UTF-8 repair plus counting: the only place that decides
 * what a message adds to the reports. */
#include "stats.h"

#include <errno.h>
#include <stdlib.h>

#include "event.h"
#include "utf8.h"

struct stats *stats_new(void) {
        struct stats *s = calloc(1, sizeof(*s));

        if (!s)
                return NULL;
        s->errors = counter_table_new();
        s->users = counter_table_new();
        if (!s->errors || !s->users)
                return stats_free(s);
        return s;
}

struct stats *stats_free(struct stats *s) {
        if (!s)
                return NULL;
        counter_table_free(s->errors);
        counter_table_free(s->users);
        free(s->scratch);
        free(s);
        return NULL;
}

/* Returns the repaired form of text: text itself when it is valid UTF-8 (the
 * common case, no copy), else the scratch buffer. NULL on OOM. */
static const char *repaired(struct stats *s, const char *text, size_t len, size_t *ret_len) {
        if (utf8_is_valid(text, len)) {
                *ret_len = len;
                return text;
        }
        if (s->scratch_size < UTF8_REPAIR_MAX(len)) {
                char *p = realloc(s->scratch, UTF8_REPAIR_MAX(len));
                if (!p)
                        return NULL;
                s->scratch = p;
                s->scratch_size = UTF8_REPAIR_MAX(len);
        }
        *ret_len = utf8_repair(text, len, s->scratch);
        return s->scratch;
}

int stats_add_message(struct stats *s, const char *msg, size_t len) {
        struct event ev;
        const char *key;
        size_t key_len;
        int r;

        if (event_parse(msg, len, &ev) < 0) {
                s->unparsed++;
                return 0;
        }

        if (ev.level == EVENT_ERROR) {
                key = repaired(s, ev.text, ev.text_len, &key_len);
                if (!key)
                        return -ENOMEM;
                r = counter_table_add(s->errors, key, key_len, 0, 1);
                if (r < 0)
                        return r;
        }

        key = repaired(s, ev.user, ev.user_len, &key_len);
        if (!key)
                return -ENOMEM;
        r = counter_table_add(s->users, key, key_len, ev.level == EVENT_INFO ? STATS_INFO : STATS_ERROR, 1);
        if (r < 0)
                return r;

        if (ev.level == EVENT_INFO)
                s->info++;
        else
                s->error++;
        return 0;
}

int stats_add_user(struct stats *s, const char *user, size_t len, uint64_t info, uint64_t error) {
        int r = counter_table_add(s->users, user, len, STATS_INFO, info);
        if (r < 0)
                return r;
        return counter_table_add(s->users, user, len, STATS_ERROR, error);
}

int stats_add_error(struct stats *s, const char *message, size_t len, uint64_t count) {
        return counter_table_add(s->errors, message, len, 0, count);
}
