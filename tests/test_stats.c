/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <string.h>

#include "stats.h"

#define ADD(s, m) stats_add_message(s, m, sizeof(m) - 1)

Test(stats, counts_levels_users_and_unparsed) {
        struct stats *s = stats_new();

        cr_assert_eq(ADD(s, "INFO Created ticket [#1] (ann)"), 0);
        cr_assert_eq(ADD(s, "ERROR Timeout (ann)"), 0);
        cr_assert_eq(ADD(s, "ERROR Timeout (bob)"), 0);
        cr_assert_eq(ADD(s, "nonsense"), 0);
        cr_assert_eq(stats_add_message(s, NULL, 0), 0);

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
