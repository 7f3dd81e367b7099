/* SPDX-License-Identifier: MIT */
/* Exactly-once rests on one rule: the cursor saved is always the cursor of the
 * last entry the saved counts include, and both go into one atomic file. */
#include "collector.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "counting_thread.h"
#include "import.h"
#include "journal_source.h"
#include "macro.h"
#include "report.h"
#include "source.h"
#include "state.h"

struct collector {
        char *output_directory;
        char *state_directory;
        char *title;
        char *prometheus_path;    /* NULL: none */
        char *source_description; /* for the pages */
        char *source_key;         /* for the snapshot: source and identifier */
        char *previous_source;
        char *cursor;            /* of the last entry counted, NULL: none yet */
        char *syslog_identifier; /* of the lines --import counts */
        int state_lock_fd;
        bool poisoned; /* counts and cursor may disagree: never save */
        struct stats *stats;
        struct source *source;
        bool cursor_lost; /* the saved cursor's place was not found */
};

/* Sets *ret_error to the formatted message and returns r. */
__attribute__((format(printf, 3, 4))) static int fail(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return r;
}

static int make_directory(const char *path) {
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return -errno;
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

struct collector *collector_free(struct collector *col) {
        if (!col)
                return NULL;
        source_close(col->source);
        stats_free(col->stats);
        if (col->state_lock_fd >= 0)
                (void) close(col->state_lock_fd);
        free(col->output_directory);
        free(col->state_directory);
        free(col->title);
        free(col->prometheus_path);
        free(col->source_description);
        free(col->source_key);
        free(col->previous_source);
        free(col->cursor);
        free(col->syslog_identifier);
        free(col);
        return NULL;
}

static int setup_directories(struct collector *col, char **ret_error) {
        int r;

        r = make_directory(col->output_directory);
        if (r < 0)
                return fail(ret_error, r, "cannot create output directory %s: %s", col->output_directory, strerror(-r));
        r = make_directory(col->state_directory);
        if (r < 0)
                return fail(ret_error, r, "cannot create state directory %s: %s", col->state_directory, strerror(-r));

        col->state_lock_fd = open(col->state_directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (col->state_lock_fd < 0)
                return fail(ret_error, -errno, "cannot open state directory %s: %s", col->state_directory,
                            strerror(errno));
        /* Two instances on one state would each count every entry. */
        if (flock(col->state_lock_fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK)
                        return fail(ret_error, -EBUSY, "state directory %s is in use by another ticky-reportd",
                                    col->state_directory);
                return fail(ret_error, -errno, "cannot lock state directory %s: %s", col->state_directory,
                            strerror(errno));
        }

        /* Under the lock, no other writer can be mid-write: what is left
         * over is from a killed one. */
        r = report_remove_stale(col->output_directory);
        if (r >= 0)
                r = atomic_file_remove_stale(col->state_directory, STATE_FILE_NAME);
        if (r < 0)
                return fail(ret_error, r, "cannot remove stale temporary files: %s", strerror(-r));
        return 0;
}

static int load_state(struct collector *col, char **ret_error) {
        _cleanup_free_ char *source = NULL;
        const char *reason = NULL;
        int r;

        r = state_load(col->state_directory, col->stats, &col->cursor, &source, &reason);
        if (r == -ENOENT)
                return 0; /* first start: from the head of the journal */
        if (r == -EBADMSG)
                return fail(ret_error, r,
                            "state file %s/%s is unusable (%s); not starting over silently: "
                            "remove it to recount the whole journal",
                            col->state_directory, STATE_FILE_NAME, reason);
        if (r < 0)
                return fail(ret_error, r, "cannot load state file %s/%s: %s", col->state_directory, STATE_FILE_NAME,
                            strerror(-r));
        if (source && strcmp(source, col->source_key) != 0)
                col->previous_source = TAKE_PTR(source);
        return 0;
}

int collector_open(const struct config *c, struct collector **ret, char **ret_error) {
        struct collector *col;
        bool found;
        int r;

        *ret_error = NULL;
        col = calloc(1, sizeof(*col));
        if (!col)
                return -ENOMEM;
        col->state_lock_fd = -1;
        col->output_directory = strdup(c->output_directory);
        col->state_directory = strdup(c->state_directory);
        col->title = strdup(c->title);
        col->syslog_identifier = strdup(c->syslog_identifier);
        if (c->prometheus_path && !(col->prometheus_path = strdup(c->prometheus_path))) {
                r = -ENOMEM;
                goto fail;
        }
        col->source_description = config_source_description(c);
        col->stats = stats_new();
        if (!col->output_directory || !col->state_directory || !col->title || !col->syslog_identifier ||
            !col->source_description || !col->stats ||
            asprintf(&col->source_key, "%s, identifier %s", col->source_description,
                     c->source_type == SOURCE_SYSLOG ? c->syslog_identifier : c->identifier) < 0) {
                col->source_key = NULL;
                r = -ENOMEM;
                goto fail;
        }

        /* Local days follow the configured zone. TZ is process-wide: without a
         * timezone, whatever TZ the process has stands (the daemon puts back
         * its start-up TZ before a reload opens the collector again). */
        if (c->timezone) {
                char *tz;
                if (asprintf(&tz, ":%s", c->timezone) < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = setenv("TZ", tz, 1);
                free(tz);
                if (r < 0) {
                        r = -errno;
                        goto fail;
                }
        }
        tzset();
        stats_set_limits(col->stats, &(struct stats_limits){
                                             .max_users = c->max_users,
                                             .max_errors = c->max_errors,
                                             .max_message_bytes = c->max_message_bytes,
                                             .days = c->days,
                                     });

        r = setup_directories(col, ret_error);
        if (r < 0)
                goto fail;
        r = load_state(col, ret_error);
        if (r < 0)
                goto fail;
        /* A position in the other kind of source means nothing here. */
        if (col->cursor && syslog_cursor_is(col->cursor) != (c->source_type == SOURCE_SYSLOG))
                free(TAKE_PTR(col->cursor));
        r = stats_prune(col->stats, time(NULL));
        if (r < 0)
                goto fail;

        r = source_open(
                &(struct source_options){
                        .type = c->source_type,
                        .journal = {
                                .identifier = c->identifier,
                                .namespace = c->namespace,
                                .directory = c->journal_directory,
                                .hosts = c->hosts,
                                /* Many hosts write into a collector's directory. */
                                .want_hostname = c->journal_directory || c->hosts,
                        },
                        .syslog = {
                                .path = c->syslog_path,
                                .identifier = c->syslog_identifier,
                        },
                },
                &col->source);
        if (r < 0) {
                fail(ret_error, r, "cannot open the %s: %s", col->source_description, strerror(-r));
                goto fail;
        }
        r = source_seek(col->source, col->cursor, &found);
        if (r < 0) {
                fail(ret_error, r, "cannot seek the %s to the saved cursor: %s", col->source_description, strerror(-r));
                goto fail;
        }
        col->cursor_lost = col->cursor && !found;

        *ret = col;
        return 0;
fail:
        collector_free(col);
        return r;
}

/* The imports table's key for the head of a file the source read. */
#define FOLLOWED_KEY_MAX 48
static size_t followed_key(uint32_t head_crc, size_t head_len, char ret[static FOLLOWED_KEY_MAX]) {
        return (size_t) snprintf(ret, FOLLOWED_KEY_MAX, "followed-%zu-%08" PRIx32, head_len, head_crc);
}

static int remember_head(struct collector *col, uint32_t crc, size_t len) {
        char key[FOLLOWED_KEY_MAX];
        size_t key_len = followed_key(crc, len, key);

        if (counter_table_get(col->stats->imports, key, key_len))
                return 0;
        return counter_table_add(col->stats->imports, key, key_len, 1, (uint64_t) time(NULL));
}

/* The syslog files read by following them are remembered among the
 * imports, so that importing one later, once rotated, does not count it
 * again: those left behind by a rotation, and the current one once its
 * head is whole. */
static int remember_followed(struct collector *col) {
        struct syslog_source *ss = source_syslog(col->source);
        struct syslog_file_head left[SYSLOG_LEFT_MAX];
        uint32_t crc;
        size_t len, n;
        int r;

        if (!ss)
                return 0;
        n = syslog_source_left(ss, left);
        for (size_t i = 0; i < n; i++) {
                r = remember_head(col, left[i].crc, left[i].len);
                if (r < 0)
                        return r;
        }
        syslog_source_head(ss, &crc, &len);
        return len == SYSLOG_HEAD_BYTES ? remember_head(col, crc, len) : 0;
}

/* Makes the cursor that of the last entry counted. */
static int take_cursor(struct collector *col) {
        char *cursor;
        int r;

        r = source_cursor(col->source, &cursor);
        if (r < 0)
                return r;
        if (cursor) {
                free(col->cursor);
                col->cursor = cursor;
        }
        return 0;
}

/* A journal entry, as the aggregates take it: fills *ret, returns ret. */
static const struct stats_entry *stats_entry_of(const struct journal_entry *e, struct stats_entry *ret) {
        *ret = (struct stats_entry){
                .message = e->message,
                .message_len = e->message_len,
                .host = e->hostname,
                .host_len = e->hostname_len,
                .realtime_usec = e->realtime_usec,
        };
        return ret;
}

/* Reads and counts up to max entries here; *n grows by those counted. */
static int count_here(struct collector *col, size_t max, size_t *n) {
        for (size_t i = 0; i < max; i++) {
                struct journal_entry e;
                struct stats_entry se;
                int r;

                r = source_next(col->source, &e);
                if (r <= 0)
                        return r;
                r = stats_add(col->stats, stats_entry_of(&e, &se));
                if (r < 0)
                        return r;
                (*n)++;
        }
        return 1;
}

/* Reads entries into b until it is full or *read reaches max. Returns 1 if
 * more may follow, 0 at the end of the journal, or -errno. */
static int read_batch(struct source *source, struct entry_batch *b, size_t max, size_t *read) {
        while (!entry_batch_full(b) && *read < max) {
                struct journal_entry e;
                struct stats_entry se;
                int r;

                r = source_next(source, &e);
                if (r <= 0)
                        return r;
                r = entry_batch_add(b, stats_entry_of(&e, &se));
                if (r < 0)
                        return r;
                (*read)++;
        }
        return 1;
}

/* Reads up to max entries here while a second thread counts them; *n grows
 * by those counted. Every entry read is counted before this returns, so the
 * current entry's cursor stays that of the last one counted. */
static int count_on_thread(struct collector *col, size_t max, size_t *n) {
        struct counting_thread *t;
        size_t read = 0;
        int r, q;

        r = counting_thread_start(col->stats, &t);
        if (r == -EAGAIN) /* out of threads: slower, not wrong */
                return count_here(col, max, n);
        if (r < 0)
                return r;

        r = 1;
        while (r > 0 && read < max) {
                struct entry_batch *b = counting_thread_batch(t);
                if (!b)
                        break; /* counting failed: stop says why */
                r = read_batch(col->source, b, max, &read);
                counting_thread_submit(t, b);
        }
        q = counting_thread_stop(t);
        if (q < 0)
                return q;
        *n += read;
        return r;
}

/* A few entries, the daemon's usual wake-up, are counted as they are read;
 * past that many, there is a backlog worth a second thread (starting one
 * costs about as much as counting a few dozen entries). */
#define COUNT_HERE_ENTRIES 256

/* Reads and counts up to max entries; a backlog is counted on a second
 * thread unless both cores are busy already (counting_thread false). */
static long pump(struct collector *col, size_t max, bool counting_thread) {
        size_t n = 0, here = counting_thread && max > COUNT_HERE_ENTRIES ? COUNT_HERE_ENTRIES : max;
        int r;

        if (col->poisoned)
                return -ENOTRECOVERABLE;
        r = count_here(col, here, &n);
        if (r > 0 && n < max)
                r = count_on_thread(col, max - n, &n);
        /* One cursor per batch, not per entry: taking it costs about a fifth
         * of reading the entry. */
        if (r >= 0 && n > 0)
                r = take_cursor(col);
        /* Also when nothing was counted: a rotation may have been followed. */
        if (r >= 0)
                r = remember_followed(col);
        if (r < 0) {
                /* The position, or the counts, no longer match the cursor:
                 * never save them. The snapshot on disk stays the last
                 * good one. */
                col->poisoned = true;
                return r;
        }
        return (long) n;
}

long collector_pump(struct collector *col, size_t max) {
        return pump(col, max, true);
}

/* The first half of a split import, counted on a thread and a journal
 * object of its own. */
struct first_half {
        struct journal_source_options options; /* borrowed from the collector's source */
        const struct journal_split *split;
        struct stats *stats;
        size_t n_entries;
        bool met; /* stopped at the second half's first entry */
        int result;
};

static void *count_first_half(void *userdata) {
        struct first_half *h = userdata;
        struct journal_source *js;
        int r;

        r = journal_source_open(&h->options, &js);
        if (r < 0) {
                h->result = r;
                return NULL;
        }
        for (bool first = true;; first = false) {
                struct journal_entry e;
                struct stats_entry se;

                r = journal_source_next(js, &e);
                if (r <= 0)
                        break;
                /* A file vacuumed since the split was planned would take
                 * its entries with it; the head is the one to notice. */
                if (first) {
                        r = journal_source_at(js, h->split->head_cursor);
                        if (r <= 0) {
                                r = r < 0 ? r : -ESTALE;
                                break;
                        }
                }
                /* Only an entry of that very time can be the one. */
                if (e.realtime_usec == h->split->middle_realtime_usec) {
                        r = journal_source_at(js, h->split->middle_cursor);
                        if (r != 0) {
                                h->met = r > 0;
                                break;
                        }
                }
                r = stats_add(h->stats, stats_entry_of(&e, &se));
                if (r < 0)
                        break;
                h->n_entries++;
        }
        journal_source_close(js);
        h->result = r < 0 ? r : 0;
        return NULL;
}

#define SPLIT_PUMP_ENTRIES 65536

long collector_import_split(struct collector *col) {
        _cleanup_(journal_split_done) struct journal_split split = { .head_cursor = NULL };
        struct first_half h = { .split = &split };
        struct journal_source *js;
        pthread_t thread;
        long n, total = 0;
        int r;

        if (col->poisoned)
                return -ENOTRECOVERABLE;
        js = source_journal(col->source);
        if (!js || col->cursor || col->stats->limits.max_users > 0 || col->stats->limits.max_errors > 0)
                return 0;

        r = journal_source_seek_middle(js, &split);
        if (r <= 0) {
                col->poisoned = r < 0;
                return r;
        }
        journal_source_options(js, &h.options);
        h.stats = stats_new_like(col->stats);
        r = h.stats ? -pthread_create(&thread, NULL, count_first_half, &h) : -ENOMEM;
        if (r < 0) {
                /* Slower, not wrong: the whole journal in one pass. */
                stats_free(h.stats);
                r = journal_source_seek(js, NULL);
                col->poisoned = r < 0;
                return r;
        }

        /* Meanwhile, the second half here, from the middle entry on. */
        do {
                n = pump(col, SPLIT_PUMP_ENTRIES, false);
                if (n > 0)
                        total += n;
        } while (n == SPLIT_PUMP_ENTRIES);
        (void) pthread_join(thread, NULL);

        if (n >= 0 && h.result < 0)
                n = h.result;
        else if (n >= 0 && !h.met)
                n = -ESTALE;
        if (n >= 0) {
                r = stats_merge(col->stats, h.stats);
                if (r < 0)
                        n = r;
        }
        stats_free(h.stats);
        if (n < 0) {
                col->poisoned = true;
                return n;
        }
        return total + (long) h.n_entries;
}

/* Whether a file to import is one the source has read, or is reading. */
static bool imported_by_following(struct collector *col, const struct stat *st, const struct import_result *file) {
        struct syslog_source *ss = source_syslog(col->source);
        char key[FOLLOWED_KEY_MAX];
        uint32_t crc;
        size_t len;

        if (ss && syslog_source_reads(ss, st))
                return true;
        if (file->head_len == 0)
                return false;
        if (counter_table_get(col->stats->imports, key, followed_key(file->head_crc, file->head_len, key)))
                return true;
        if (!ss)
                return false;
        syslog_source_head(ss, &crc, &len);
        return len == file->head_len && crc == file->head_crc;
}

int collector_import(struct collector *col, const char *path, struct collector_import *ret) {
        struct import_result known, counted;
        const struct counter_row *row;
        size_t identity_len;
        struct stat st;
        int r;

        if (col->poisoned)
                return -ENOTRECOVERABLE;
        if (stat(path, &st) < 0)
                return -errno;
        /* First only what the file is: if it was imported before, there is
         * nothing to count. */
        r = import_read(path, NULL, NULL, &known);
        if (r < 0)
                return r;
        identity_len = strlen(known.identity);
        *ret = (struct collector_import){ .lines = known.lines };
        if (imported_by_following(col, &st, &known)) {
                ret->followed = true;
                return 0;
        }
        row = counter_table_get(col->stats->imports, known.identity, identity_len);
        if (row) {
                ret->already = true;
                ret->events = row->count[0];
                ret->imported_at = (time_t) row->count[1];
                return 0;
        }

        /* Straight into the counts, so that the caps hold as for any event;
         * a failure now leaves part of the file counted: never saved. */
        r = import_read(path, col->syslog_identifier, col->stats, &counted);
        if (r >= 0 && strcmp(counted.identity, known.identity) != 0)
                r = -ESTALE; /* written to between the two reads */
        if (r >= 0)
                r = counter_table_add(col->stats->imports, known.identity, identity_len, 0, counted.events);
        if (r >= 0)
                r = counter_table_add(col->stats->imports, known.identity, identity_len, 1, (uint64_t) time(NULL));
        if (r < 0) {
                col->poisoned = true;
                return r;
        }
        ret->events = counted.events;
        /* The counts and the file's identity go into one snapshot: after a
         * crash, the file is wholly in both or in neither. */
        return collector_save_state(col);
}

int collector_save_state(struct collector *col) {
        if (col->poisoned)
                return -ENOTRECOVERABLE;
        return state_save(col->state_directory, col->cursor, col->source_key, col->stats);
}

int collector_flush(struct collector *col, time_t now, const char **ret_what) {
        struct report_data d;
        int r, q;

        *ret_what = "state";
        if (col->poisoned)
                return -ENOTRECOVERABLE;

        /* The directory may have been removed since the start. */
        *ret_what = "pages";
        r = stats_prune(col->stats, now);
        if (r >= 0)
                r = make_directory(col->output_directory);
        if (r >= 0)
                r = report_data_init(&d, col->stats, col->title, col->source_description, now);
        if (r >= 0) {
                r = report_write(col->output_directory, &d);
                if (r >= 0 && col->prometheus_path) {
                        *ret_what = "Prometheus file";
                        r = report_write_prometheus(col->prometheus_path, &d);
                }
                report_data_done(&d);
        }

        /* The state does not depend on the pages: save it even if they
         * failed, so that a broken web root never holds back durability. */
        q = collector_save_state(col);
        if (q < 0) {
                *ret_what = "state";
                return q;
        }
        return r;
}

int collector_wait_params(struct collector *col, int *ret_fd, short *ret_events, int *ret_timeout_ms) {
        return source_wait_params(col->source, ret_fd, ret_events, ret_timeout_ms);
}

int collector_process(struct collector *col) {
        /* The cursor is that of the last entry counted: every pump ends by
         * taking it. */
        return source_process(col->source, col->cursor);
}

bool collector_caps_reached(const struct collector *col) {
        const struct stats *s = col->stats;
        return s->other_errors > 0 || s->other_users[STATS_INFO] > 0 || s->other_users[STATS_ERROR] > 0;
}

const struct stats *collector_stats(const struct collector *col) {
        return col->stats;
}

const char *collector_previous_source(const struct collector *col) {
        return col->previous_source;
}

bool collector_poisoned(const struct collector *col) {
        return col->poisoned;
}

bool collector_cursor_lost(const struct collector *col) {
        return col->cursor_lost;
}
