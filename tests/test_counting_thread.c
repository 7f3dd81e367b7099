/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counting_thread.h"
#include "stats.h"

/* The n-th entry of a varied stream: levels, users, hosts, no MESSAGE,
 * unparsable text, and now and then a message longer than a whole batch.
 * The first is all empty text, which is not the same as none. */
static struct stats_entry nth_entry(unsigned n, char *buf, size_t size) {
        static const char *const hosts[] = { "alpha", "beta", NULL, "" };
        struct stats_entry e = { .realtime_usec = 1700000000000000u + n * 1000000ull };
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
                        struct stats_entry e = nth_entry(n++, buf, big);
                        cr_assert_eq(stats_add(direct, &e), 0);
                        /* The batch owns a copy: the source may change at once. */
                        cr_assert_eq(entry_batch_add(b, &e), 0);
                        memset(buf, '?', 64);
                }
                counting_thread_submit(t, b);
        }
        cr_assert_eq(counting_thread_stop(t), 0);

        cr_assert_eq(threaded->info, direct->info);
        cr_assert_eq(threaded->error, direct->error);
        cr_assert_eq(threaded->unparsed, direct->unparsed);
        cr_assert_gt(direct->unparsed, 0);
        expect_same_rows(threaded->users, direct->users);
        expect_same_rows(threaded->errors, direct->errors);
        expect_same_rows(threaded->hosts, direct->hosts);
        expect_same_rows(threaded->host_users, direct->host_users);
        expect_same_rows(threaded->user_days, direct->user_days);
        expect_same_rows(threaded->error_hours, direct->error_hours);
        free(buf);
        stats_free(direct);
        stats_free(threaded);
}

Test(counting_thread, stops_at_once_with_nothing_submitted) {
        struct stats *s = stats_new();
        struct counting_thread *t;

        cr_assert_eq(counting_thread_start(s, &t), 0);
        cr_assert_eq(counting_thread_stop(t), 0);
        cr_assert_eq(s->info + s->error + s->unparsed, 0);
        stats_free(s);
}
