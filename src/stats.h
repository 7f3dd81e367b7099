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

/* One journal entry of the identifier, as stats_add() takes it. */
struct stats_entry {
        const char *message; /* NULL: the entry has none */
        size_t message_len;
        const char *host; /* _HOSTNAME, or NULL: hosts are not counted */
        size_t host_len;
        uint64_t realtime_usec; /* 0: unknown, all-time counts only */
};

/* Messages can be 64 KiB long: the tables of days, hours and hosts key them
 * by an 8-byte digest (stats_digest()), not by the text. */
#define STATS_DIGEST_BYTES 8

/* Keys of the host tables: the host's length, 2 bytes little-endian, the
 * host, then the key of the all-time table. */
#define STATS_HOST_LEN_BYTES 2

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
        struct counter_table *error_days;  /* day + message digest -> count[0] */
        struct counter_table *user_days;   /* day + username -> [STATS_INFO], [STATS_ERROR] */
        struct counter_table *error_hours; /* hour + message digest -> count[0] */
        struct counter_table *user_hours;  /* hour + username -> [STATS_INFO], [STATS_ERROR] */

        struct counter_table *hosts;       /* host -> [STATS_INFO], [STATS_ERROR] */
        struct counter_table *host_errors; /* host + message digest -> count[0] */
        struct counter_table *host_users;  /* host + username -> [STATS_INFO], [STATS_ERROR] */

        /* Files added by --import, by content: what the counts include. */
        struct counter_table *imports; /* identity -> [0] events counted, [1] when (Unix seconds) */

        struct stats_limits limits;
        int32_t first_day, first_hour; /* older events count all-time only */
        int32_t last_day, last_hour;   /* and so do later ones */

        /* Caches and buffers, reused across messages. */
        int64_t day_start_usec, day_end_usec;
        int32_t day;
        char *scratch; /* repair and truncation */
        size_t scratch_size;
        char *compound_key; /* bucket or host + key */
        size_t compound_key_size;
        char *host_prefix; /* host length + host */
        size_t host_prefix_size;
};

/* Returns NULL on OOM. Without limits: stats_set_limits() sets them. */
struct stats *stats_new(void);

/* Accepts NULL; returns NULL. */
struct stats *stats_free(struct stats *s);

void stats_set_limits(struct stats *s, const struct stats_limits *limits);

/* An empty struct stats with the limits and windows of model, for counting
 * part of the entries elsewhere and merging them back. NULL on OOM. */
struct stats *stats_new_like(const struct stats *model);

/* Adds every count of src to dst. Only for stats without caps (max_users,
 * max_errors): with caps, which keys are kept depends on the order of the
 * entries. Returns 0 or -ENOMEM; after -ENOMEM dst is half merged: discard
 * it, never save it. */
int stats_merge(struct stats *dst, const struct stats *src);

/* Counts one entry. A message that does not parse is counted as unparsed.
 * Returns 0 or -ENOMEM; after -ENOMEM the event may be half counted: discard
 * s, never save it. */
int stats_add(struct stats *s, const struct stats_entry *e);

/* stats_add() of a message alone, for tests and tools. */
int stats_add_message(struct stats *s, const char *msg, size_t len, uint64_t realtime_usec);

/* Drops the per-day and per-hour counts that fell out of the windows as of
 * now, and counts later events only when they are within them. Returns 0 or
 * -ENOMEM. */
int stats_prune(struct stats *s, time_t now);

/* The local day (days since 1970-01-01 in the TZ in force) of a time. */
int32_t stats_local_day(time_t t);

/* The key of a message in the tables of days, hours and hosts. */
void stats_digest(const char *message, size_t len, char ret[STATS_DIGEST_BYTES]);

/* The bucket number of a window table key. */
int32_t stats_key_bucket(const char *key);

/* Splits a host table key into the host and the rest. */
void stats_key_host(const char *key, size_t key_len, const char **ret_host, size_t *ret_host_len, const char **ret_rest,
                    size_t *ret_rest_len);
