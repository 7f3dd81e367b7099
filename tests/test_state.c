/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checksum.h"
#include "helpers.h"
#include "state.h"

TestSuite(state, .init = test_dir_setup, .fini = test_dir_teardown);

#define ADD(s, m) cr_assert_eq(count_message(s, m, sizeof(m) - 1, 0), 0)

/* state_save() and state_load() of stats alone, with no imported files. */
static int save_stats(const char *dir, const char *cursor, const char *source, const struct stats *s) {
        struct imported_files *none = imported_files_new();
        int r;

        cr_assert_not_null(none);
        r = state_save(dir,
                       &(struct state_snapshot){ .cursor = cursor, .source = source, .stats = s, .imports = none });
        imported_files_free(none);
        return r;
}

static int load_stats(const char *dir, struct stats *s, char **ret_cursor, char **ret_source, const char **ret_reason) {
        struct imported_files *imports = imported_files_new();
        struct counter_table *positions = counter_table_new();
        int r;

        cr_assert_not_null(imports);
        cr_assert_not_null(positions);
        r = state_load(dir, &(struct state_tables){ .stats = s, .imports = imports, .journal_positions = positions },
                       ret_cursor, ret_source, ret_reason);
        /* A file of stats alone has no import and no journal position in it. */
        if (r >= 0) {
                cr_expect_eq(counter_table_size(imported_files_table(imports)), 0);
                cr_expect_eq(counter_table_size(positions), 0);
        }
        imported_files_free(imports);
        counter_table_free(positions);
        return r;
}

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
        cr_expect_eq(stats_totals(a)->info, stats_totals(b)->info);
        cr_expect_eq(stats_totals(a)->error, stats_totals(b)->error);
        cr_expect_eq(stats_totals(a)->unparsed, stats_totals(b)->unparsed);
        cr_expect_eq(counter_table_size(stats_table(a, STATS_USERS)), counter_table_size(stats_table(b, STATS_USERS)));
        cr_expect_eq(counter_table_size(stats_table(a, STATS_ERRORS)),
                     counter_table_size(stats_table(b, STATS_ERRORS)));

        const struct counter_row **rows;
        cr_assert_eq(counter_table_sorted(stats_table(a, STATS_USERS), COUNTER_ORDER_KEY, &rows), 0);
        for (size_t i = 0; i < counter_table_size(stats_table(a, STATS_USERS)); i++) {
                const struct counter_row *o =
                        counter_table_get(stats_table(b, STATS_USERS), rows[i]->key, rows[i]->key_len);
                cr_assert_not_null(o);
                cr_expect_eq(o->count[0], rows[i]->count[0]);
                cr_expect_eq(o->count[1], rows[i]->count[1]);
        }
        free(rows);
        cr_assert_eq(counter_table_sorted(stats_table(a, STATS_ERRORS), COUNTER_ORDER_KEY, &rows), 0);
        for (size_t i = 0; i < counter_table_size(stats_table(a, STATS_ERRORS)); i++) {
                const struct counter_row *o =
                        counter_table_get(stats_table(b, STATS_ERRORS), rows[i]->key, rows[i]->key_len);
                cr_assert_not_null(o);
                cr_expect_eq(o->count[0], rows[i]->count[0]);
        }
        free(rows);
}

Test(state, round_trips_cursor_source_and_counts) {
        struct stats *s = sample(), *loaded = stats_new();
        char *cursor, *source;
        const char *reason;

        cr_assert_eq(save_stats(test_dir, "s=abc;i=1f", "directory /x, identifier ticky", s), 0);
        cr_assert_eq(load_stats(test_dir, loaded, &cursor, &source, &reason), 0);
        cr_expect_str_eq(cursor, "s=abc;i=1f");
        cr_expect_str_eq(source, "directory /x, identifier ticky");
        expect_same(s, loaded);
        cr_expect_eq(count_entries(test_dir), 1, "temporary file left behind");
        free(cursor);
        free(source);
        stats_free(s);
        stats_free(loaded);
}

Test(state, round_trips_empty_state_without_cursor) {
        struct stats *s = stats_new(), *loaded = stats_new();
        char *cursor = (char *) 1, *source = (char *) 1;
        const char *reason;

        cr_assert_eq(save_stats(test_dir, NULL, NULL, s), 0);
        cr_assert_eq(load_stats(test_dir, loaded, &cursor, &source, &reason), 0);
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
        cr_assert_eq(load_stats(test_dir, s, &cursor, &source, &reason), -ENOENT);
        stats_free(s);
}

Test(state, same_counts_give_identical_bytes) {
        struct stats *s = sample();
        char *a, *b;
        size_t a_len, b_len;

        cr_assert_eq(save_stats(test_dir, "c", "src", s), 0);
        a = read_file_or_null(test_dir, STATE_FILE_NAME, &a_len);
        stats_free(s);
        s = sample(); /* new table, new hash key, same counts */
        cr_assert_eq(save_stats(test_dir, "c", "src", s), 0);
        b = read_file_or_null(test_dir, STATE_FILE_NAME, &b_len);
        cr_assert(a_len == b_len && memcmp(a, b, a_len) == 0);
        free(a);
        free(b);
        stats_free(s);
}

static int load_bytes(const char *data, size_t len, const char **ret_reason) {
        struct stats *s = stats_new();
        char *cursor = NULL, *source = NULL;
        int r;

        write_file(test_dir, STATE_FILE_NAME, data, len);
        r = load_stats(test_dir, s, &cursor, &source, ret_reason);
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

        cr_assert_eq(save_stats(test_dir, "s=abc;i=1f", "src", s), 0);
        data = read_file_or_null(test_dir, STATE_FILE_NAME, &len);
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

        cr_assert_eq(save_stats(test_dir, "s=abc;i=1f", "src", s), 0);
        data = read_file_or_null(test_dir, STATE_FILE_NAME, &len);
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

        cr_assert_eq(save_stats(test_dir, "c", "src", s), 0);
        data = read_file_or_null(test_dir, STATE_FILE_NAME, &len);
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

        cr_assert_eq(save_stats(test_dir, "c", "src", s), 0);
        data = read_file_or_null(test_dir, STATE_FILE_NAME, &len);
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

/* Little-endian pieces of a hand-made snapshot. */
static void le(FILE *f, uint64_t v, size_t width) {
        for (size_t i = 0; i < width; i++)
                fputc((int) ((v >> (8 * i)) & 0xff), f);
}

static void str(FILE *f, const char *s) {
        le(f, strlen(s), 4);
        fputs(s, f);
}

Test(state, reads_version_1) {
        char *payload = NULL, *file = NULL;
        size_t payload_len, file_len;
        FILE *f = open_memstream(&payload, &payload_len);
        struct stats *s = stats_new();
        char *cursor, *source;
        const char *reason;

        str(f, "s=abc;i=1f");
        str(f, "local journal, identifier ticky");
        le(f, 1, 8); /* info */
        le(f, 2, 8); /* error */
        le(f, 3, 8); /* unparsed */
        le(f, 1, 8); /* users */
        str(f, "ann");
        le(f, 1, 8);
        le(f, 2, 8);
        le(f, 1, 8); /* errors */
        str(f, "Timeout");
        le(f, 2, 8);
        fclose(f);

        f = open_memstream(&file, &file_len);
        fputs("TICKYRD\n", f);
        le(f, 1, 4);
        le(f, 0, 4);
        le(f, payload_len, 8);
        fwrite(payload, 1, payload_len, f);
        fflush(f);
        le(f, crc32_update(0, file, file_len), 4);
        fclose(f);

        write_file(test_dir, STATE_FILE_NAME, file, file_len);
        cr_assert_eq(load_stats(test_dir, s, &cursor, &source, &reason), 0, "%s", reason);
        cr_expect_str_eq(cursor, "s=abc;i=1f");
        cr_expect_eq(stats_totals(s)->info, 1);
        cr_expect_eq(stats_totals(s)->error, 2);
        cr_expect_eq(stats_totals(s)->unparsed, 3);
        cr_expect_eq(counter_table_get(stats_table(s, STATS_USERS), "ann", 3)->count[STATS_ERROR], 2);
        cr_expect_eq(counter_table_get(stats_table(s, STATS_ERRORS), "Timeout", 7)->count[0], 2);
        cr_expect_eq(counter_table_size(stats_table(s, STATS_DAY_TOTALS)), 0);
        free(cursor);
        free(source);
        free(payload);
        free(file);
        stats_free(s);
}

Test(state, round_trips_windows_and_other_rows) {
        struct stats *s = stats_new(), *loaded = stats_new();
        char *cursor, *source;
        const char *reason;

        stats_set_limits(s, &(struct stats_limits){ .max_users = 1, .days = 7 });
        /* 2026-11-20 12:00 UTC */
        cr_assert_eq(count_message(s, "ERROR Timeout (ann)", 19, 1795262400000000ULL), 0);
        cr_assert_eq(count_message(s, "INFO Created (bob)", 18, 1795262400000000ULL), 0);
        cr_assert_eq(save_stats(test_dir, "c", "src", s), 0);
        cr_assert_eq(load_stats(test_dir, loaded, &cursor, &source, &reason), 0);
        cr_expect_eq(stats_totals(loaded)->other_users[STATS_INFO], 1);
        cr_expect_eq(counter_table_size(stats_table(loaded, STATS_DAY_TOTALS)), 1);
        cr_expect_eq(counter_table_size(stats_table(loaded, STATS_ERROR_DAYS)), 1);
        cr_expect_eq(counter_table_size(stats_table(loaded, STATS_USER_HOURS)), 1);
        free(cursor);
        free(source);
        stats_free(s);
        stats_free(loaded);
}

Test(state, crc32_is_zlibs) {
        /* zlib.crc32(b"123456789") and of 1000 bytes i % 251, from Python. */
        unsigned char buf[1000];
        for (size_t i = 0; i < sizeof(buf); i++)
                buf[i] = (unsigned char) (i % 251);
        cr_expect_eq(crc32_update(0, "123456789", 9), 0xCBF43926U);
        cr_expect_eq(crc32_update(0, buf, sizeof(buf)), 0x721746a6U);
        /* In pieces, at every split, the same. */
        for (size_t k = 0; k <= 17; k++)
                cr_expect_eq(crc32_update(crc32_update(0, buf, k), buf + k, sizeof(buf) - k), 0x721746a6U);
}

static const char *save_and_load_reason(struct stats *s) {
        struct stats *loaded = stats_new();
        char *cursor = NULL, *source = NULL;
        const char *reason = NULL;

        cr_assert_eq(save_stats(test_dir, "c", "src", s), 0);
        cr_expect_eq(load_stats(test_dir, loaded, &cursor, &source, &reason), -EBADMSG);
        free(cursor);
        free(source);
        stats_free(loaded);
        return reason;
}

Test(state, rejects_window_key_shorter_than_a_bucket) {
        struct stats *s = stats_new();
        cr_assert_eq(stats_restore_row(s, STATS_ERROR_DAYS, "ab", 2, 0, 1), 0);
        cr_expect_str_eq(save_and_load_reason(s), "malformed contents");
        stats_free(s);
}

Test(state, rejects_host_key_shorter_than_its_length) {
        struct stats *s = stats_new();
        cr_assert_eq(stats_restore_row(s, STATS_HOST_USERS, "\x09\x00web", 5, 0, 1), 0);
        cr_expect_str_eq(save_and_load_reason(s), "malformed contents");
        stats_free(s);
}

Test(state, rejects_rows_that_do_not_add_up) {
        struct stats *s = sample();
        stats_restore_totals(s, &(struct stats_totals){ .error = 1 }); /* one ERROR in no row */
        cr_expect_str_eq(save_and_load_reason(s), "counts do not add up to the totals");
        stats_free(s);
}

Test(state, rejects_keys_that_are_not_utf8) {
        struct stats *s = stats_new();
        cr_assert_eq(stats_restore_row(s, STATS_USERS, "\xff", 1, 0, 1), 0);
        stats_restore_totals(s, &(struct stats_totals){ .info = 1 });
        cr_expect_str_eq(save_and_load_reason(s), "malformed contents");
        stats_free(s);
}

Test(state, round_trips_imports) {
        struct stats *s = stats_new(), *loaded = stats_new();
        struct imported_files *imports = imported_files_new(), *loaded_imports = imported_files_new();
        struct counter_table *loaded_positions = counter_table_new();
        char *cursor, *source;
        const char *reason;
        uint64_t events;
        time_t when;

        cr_assert_eq(imported_files_add(imports, "abc-12", 7, 1795262400), 0);
        cr_assert_eq(imported_files_add_followed(imports, 0xdeadbeef, 1024, 1795262401), 0);
        cr_assert_eq(state_save(test_dir,
                                &(struct state_snapshot){
                                        .cursor = "syslog;x", .source = "src", .stats = s, .imports = imports }),
                     0);
        cr_assert_eq(state_load(test_dir,
                                &(struct state_tables){ .stats = loaded,
                                                        .imports = loaded_imports,
                                                        .journal_positions = loaded_positions },
                                &cursor, &source, &reason),
                     0);
        cr_assert(imported_files_get(loaded_imports, "abc-12", &events, &when));
        cr_expect_eq(events, 7);
        cr_expect_eq(when, 1795262400);
        cr_expect(imported_files_followed(loaded_imports, 0xdeadbeef, 1024));
        cr_expect_not(imported_files_followed(loaded_imports, 0xdeadbeef, 1023));
        cr_expect_not(imported_files_get(loaded_imports, "abc-13", NULL, NULL));
        free(cursor);
        free(source);
        stats_free(s);
        stats_free(loaded);
        imported_files_free(imports);
        imported_files_free(loaded_imports);
        counter_table_free(loaded_positions);
}

/* Rewrites the snapshot in test_dir as an older version: without the
 * empty tables that came after it (n_tables counts of 8 zero bytes, last
 * before the checksum). */
static void downgrade_snapshot(uint8_t version, unsigned n_tables) {
        char *file;
        size_t len;

        file = read_file_or_null(test_dir, STATE_FILE_NAME, &len);
        cr_assert_not_null(file);
        len -= 4 + 8 * n_tables;
        for (size_t i = 0; i < 8 * n_tables; i++)
                cr_assert_eq(file[len + i], 0);
        file[8] = (char) version;
        uint64_t payload = len - 24;
        for (size_t i = 0; i < 8; i++)
                file[16 + i] = (char) (payload >> (8 * i));
        uint32_t crc = crc32_update(0, file, len);
        for (size_t i = 0; i < 4; i++)
                file[len + i] = (char) (crc >> (8 * i));
        write_file(test_dir, STATE_FILE_NAME, file, len + 4);
        free(file);
}

/* Version 2: no imports, no journal positions. */
Test(state, reads_version_2) {
        struct stats *s = stats_new(), *loaded = stats_new();
        char *cursor, *source;
        const char *reason;

        stats_set_limits(s, &(struct stats_limits){ .days = 7 });
        cr_assert_eq(count_message(s, "ERROR Timeout (ann)", 19, 1795262400000000ULL), 0);
        cr_assert_eq(save_stats(test_dir, "c", "src", s), 0);
        downgrade_snapshot(2, 2);

        cr_assert_eq(load_stats(test_dir, loaded, &cursor, &source, &reason), 0, "%s", reason);
        cr_expect_eq(stats_totals(loaded)->error, 1);
        cr_expect_eq(counter_table_size(stats_table(loaded, STATS_DAY_TOTALS)), 1);
        free(cursor);
        free(source);
        stats_free(s);
        stats_free(loaded);
}

/* Version 3: one cursor in the merged journal, no positions per file; the
 * cursor is handed back for the journal source to carry over. */
Test(state, reads_version_3_with_its_journal_cursor) {
        static const char journal_cursor[] =
                "s=0123456789abcdef0123456789abcdef;i=2a;b=0123456789abcdef0123456789abcdef;"
                "m=1;t=5f0e0a0b0c0d0;x=7";
        struct stats *s = stats_new(), *loaded = stats_new();
        char *cursor, *source;
        const char *reason;

        cr_assert_eq(count_message(s, "INFO Created ticket [#1] (ann)", 30, 0), 0);
        cr_assert_eq(save_stats(test_dir, journal_cursor, "local journal, identifier ticky", s), 0);
        downgrade_snapshot(3, 1);

        cr_assert_eq(load_stats(test_dir, loaded, &cursor, &source, &reason), 0, "%s", reason);
        cr_expect_str_eq(cursor, journal_cursor);
        cr_expect_eq(stats_totals(loaded)->info, 1);
        free(cursor);
        free(source);
        stats_free(s);
        stats_free(loaded);
}

static void save_with_positions(const struct stats *s, const struct imported_files *imports,
                                const struct counter_table *positions) {
        cr_assert_eq(state_save(test_dir, &(struct state_snapshot){ .source = "src",
                                                                    .stats = s,
                                                                    .imports = imports,
                                                                    .journal_positions = positions }),
                     0);
}

Test(state, round_trips_journal_positions) {
        struct stats *s = stats_new(), *loaded = stats_new();
        struct imported_files *imports = imported_files_new(), *loaded_imports = imported_files_new();
        struct counter_table *positions = counter_table_new(), *loaded_positions = counter_table_new();
        const struct counter_row *row;
        char *cursor, *source;
        const char *reason;

        cr_assert_eq(counter_table_set(positions, "0123456789abcdef", 16, 0, 42), 0);
        cr_assert_eq(counter_table_set(positions, "0123456789abcdef", 16, 1, 1795262400), 0);
        cr_assert_eq(counter_table_set(positions, "fedcba9876543210", 16, 0, 7), 0);
        save_with_positions(s, imports, positions);
        cr_assert_eq(state_load(test_dir,
                                &(struct state_tables){ .stats = loaded,
                                                        .imports = loaded_imports,
                                                        .journal_positions = loaded_positions },
                                &cursor, &source, &reason),
                     0, "%s", reason);
        cr_expect_null(cursor);
        cr_expect_eq(counter_table_size(loaded_positions), 2);
        row = counter_table_get(loaded_positions, "0123456789abcdef", 16);
        cr_assert_not_null(row);
        cr_expect(row->count[0] == 42 && row->count[1] == 1795262400);
        row = counter_table_get(loaded_positions, "fedcba9876543210", 16);
        cr_assert_not_null(row);
        cr_expect_eq(row->count[0], 7);
        free(source);
        stats_free(s);
        stats_free(loaded);
        imported_files_free(imports);
        imported_files_free(loaded_imports);
        counter_table_free(positions);
        counter_table_free(loaded_positions);
}

Test(state, rejects_a_journal_position_key_that_is_not_a_file_id) {
        struct stats *s = stats_new(), *loaded = stats_new();
        struct imported_files *imports = imported_files_new();
        struct counter_table *positions = counter_table_new();
        char *cursor, *source;
        const char *reason = NULL;

        cr_assert_eq(counter_table_set(positions, "short", 5, 0, 1), 0);
        save_with_positions(s, imports, positions);
        cr_expect_eq(load_stats(test_dir, loaded, &cursor, &source, &reason), -EBADMSG);
        cr_expect_str_eq(reason, "malformed contents");
        stats_free(s);
        stats_free(loaded);
        imported_files_free(imports);
        counter_table_free(positions);
}

Test(state, root_saves_a_snapshot_the_directory_owner_can_read) {
        struct stats *s = stats_new();
        struct stat st;
        char *path;

        if (geteuid() != 0)
                cr_skip_test("needs root");
        cr_assert_eq(chown(test_dir, 65534, 65534), 0);
        cr_assert_eq(save_stats(test_dir, "c", "src", s), 0);
        cr_assert_geq(asprintf(&path, "%s/%s", test_dir, STATE_FILE_NAME), 0);
        cr_assert_eq(stat(path, &st), 0);
        cr_expect_eq(st.st_uid, 65534);
        cr_expect_eq(st.st_gid, 65534);
        cr_expect_eq(st.st_mode & 07777, 0600);
        free(path);
        stats_free(s);
}
