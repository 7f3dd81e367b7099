/* SPDX-License-Identifier: MIT */
/* The collector calls shared by --once and the daemon, with their logs. */
#include "pipeline.h"

#include <string.h>

#include "log.h"
#include "macro.h"

int pipeline_open(const struct config *c, struct collector **ret) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = collector_open(c, ret, &error);
        if (r < 0) {
                log_error("%s", error ? error : strerror(-r));
                return r;
        }
        if (collector_previous_source(*ret))
                log_notice("State was saved while reading the %s; counts carry on from it.",
                           collector_previous_source(*ret));
        if (collector_cursor_lost(*ret))
                log_warning("The file last read was found neither at %s nor as %s.1; reading %s from its start.",
                            c->syslog_path, c->syslog_path, c->syslog_path);
        return 0;
}

int pipeline_flush(struct collector *col, const struct config *c, time_t now, bool *warned_caps) {
        const char *what;
        int r;

        r = collector_flush(col, now, &what);
        if (r < 0) {
                log_error("Writing the %s failed: %s", what, strerror(-r));
                return r;
        }
        if (!*warned_caps && collector_caps_reached(col)) {
                log_warning("More distinct users than max_users (%zu) or messages than max_errors (%zu): the rest "
                            "are counted in an (other) row.",
                            c->max_users, c->max_errors);
                *warned_caps = true;
        }
        return 0;
}
