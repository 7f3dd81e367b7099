/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "count.h"
#include "counting_thread.h"
#include "stats.h"

/* The n-th entry of a varied stream: levels, users, hosts, no MESSAGE,
 * unparsable text, and now and then a message longer than a whole batch.
 * The first is all empty text, which is not the same as none. */
static struct entry nth_entry(unsigned n, char *buf, size_t size) {
        static const char *const hosts[] = { "alpha", "beta", NULL, "" };
        struct entry e = { .realtime_usec = 1700000000000000u + n * 1000000ull };
        int len;

        if (n == 0) {
                e.message = e.host = "";
                return e;
        }

        if (n % 97 == 0) {
                e.message = NULL;
        } else if (n % 501 == 0) {
                len = snprintf(buf, size, "ERROR ");
                memset(buf + len, 'x', size - (size_t) len - 16);
                len = (int) size - 16 + snprintf(buf + size - 16, 16, " (u%u)", n % 7);
                e.message = buf;
                e.message_len = (size_t) len;
        } else {
                if (n % 3)
                        len = snprintf(buf, size, "INFO Created ticket [#%u] (u%u)", n, n % 50);
                else if (n % 11)
                        len = snprintf(buf, size, "ERROR Error %u (u%u)", n % 13, n % 50);
                else
                        len = snprintf(buf, size, "not ticky %u", n);
                e.message = buf;
                e.message_len = (size_t) len;
        }
        e.host = hosts[n % 4];
        e.host_len = e.host ? strlen(e.host) : 0;
        return e;
}

static void expect_same_rows(const struct counter_table *a, const struct counter_table *b) {
        const struct counter_row *row, *other;

        cr_assert_eq(counter_table_size(a), counter_table_size(b));
        for (size_t i = 0; (row = counter_table_next(a, &i));) {
                other = counter_table_get(b, row->key, row->key_len);
                cr_assert_not_null(other);
                cr_assert_eq(row->count[0], other->count[0]);
                cr_assert_eq(row->count[1], other->count[1]);
        }
}

Test(counting_thread, counts_what_stats_add_counts) {
        const size_t big = 300 * 1024; /* over a batch's bytes */
        struct stats *direct = stats_new(), *threaded = stats_new();
        struct counting_thread *t;
        char *buf = malloc(big);
        unsigned n = 0;

        cr_assert(direct && threaded && buf);
        stats_set_limits(direct, &(struct stats_limits){ .days = 30 });
        stats_set_limits(threaded, &(struct stats_limits){ .days = 30 });
        cr_assert_eq(stats_prune(direct, 1700100000), 0);
        cr_assert_eq(stats_prune(threaded, 1700100000), 0);

        cr_assert_eq(counting_thread_start(threaded, &t), 0);
        while (n < 20000) {
                struct entry_batch *b = counting_thread_batch(t);
                cr_assert_not_null(b);
                while (!entry_batch_full(b) && n < 20000) {
                        struct entry e = nth_entry(n++, buf, big);
                        cr_assert_eq(count_entry(direct, &e), 0);
                        /* The batch owns a copy: the source may change at once. */
                        cr_assert_eq(entry_batch_add(b, &e), 0);
                        memset(buf, '?', 64);
                }
                counting_thread_submit(t, b);
        }
        cr_assert_eq(counting_thread_stop(t), 0);

        cr_assert_eq(stats_totals(threaded)->info, stats_totals(direct)->info);
        cr_assert_eq(stats_totals(threaded)->error, stats_totals(direct)->error);
        cr_assert_eq(stats_totals(threaded)->unparsed, stats_totals(direct)->unparsed);
        cr_assert_gt(stats_totals(direct)->unparsed, 0);
        expect_same_rows(stats_table(threaded, STATS_USERS), stats_table(direct, STATS_USERS));
        expect_same_rows(stats_table(threaded, STATS_ERRORS), stats_table(direct, STATS_ERRORS));
        expect_same_rows(stats_table(threaded, STATS_HOSTS), stats_table(direct, STATS_HOSTS));
        expect_same_rows(stats_table(threaded, STATS_HOST_USERS), stats_table(direct, STATS_HOST_USERS));
        expect_same_rows(stats_table(threaded, STATS_USER_DAYS), stats_table(direct, STATS_USER_DAYS));
        expect_same_rows(stats_table(threaded, STATS_ERROR_HOURS), stats_table(direct, STATS_ERROR_HOURS));
        free(buf);
        stats_free(direct);
        stats_free(threaded);
}

Test(counting_thread, stop_counts_every_batch_submitted) {
        struct stats *s = stats_new();
        uint64_t submitted = 0;

        cr_assert_not_null(s);
        /* Stop right after a submit, nothing in between: what stop returns
         * after must include the batch, however the thread was scheduled. */
        for (unsigned round = 0; round < 50; round++) {
                struct counting_thread *t;
                struct entry_batch *b;

                cr_assert_eq(counting_thread_start(s, &t), 0);
                b = counting_thread_batch(t);
                cr_assert_not_null(b);
                for (unsigned i = 0; i <= round % 5; i++, submitted++)
                        cr_assert_eq(
                                entry_batch_add(b, &(struct entry){ .message = "INFO Hi (ann)", .message_len = 13 }),
                                0);
                counting_thread_submit(t, b);
                cr_assert_eq(counting_thread_stop(t), 0);
                cr_assert_eq(stats_totals(s)->info, submitted, "round %u", round);
        }
        /* And nothing at all: stop returns at once, counting nothing. */
        struct counting_thread *t;
        cr_assert_eq(counting_thread_start(s, &t), 0);
        cr_assert_eq(counting_thread_stop(t), 0);
        cr_assert_eq(stats_totals(s)->info, submitted);
        stats_free(s);
}
