/* SPDX-License-Identifier: MIT */
/* Opening and flushing around the ledger: directories, the state lock, the
 * source, and the report files. What makes counting exactly-once is in
 * ledger.c. */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "ledger.h"
#include "macro.h"
#include "report_data.h"
#include "report_files.h"
#include "source.h"
#include "state.h"

struct engine {
        char *output_directory;
        char *state_directory;
        char *title;
        char *prometheus_path;    /* NULL: none */
        char *source_description; /* for the pages */
        char *source_key;         /* for the snapshot: source and identifier */
        char *previous_source;
        char *syslog_identifier; /* of the lines --import counts */
        int state_lock_fd;
        struct ledger ledger;
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

struct engine *engine_free(struct engine *e) {
        if (!e)
                return NULL;
        source_close(e->source);
        ledger_done(&e->ledger);
        if (e->state_lock_fd >= 0)
                (void) close(e->state_lock_fd);
        free(e->output_directory);
        free(e->state_directory);
        free(e->title);
        free(e->prometheus_path);
        free(e->source_description);
        free(e->source_key);
        free(e->previous_source);
        free(e->syslog_identifier);
        free(e);
        return NULL;
}

/* A new engine with its copy of the settings of c. NULL on OOM. */
static struct engine *engine_new(const struct config *c) {
        struct engine *e = calloc(1, sizeof(*e));

        if (!e)
                return NULL;
        e->state_lock_fd = -1;
        e->output_directory = strdup(c->output_directory);
        e->state_directory = strdup(c->state_directory);
        e->title = strdup(c->title);
        e->syslog_identifier = strdup(c->syslog_identifier);
        e->source_description = config_source_description(c);
        if (!e->output_directory || !e->state_directory || !e->title || !e->syslog_identifier ||
            !e->source_description || (c->prometheus_path && !(e->prometheus_path = strdup(c->prometheus_path))) ||
            asprintf(&e->source_key, "%s, identifier %s", e->source_description,
                     c->source_type == SOURCE_SYSLOG ? c->syslog_identifier : c->identifier) < 0) {
                e->source_key = NULL;
                return engine_free(e);
        }
        if (ledger_init(&e->ledger, &(struct stats_limits){
                                            .max_users = c->max_users,
                                            .max_errors = c->max_errors,
                                            .max_message_bytes = c->max_message_bytes,
                                            .days = c->days,
                                    }) < 0)
                return engine_free(e);
        return e;
}

static int setup_directories(struct engine *e, char **ret_error) {
        int r;

        r = make_directory(e->output_directory);
        if (r < 0)
                return fail(ret_error, r, "cannot create output directory %s: %s", e->output_directory, strerror(-r));
        r = make_directory(e->state_directory);
        if (r < 0)
                return fail(ret_error, r, "cannot create state directory %s: %s", e->state_directory, strerror(-r));

        e->state_lock_fd = open(e->state_directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (e->state_lock_fd < 0)
                return fail(ret_error, -errno, "cannot open state directory %s: %s", e->state_directory,
                            strerror(errno));
        /* Two instances on one state would each count every entry. */
        if (flock(e->state_lock_fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK)
                        return fail(ret_error, -EBUSY, "state directory %s is in use by another ticky-reportd",
                                    e->state_directory);
                return fail(ret_error, -errno, "cannot lock state directory %s: %s", e->state_directory,
                            strerror(errno));
        }

        /* Under the lock, no other writer can be mid-write: what is left
         * over is from a killed one. */
        r = report_files_remove_stale(e->output_directory);
        if (r >= 0)
                r = atomic_file_remove_stale(e->state_directory, STATE_FILE_NAME);
        if (r >= 0 && e->prometheus_path)
                r = report_files_remove_stale_prometheus(e->prometheus_path);
        if (r < 0)
                return fail(ret_error, r, "cannot remove stale temporary files: %s", strerror(-r));
        return 0;
}

static int load_state(struct engine *e, char **ret_error) {
        _cleanup_free_ char *source = NULL;
        const char *reason = NULL;
        int r;

        r = ledger_load(&e->ledger, e->state_directory, &source, &reason);
        if (r == -ENOENT)
                return 0; /* first start: from the head of the source */
        if (r == -EBADMSG)
                return fail(ret_error, r,
                            "state file %s/%s is unusable (%s); not starting over silently: "
                            "remove it to recount the whole journal",
                            e->state_directory, STATE_FILE_NAME, reason);
        if (r < 0)
                return fail(ret_error, r, "cannot load state file %s/%s: %s", e->state_directory, STATE_FILE_NAME,
                            strerror(-r));
        if (source && strcmp(source, e->source_key) != 0)
                e->previous_source = TAKE_PTR(source);
        return 0;
}

/* Opens the configured source at the ledger's cursor. */
static int open_source(struct engine *e, const struct config *c, char **ret_error) {
        const struct journal_source_options journal = {
                .identifier = c->identifier,
                .namespace = c->namespace,
                .directory = c->journal_directory,
                .hosts = c->hosts,
                /* Many hosts write into a collector's directory. */
                .want_hostname = c->journal_directory || c->hosts,
        };
        const struct syslog_source_options syslog = {
                .path = c->syslog_path,
                .identifier = c->syslog_identifier,
        };
        bool syslog_type = c->source_type == SOURCE_SYSLOG;
        bool found;
        int r;

        r = source_open(&(struct source_options){ .journal = syslog_type ? NULL : &journal,
                                                  .journal_positions = e->ledger.journal_positions,
                                                  .syslog = syslog_type ? &syslog : NULL },
                        &e->source);
        if (r < 0)
                return fail(ret_error, r, "cannot open the %s: %s", e->source_description, strerror(-r));
        /* A position in the other kind of source means nothing here. */
        if (e->ledger.cursor && !source_cursor_is_mine(e->source, e->ledger.cursor))
                free(TAKE_PTR(e->ledger.cursor));
        r = source_seek(e->source, e->ledger.cursor, &found);
        if (r < 0)
                return fail(ret_error, r, "cannot seek the %s to the saved cursor: %s", e->source_description,
                            strerror(-r));
        e->cursor_lost = e->ledger.cursor && !found;
        /* A journal's cursor (from a state of version 3) is now positions
         * per file: the next snapshot saves those instead. */
        if (!syslog_type)
                free(TAKE_PTR(e->ledger.cursor));
        return 0;
}

int engine_open(const struct config *c, struct engine **ret, char **ret_error) {
        struct engine *e;
        int r;

        *ret_error = NULL;
        e = engine_new(c);
        if (!e)
                return -ENOMEM;
        r = setup_directories(e, ret_error);
        if (r >= 0)
                r = load_state(e, ret_error);
        if (r >= 0)
                r = stats_prune(e->ledger.stats, time(NULL));
        if (r >= 0)
                r = open_source(e, c, ret_error);
        if (r < 0) {
                engine_free(e);
                return r;
        }
        *ret = e;
        return 0;
}

long engine_pump(struct engine *e, size_t max) {
        long n = ledger_pump(&e->ledger, e->source, max, true);
        int r;

        if (n < 0)
                return n;
        /* Also when nothing was counted: a rotation may have been followed. */
        r = import_remember_followed(&e->ledger, e->source);
        return r < 0 ? r : n;
}

int engine_import(struct engine *e, const char *path, struct import_outcome *ret) {
        int r;

        r = import_syslog_file(&e->ledger, e->source, path, e->syslog_identifier, ret);
        if (r < 0 || ret->already || ret->followed)
                return r;
        /* The counts and the file's identity go into one snapshot: after a
         * crash, the file is wholly in both or in neither. */
        return engine_save_state(e);
}

int engine_save_state(struct engine *e) {
        return ledger_save(&e->ledger, e->state_directory, e->source_key);
}

/* Writes the report files, and the Prometheus file if there is one. */
static int write_reports(struct engine *e, time_t now, const char **ret_what) {
        struct report_data d;
        int r;

        *ret_what = "pages";
        /* The directory may have been removed since the start. */
        r = make_directory(e->output_directory);
        if (r >= 0)
                r = report_data_init(&d, e->ledger.stats, e->title, e->source_description, now);
        if (r < 0)
                return r;
        r = report_files_write(e->output_directory, &d);
        if (r >= 0 && e->prometheus_path) {
                *ret_what = "Prometheus file";
                r = report_files_write_prometheus(e->prometheus_path, &d);
        }
        report_data_done(&d);
        return r;
}

struct state_saver {
        pthread_t thread;
        struct engine *engine;
        int result;
};

static void *save_state(void *userdata) {
        struct state_saver *saver = userdata;

        saver->result = engine_save_state(saver->engine);
        return NULL;
}

int engine_flush(struct engine *e, time_t now, struct flush_errors *ret) {
        struct state_saver saver = { .engine = e };
        bool threaded;
        int r;

        *ret = (struct flush_errors){ .pages_what = "pages" };
        if (e->ledger.poisoned)
                return ret->state = -ENOTRECOVERABLE;
        /* The last changes to the counts before they are written: the
         * windows move on with the clock. */
        r = stats_prune(e->ledger.stats, now);
        /* Both only read the counts: the state is written while the pages
         * are (with 1,000 hosts, about 0.15 s each). Without a thread, one
         * after the other. The state does not depend on the pages: it is
         * saved even if they fail, so that a broken web root never holds
         * back durability. */
        threaded = pthread_create(&saver.thread, NULL, save_state, &saver) == 0;
        if (r >= 0)
                r = write_reports(e, now, &ret->pages_what);
        ret->pages = r;
        if (threaded) {
                (void) pthread_join(saver.thread, NULL);
                ret->state = saver.result;
        } else
                ret->state = engine_save_state(e);
        return ret->state < 0 ? ret->state : ret->pages;
}

int engine_wait_params(struct engine *e, int *ret_fd, short *ret_events, int *ret_timeout_ms) {
        return source_wait_params(e->source, ret_fd, ret_events, ret_timeout_ms);
}

int engine_process(struct engine *e) {
        /* Every pump ends with every entry read counted and committed, as
         * source_process() requires. */
        return source_process(e->source);
}

char **engine_take_notices(struct engine *e) {
        return source_take_notices(e->source);
}

const struct stats *engine_stats(const struct engine *e) {
        return e->ledger.stats;
}

const char *engine_previous_source(const struct engine *e) {
        return e->previous_source;
}

bool engine_poisoned(const struct engine *e) {
        return e->ledger.poisoned;
}

bool engine_cursor_lost(const struct engine *e) {
        return e->cursor_lost;
}
