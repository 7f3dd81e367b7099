/* SPDX-License-Identifier: MIT */
/* Against real journal files, made by systemd-journal-remote from Journal
 * Export Format: no mock of sd-journal. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "helpers.h"
#include "journal_source.h"
#include "strv.h"

static void make_journal_at(const char *name, const char *const *identifiers, const char *const *messages, size_t n,
                            unsigned long long first_realtime_usec, unsigned long long first_monotonic_usec) {
        make_journal_file(test_dir, name, identifiers, messages, n, first_realtime_usec, first_monotonic_usec);
}

static void make_journal(const char *name, const char *const *identifiers, const char *const *messages, size_t n,
                         unsigned long long first_usec) {
        make_journal_at(name, identifiers, messages, n, first_usec, first_usec);
}

/* Positions survive from one source to the next, as they do in the state. */
static struct counter_table *positions;

static void positions_setup(void) {
        test_dir_setup();
        positions = counter_table_new();
        cr_assert_not_null(positions);
}

static void positions_teardown(void) {
        positions = counter_table_free(positions);
        test_dir_teardown();
}

TestSuite(journal_positions, .init = positions_setup, .fini = positions_teardown);

static struct journal_source *open_source(void) {
        struct journal_source *js;
        if (!positions)
                positions_setup();
        cr_assert_eq(
                journal_source_open(&(struct journal_source_options){ .identifier = "ticky", .directory = test_dir },
                                    positions, &js),
                0);
        return js;
}

/* Reads everything left, commits, and returns the messages joined by '|'. */
static char *read_rest(struct journal_source *js) {
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
        cr_assert_eq(journal_source_commit(js), 0);
        fclose(f);
        return out;
}

/* A new source over the same directory and positions reads exactly expect. */
static void expect_rest(const char *expect) {
        struct journal_source *js = open_source();
        char *rest = read_rest(js);
        cr_expect_str_eq(rest, expect);
        free(rest);
        journal_source_close(js);
}

static char *test_path(const char *name) {
        char *path;
        cr_assert_geq(asprintf(&path, "%s/%s", test_dir, name), 0);
        return path;
}

static const char *const ids[] = { "ticky", "sshd", "ticky", "ticky", "CRON", "ticky" };
static const char *const msgs[] = { "one", "ssh noise", "two", NULL, "cron noise", "four" };

Test(journal_positions, reads_only_the_identifier_in_order) {
        make_journal("a", ids, msgs, 6, 1000000);
        expect_rest("one|two|(none)|four|");
}

Test(journal_positions, resume_after_the_last_entry_committed) {
        make_journal("a", ids, msgs, 6, 1000000);
        struct journal_source *js = open_source();
        struct entry e;

        cr_assert_eq(journal_source_next(js, &e), 1);
        cr_assert_eq(journal_source_next(js, &e), 1);
        cr_assert_eq(journal_source_commit(js), 0);
        cr_assert_eq(journal_source_next(js, &e), 1, "read, but never committed");
        journal_source_close(js);
        expect_rest("(none)|four|");
        expect_rest("");
        cr_expect_eq(counter_table_size(positions), 1, "one position per file");
}

Test(journal_positions, a_new_file_of_older_entries_is_read) {
        static const char *const t[] = { "ticky", "ticky" };
        static const char *const late[] = { "late1", "late2" }, *const now[] = { "now1", "now2" };

        make_journal("now", t, now, 2, 9000000);
        expect_rest("now1|now2|");
        /* A host's backlog: older than everything already read. */
        make_journal("late", t, late, 2, 1000000);
        expect_rest("late1|late2|");
        expect_rest("");
}

Test(journal_positions, entries_appended_with_older_times_are_read) {
        static const char *const t[] = { "ticky", "ticky" };
        static const char *const a[] = { "a1", "a2" }, *const b[] = { "b1", "b2" }, *const old[] = { "a3", "a4" };

        make_journal("a", t, a, 2, 5000000);
        make_journal("b", t, b, 2, 9000000);
        expect_rest("a1|a2|b1|b2|");
        /* systemd-journal-remote appends to an existing file: a delayed
         * upload, older than b's entries already read. */
        make_journal("a", t, old, 2, 6000000);
        expect_rest("a3|a4|");
}

Test(journal_positions, a_rotated_file_is_not_read_again) {
        static const char *const t[] = { "ticky", "ticky" };
        static const char *const a[] = { "a1", "a2" }, *const b[] = { "b1", "b2" };
        char *from = test_path("a.journal"), *to = test_path("a@0123456789abcdef0123456789abcdef-1-2.journal");

        make_journal("a", t, a, 2, 1000000);
        expect_rest("a1|a2|");
        cr_assert_eq(rename(from, to), 0);
        make_journal("a", t, b, 2, 2000000);
        expect_rest("b1|b2|");
        free(from);
        free(to);
}

Test(journal_positions, a_copy_of_a_file_is_read_once) {
        static const char *const t[] = { "ticky" };
        static const char *const a[] = { "a1" };
        char *cmd;

        make_journal("a", t, a, 1, 1000000);
        cr_assert_geq(asprintf(&cmd, "cp %s/a.journal %s/copy.journal", test_dir, test_dir), 0);
        cr_assert_eq(system(cmd), 0);
        free(cmd);
        expect_rest("a1|");
}

Test(journal_positions, vacuum_keeps_the_other_positions) {
        static const char *const t[] = { "ticky", "ticky" };
        static const char *const a[] = { "a1", "a2" }, *const b[] = { "b1", "b2" }, *const c[] = { "c1" };
        char *path = test_path("a.journal");

        make_journal("a", t, a, 2, 1000000);
        make_journal("b", t, b, 2, 2000000);
        expect_rest("a1|a2|b1|b2|");
        cr_assert_eq(unlink(path), 0);
        make_journal("c", t, c, 1, 3000000);
        expect_rest("c1|");
        cr_expect_eq(counter_table_size(positions), 3, "a's position is kept for its retention");
        free(path);
}

/* Sets the type byte of the n-th (from 0) ENTRY object of the file to 0xff. */
static void damage_entry(const char *name, unsigned n) {
        char *path = test_path(name);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        uint64_t header_size, offset, size;
        uint8_t type;

        cr_assert_geq(fd, 0);
        cr_assert_eq(pread(fd, &header_size, 8, 88), 8);
        for (offset = le64toh(header_size);; offset += (size + 7) & ~UINT64_C(7)) {
                cr_assert_eq(pread(fd, &type, 1, (off_t) offset), 1);
                cr_assert_eq(pread(fd, &size, 8, (off_t) offset + 8), 8);
                size = le64toh(size);
                cr_assert_gt(size, 0, "no ENTRY object %u", n);
                if (type == 3 && n-- == 0)
                        break;
        }
        type = 0xff;
        cr_assert_eq(pwrite(fd, &type, 1, (off_t) offset), 1);
        close(fd);
        free(path);
}

Test(journal_positions, a_damaged_file_is_read_up_to_the_damage_and_reported_once) {
        static const char *const t[] = { "ticky", "ticky", "ticky", "ticky" };
        static const char *const a[] = { "a1", "a2", "a3", "a4" }, *const b[] = { "b1", "b2" };
        struct journal_source *js;
        char **notices, *rest;

        make_journal("a", t, a, 4, 1000000);
        make_journal("b", t, b, 2, 2000000);
        damage_entry("a.journal", 2);
        js = open_source();
        rest = read_rest(js);
        cr_expect_str_eq(rest, "a1|a2|b1|b2|");
        notices = journal_source_take_notices(js);
        cr_assert_not_null(notices);
        cr_expect_not_null(strstr(notices[0], "a.journal"), "%s", notices[0]);
        cr_expect_null(notices[1], "reported once");
        strv_free(notices);
        free(rest);
        journal_source_close(js);
        expect_rest("");
}

Test(journal_positions, growth_and_new_files_wake_the_caller) {
        static const char *const t[] = { "ticky" };
        static const char *const a[] = { "a1" }, *const b[] = { "b1" }, *const c[] = { "c1" };
        struct pollfd p = { .fd = -1 };
        struct journal_source *js;
        int timeout;
        char *rest;

        make_journal("a", t, a, 1, 1000000);
        js = open_source();
        rest = read_rest(js);
        free(rest);
        cr_assert_eq(journal_source_wait_params(js, &p.fd, &p.events, &timeout), 0);
        cr_expect_eq(timeout, -1, "no timer: nothing is polled");
        cr_expect_eq(poll(&p, 1, 100), 0, "idle: no wake-up");

        make_journal("a", t, b, 1, 2000000); /* grows */
        cr_assert_eq(poll(&p, 1, 5000), 1);
        cr_assert_eq(journal_source_process(js), 0);
        rest = read_rest(js);
        cr_expect_str_eq(rest, "b1|");
        free(rest);

        make_journal("c", t, c, 1, 500000); /* a new file, older */
        cr_assert_eq(poll(&p, 1, 5000), 1);
        cr_assert_eq(journal_source_process(js), 0);
        rest = read_rest(js);
        cr_expect_str_eq(rest, "c1|");
        free(rest);
        journal_source_close(js);
}

/* The cursor a reader of the merged journal had after its n-th entry. */
static char *merged_cursor_after(unsigned n) {
        sd_journal *j;
        char *cursor;

        cr_assert_eq(sd_journal_open_directory(&j, test_dir, 0), 0);
        cr_assert_eq(sd_journal_add_match(j, "SYSLOG_IDENTIFIER=ticky", 0), 0);
        for (unsigned i = 0; i < n; i++)
                cr_assert_eq(sd_journal_next(j), 1);
        cr_assert_eq(sd_journal_get_cursor(j, &cursor), 0);
        sd_journal_close(j);
        return cursor;
}

Test(journal_positions, a_merged_cursor_is_carried_over_to_every_file) {
        static const char *const t[] = { "ticky", "ticky", "ticky" };
        static const char *const a[] = { "a1", "a2", "a3" }, *const b[] = { "b1", "b2", "b3" };
        struct journal_source *js;
        char *cursor;

        /* Interleaved in time: a1 b1 a2 b2 a3 b3. */
        make_journal_at("a", t, a, 1, 1000000, 1000000);
        make_journal_at("b", t, b, 1, 1500000, 1500000);
        make_journal_at("a", t, a + 1, 1, 2000000, 2000000);
        make_journal_at("b", t, b + 1, 1, 2500000, 2500000);
        make_journal_at("a", t, a + 2, 1, 3000000, 3000000);
        make_journal_at("b", t, b + 2, 1, 3500000, 3500000);
        cursor = merged_cursor_after(3); /* at a2 */
        js = open_source();
        cr_assert_eq(journal_source_migrate(js, cursor), 0);
        char *rest = read_rest(js);
        cr_expect(strcmp(rest, "a3|b2|b3|") == 0 || strcmp(rest, "b2|b3|a3|") == 0, "%s", rest);
        free(rest);
        free(cursor);
        journal_source_close(js);
}

Test(journal_positions, missing_directory_is_an_error) {
        struct journal_source *js;
        cr_expect_lt(journal_source_open(
                             &(struct journal_source_options){ .identifier = "ticky", .directory = "/nonexistent/dir" },
                             positions, &js),
                     0);
}

Test(journal_positions, message_survives_fields_enumerated_after_it) {
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
                                         positions, &js),
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

/* Messages read from sh, at most max of them, joined by '|'. */
static char *read_share(struct journal_share *sh, size_t max) {
        char *out = NULL;
        size_t out_len;
        FILE *f = open_memstream(&out, &out_len);
        struct entry e;
        int r = 1;

        for (size_t i = 0; i < max && (r = journal_share_next(sh, &e)) > 0; i++)
                fprintf(f, "%.*s|", (int) e.message_len, e.message);
        cr_assert_geq(r, 0);
        fclose(f);
        return out;
}

static int compare_strings(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The items of the '|'-terminated lists, sorted: which reader read which
 * file does not matter, only that every entry was read once. */
static char *sorted_items(const char *a, const char *b, const char *c) {
        char *joined, *items[64], *out;
        size_t n = 0;

        cr_assert_geq(asprintf(&joined, "%s%s%s", a, b, c), 0);
        out = calloc(strlen(joined) + 1, 1);
        cr_assert_not_null(out);
        for (char *save = NULL, *t = strtok_r(joined, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
                cr_assert_lt(n, sizeof(items) / sizeof(*items));
                items[n++] = t;
        }
        qsort(items, n, sizeof(*items), compare_strings);
        for (size_t i = 0; i < n; i++) {
                strcat(out, items[i]);
                strcat(out, "|");
        }
        free(joined);
        return out;
}

Test(journal_positions, a_share_and_the_rest_read_every_entry_once) {
        static const char *const t[] = { "ticky", "ticky", "ticky" };
        static const char *const a[] = { "a1", "a2", "a3" }, *const b[] = { "b1", "b2", "b3" },
                                 *const c[] = { "c1", "c2", "c3" }, *const d[] = { "d1", "d2", "d3" };
        struct journal_share *sh;
        char *cmd, *shared, *rest, *later, *all;

        make_journal("a", t, a, 3, 1000000);
        make_journal("b", t, b, 3, 2000000);
        make_journal("c", t, c, 3, 3000000);
        make_journal("d", t, d, 3, 4000000);
        cr_assert_geq(asprintf(&cmd, "cp %s/a.journal %s/copy-of-a.journal", test_dir, test_dir), 0);
        cr_assert_eq(system(cmd), 0);
        free(cmd);

        struct journal_source *js = open_source();
        cr_assert_eq(journal_source_share(js, &sh), 0);
        cr_assert_not_null(sh, "four files (and a copy) with new entries: half of them are shared");
        shared = read_share(sh, 4); /* a file and a third, whichever: stopped inside the second */
        rest = read_rest(js);
        cr_expect_eq(strlen(rest), 3 * 2 * 3, "the other two files, whole: %s", rest);
        cr_assert_eq(journal_source_unshare(js, sh), 0);
        later = read_rest(js);
        cr_expect_eq(strlen(later), 2 * 3, "the rest of the file the share stopped in: %s", later);
        all = sorted_items(shared, rest, later);
        cr_expect_str_eq(all, "a1|a2|a3|b1|b2|b3|c1|c2|c3|d1|d2|d3|", "%s + %s + %s", shared, rest, later);
        journal_source_close(js);
        expect_rest("");
        free(shared);
        free(rest);
        free(later);
        free(all);
}
