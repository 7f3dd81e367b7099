/* SPDX-License-Identifier: MIT */
/* The running aggregates: error ranking, per-user counts, totals, and the
 * same per local day and per hour for the recent past. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "counter_table.h"

enum {
        STATS_INFO = 0,
        STATS_ERROR = 1,
};

struct stats_limits {
        size_t max_users;         /* distinct users kept; beyond, "(other)"; 0: no limit */
        size_t max_errors;        /* distinct error messages kept; 0: no limit */
        size_t max_message_bytes; /* longer messages are cut, with "…"; 0: no limit */
        unsigned days;            /* local days of per-day counts kept; 0: none */
};

/* Keys of the window tables: a bucket number (local day, or UTC hour, since
 * the epoch), 4 bytes little-endian, then the key of the all-time table. */
#define STATS_BUCKET_BYTES 4

/* Keys of every table are UTF-8-repaired text (SPEC: the repaired text is the key). */
struct stats {
        struct counter_table *errors; /* message -> count[0] */
        struct counter_table *users;  /* username -> count[STATS_INFO], count[STATS_ERROR] */
        uint64_t info;
        uint64_t error;
        uint64_t unparsed;

        /* Events of keys refused by the caps. */
        uint64_t other_users[2]; /* [STATS_INFO], [STATS_ERROR] */
        uint64_t other_errors;

        struct counter_table *day_totals;  /* day -> [STATS_INFO], [STATS_ERROR] */
        struct counter_table *error_days;  /* day + message -> count[0] */
        struct counter_table *user_days;   /* day + username -> [STATS_INFO], [STATS_ERROR] */
        struct counter_table *error_hours; /* hour + message -> count[0] */
        struct counter_table *user_hours;  /* hour + username -> [STATS_INFO], [STATS_ERROR] */

        struct stats_limits limits;
        int32_t first_day, first_hour; /* older events count all-time only */

        /* Caches and buffers, reused across messages. */
        int64_t day_start_usec, day_end_usec;
        int32_t day;
        char *scratch; /* repair and truncation */
        size_t scratch_size;
        char *bucket_key; /* bucket + key */
        size_t bucket_key_size;
};

/* Returns NULL on OOM. Without limits: stats_set_limits() sets them. */
struct stats *stats_new(void);

/* Accepts NULL; returns NULL. */
struct stats *stats_free(struct stats *s);

void stats_set_limits(struct stats *s, const struct stats_limits *limits);

/* Counts one journal MESSAGE (msg may be NULL: the entry had none), logged at
 * realtime_usec (0: unknown, all-time counts only). A message that does not
 * parse is counted as unparsed. Returns 0 or -ENOMEM; after -ENOMEM the event
 * may be half counted: discard s, never save it. */
int stats_add_message(struct stats *s, const char *msg, size_t len, uint64_t realtime_usec);

/* Drops the per-day and per-hour counts that fell out of the windows as of
 * now, and counts later events only when they are within them. Returns 0 or
 * -ENOMEM. */
int stats_prune(struct stats *s, time_t now);

/* The local day (days since 1970-01-01 in the TZ in force) of a time. */
int32_t stats_local_day(time_t t);

/* The bucket number of a window table key. */
int32_t stats_key_bucket(const char *key);
