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
#include "macro.h"
#include "monotonic.h"
#include "pipeline.h"

#define BATCH_ENTRIES   65536
#define CHECKPOINT_USEC (5 * 1000000u)

int run_once(const struct config *c) {
        _cleanup_free_ char *initial_tz = NULL;
        struct engine *e = NULL;
        uint64_t last_checkpoint = monotonic_usec();
        bool warned_caps = false;
        long n;
        int r;

        r = pipeline_startup_tz(&initial_tz);
        if (r < 0) {
                log_error("Out of memory.");
                return 1;
        }
        r = pipeline_open(c, initial_tz, &e);
        if (r < 0)
                return 1;

        do {
                n = pipeline_pump(e, BATCH_ENTRIES);
                if (n < 0)
                        goto fail;
                if (n > 0 && monotonic_usec() - last_checkpoint >= CHECKPOINT_USEC) {
                        r = engine_save_state(e);
                        if (r < 0) {
                                log_error("Saving the state failed: %s", strerror(-r));
                                goto fail;
                        }
                        last_checkpoint = monotonic_usec();
                }
        } while (n >= BATCH_ENTRIES);

        r = pipeline_flush(e, c, time(NULL), &warned_caps);
        if (r < 0)
                goto fail;
        engine_free(e);
        return 0;
fail:
        engine_free(e);
        return 1;
}

static void say_imported(const char *path, const struct import_outcome *result) {
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
        _cleanup_free_ char *initial_tz = NULL;
        struct engine *e = NULL;
        bool warned_caps = false;
        int status = 0, r;

        r = pipeline_startup_tz(&initial_tz);
        if (r < 0) {
                log_error("Out of memory.");
                return 1;
        }
        r = pipeline_open(c, initial_tz, &e);
        if (r < 0)
                return 1;
        for (char *const *f = files; *f; f++) {
                struct import_outcome result;

                r = engine_import(e, *f, &result);
                if (r < 0 && engine_poisoned(e)) {
                        log_error("Importing %s failed: %s; it was not saved, nor were the files after it.", *f,
                                  strerror(-r));
                        engine_free(e);
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

        r = pipeline_flush(e, c, time(NULL), &warned_caps);
        engine_free(e);
        return r < 0 ? 1 : status;
}
