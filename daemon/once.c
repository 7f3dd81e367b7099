/* SPDX-License-Identifier: MIT */
/* A first import can take minutes: the state is checkpointed every few
 * seconds, so that a kill loses little work (and never counts twice). */
#include "once.h"

#include <string.h>
#include <time.h>

#include "collector.h"
#include "log.h"
#include "macro.h"

#define BATCH_ENTRIES  65536
#define CHECKPOINT_SEC 5

static time_t monotonic_sec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec;
}

int run_once(const struct config *c) {
        _cleanup_free_ char *error = NULL;
        struct collector *col = NULL;
        time_t last_checkpoint = monotonic_sec();
        const char *what;
        long n;
        int r;

        r = collector_open(c, &col, &error);
        if (r < 0) {
                log_error("%s", error ? error : strerror(-r));
                return 1;
        }
        if (collector_previous_source(col))
                log_notice("State was saved while reading the %s; counts carry on from it.",
                           collector_previous_source(col));

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

        r = collector_flush(col, time(NULL), &what);
        if (r < 0) {
                log_error("Writing the %s failed: %s", what, strerror(-r));
                goto fail;
        }
        if (collector_caps_reached(col))
                log_warning("More distinct users than max_users (%zu) or messages than max_errors (%zu): the rest "
                            "are counted in an (other) row.",
                            c->max_users, c->max_errors);
        collector_free(col);
        return 0;
fail:
        collector_free(col);
        return 1;
}
