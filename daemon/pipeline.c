/* SPDX-License-Identifier: MIT */
/* The engine calls shared by --once, --import and the daemon, with their logs. */
#include "pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "strv.h"

/* Local days (the per-day counts, the pages' dates, year-less syslog
 * timestamps) follow [report] timezone. The library asks the C library for
 * local time and knows no zone of its own, and TZ is process-wide: so the
 * zone is put in force here, the one place that sets TZ, before an engine
 * opens. A zone removed from the configuration gives the start-up one back. */
static int use_time_zone(const char *zone, const char *initial_tz) {
        _cleanup_free_ char *tz = NULL;
        int r;

        if (zone && asprintf(&tz, ":%s", zone) < 0)
                return -ENOMEM;
        if (zone)
                r = setenv("TZ", tz, 1);
        else if (initial_tz)
                r = setenv("TZ", initial_tz, 1);
        else
                r = unsetenv("TZ");
        if (r < 0)
                return -errno;
        tzset();
        return 0;
}

int pipeline_startup_tz(char **ret) {
        const char *tz = getenv("TZ");

        *ret = NULL;
        if (tz && !(*ret = strdup(tz)))
                return -ENOMEM;
        return 0;
}

int pipeline_open(const struct config *c, const char *initial_tz, struct engine **ret) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = use_time_zone(c->timezone, initial_tz);
        if (r < 0) {
                log_error("Cannot set the time zone: %s", strerror(-r));
                return r;
        }
        r = engine_open(c, ret, &error);
        if (r < 0) {
                log_error("%s", error ? error : strerror(-r));
                return r;
        }
        if (engine_previous_source(*ret))
                log_notice("State was saved while reading the %s; counts carry on from it.",
                           engine_previous_source(*ret));
        if (engine_cursor_lost(*ret))
                log_warning("The file last read was found neither at %s nor as %s.1; reading %s from its start.",
                            c->syslog_path, c->syslog_path, c->syslog_path);
        return 0;
}

long pipeline_pump(struct engine *e, size_t max) {
        long n = engine_pump(e, max);
        char **notices = engine_take_notices(e);

        for (char **line = notices; line && *line; line++)
                log_warning("%s", *line);
        strv_free(notices);
        if (n < 0)
                log_error("Reading events failed: %s", strerror((int) -n));
        return n;
}

int pipeline_flush(struct engine *e, const struct config *c, time_t now, bool *warned_caps) {
        struct flush_errors errors;
        int r;

        r = engine_flush(e, now, &errors);
        /* Each, when both fail: a full disk under the web root and another
         * under the state are two problems. */
        if (errors.pages < 0)
                log_error("Writing the %s failed: %s", errors.pages_what, strerror(-errors.pages));
        if (errors.state < 0)
                log_error("Writing the state failed: %s", strerror(-errors.state));
        if (r < 0)
                return r;
        if (!*warned_caps && stats_caps_reached(engine_stats(e))) {
                log_warning("More distinct users than max_users (%zu) or messages than max_errors (%zu): the rest "
                            "are counted in an (other) row.",
                            c->max_users, c->max_errors);
                *warned_caps = true;
        }
        return 0;
}
