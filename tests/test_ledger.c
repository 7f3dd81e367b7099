/* SPDX-License-Identifier: MIT */
/* The exactly-once core on a real syslog file: whatever batches the entries
 * are read in, and wherever the process stops between two snapshots, the
 * counts of the last snapshot plus what is read after it are those of one
 * pass over the whole file. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"
#include "ledger.h"
#include "macro.h"
#include "source.h"
#include "state.h"

TestSuite(ledger, .init = test_dir_setup, .fini = test_dir_teardown);

#define EVENTS 1500 /* more than a pump counts before it starts a thread */

static char *path_of(const char *name) {
        char *path;
        cr_assert_geq(asprintf(&path, "%s/%s", test_dir, name), 0);
        return path;
}

/* EVENTS ticky lines (INFO, ERROR, and now and then one that does not
 * parse), each after a line of another program. */
static void write_syslog(void) {
        char *path = path_of("syslog");
        FILE *f = fopen(path, "w");

        cr_assert_not_null(f);
        for (int i = 0; i < EVENTS; i++) {
                fprintf(f, "Nov 24 10:%02d:%02d web%d sshd[9]: Accepted key for u%d\n", i / 60 % 60, i % 60, i % 3, i);
                if (i % 11 == 0)
                        fprintf(f, "Nov 24 10:%02d:%02d web%d ticky[7]: not an event %d\n", i / 60 % 60, i % 60, i % 3,
                                i);
                else if (i % 3 == 0)
                        fprintf(f, "Nov 24 10:%02d:%02d web%d ticky[7]: ERROR Error %d (u%d)\n", i / 60 % 60, i % 60,
                                i % 3, i % 7, i % 13);
                else
                        fprintf(f, "Nov 24 10:%02d:%02d web%d ticky[7]: INFO Created ticket [#%d] (u%d)\n", i / 60 % 60,
                                i % 60, i % 3, i, i % 13);
        }
        cr_assert_eq(fclose(f), 0);
        free(path);
}

static struct source *open_source_at(const char *cursor) {
        char *path = path_of("syslog");
        struct source *src;

        cr_assert_eq(source_open(
                             &(struct source_options){
                                     .syslog = &(struct syslog_source_options){ .path = path, .identifier = "ticky" } },
                             &src),
                     0);
        cr_assert_eq(source_seek(src, cursor, NULL), 0);
        free(path);
        return src;
}

static const struct stats_limits limits = { .days = 0 };

/* The whole file in one ledger, one pump. */
static void count_in_one_pass(struct ledger *ret) {
        struct source *src = open_source_at(NULL);

        cr_assert_eq(ledger_init(ret, &limits), 0);
        cr_assert_eq(ledger_pump(ret, src, SIZE_MAX, true), EVENTS);
        source_close(src);
}

static void expect_same_counts(const struct stats *a, const struct stats *b) {
        const struct stats_totals *x = stats_totals(a), *y = stats_totals(b);

        cr_expect_eq(x->info, y->info);
        cr_expect_eq(x->error, y->error);
        cr_expect_eq(x->unparsed, y->unparsed);
        for (enum stats_table t = 0; t < _STATS_TABLE_MAX; t++) {
                const struct counter_row *row;
                cr_assert_eq(counter_table_size(stats_table(a, t)), counter_table_size(stats_table(b, t)), "table %d",
                             t);
                for (size_t i = 0; (row = counter_table_next(stats_table(a, t), &i));) {
                        const struct counter_row *other = counter_table_get(stats_table(b, t), row->key, row->key_len);
                        cr_assert_not_null(other, "table %d", t);
                        cr_assert(row->count[0] == other->count[0] && row->count[1] == other->count[1], "table %d", t);
                }
        }
}

typedef struct source *(*open_fn)(struct ledger *l);

static struct source *open_syslog_at_cursor(struct ledger *l) {
        return open_source_at(l->cursor);
}

/* Loads the snapshot into a fresh ledger and opens the source at its
 * position, as a restart does. */
static void restart_with(struct ledger *l, struct source **src, open_fn open) {
        char *source = NULL;
        const char *reason = NULL;

        source_close(*src);
        ledger_done(l);
        cr_assert_eq(ledger_init(l, &limits), 0);
        cr_assert_eq(ledger_load(l, test_dir, &source, &reason), 0, "%s", reason ? reason : "");
        cr_expect_str_eq(source, "test source");
        free(source);
        *src = open(l);
}

static void restart(struct ledger *l, struct source **src) {
        restart_with(l, src, open_syslog_at_cursor);
}

/* Counts everything from an empty state in pumps of max, with a snapshot
 * after each and, every `every` pumps, a restart from it (the process
 * "dies" after its snapshot); then expects the counts of whole. */
static void count_in_batches(size_t max, bool counting_thread, unsigned every, size_t entries, open_fn open,
                             const struct ledger *whole) {
        char *state = path_of(STATE_FILE_NAME);
        struct ledger l;
        struct source *src;
        unsigned pumps = 0;
        long n;

        (void) remove(state);
        free(state);
        cr_assert_eq(ledger_init(&l, &limits), 0);
        src = open(&l);
        do {
                n = ledger_pump(&l, src, max, counting_thread);
                cr_assert_geq(n, 0);
                cr_assert_leq((size_t) n, 2 * max, "at most max per reading thread");
                cr_assert_eq(ledger_save(&l, test_dir, "test source"), 0);
                if (++pumps % every == 0)
                        restart_with(&l, &src, open);
                /* A position that lags behind would read the start again
                 * and again. */
                cr_assert_leq(pumps, entries / max + 1, "batches of %zu", max);
        } while ((size_t) n >= max);
        restart_with(&l, &src, open);
        cr_assert_eq(ledger_pump(&l, src, SIZE_MAX, true), 0, "batches of %zu: nothing left", max);
        expect_same_counts(l.stats, whole->stats);
        source_close(src);
        ledger_done(&l);
}

Test(ledger, counts_every_entry_once_across_restarts_in_any_batches) {
        static const size_t batch_sizes[] = { 1, 7, 256, 257, 1000 };
        struct ledger whole;

        write_syslog();
        count_in_one_pass(&whole);
        cr_assert_gt(stats_totals(whole.stats)->unparsed, 0);
        for (size_t b = 0; b < ELEMENTSOF(batch_sizes); b++)
                count_in_batches(batch_sizes[b], batch_sizes[b] > 1, 3, EVENTS, open_syslog_at_cursor, &whole);
        ledger_done(&whole);
}

Test(ledger, a_crash_between_two_snapshots_loses_nothing_and_counts_nothing_twice) {
        struct ledger whole, l;
        struct source *src;

        write_syslog();
        count_in_one_pass(&whole);
        src = open_source_at(NULL);
        cr_assert_eq(ledger_init(&l, &limits), 0);
        cr_assert_eq(ledger_pump(&l, src, 500, true), 500);
        cr_assert_eq(ledger_save(&l, test_dir, "test source"), 0);
        /* Counted, never saved: gone with the process. */
        cr_assert_eq(ledger_pump(&l, src, 300, true), 300);
        restart(&l, &src);
        cr_expect_eq(ledger_pump(&l, src, SIZE_MAX, true), EVENTS - 500);
        expect_same_counts(l.stats, whole.stats);
        source_close(src);
        ledger_done(&l);
        ledger_done(&whole);
}

Test(ledger, a_poisoned_ledger_is_never_saved) {
        struct ledger l;
        struct source *src;
        char *before, *after;
        size_t before_len, after_len;

        write_syslog();
        src = open_source_at(NULL);
        cr_assert_eq(ledger_init(&l, &limits), 0);
        cr_assert_eq(ledger_pump(&l, src, 100, false), 100);
        cr_assert_eq(ledger_save(&l, test_dir, "test source"), 0);
        before = read_file_or_null(test_dir, STATE_FILE_NAME, &before_len);
        cr_assert_not_null(before);

        cr_assert_eq(ledger_pump(&l, src, 100, false), 100);
        cr_assert_eq(ledger_poison(&l, -ENOMEM), -ENOMEM);
        cr_expect_eq(ledger_save(&l, test_dir, "test source"), -ENOTRECOVERABLE);
        cr_expect_eq(ledger_pump(&l, src, 100, false), -ENOTRECOVERABLE);
        after = read_file_or_null(test_dir, STATE_FILE_NAME, &after_len);
        cr_assert_not_null(after);
        cr_expect(before_len == after_len && memcmp(before, after, before_len) == 0, "the last good snapshot stays");
        free(before);
        free(after);
        source_close(src);
        ledger_done(&l);
}

Test(ledger, the_cursor_is_that_of_the_last_entry_counted) {
        struct ledger l;
        struct source *src, *again;
        struct entry e;

        write_syslog();
        src = open_source_at(NULL);
        cr_assert_eq(ledger_init(&l, &limits), 0);
        cr_assert_null(l.cursor);
        cr_assert_eq(ledger_pump(&l, src, 2, false), 2);
        cr_assert_not_null(l.cursor);
        /* The next entry after the cursor is the third ticky line. */
        again = open_source_at(l.cursor);
        cr_assert_eq(source_next(again, &e), 1);
        cr_expect(e.message_len > 0 && strstr(e.message, "(u2)") != NULL, "%.*s", (int) e.message_len, e.message);
        source_close(again);
        source_close(src);
        ledger_done(&l);
}

/* Journal files: N_FILES of them, FILE_ENTRIES entries each (some of other
 * programs, some not in the grammar), and a copy of the first one. Enough
 * that a pump shares files out to a second thread. */
#define N_FILES      6
#define FILE_ENTRIES 500

static char *journal_dir(void) {
        return path_of("journal");
}

static void write_journals(void) {
        char *dir = journal_dir(), *cmd;
        const char *ids[FILE_ENTRIES];
        char *msgs[FILE_ENTRIES];

        cr_assert_eq(mkdir(dir, 0755), 0);
        for (int f = 0; f < N_FILES; f++) {
                char name[16];
                for (int i = 0; i < FILE_ENTRIES; i++) {
                        ids[i] = i % 5 == 4 ? "sshd" : "ticky";
                        cr_assert_geq(i % 13 == 0  ? asprintf(&msgs[i], "not an event %d", i)
                                      : i % 3 == 0 ? asprintf(&msgs[i], "ERROR Error %d (u%d)", i % 7, (f + i) % 17)
                                                   : asprintf(&msgs[i], "INFO Created ticket [#%d] (u%d)", i, i % 17),
                                      0);
                }
                snprintf(name, sizeof(name), "host-%d", f);
                /* The files overlap in time, as a collector's do. */
                make_journal_file(dir, name, ids, (const char *const *) msgs, FILE_ENTRIES, 1000000 + f * 100, 1000);
                for (int i = 0; i < FILE_ENTRIES; i++)
                        free(msgs[i]);
        }
        cr_assert_geq(asprintf(&cmd, "cp %s/host-0.journal %s/copy-of-host-0.journal", dir, dir), 0);
        cr_assert_eq(system(cmd), 0);
        free(cmd);
        free(dir);
}

static struct source *open_journal_source(struct ledger *l) {
        char *dir = journal_dir();
        struct source *src;

        cr_assert_eq(source_open(&(struct source_options){ .journal =
                                                                   &(struct journal_source_options){
                                                                           .identifier = "ticky",
                                                                           .directory = dir,
                                                                           .want_hostname = true,
                                                                   },
                                                           .journal_positions = l->journal_positions },
                                 &src),
                     0);
        free(dir);
        return src;
}

Test(ledger, journal_files_read_on_two_threads_count_once_across_restarts) {
        static const size_t batch_sizes[] = { 257, 300, 1000, 5000 };
        const size_t ticky_entries = N_FILES * (FILE_ENTRIES - FILE_ENTRIES / 5);
        struct ledger whole;
        struct source *src;

        write_journals();
        cr_assert_eq(ledger_init(&whole, &limits), 0);
        src = open_journal_source(&whole);
        /* No second thread: one reader, one file after the other. */
        cr_assert_eq(ledger_pump(&whole, src, SIZE_MAX, false), (long) ticky_entries, "the copy is not read again");
        source_close(src);
        for (size_t b = 0; b < ELEMENTSOF(batch_sizes); b++)
                count_in_batches(batch_sizes[b], true, 2, ticky_entries, open_journal_source, &whole);
        ledger_done(&whole);
}
