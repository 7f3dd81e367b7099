/* SPDX-License-Identifier: MIT */
/* A syslog file read the three ways the daemon reads one: whole, as history
 * (syslog_archive), followed (syslog_source), and counted on the counting
 * thread. They must agree: the follower hands out exactly the archive's
 * entries of the whole lines, in order, and the counting thread counts what
 * counting in place counts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checksum.h"
#include "count.h"
#include "counting_thread.h"
#include "fuzz_common.h"
#include "stats.h"
#include "syslog_archive.h"
#include "syslog_source.h"

static char *dir, *path;

static void remove_dir(void) {
        fuzz_remove_dir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        /* Year-less timestamps are local times: one fixed zone. */
        setenv("TZ", "UTC", 1);
        tzset();
        dir = fuzz_make_temp_dir("fuzz_syslog_files");
        if (asprintf(&path, "%s/syslog", dir) < 0)
                abort();
        atexit(remove_dir);
        return 0;
}

/* The entries in order, as one digest, and how many. */
struct digest {
        uint64_t h;
        uint64_t n;
};

static void digest_add(struct digest *d, const struct entry *e) {
        uint64_t lens[3] = { e->message ? e->message_len : UINT64_MAX, e->host ? e->host_len : UINT64_MAX,
                             e->realtime_usec };

        d->h = fnv1a64_update(d->h, lens, sizeof(lens));
        if (e->message)
                d->h = fnv1a64_update(d->h, e->message, e->message_len);
        if (e->host)
                d->h = fnv1a64_update(d->h, e->host, e->host_len);
        d->n++;
}

struct archive_reading {
        struct digest digest;
        struct stats *stats;
        struct counting_thread *thread;
        struct entry_batch *batch;
};

static int on_whole_line(const struct entry *e, void *userdata) {
        digest_add(userdata, e);
        return 0;
}

static int on_archived(const struct entry *e, void *userdata) {
        struct archive_reading *a = userdata;

        digest_add(&a->digest, e);
        FUZZ_CHECK(count_entry(a->stats, e) == 0);
        if (!a->batch)
                a->batch = counting_thread_batch(a->thread);
        FUZZ_CHECK(a->batch);
        FUZZ_CHECK(entry_batch_add(a->batch, e) == 0);
        if (entry_batch_full(a->batch)) {
                counting_thread_submit(a->thread, a->batch);
                a->batch = NULL;
        }
        return 0;
}

static void check_same_stats(const struct stats *a, const struct stats *b) {
        const struct stats_totals *x = stats_totals(a), *y = stats_totals(b);

        FUZZ_CHECK(x->info == y->info && x->error == y->error && x->unparsed == y->unparsed);
        for (enum stats_table t = 0; t < _STATS_TABLE_MAX; t++) {
                const struct counter_row *row;
                FUZZ_CHECK(counter_table_size(stats_table(a, t)) == counter_table_size(stats_table(b, t)));
                for (size_t i = 0; (row = counter_table_next(stats_table(a, t), &i));) {
                        const struct counter_row *other = counter_table_get(stats_table(b, t), row->key, row->key_len);
                        FUZZ_CHECK(other && other->count[0] == row->count[0] && other->count[1] == row->count[1]);
                }
        }
}

/* The archive's reading of data[0..size): lines, identity, entries, and
 * the counts in place and on the thread. */
static void read_archive(const uint8_t *data, size_t size, struct digest *ret_whole_lines) {
        struct archive_reading a = { .digest = { .h = FNV1A64_INIT }, .stats = stats_new() };
        struct stats *threaded = stats_new();
        struct syslog_archive known, counted;
        uint64_t newlines = 0;

        FUZZ_CHECK(a.stats && threaded);
        for (size_t i = 0; i < size; i++)
                newlines += data[i] == '\n';
        fuzz_write_file(path, data, size);

        FUZZ_CHECK(syslog_archive_read(path, NULL, NULL, NULL, &known) == 0);
        FUZZ_CHECK(known.lines == newlines + (size > 0 && data[size - 1] != '\n'));
        FUZZ_CHECK(known.events == 0);
        FUZZ_CHECK(known.head_len == (size < SYSLOG_HEAD_BYTES ? size : SYSLOG_HEAD_BYTES));

        FUZZ_CHECK(counting_thread_start(threaded, &a.thread) == 0);
        FUZZ_CHECK(syslog_archive_read(path, "ticky", on_archived, &a, &counted) == 0);
        if (a.batch)
                counting_thread_submit(a.thread, a.batch);
        FUZZ_CHECK(counting_thread_stop(a.thread) == 0);
        FUZZ_CHECK(strcmp(known.identity, counted.identity) == 0);
        FUZZ_CHECK(counted.lines == known.lines && counted.events == a.digest.n);
        FUZZ_CHECK(stats_totals(a.stats)->info + stats_totals(a.stats)->error + stats_totals(a.stats)->unparsed ==
                   counted.events);
        check_same_stats(a.stats, threaded);
        stats_free(a.stats);
        stats_free(threaded);

        /* The follower leaves a last line without its newline for later:
         * what it reads now is the archive of the whole lines. */
        size_t whole = size;
        while (whole > 0 && data[whole - 1] != '\n')
                whole--;
        *ret_whole_lines = (struct digest){ .h = FNV1A64_INIT };
        fuzz_write_file(path, data, whole);
        FUZZ_CHECK(syslog_archive_read(path, "ticky", on_whole_line, ret_whole_lines, &counted) == 0);
        fuzz_write_file(path, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct digest whole_lines, followed = { .h = FNV1A64_INIT };
        struct syslog_source *ss;
        struct entry e;
        int r;

        read_archive(data, size, &whole_lines);

        FUZZ_CHECK(syslog_source_open(&(struct syslog_source_options){ .path = path, .identifier = "ticky" }, &ss) ==
                   0);
        FUZZ_CHECK(syslog_source_seek(ss, NULL) == 1);
        while ((r = syslog_source_next(ss, &e)) > 0)
                digest_add(&followed, &e);
        FUZZ_CHECK(r == 0);
        FUZZ_CHECK(followed.n == whole_lines.n && followed.h == whole_lines.h);
        syslog_source_close(ss);
        return 0;
}
