/* SPDX-License-Identifier: MIT */
/* The five report files, written from one sorted view of the aggregates. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "stats.h"

/* Everything a page shows; the writers see only this, never the journal. */
struct report_data {
        const char *title;
        const char *source; /* "local journal", "namespace NAME", ... */
        time_t updated;
        const struct stats *stats;
        const struct counter_row **errors; /* count descending, then message */
        size_t n_errors;
        const struct counter_row **users; /* username ascending */
        size_t n_users;
};

/* Sorts the rows of s into *ret (other fields copied). Returns 0 or -ENOMEM;
 * release with report_data_done(). */
int report_data_init(struct report_data *ret, const struct stats *s, const char *title, const char *source,
                     time_t updated);
void report_data_done(struct report_data *d);

/* Removes temporary report files left in dir by a killed writer. Returns 0
 * or -errno. */
int report_remove_stale(const char *dir);

/* Writes error_message.{html,csv}, user_statistics.{html,csv} and index.html
 * into dir, each replaced atomically; index.html last. Returns 0 or -errno
 * (the files written before the failure stay replaced, the others old). */
int report_write(const char *dir, const struct report_data *d);
