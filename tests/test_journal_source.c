/* SPDX-License-Identifier: MIT */
/* Against real journal files, made by systemd-journal-remote from Journal
 * Export Format: no mock of sd-journal. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "journal_source.h"

#define JOURNAL_REMOTE "/lib/systemd/systemd-journal-remote"

TestSuite(journal_source, .init = test_dir_setup, .fini = test_dir_teardown);

/* Writes DIR/NAME.journal holding one entry per message, identifier[i] for
 * each, with realtime stamps first_usec, first_usec + 1, ... */
/* A journal file of n entries whose clocks start at first_realtime_usec and
 * first_monotonic_usec (of one boot) and tick 1 us per entry. */
static void make_journal_at(const char *name, const char *const *identifiers, const char *const *messages, size_t n,
                            unsigned long long first_realtime_usec, unsigned long long first_monotonic_usec) {
        char *export_path, *cmd;
        FILE *f;

        cr_assert_geq(asprintf(&export_path, "%s/%s.export", test_dir, name), 0);
        f = fopen(export_path, "we");
        cr_assert_not_null(f);
        for (size_t i = 0; i < n; i++) {
                fprintf(f,
                        "__REALTIME_TIMESTAMP=%llu\n__MONOTONIC_TIMESTAMP=%llu\n"
                        "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=test\n"
                        "SYSLOG_IDENTIFIER=%s\n",
                        first_realtime_usec + i, first_monotonic_usec + i, identifiers[i]);
                if (messages[i]) {
                        uint64_t len = strlen(messages[i]);
                        fputs("MESSAGE\n", f); /* binary form: any bytes allowed */
                        fwrite(&len, sizeof(len), 1, f);
                        fputs(messages[i], f);
                        fputc('\n', f);
                }
                fputc('\n', f);
        }
        cr_assert_eq(fclose(f), 0);
        cr_assert_geq(
                asprintf(&cmd, JOURNAL_REMOTE " --output=%s/%s.journal %s 2>/dev/null", test_dir, name, export_path),
                0);
        cr_assert_eq(system(cmd), 0, "%s", cmd);
        cr_assert_eq(unlink(export_path), 0);
        free(cmd);
        free(export_path);
}

static void make_journal(const char *name, const char *const *identifiers, const char *const *messages, size_t n,
                         unsigned long long first_usec) {
        make_journal_at(name, identifiers, messages, n, first_usec, first_usec);
}

static struct journal_source *open_source(void) {
        struct journal_source *js;
        cr_assert_eq(journal_source_open(
                             &(struct journal_source_options){ .identifier = "ticky", .directory = test_dir }, &js),
                     0);
        return js;
}

/* Reads everything left and returns the messages joined by '|'. */
static char *read_rest(struct journal_source *js, char **ret_last_cursor) {
        char *out = NULL;
        size_t out_len;
        FILE *f = open_memstream(&out, &out_len);
        struct entry e;
        int r;

        while ((r = journal_source_next(js, &e)) > 0)
                if (e.message)
                        fprintf(f, "%.*s|", (int) e.message_len, e.message);
                else
                        fputs("(none)|", f);
        cr_assert_eq(r, 0);
        fclose(f);
        if (ret_last_cursor)
                cr_assert_eq(journal_source_cursor(js, ret_last_cursor), 0);
        return out;
}

static const char *const ids[] = { "ticky", "sshd", "ticky", "ticky", "CRON", "ticky" };
static const char *const msgs[] = { "one", "ssh noise", "two", NULL, "cron noise", "four" };

Test(journal_source, reads_only_the_identifier_in_order) {
        make_journal("a", ids, msgs, 6, 1000000);
        struct journal_source *js = open_source();
        char *all = read_rest(js, NULL);
        cr_expect_str_eq(all, "one|two|(none)|four|");
        free(all);
        journal_source_close(js);
}

Test(journal_source, no_cursor_before_the_first_entry) {
        make_journal("a", ids, msgs, 6, 1000000);
        struct journal_source *js = open_source();
        char *cursor = (char *) 1;
        cr_assert_eq(journal_source_cursor(js, &cursor), 0);
        cr_expect_null(cursor);
        journal_source_close(js);
}

Test(journal_source, seek_resumes_after_the_cursor_entry) {
        make_journal("a", ids, msgs, 6, 1000000);
        struct journal_source *js = open_source();
        struct entry e;
        char *cursor, *rest;

        cr_assert_eq(journal_source_next(js, &e), 1);
        cr_assert_eq(journal_source_next(js, &e), 1);
        cr_assert_eq(journal_source_cursor(js, &cursor), 0);
        journal_source_close(js);

        js = open_source();
        cr_assert_eq(journal_source_seek(js, cursor), 0);
        rest = read_rest(js, NULL);
        cr_expect_str_eq(rest, "(none)|four|");
        free(rest);
        journal_source_close(js);
        free(cursor);
}

Test(journal_source, seek_to_the_last_entry_reads_nothing) {
        make_journal("a", ids, msgs, 6, 1000000);
        struct journal_source *js = open_source();
        char *cursor, *rest, *again;

        free(read_rest(js, &cursor));
        journal_source_close(js);
        js = open_source();
        cr_assert_eq(journal_source_seek(js, cursor), 0);
        rest = read_rest(js, &again);
        cr_expect_str_eq(rest, "");
        cr_expect_null(again, "a cursor although nothing new was read");
        free(rest);
        journal_source_close(js);
        free(cursor);
}

Test(journal_source, vacuumed_cursor_resumes_at_next_entry) {
        static const char *const a_ids[] = { "ticky", "ticky" }, *const a_msgs[] = { "a1", "a2" };
        static const char *const b_ids[] = { "ticky", "ticky" }, *const b_msgs[] = { "b1", "b2" };
        static const char *const c_ids[] = { "ticky" }, *const c_msgs[] = { "c1" };
        struct journal_source *js;
        char *cursor, *rest, *path;

        make_journal("a", a_ids, a_msgs, 2, 1000000);
        make_journal("b", b_ids, b_msgs, 2, 2000000);
        js = open_source();
        free(read_rest(js, NULL));
        journal_source_close(js);

        /* Stop after a2, the last entry of a; then a is vacuumed. */
        js = open_source();
        struct entry e;
        cr_assert_eq(journal_source_next(js, &e), 1);
        cr_assert_eq(journal_source_next(js, &e), 1);
        cr_assert_eq(journal_source_cursor(js, &cursor), 0);
        journal_source_close(js);

        cr_assert_geq(asprintf(&path, "%s/a.journal", test_dir), 0);
        cr_assert_eq(unlink(path), 0);
        free(path);
        make_journal("c", c_ids, c_msgs, 1, 3000000);

        js = open_source();
        cr_assert_eq(journal_source_seek(js, cursor), 0);
        rest = read_rest(js, NULL);
        cr_expect_str_eq(rest, "b1|b2|c1|");
        free(rest);
        journal_source_close(js);
        free(cursor);
}

Test(journal_source, missing_directory_is_an_error) {
        struct journal_source *js;
        cr_expect_lt(journal_source_open(
                             &(struct journal_source_options){ .identifier = "ticky", .directory = "/nonexistent/dir" },
                             &js),
                     0);
}

Test(journal_source, message_survives_fields_enumerated_after_it) {
        /* MESSAGE, then a large (compressed) field, then _HOSTNAME: the data
         * of an enumerated field dies at the next enumeration. */
        char *export_path, *cmd, big[5001];
        struct journal_source *js;
        struct entry e;
        FILE *f;

        memset(big, 'b', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        cr_assert_geq(asprintf(&export_path, "%s/big.export", test_dir), 0);
        f = fopen(export_path, "we");
        cr_assert_not_null(f);
        for (int i = 0; i < 3; i++) {
                fprintf(f,
                        "__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=0123456789abcdef0123456789abcdef\n"
                        "SYSLOG_IDENTIFIER=ticky\nMESSAGE=ERROR ",
                        1000000 + i, 1000000 + i);
                for (int k = 0; k < 700; k++)
                        fputc('a', f);
                fprintf(f, " (alice)\nBIG=%s%d\n_HOSTNAME=host%d\n\n", big, i, i);
        }
        cr_assert_eq(fclose(f), 0);
        cr_assert_geq(asprintf(&cmd, JOURNAL_REMOTE " --output=%s/big.journal %s 2>/dev/null", test_dir, export_path),
                      0);
        cr_assert_eq(system(cmd), 0);
        unlink(export_path);

        cr_assert_eq(journal_source_open(&(struct journal_source_options){ .identifier = "ticky",
                                                                           .directory = test_dir,
                                                                           .want_hostname = true },
                                         &js),
                     0);
        for (int i = 0; i < 3; i++) {
                cr_assert_eq(journal_source_next(js, &e), 1);
                cr_assert_not_null(e.message);
                cr_expect(e.message_len == 6 + 700 + 8 && memcmp(e.message, "ERROR aaa", 9) == 0 &&
                                  memcmp(e.message + e.message_len - 8, " (alice)", 8) == 0,
                          "entry %d: message clobbered: %.20s", i, e.message);
                cr_expect(e.host_len == 5 && memcmp(e.host, "host", 4) == 0 && e.host[4] == '0' + i);
        }
        journal_source_close(js);
        free(cmd);
        free(export_path);
}

/* Reads from the head until the entry at cursor: the messages before it. */
static char *read_until(struct journal_source *js, const char *cursor) {
        char *out = NULL;
        size_t out_len;
        FILE *f = open_memstream(&out, &out_len);
        struct entry e;
        int r;

        while ((r = journal_source_next(js, &e)) > 0 && journal_source_at(js, cursor) == 0)
                fprintf(f, "%.*s|", (int) e.message_len, e.message ? e.message : "(none)");
        cr_assert_eq(r, 1, "the entry at the cursor was never reached");
        fclose(f);
        return out;
}

/* Reads the journal whole, splits it at its middle, and checks the entries
 * before the middle, read by a second source from the head, and those from
 * it on. */
static void check_split(const char *expect_all, const char *expect_before, const char *expect_after) {
        struct journal_split split = { .head_cursor = NULL };
        struct journal_source *js = open_source(), *first;
        char *all, *before, *after;

        all = read_rest(js, NULL);
        cr_assert_str_eq(all, expect_all);
        cr_assert_eq(journal_source_seek_middle(js, &split), 1);
        cr_assert_not_null(split.head_cursor);
        after = read_rest(js, NULL);
        cr_assert_str_eq(after, expect_after);

        first = open_source();
        before = read_until(first, split.middle_cursor);
        cr_assert_str_eq(before, expect_before);
        journal_source_close(first);
        journal_source_close(js);
        journal_split_done(&split);
        free(all);
        free(after);
        free(before);
}

Test(journal_source, middle_splits_the_entries_in_two_that_make_the_whole) {
        static const char *const a_ids[] = { "ticky", "ticky", "sshd", "ticky" };
        static const char *const a_msgs[] = { "a1", "a2", "noise", "a3" };
        static const char *const b_ids[] = { "ticky", "ticky", "ticky" };
        static const char *const b_msgs[] = { "b1", "b2", "b3" };
        /* Two files, as after a rotation: a1..a3 at 1 s, b1..b3 at 9 s. The
         * middle of 1 s..9 s is the first entry at or after 5 s. */
        make_journal("a", a_ids, a_msgs, 4, 1000000);
        make_journal("b", b_ids, b_msgs, 3, 9000000);
        check_split("a1|a2|a3|b1|b2|b3|", "a1|a2|a3|", "b1|b2|b3|");
}

Test(journal_source, middle_splits_the_whole_when_the_clock_went_back) {
        static const char *const ticky_ids[] = { "ticky" };
        static const char *const a[] = { "a" }, *const b[] = { "b" }, *const c[] = { "c" }, *const d[] = { "d" };
        /* One boot, read in monotonic order a b c d; the wall clock was set
         * back between b and c. A seek to the middle time, 15.5 s, finds b,
         * and a reader resuming by time there would skip c. */
        make_journal_at("a", ticky_ids, a, 1, 1000000, 1000000);
        make_journal_at("b", ticky_ids, b, 1, 20000000, 2000000);
        make_journal_at("c", ticky_ids, c, 1, 5000000, 3000000);
        make_journal_at("d", ticky_ids, d, 1, 30000000, 4000000);
        check_split("a|b|c|d|", "a|", "b|c|d|");
}

Test(journal_source, nothing_to_split_in_one_instant) {
        static const char *const one_ids[] = { "ticky" };
        static const char *const one_msgs[] = { "only" };
        struct journal_split split = { .head_cursor = NULL };
        struct journal_source *js;
        char *all;

        make_journal("a", one_ids, one_msgs, 1, 1000000);
        js = open_source();
        cr_assert_eq(journal_source_seek_middle(js, &split), 0);
        cr_assert_null(split.middle_cursor);
        all = read_rest(js, NULL);
        cr_assert_str_eq(all, "only|", "back at the head when there is nothing to split");
        journal_source_close(js);
        free(all);
}
