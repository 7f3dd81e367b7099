/* SPDX-License-Identifier: MIT */
/* One sorted view of the aggregates: everything a report file shows. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "stats.h"

/* Error rows that get daily counts (the sparklines), the most common first. */
#define REPORT_MAX_DAILY_ROWS 1000

/* Counts of the recent past for one row: [STATS_INFO], [STATS_ERROR] (an
 * error row uses [0]). */
struct report_window {
        uint64_t last_24h[2];
        uint64_t last_7d[2];
};

/* The events of keys beyond the configured caps, counted together in one
 * "(other)" row. Which keys, or how many, is not known: that would need the
 * keys. */
struct report_other {
        uint64_t count[2]; /* as in counter_row */
};

/* Whether there is an "(other)" row: some event went there. */
static inline bool report_other_present(const struct report_other *o) {
        return o->count[0] > 0 || o->count[1] > 0;
}

/* Everything a page shows; the writers see only this, never the journal. */
struct report_data {
        const char *title;
        const char *source; /* "local journal", "namespace NAME", ... */
        time_t updated;
        struct stats_totals totals;
        const struct counter_row **errors; /* count descending, then message */
        size_t n_errors;
        const struct counter_row **users; /* username ascending */
        size_t n_users;
        struct report_other other_errors, other_users;

        /* Time windows: all zero/NULL when no per-day counts are kept. */
        size_t n_days;
        const int32_t *days;                       /* ascending local days since 1970-01-01 */
        const uint64_t (*day_totals)[2];           /* per day: [STATS_INFO], [STATS_ERROR] */
        const uint64_t *error_daily;               /* n_error_daily x n_days, row-major, or NULL */
        size_t n_error_daily;                      /* the first rows of errors have them */
        const struct report_window *error_windows; /* parallel to errors, or NULL */
        const struct report_window *user_windows;  /* parallel to users, or NULL */

        /* Hosts (_HOSTNAME), when counted: n_hosts == 0 otherwise. */
        const struct counter_row **hosts; /* host -> [STATS_INFO], [STATS_ERROR], by name */
        size_t n_hosts;
        char **error_hosts; /* parallel to errors: "a, b", by name */
        char **user_hosts;  /* parallel to users */
};

/* Sorts the rows of s into *ret (other fields copied), and sums their time
 * windows as of `updated`. Returns 0 or -ENOMEM; release with
 * report_data_done(). */
int report_data_init(struct report_data *ret, const struct stats *s, const char *title, const char *source,
                     time_t updated);
void report_data_done(struct report_data *d);
