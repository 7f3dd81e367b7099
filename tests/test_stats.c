/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <string.h>

#include "macro.h"
#include "stats.h"

#define ADD(s, m) stats_add_message(s, m, sizeof(m) - 1, 0)

Test(stats, counts_levels_users_and_unparsed) {
        struct stats *s = stats_new();

        cr_assert_eq(ADD(s, "INFO Created ticket [#1] (ann)"), 0);
        cr_assert_eq(ADD(s, "ERROR Timeout (ann)"), 0);
        cr_assert_eq(ADD(s, "ERROR Timeout (bob)"), 0);
        cr_assert_eq(ADD(s, "nonsense"), 0);
        cr_assert_eq(stats_add_message(s, NULL, 0, 0), 0);

        cr_assert_eq(s->info, 1);
        cr_assert_eq(s->error, 2);
        cr_assert_eq(s->unparsed, 2);
        cr_assert_eq(counter_table_get(s->errors, "Timeout", 7)->count[0], 2);
        const struct counter_row *ann = counter_table_get(s->users, "ann", 3);
        cr_assert_eq(ann->count[STATS_INFO], 1);
        cr_assert_eq(ann->count[STATS_ERROR], 1);
        cr_assert_null(counter_table_get(s->errors, "Created ticket [#1]", 19));
        stats_free(s);
}

Test(stats, keys_equal_after_repair_are_one_row) {
        struct stats *s = stats_new();

        /* \xff and \xfe each become U+FFFD, and so does a literal U+FFFD. */
        cr_assert_eq(ADD(s, "ERROR bad \xff (u\xfe)"), 0);
        cr_assert_eq(ADD(s, "ERROR bad \xfe (u\xff)"), 0);
        cr_assert_eq(ADD(s, "ERROR bad \xef\xbf\xbd (u\xef\xbf\xbd)"), 0);
        cr_assert_eq(counter_table_size(s->errors), 1);
        cr_assert_eq(counter_table_size(s->users), 1);
        cr_assert_eq(counter_table_get(s->errors, "bad \xef\xbf\xbd", 7)->count[0], 3);
        cr_assert_eq(counter_table_get(s->users, "u\xef\xbf\xbd", 4)->count[STATS_ERROR], 3);
        stats_free(s);
}

Test(stats, caps_send_new_keys_to_other) {
        struct stats *s = stats_new();

        stats_set_limits(s, &(struct stats_limits){ .max_users = 2, .max_errors = 1 });
        cr_assert_eq(ADD(s, "ERROR One (a)"), 0);
        cr_assert_eq(ADD(s, "ERROR Two (b)"), 0);
        cr_assert_eq(ADD(s, "INFO x (c)"), 0);
        cr_assert_eq(ADD(s, "INFO x (a)"), 0); /* a known user still counts */
        cr_assert_eq(ADD(s, "ERROR One (c)"), 0);

        cr_expect_eq(counter_table_size(s->users), 2);
        cr_expect_eq(counter_table_size(s->errors), 1);
        cr_expect_eq(counter_table_get(s->users, "a", 1)->count[STATS_INFO], 1);
        cr_expect_eq(counter_table_get(s->errors, "One", 3)->count[0], 2);
        cr_expect_eq(s->other_errors, 1);
        cr_expect_eq(s->other_users[STATS_INFO], 1);
        cr_expect_eq(s->other_users[STATS_ERROR], 1);
        cr_expect_eq(s->info, 2);
        cr_expect_eq(s->error, 3);
        stats_free(s);
}

Test(stats, long_messages_are_cut_on_a_character_boundary) {
        struct stats *s = stats_new();
        const struct counter_row **rows;

        stats_set_limits(s, &(struct stats_limits){ .max_message_bytes = 16 });
        /* 15 bytes, then a 2-byte character straddling the limit. */
        cr_assert_eq(ADD(s, "ERROR abcdefghijklmno\xc3\xa9tail (u)"), 0);
        cr_assert_eq(ADD(s, "ERROR abcdefghijklmno\xc3\xa9other tail (u)"), 0);
        cr_assert_eq(ADD(s, "ERROR sixteen bytes ok (u)"), 0); /* 16 bytes: whole */
        cr_assert_eq(counter_table_sorted(s->errors, COUNTER_ORDER_FIRST_COUNT, &rows), 0);
        cr_expect_eq(counter_table_size(s->errors), 2);
        cr_expect(rows[0]->key_len == 18 && memcmp(rows[0]->key, "abcdefghijklmno\xe2\x80\xa6", 18) == 0, "%.*s",
                  (int) rows[0]->key_len, rows[0]->key);
        cr_expect_eq(rows[0]->count[0], 2);
        cr_expect(rows[1]->key_len == 16 && memcmp(rows[1]->key, "sixteen bytes ok", 16) == 0);
        free(rows);
        stats_free(s);
}

Test(stats, keeps_days_and_hours_within_the_windows) {
        struct stats *s = stats_new();
        const uint64_t hour = 3600ULL * 1000000ULL, day = 24 * hour;
        const uint64_t now_usec = 1795262400ULL * 1000000ULL; /* a noon, UTC */
        time_t now = (time_t) (now_usec / 1000000ULL);

        setenv("TZ", "UTC", 1);
        tzset();
        stats_set_limits(s, &(struct stats_limits){ .days = 3 });
        cr_assert_eq(stats_prune(s, now), 0);
        cr_assert_eq(stats_add_message(s, "ERROR Old (a)", 13, now_usec - 5 * day), 0); /* all-time only */
        cr_assert_eq(stats_add_message(s, "ERROR Two days ago (a)", 22, now_usec - 2 * day), 0);
        cr_assert_eq(stats_add_message(s, "INFO Now (a)", 12, now_usec), 0);
        cr_assert_eq(stats_add_message(s, "INFO Unknown time (a)", 21, 0), 0);

        cr_expect_eq(s->info + s->error, 4);
        cr_expect_eq(counter_table_size(s->day_totals), 2);
        cr_expect_eq(counter_table_size(s->error_days), 1);
        cr_expect_eq(counter_table_size(s->user_hours), 1, "only the event of this hour");

        /* Two days later, the one of two days ago falls out of 3 days. */
        cr_assert_eq(stats_prune(s, now + 2 * 86400), 0);
        cr_expect_eq(counter_table_size(s->day_totals), 1);
        cr_expect_eq(counter_table_size(s->error_days), 0);
        cr_expect_eq(counter_table_size(s->user_hours), 0);
        cr_expect_eq(counter_table_size(s->errors), 2, "all-time counts never expire");
        stats_free(s);
}

Test(stats, local_day_follows_the_time_zone) {
        setenv("TZ", "UTC", 1);
        tzset();
        cr_expect_eq(stats_local_day(0), 0);
        cr_expect_eq(stats_local_day(86399), 0);
        cr_expect_eq(stats_local_day(86400), 1);
        setenv("TZ", "America/New_York", 1);
        tzset();
        cr_expect_eq(stats_local_day(86400 + 3600), 0, "01:00 UTC is still the day before in New York");
        setenv("TZ", "UTC", 1);
        tzset();
}

Test(stats, counts_per_host) {
        struct stats *s = stats_new();
        const char *host, *rest;
        size_t host_len, rest_len, it = 0;
        const struct counter_row *r;

        cr_assert_eq(stats_add(s, &(struct stats_entry){ .message = "ERROR Boom (ann)",
                                                         .message_len = 16,
                                                         .host = "web1",
                                                         .host_len = 4 }),
                     0);
        cr_assert_eq(stats_add(s, &(struct stats_entry){ .message = "INFO Hi (ann)",
                                                         .message_len = 13,
                                                         .host = "web\xff",
                                                         .host_len = 4 }),
                     0);
        cr_assert_eq(
                stats_add(s,
                          &(struct stats_entry){ .message = "junk", .message_len = 4, .host = "web1", .host_len = 4 }),
                0);
        cr_expect_eq(counter_table_size(s->hosts), 2);
        cr_expect_eq(counter_table_get(s->hosts, "web1", 4)->count[STATS_ERROR], 1);
        cr_expect_not_null(counter_table_get(s->hosts, "web\xef\xbf\xbd", 6), "host names are repaired too");
        cr_expect_eq(counter_table_size(s->host_users), 2);
        cr_assert_eq(counter_table_size(s->host_errors), 1);
        r = counter_table_next(s->host_errors, &it);
        stats_key_host(r->key, r->key_len, &host, &host_len, &rest, &rest_len);
        cr_expect(host_len == 4 && memcmp(host, "web1", 4) == 0);
        char sum[STATS_DIGEST_BYTES];
        stats_digest("Boom", 4, sum);
        cr_expect(rest_len == sizeof(sum) && memcmp(rest, sum, sizeof(sum)) == 0, "messages are keyed by digest");
        stats_free(s);
}

Test(stats, realtime_beyond_journald_counts_all_time_only) {
        struct stats *s = stats_new();

        stats_set_limits(s, &(struct stats_limits){ .days = 7 });
        cr_assert_eq(stats_add_message(s, "INFO a (b)", 10, UINT64_C(1) << 63), 0);
        cr_assert_eq(stats_add_message(s, "INFO a (b)", 10, UINT64_MAX), 0);
        cr_expect_eq(s->info, 2);
        cr_expect_eq(counter_table_size(s->day_totals), 0);
        stats_free(s);
}

Test(stats, key_host_of_a_short_key_reads_nothing) {
        char *key = malloc(1);
        const char *host, *rest;
        size_t host_len = 9, rest_len = 9;

        key[0] = '\x05';
        stats_key_host(key, 1, &host, &host_len, &rest, &rest_len);
        cr_expect_eq(host_len, 0);
        cr_expect_eq(rest_len, 0);
        free(key);
}

Test(stats, merged_halves_count_as_the_whole) {
        static const char *const lines[] = {
                "INFO Created ticket [#1] (ann)", "ERROR Timeout (ann)",  "ERROR Timeout (bob)", "nonsense",
                "INFO Closed ticket [#2] (cy)",   "ERROR Disk full (bob)"
        };
        struct stats *whole = stats_new(), *first, *second;
        const char *const hosts[] = { "alpha", "beta" };

        stats_set_limits(whole, &(struct stats_limits){ .days = 7 });
        cr_assert_eq(stats_prune(whole, 1700000000), 0);
        first = stats_new_like(whole);
        second = stats_new_like(whole);
        for (size_t i = 0; i < ELEMENTSOF(lines); i++) {
                struct stats_entry e = { .message = lines[i],
                                         .message_len = strlen(lines[i]),
                                         .host = hosts[i % 2],
                                         .realtime_usec = (1700000000 - 3600 * (uint64_t) i) * 1000000 };
                e.host_len = strlen(e.host);
                cr_assert_eq(stats_add(whole, &e), 0);
                cr_assert_eq(stats_add(i < 3 ? first : second, &e), 0);
        }
        cr_assert_eq(stats_merge(first, second), 0);

        cr_expect_eq(first->info, whole->info);
        cr_expect_eq(first->error, whole->error);
        cr_expect_eq(first->unparsed, whole->unparsed);
        struct counter_table *const a[] = { first->errors,     first->users,     first->day_totals,
                                            first->error_days, first->user_days, first->error_hours,
                                            first->user_hours, first->hosts,     first->host_errors,
                                            first->host_users };
        struct counter_table *const b[] = { whole->errors,     whole->users,     whole->day_totals,
                                            whole->error_days, whole->user_days, whole->error_hours,
                                            whole->user_hours, whole->hosts,     whole->host_errors,
                                            whole->host_users };
        for (size_t t = 0; t < ELEMENTSOF(a); t++) {
                const struct counter_row *row;
                cr_assert_eq(counter_table_size(a[t]), counter_table_size(b[t]), "table %zu", t);
                cr_assert_gt(counter_table_size(b[t]), 0, "table %zu is empty: the test proves nothing", t);
                for (size_t i = 0; (row = counter_table_next(b[t], &i));) {
                        const struct counter_row *merged = counter_table_get(a[t], row->key, row->key_len);
                        cr_assert_not_null(merged);
                        cr_assert_eq(merged->count[0], row->count[0]);
                        cr_assert_eq(merged->count[1], row->count[1]);
                }
        }
        stats_free(whole);
        stats_free(first);
        stats_free(second);
}
