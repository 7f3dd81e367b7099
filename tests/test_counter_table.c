/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "counter_table.h"

static bool key_is(const struct counter_row *r, const char *key) {
        return r->key_len == strlen(key) && memcmp(r->key, key, r->key_len) == 0;
}

Test(counter_table, counts_per_key_and_column) {
        struct counter_table *t = counter_table_new();
        cr_assert_not_null(t);

        cr_assert_eq(counter_table_add(t, "a", 1, 0, 1), 0);
        cr_assert_eq(counter_table_add(t, "a", 1, 1, 5), 0);
        cr_assert_eq(counter_table_add(t, "a", 1, 0, 2), 0);
        cr_assert_eq(counter_table_add(t, "b", 1, 1, 1), 0);
        cr_assert_eq(counter_table_size(t), 2);

        const struct counter_row *a = counter_table_get(t, "a", 1);
        cr_assert_not_null(a);
        cr_assert_eq(a->count[0], 3);
        cr_assert_eq(a->count[1], 5);
        cr_assert_null(counter_table_get(t, "c", 1));
        cr_assert_null(counter_table_free(t));
}

Test(counter_table, keys_are_bytes_not_strings) {
        struct counter_table *t = counter_table_new();
        cr_assert_eq(counter_table_add(t, "a\0b", 3, 0, 1), 0);
        cr_assert_eq(counter_table_add(t, "a\0c", 3, 0, 1), 0);
        cr_assert_eq(counter_table_add(t, "a", 1, 0, 1), 0);
        cr_assert_eq(counter_table_add(t, "", 0, 0, 1), 0);
        cr_assert_eq(counter_table_size(t), 4);
        counter_table_free(t);
}

Test(counter_table, grows_and_keeps_every_key) {
        struct counter_table *t = counter_table_new();
        char key[32];

        for (int round = 0; round < 3; round++)
                for (int i = 0; i < 100000; i++) {
                        int n = snprintf(key, sizeof(key), "user%d", i);
                        cr_assert_eq(counter_table_add(t, key, (size_t) n, 0, 1), 0);
                }
        cr_assert_eq(counter_table_size(t), 100000);
        for (int i = 0; i < 100000; i += 997) {
                int n = snprintf(key, sizeof(key), "user%d", i);
                const struct counter_row *r = counter_table_get(t, key, (size_t) n);
                cr_assert_not_null(r);
                cr_assert_eq(r->count[0], 3);
        }
        counter_table_free(t);
}

Test(counter_table, sorts_by_key_in_byte_order) {
        struct counter_table *t = counter_table_new();
        const char *keys[] = { "b", "a.b", "A", "ab", "a", "\xc3\xa9", "Z" };
        const char *sorted[] = { "A", "Z", "a", "a.b", "ab", "b", "\xc3\xa9" };
        const struct counter_row **rows;

        for (size_t i = 0; i < 7; i++)
                counter_table_add(t, keys[i], strlen(keys[i]), 0, 1);
        cr_assert_eq(counter_table_sorted(t, COUNTER_ORDER_KEY, &rows), 0);
        for (size_t i = 0; i < 7; i++)
                cr_expect(key_is(rows[i], sorted[i]), "position %zu: %.*s", i, (int) rows[i]->key_len, rows[i]->key);
        free(rows);
        counter_table_free(t);
}

Test(counter_table, sorts_by_count_descending_then_key) {
        struct counter_table *t = counter_table_new();
        const struct counter_row **rows;

        counter_table_add(t, "b", 1, 0, 2);
        counter_table_add(t, "a", 1, 0, 2);
        counter_table_add(t, "c", 1, 0, 7);
        counter_table_add(t, "d", 1, 0, 1);
        counter_table_add(t, "d", 1, 1, 100); /* the second count does not matter */
        cr_assert_eq(counter_table_sorted(t, COUNTER_ORDER_FIRST_COUNT, &rows), 0);
        cr_expect(key_is(rows[0], "c"));
        cr_expect(key_is(rows[1], "a"));
        cr_expect(key_is(rows[2], "b"));
        cr_expect(key_is(rows[3], "d"));
        free(rows);
        counter_table_free(t);
}

Test(counter_table, sorted_empty_table_is_null) {
        struct counter_table *t = counter_table_new();
        const struct counter_row **rows = (const struct counter_row **) 1;
        cr_assert_eq(counter_table_sorted(t, COUNTER_ORDER_KEY, &rows), 0);
        cr_assert_null(rows);
        counter_table_free(t);
}

Test(counter_table, cap_refuses_only_new_keys) {
        struct counter_table *t = counter_table_new();

        cr_assert_eq(counter_table_add_capped(t, "a", 1, 0, 1, 1), 0);
        cr_assert_eq(counter_table_add_capped(t, "b", 1, 0, 1, 1), 1);
        cr_assert_eq(counter_table_add_capped(t, "a", 1, 0, 1, 1), 0);
        cr_expect_eq(counter_table_get(t, "a", 1)->count[0], 2);
        cr_expect_null(counter_table_get(t, "b", 1));
        counter_table_free(t);
}

static bool starts_with_x(const struct counter_row *r, void *userdata) {
        (void) userdata;
        return r->key_len > 0 && r->key[0] == 'x';
}

Test(counter_table, remove_if_keeps_the_rest_findable) {
        struct counter_table *t = counter_table_new();
        char key[32];
        size_t it = 0, seen = 0;

        for (int i = 0; i < 1000; i++) {
                int n = snprintf(key, sizeof(key), "%c%d", i % 2 ? 'x' : 'k', i);
                cr_assert_eq(counter_table_add(t, key, (size_t) n, 0, (uint64_t) i), 0);
        }
        cr_assert_eq(counter_table_remove_if(t, starts_with_x, NULL), 0);
        cr_expect_eq(counter_table_size(t), 500);
        for (int i = 0; i < 1000; i += 2) {
                int n = snprintf(key, sizeof(key), "k%d", i);
                const struct counter_row *r = counter_table_get(t, key, (size_t) n);
                cr_assert_not_null(r, "%s", key);
                cr_expect_eq(r->count[0], (uint64_t) i);
        }
        while (counter_table_next(t, &it))
                seen++;
        cr_expect_eq(seen, 500);
        counter_table_free(t);
}
