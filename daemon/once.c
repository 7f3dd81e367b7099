/* SPDX-License-Identifier: MIT */
/* A first import can take minutes: the state is checkpointed every few
 * seconds, so that a kill loses little work (and never counts twice). */
#include "once.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pipeline.h"

#define BATCH_ENTRIES  65536
#define CHECKPOINT_SEC 5

static time_t monotonic_sec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec;
}

int run_once(const struct config *c) {
        struct collector *col = NULL;
        time_t last_checkpoint = monotonic_sec();
        bool warned_caps = false;
        long n;
        int r;

        r = pipeline_open(c, &col);
        if (r < 0)
                return 1;

        /* A first import reads the journal's two halves side by side. */
        n = collector_import_split(col);
        if (n == -ESTALE) {
                log_warning("The journal changed while its two halves were read; reading it again in one pass.");
                col = collector_free(col);
                r = pipeline_open(c, &col);
                if (r < 0)
                        return 1;
        } else if (n < 0) {
                log_error("Reading events failed: %s", strerror((int) -n));
                goto fail;
        }

        do {
                n = collector_pump(col, BATCH_ENTRIES);
                if (n < 0) {
                        log_error("Reading events failed: %s", strerror((int) -n));
                        goto fail;
                }
                if (n > 0 && monotonic_sec() - last_checkpoint >= CHECKPOINT_SEC) {
                        r = collector_save_state(col);
                        if (r < 0) {
                                log_error("Saving the state failed: %s", strerror(-r));
                                goto fail;
                        }
                        last_checkpoint = monotonic_sec();
                }
        } while (n == BATCH_ENTRIES);

        r = pipeline_flush(col, c, time(NULL), &warned_caps);
        if (r < 0)
                goto fail;
        collector_free(col);
        return 0;
fail:
        collector_free(col);
        return 1;
}

static void say_imported(const char *path, const struct collector_import *result) {
        char when[64];

        if (result->followed) {
                printf("%s: its lines were read when the syslog file was followed; skipped\n", path);
                return;
        }
        if (!result->already) {
                printf("%s: %" PRIu64 " events imported (of %" PRIu64 " lines)\n", path, result->events, result->lines);
                return;
        }
        if (strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", localtime(&result->imported_at)) == 0)
                (void) snprintf(when, sizeof(when), "@%lld", (long long) result->imported_at);
        printf("%s: already imported on %s (%" PRIu64 " events); skipped\n", path, when, result->events);
}

int run_import(const struct config *c, char *const *files) {
        struct collector *col = NULL;
        bool warned_caps = false;
        int status = 0, r;

        r = pipeline_open(c, &col);
        if (r < 0)
                return 1;
        for (char *const *f = files; *f; f++) {
                struct collector_import result;

                r = collector_import(col, *f, &result);
                if (r < 0 && collector_poisoned(col)) {
                        log_error("Importing %s failed: %s; it was not saved, nor were the files after it.", *f,
                                  strerror(-r));
                        collector_free(col);
                        return 1;
                }
                if (r < 0) {
                        log_error("Cannot import %s: %s", *f,
                                  r == -EBADMSG ? "corrupt or truncated compressed data" : strerror(-r));
                        status = 1;
                        continue;
                }
                say_imported(*f, &result);
        }
        (void) fflush(stdout);

        r = pipeline_flush(col, c, time(NULL), &warned_caps);
        collector_free(col);
        return r < 0 ? 1 : status;
}
