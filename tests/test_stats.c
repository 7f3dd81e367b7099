/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <string.h>

#include "calendar.h"
#include "count.h"
#include "helpers.h"
#include "macro.h"
#include "stats.h"

#define ADD(s, m) count_message(s, m, sizeof(m) - 1, 0)

Test(stats, counts_levels_users_and_unparsed) {
        struct stats *s = stats_new();

        cr_assert_eq(ADD(s, "INFO Created ticket [#1] (ann)"), 0);
        cr_assert_eq(ADD(s, "ERROR Timeout (ann)"), 0);
        cr_assert_eq(ADD(s, "ERROR Timeout (bob)"), 0);
        cr_assert_eq(ADD(s, "nonsense"), 0);
        cr_assert_eq(count_message(s, NULL, 0, 0), 0);

        cr_assert_eq(stats_totals(s)->info, 1);
        cr_assert_eq(stats_totals(s)->error, 2);
        cr_assert_eq(stats_totals(s)->unparsed, 2);
        cr_assert_eq(counter_table_get(stats_table(s, STATS_ERRORS), "Timeout", 7)->count[0], 2);
        const struct counter_row *ann = counter_table_get(stats_table(s, STATS_USERS), "ann", 3);
        cr_assert_eq(ann->count[STATS_INFO], 1);
        cr_assert_eq(ann->count[STATS_ERROR], 1);
        cr_assert_null(counter_table_get(stats_table(s, STATS_ERRORS), "Created ticket [#1]", 19));
        stats_free(s);
}

Test(stats, keys_equal_after_repair_are_one_row) {
        struct stats *s = stats_new();

        /* \xff and \xfe each become U+FFFD, and so does a literal U+FFFD. */
        cr_assert_eq(ADD(s, "ERROR bad \xff (u\xfe)"), 0);
        cr_assert_eq(ADD(s, "ERROR bad \xfe (u\xff)"), 0);
        cr_assert_eq(ADD(s, "ERROR bad \xef\xbf\xbd (u\xef\xbf\xbd)"), 0);
        cr_assert_eq(counter_table_size(stats_table(s, STATS_ERRORS)), 1);
        cr_assert_eq(counter_table_size(stats_table(s, STATS_USERS)), 1);
        cr_assert_eq(counter_table_get(stats_table(s, STATS_ERRORS), "bad \xef\xbf\xbd", 7)->count[0], 3);
        cr_assert_eq(counter_table_get(stats_table(s, STATS_USERS), "u\xef\xbf\xbd", 4)->count[STATS_ERROR], 3);
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

        cr_expect_eq(counter_table_size(stats_table(s, STATS_USERS)), 2);
        cr_expect_eq(counter_table_size(stats_table(s, STATS_ERRORS)), 1);
        cr_expect_eq(counter_table_get(stats_table(s, STATS_USERS), "a", 1)->count[STATS_INFO], 1);
        cr_expect_eq(counter_table_get(stats_table(s, STATS_ERRORS), "One", 3)->count[0], 2);
        cr_expect_eq(stats_totals(s)->other_errors, 1);
        cr_expect_eq(stats_totals(s)->other_users[STATS_INFO], 1);
        cr_expect_eq(stats_totals(s)->other_users[STATS_ERROR], 1);
        cr_expect_eq(stats_totals(s)->info, 2);
        cr_expect_eq(stats_totals(s)->error, 3);
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
        cr_assert_eq(counter_table_sorted(stats_table(s, STATS_ERRORS), COUNTER_ORDER_FIRST_COUNT, &rows), 0);
        cr_expect_eq(counter_table_size(stats_table(s, STATS_ERRORS)), 2);
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
        cr_assert_eq(count_message(s, "ERROR Old (a)", 13, now_usec - 5 * day), 0); /* all-time only */
        cr_assert_eq(count_message(s, "ERROR Two days ago (a)", 22, now_usec - 2 * day), 0);
        cr_assert_eq(count_message(s, "INFO Now (a)", 12, now_usec), 0);
        cr_assert_eq(count_message(s, "INFO Unknown time (a)", 21, 0), 0);

        cr_expect_eq(stats_totals(s)->info + stats_totals(s)->error, 4);
        cr_expect_eq(counter_table_size(stats_table(s, STATS_DAY_TOTALS)), 2);
        cr_expect_eq(counter_table_size(stats_table(s, STATS_ERROR_DAYS)), 1);
        cr_expect_eq(counter_table_size(stats_table(s, STATS_USER_HOURS)), 1, "only the event of this hour");

        /* Two days later, the one of two days ago falls out of 3 days. */
        cr_assert_eq(stats_prune(s, now + 2 * 86400), 0);
        cr_expect_eq(counter_table_size(stats_table(s, STATS_DAY_TOTALS)), 1);
        cr_expect_eq(counter_table_size(stats_table(s, STATS_ERROR_DAYS)), 0);
        cr_expect_eq(counter_table_size(stats_table(s, STATS_USER_HOURS)), 0);
        cr_expect_eq(counter_table_size(stats_table(s, STATS_ERRORS)), 2, "all-time counts never expire");
        stats_free(s);
}

Test(stats, local_day_follows_the_time_zone) {
        setenv("TZ", "UTC", 1);
        tzset();
        cr_expect_eq(local_day(0), 0);
        cr_expect_eq(local_day(86399), 0);
        cr_expect_eq(local_day(86400), 1);
        setenv("TZ", "America/New_York", 1);
        tzset();
        cr_expect_eq(local_day(86400 + 3600), 0, "01:00 UTC is still the day before in New York");
        setenv("TZ", "UTC", 1);
        tzset();
}

Test(stats, counts_per_host) {
        struct stats *s = stats_new();
        const char *host, *rest;
        size_t host_len, rest_len, it = 0;
        const struct counter_row *r;

        cr_assert_eq(count_entry(s, &(struct entry){ .message = "ERROR Boom (ann)",
                                                     .message_len = 16,
                                                     .host = "web1",
                                                     .host_len = 4 }),
                     0);
        cr_assert_eq(count_entry(s, &(struct entry){ .message = "INFO Hi (ann)",
                                                     .message_len = 13,
                                                     .host = "web\xff",
                                                     .host_len = 4 }),
                     0);
        cr_assert_eq(
                count_entry(s, &(struct entry){ .message = "junk", .message_len = 4, .host = "web1", .host_len = 4 }),
                0);
        cr_expect_eq(counter_table_size(stats_table(s, STATS_HOSTS)), 2);
        cr_expect_eq(counter_table_get(stats_table(s, STATS_HOSTS), "web1", 4)->count[STATS_ERROR], 1);
        cr_expect_not_null(counter_table_get(stats_table(s, STATS_HOSTS), "web\xef\xbf\xbd", 6),
                           "host names are repaired too");
        cr_expect_eq(counter_table_size(stats_table(s, STATS_HOST_USERS)), 2);
        cr_assert_eq(counter_table_size(stats_table(s, STATS_HOST_ERRORS)), 1);
        r = counter_table_next(stats_table(s, STATS_HOST_ERRORS), &it);
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
        cr_assert_eq(count_message(s, "INFO a (b)", 10, UINT64_C(1) << 63), 0);
        cr_assert_eq(count_message(s, "INFO a (b)", 10, UINT64_MAX), 0);
        cr_expect_eq(stats_totals(s)->info, 2);
        cr_expect_eq(counter_table_size(stats_table(s, STATS_DAY_TOTALS)), 0);
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
                struct entry e = { .message = lines[i],
                                   .message_len = strlen(lines[i]),
                                   .host = hosts[i % 2],
                                   .realtime_usec = (1700000000 - 3600 * (uint64_t) i) * 1000000 };
                e.host_len = strlen(e.host);
                cr_assert_eq(count_entry(whole, &e), 0);
                cr_assert_eq(count_entry(i < 3 ? first : second, &e), 0);
        }
        cr_assert_eq(stats_merge(first, second), 0);

        cr_expect_eq(stats_totals(first)->info, stats_totals(whole)->info);
        cr_expect_eq(stats_totals(first)->error, stats_totals(whole)->error);
        cr_expect_eq(stats_totals(first)->unparsed, stats_totals(whole)->unparsed);
        for (enum stats_table t = 0; t < _STATS_TABLE_MAX; t++) {
                const struct counter_table *merged_table = stats_table(first, t), *whole_table = stats_table(whole, t);
                const struct counter_row *row;
                cr_assert_eq(counter_table_size(merged_table), counter_table_size(whole_table), "table %d", t);
                cr_assert_gt(counter_table_size(whole_table), 0, "table %d is empty: the test proves nothing", t);
                for (size_t i = 0; (row = counter_table_next(whole_table, &i));) {
                        const struct counter_row *merged = counter_table_get(merged_table, row->key, row->key_len);
                        cr_assert_not_null(merged);
                        cr_assert_eq(merged->count[0], row->count[0]);
                        cr_assert_eq(merged->count[1], row->count[1]);
                }
        }
        stats_free(whole);
        stats_free(first);
        stats_free(second);
}
