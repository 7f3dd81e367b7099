/* SPDX-License-Identifier: MIT */
/* Reading, counting and taking the position, in that order, one batch at a
 * time: the position saved moves only over entries already in the counts. */
#include "ledger.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "count.h"
#include "counting_thread.h"
#include "state.h"

int ledger_init(struct ledger *l, const struct stats_limits *limits) {
        *l = (struct ledger){
                .stats = stats_new(),
                .imports = imported_files_new(),
                .journal_positions = counter_table_new(),
        };
        if (!l->stats || !l->imports || !l->journal_positions) {
                ledger_done(l);
                return -ENOMEM;
        }
        stats_set_limits(l->stats, limits);
        return 0;
}

void ledger_done(struct ledger *l) {
        stats_free(l->stats);
        imported_files_free(l->imports);
        counter_table_free(l->journal_positions);
        free(l->cursor);
        *l = (struct ledger){ .stats = NULL };
}

int ledger_load(struct ledger *l, const char *state_dir, char **ret_source, const char **ret_reason) {
        *ret_source = NULL;
        return state_load(state_dir,
                          &(struct state_tables){
                                  .stats = l->stats,
                                  .imports = l->imports,
                                  .journal_positions = l->journal_positions,
                          },
                          &l->cursor, ret_source, ret_reason);
}

int ledger_poison(struct ledger *l, int r) {
        l->poisoned = true;
        return r;
}

/* Makes the position that of the last entry counted. */
static int take_position(struct ledger *l, struct source *src) {
        char *cursor;
        int r;

        r = source_commit(src, &cursor);
        if (r < 0)
                return r;
        if (cursor) {
                free(l->cursor);
                l->cursor = cursor;
        }
        return 0;
}

/* Reads and counts up to max entries here; *n grows by those counted. */
static int count_here(struct stats *s, struct source *src, size_t max, size_t *n) {
        for (size_t i = 0; i < max; i++) {
                struct entry e;
                int r;

                r = source_next(src, &e);
                if (r <= 0)
                        return r;
                r = count_entry(s, &e);
                if (r < 0)
                        return r;
                (*n)++;
        }
        return 1;
}

/* Reads entries into b until it is full or *read reaches max. Returns 1 if
 * more may follow, 0 at the end of the source, or -errno. */
static int read_batch(struct source *src, struct entry_batch *b, size_t max, size_t *read) {
        while (!entry_batch_full(b) && *read < max) {
                struct entry e;
                int r;

                r = source_next(src, &e);
                if (r <= 0)
                        return r;
                r = entry_batch_add(b, &e);
                if (r < 0)
                        return r;
                (*read)++;
        }
        return 1;
}

/* Reads up to max entries here while a second thread counts them; *n grows
 * by those counted. Every entry read is counted before this returns, so the
 * current entry's cursor stays that of the last one counted. */
static int count_on_thread(struct stats *s, struct source *src, size_t max, size_t *n) {
        struct counting_thread *t;
        size_t read = 0;
        int r, q;

        r = counting_thread_start(s, &t);
        if (r == -EAGAIN) /* out of threads: slower, not wrong */
                return count_here(s, src, max, n);
        if (r < 0)
                return r;

        r = 1;
        while (r > 0 && read < max) {
                struct entry_batch *b = counting_thread_batch(t);
                if (!b)
                        break; /* counting failed: stop says why */
                r = read_batch(src, b, max, &read);
                counting_thread_submit(t, b);
        }
        q = counting_thread_stop(t);
        if (q < 0)
                return q;
        *n += read;
        return r;
}

/* A share of the journal's files read and counted on a thread of its own,
 * into counts of its own, while this thread reads the rest. On two cores,
 * 10 to 20% sooner through a backlog in big files; little with many small
 * ones, whose opening and mapping the threads of one process do not do in
 * parallel well. */
struct share_reader {
        pthread_t thread;
        struct journal_share *share;
        struct stats *stats;
        size_t max, counted;
        atomic_bool stop;
        int result;
};

static void *read_share(void *userdata) {
        struct share_reader *sr = userdata;
        int r = 0;

        while (sr->counted < sr->max && !atomic_load_explicit(&sr->stop, memory_order_relaxed)) {
                struct entry e;
                r = journal_share_next(sr->share, &e);
                if (r <= 0)
                        break;
                r = count_entry(sr->stats, &e);
                if (r < 0)
                        break;
                sr->counted++;
        }
        sr->result = r < 0 ? r : 0;
        return NULL;
}

/* Starts reading a share of src's files on a second thread, if src is a
 * journal with at least two files with new entries. The counts of the two
 * threads are merged afterwards, which only caps would forbid (which keys
 * a cap keeps depends on the order). Sets *ret to NULL when not worth it. */
static int share_start(const struct stats *s, struct source *src, size_t max, struct share_reader **ret) {
        struct journal_source *js = source_journal(src);
        const struct stats_limits *limits = stats_limits(s);
        struct share_reader *sr;
        int r;

        *ret = NULL;
        if (!js || limits->max_users > 0 || limits->max_errors > 0)
                return 0;
        sr = calloc(1, sizeof(*sr));
        if (!sr)
                return -ENOMEM;
        sr->max = max;
        sr->stats = stats_new_like(s);
        r = sr->stats ? journal_source_share(js, &sr->share) : -ENOMEM;
        if (r >= 0 && sr->share && pthread_create(&sr->thread, NULL, read_share, sr) == 0) {
                *ret = sr;
                return 0;
        }
        /* Nothing to share, or out of threads: slower, not wrong. Nothing
         * was read: the share's positions are those js has, set again
         * without allocating. */
        if (r >= 0 && sr->share)
                r = journal_source_unshare(js, sr->share);
        stats_free(sr->stats);
        free(sr);
        return r;
}

/* Stops (if stop) or waits for the share's thread, and adds what it counted
 * to s and the positions it reached to src's; *n grows by its count.
 * Returns 0 or -errno. */
static int share_finish(struct share_reader *sr, bool stop, struct stats *s, struct source *src, size_t *n) {
        int r, q;

        if (!sr)
                return 0;
        atomic_store_explicit(&sr->stop, stop, memory_order_relaxed);
        (void) pthread_join(sr->thread, NULL); /* fails only for a thread not joinable: not ours */
        r = sr->result;
        if (r >= 0)
                r = stats_merge(s, sr->stats);
        /* Even after a failure: the files go back to src, which stays whole. */
        q = journal_source_unshare(source_journal(src), sr->share);
        if (r >= 0)
                r = q;
        if (r >= 0)
                *n += sr->counted;
        stats_free(sr->stats);
        free(sr);
        return r;
}

/* A few entries, the daemon's usual wake-up, are counted as they are read;
 * past that many, there is a backlog worth a second thread (starting one
 * costs about as much as counting a few dozen entries). */
#define COUNT_HERE_ENTRIES 256

long ledger_pump(struct ledger *l, struct source *src, size_t max, bool counting_thread) {
        size_t n = 0, here = counting_thread && max > COUNT_HERE_ENTRIES ? COUNT_HERE_ENTRIES : max;
        struct share_reader *sr = NULL;
        int r, q;

        if (l->poisoned)
                return -ENOTRECOVERABLE;
        r = count_here(l->stats, src, here, &n);
        if (r > 0 && n < max) {
                r = share_start(l->stats, src, max, &sr);
                if (r >= 0 && sr) /* two threads reading: both cores are busy */
                        r = count_here(l->stats, src, max - n, &n);
                else if (r >= 0)
                        r = count_on_thread(l->stats, src, max - n, &n);
                /* Stopped here (by max, or an error): the share stops too.
                 * At the end of this side's files, it goes on up to its own
                 * max. */
                q = share_finish(sr, r != 0, l->stats, src, &n);
                if (r >= 0 && q < 0)
                        r = q;
        }
        /* One position per batch, not per entry: taking a cursor costs about
         * a fifth of reading the entry. */
        if (r >= 0 && n > 0)
                r = take_position(l, src);
        if (r < 0)
                /* The position, or the counts, no longer match each other:
                 * never save them. The snapshot on disk stays the last good
                 * one. */
                return ledger_poison(l, r);
        return (long) n;
}

int ledger_save(const struct ledger *l, const char *state_dir, const char *source_key) {
        if (l->poisoned)
                return -ENOTRECOVERABLE;
        return state_save(state_dir, &(struct state_snapshot){
                                             .cursor = l->cursor,
                                             .source = source_key,
                                             .stats = l->stats,
                                             .imports = l->imports,
                                             .journal_positions = l->journal_positions,
                                     });
}
