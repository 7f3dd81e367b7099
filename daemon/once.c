/* SPDX-License-Identifier: MIT */
/* A first import can take minutes: the state is checkpointed every few
 * seconds, so that a kill loses little work (and never counts twice). */
#include "once.h"

#include <errno.h>
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
                log_error("Reading the journal failed: %s", strerror((int) -n));
                goto fail;
        }

        do {
                n = collector_pump(col, BATCH_ENTRIES);
                if (n < 0) {
                        log_error("Reading the journal failed: %s", strerror((int) -n));
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
