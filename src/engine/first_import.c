/* SPDX-License-Identifier: MIT */
/* Why the halves count every entry exactly once: the second half is
 * positioned at the middle entry by its cursor, the way every restart
 * resumes, and the first half stops at that very entry (checked by cursor,
 * not by time); the first half also checks that it starts at the head the
 * split was planned on, so that a file vacuumed in between is noticed. */
#include "first_import.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

#include "count.h"
#include "macro.h"

/* The first half, counted on a thread and a journal object of its own. */
struct first_half {
        struct journal_source_options options; /* borrowed from the caller's source */
        const struct journal_split *split;
        struct stats *stats;
        size_t n_entries;
        bool met; /* stopped at the second half's first entry */
        int result;
};

/* Whether e, the current entry of js, ends the first half (1), is to be
 * counted (0), or -errno. */
static int at_end_of_first_half(struct first_half *h, struct journal_source *js, const struct entry *e, bool first) {
        int r;

        /* A file vacuumed since the split was planned would take its
         * entries with it; the head is the one to notice. */
        if (first) {
                r = journal_source_at(js, h->split->head_cursor);
                if (r <= 0)
                        return r < 0 ? r : -ESTALE;
        }
        /* Only an entry of that very time can be the one. */
        if (e->realtime_usec != h->split->middle_realtime_usec)
                return 0;
        r = journal_source_at(js, h->split->middle_cursor);
        if (r > 0)
                h->met = true;
        return r;
}

static void *count_first_half(void *userdata) {
        struct first_half *h = userdata;
        struct journal_source *js;
        int r;

        r = journal_source_open(&h->options, &js);
        if (r < 0) {
                h->result = r;
                return NULL;
        }
        for (bool first = true;; first = false) {
                struct entry e;

                r = journal_source_next(js, &e);
                if (r <= 0)
                        break;
                r = at_end_of_first_half(h, js, &e, first);
                if (r != 0)
                        break;
                r = count_entry(h->stats, &e);
                if (r < 0)
                        break;
                h->n_entries++;
        }
        journal_source_close(js);
        h->result = r < 0 ? r : 0;
        return NULL;
}

#define SPLIT_PUMP_ENTRIES 65536

/* The second half, here, from the middle entry on. Returns the entries
 * counted or -errno. */
static long count_second_half(struct ledger *l, struct source *src) {
        long n, total = 0;

        do {
                n = ledger_pump(l, src, SPLIT_PUMP_ENTRIES, false);
                if (n > 0)
                        total += n;
        } while (n == SPLIT_PUMP_ENTRIES);
        return n < 0 ? n : total;
}

long first_import_split(struct ledger *l, struct source *src, struct journal_source *js) {
        _cleanup_(journal_split_done) struct journal_split split = { .head_cursor = NULL };
        struct first_half h = { .split = &split };
        pthread_t thread;
        long n;
        int r;

        if (l->poisoned)
                return -ENOTRECOVERABLE;
        r = journal_source_seek_middle(js, &split);
        if (r <= 0)
                return r < 0 ? ledger_poison(l, r) : 0;
        journal_source_options(js, &h.options);
        h.stats = stats_new_like(l->stats);
        r = h.stats ? -pthread_create(&thread, NULL, count_first_half, &h) : -ENOMEM;
        if (r < 0) {
                /* Slower, not wrong: the whole journal in one pass. */
                stats_free(h.stats);
                r = journal_source_seek(js, NULL);
                return r < 0 ? ledger_poison(l, r) : 0;
        }

        n = count_second_half(l, src);
        (void) pthread_join(thread, NULL);

        if (n >= 0 && h.result < 0)
                n = h.result;
        else if (n >= 0 && !h.met)
                n = -ESTALE;
        if (n >= 0) {
                r = stats_merge(l->stats, h.stats);
                if (r < 0)
                        n = r;
        }
        stats_free(h.stats);
        if (n < 0)
                return ledger_poison(l, (int) n);
        return n + (long) h.n_entries;
}
