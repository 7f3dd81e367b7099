/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "helpers.h"
#include "state.h"

static char *dir;

static void setup(void) {
        dir = temp_dir();
}

static void teardown(void) {
        rm_rf(dir);
        free(dir);
}

TestSuite(state, .init = setup, .fini = teardown);

#define ADD(s, m) cr_assert_eq(stats_add_message(s, m, sizeof(m) - 1), 0)

static struct stats *sample(void) {
        struct stats *s = stats_new();
        ADD(s, "INFO Created ticket [#1] (ann)");
        ADD(s, "ERROR Timeout (ann)");
        ADD(s, "ERROR Timeout (bob)");
        ADD(s, "ERROR bad \xff (b\xfe)");
        ADD(s, "ERROR with\nnewline, \"quotes\" (c.d)");
        ADD(s, "junk");
        return s;
}

static void expect_same(const struct stats *a, const struct stats *b) {
        cr_expect_eq(a->info, b->info);
        cr_expect_eq(a->error, b->error);
        cr_expect_eq(a->unparsed, b->unparsed);
        cr_expect_eq(counter_table_size(a->users), counter_table_size(b->users));
        cr_expect_eq(counter_table_size(a->errors), counter_table_size(b->errors));

        const struct counter_row **rows;
        cr_assert_eq(counter_table_sorted(a->users, COUNTER_ORDER_KEY, &rows), 0);
        for (size_t i = 0; i < counter_table_size(a->users); i++) {
                const struct counter_row *o = counter_table_get(b->users, rows[i]->key, rows[i]->key_len);
                cr_assert_not_null(o);
                cr_expect_eq(o->count[0], rows[i]->count[0]);
                cr_expect_eq(o->count[1], rows[i]->count[1]);
        }
        free(rows);
        cr_assert_eq(counter_table_sorted(a->errors, COUNTER_ORDER_KEY, &rows), 0);
        for (size_t i = 0; i < counter_table_size(a->errors); i++) {
                const struct counter_row *o = counter_table_get(b->errors, rows[i]->key, rows[i]->key_len);
                cr_assert_not_null(o);
                cr_expect_eq(o->count[0], rows[i]->count[0]);
        }
        free(rows);
}

Test(state, round_trips_cursor_source_and_counts) {
        struct stats *s = sample(), *loaded = stats_new();
        char *cursor, *source;
        const char *reason;

        cr_assert_eq(state_save(dir, "s=abc;i=1f", "directory /x, identifier ticky", s), 0);
        cr_assert_eq(state_load(dir, loaded, &cursor, &source, &reason), 0);
        cr_expect_str_eq(cursor, "s=abc;i=1f");
        cr_expect_str_eq(source, "directory /x, identifier ticky");
        expect_same(s, loaded);
        cr_expect_eq(count_entries(dir), 1, "temporary file left behind");
        free(cursor);
        free(source);
        stats_free(s);
        stats_free(loaded);
}

Test(state, round_trips_empty_state_without_cursor) {
        struct stats *s = stats_new(), *loaded = stats_new();
        char *cursor = (char *) 1, *source = (char *) 1;
        const char *reason;

        cr_assert_eq(state_save(dir, NULL, NULL, s), 0);
        cr_assert_eq(state_load(dir, loaded, &cursor, &source, &reason), 0);
        cr_expect_null(cursor);
        cr_expect_null(source);
        expect_same(s, loaded);
        stats_free(s);
        stats_free(loaded);
}

Test(state, missing_file_is_enoent) {
        struct stats *s = stats_new();
        char *cursor, *source;
        const char *reason;
        cr_assert_eq(state_load(dir, s, &cursor, &source, &reason), -ENOENT);
        stats_free(s);
}

Test(state, same_counts_give_identical_bytes) {
        struct stats *s = sample();
        char *a, *b;
        size_t a_len, b_len;

        cr_assert_eq(state_save(dir, "c", "src", s), 0);
        a = read_file_or_null(dir, STATE_FILE_NAME, &a_len);
        stats_free(s);
        s = sample(); /* new table, new hash key, same counts */
        cr_assert_eq(state_save(dir, "c", "src", s), 0);
        b = read_file_or_null(dir, STATE_FILE_NAME, &b_len);
        cr_assert(a_len == b_len && memcmp(a, b, a_len) == 0);
        free(a);
        free(b);
        stats_free(s);
}

static int load_bytes(const char *data, size_t len, const char **ret_reason) {
        struct stats *s = stats_new();
        char *cursor = NULL, *source = NULL;
        int r;

        write_file(dir, STATE_FILE_NAME, data, len);
        r = state_load(dir, s, &cursor, &source, ret_reason);
        free(cursor);
        free(source);
        stats_free(s);
        return r;
}

Test(state, every_truncation_is_rejected) {
        struct stats *s = sample();
        char *data;
        size_t len;
        const char *reason;

        cr_assert_eq(state_save(dir, "s=abc;i=1f", "src", s), 0);
        data = read_file_or_null(dir, STATE_FILE_NAME, &len);
        for (size_t n = 0; n < len; n++) {
                cr_expect_eq(load_bytes(data, n, &reason), -EBADMSG, "truncated to %zu of %zu bytes", n, len);
                cr_expect_not_null(reason);
        }
        free(data);
        stats_free(s);
}

Test(state, every_flipped_byte_is_rejected) {
        struct stats *s = sample();
        char *data;
        size_t len;
        const char *reason;

        cr_assert_eq(state_save(dir, "s=abc;i=1f", "src", s), 0);
        data = read_file_or_null(dir, STATE_FILE_NAME, &len);
        for (size_t i = 0; i < len; i++) {
                data[i] ^= 0x20;
                cr_expect_eq(load_bytes(data, len, &reason), -EBADMSG, "byte %zu flipped", i);
                data[i] ^= 0x20;
        }
        cr_expect_eq(load_bytes(data, len, &reason), 0);
        free(data);
        stats_free(s);
}

Test(state, unknown_version_is_named) {
        struct stats *s = sample();
        char *data;
        size_t len;
        const char *reason;

        cr_assert_eq(state_save(dir, "c", "src", s), 0);
        data = read_file_or_null(dir, STATE_FILE_NAME, &len);
        data[8] = 99;
        cr_expect_eq(load_bytes(data, len, &reason), -EBADMSG);
        cr_expect_str_eq(reason, "unsupported state format version");
        free(data);
        stats_free(s);
}

Test(state, trailing_garbage_is_rejected) {
        struct stats *s = sample();
        char *data;
        size_t len;
        const char *reason;

        cr_assert_eq(state_save(dir, "c", "src", s), 0);
        data = read_file_or_null(dir, STATE_FILE_NAME, &len);
        data = realloc(data, len + 1);
        data[len] = '\n';
        cr_expect_eq(load_bytes(data, len + 1, &reason), -EBADMSG);
        free(data);
        stats_free(s);
}

Test(state, garbage_file_is_rejected) {
        const char *reason;
        cr_expect_eq(load_bytes("hello, world\n", 13, &reason), -EBADMSG);
        cr_expect_str_eq(reason, "not a ticky-reportd state file");
        cr_expect_eq(load_bytes("", 0, &reason), -EBADMSG);
}
