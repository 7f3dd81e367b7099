/* SPDX-License-Identifier: MIT */
/* The running aggregates: error ranking, per-user counts, totals, and the
 * same per local day and per hour for the recent past, and per host. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "counter_table.h"
#include "event.h"

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

/* Messages can be 64 KiB long: the tables of days, hours and hosts key them
 * by an 8-byte digest (stats_digest()), not by the text. */
#define STATS_DIGEST_BYTES 8

/* Keys of the host tables: the host's length, 2 bytes little-endian, the
 * host, then the key of the all-time table. */
#define STATS_HOST_LEN_BYTES 2

/* Keys of the window tables: a bucket number (local day, or UTC hour, since
 * the epoch), 4 bytes little-endian, then the key of the all-time table. */
#define STATS_BUCKET_BYTES 4

/* The tables, in the order the state file stores them. The text in every
 * key is UTF-8-repaired (SPEC: the repaired text is the key), after the
 * binary prefixes of the window and host tables; counts are
 * [STATS_INFO], [STATS_ERROR] for users, days and hosts, [0] for messages. */
enum stats_table {
        STATS_USERS,       /* username */
        STATS_ERRORS,      /* message */
        STATS_DAY_TOTALS,  /* day */
        STATS_ERROR_DAYS,  /* day + message digest */
        STATS_USER_DAYS,   /* day + username */
        STATS_ERROR_HOURS, /* hour + message digest */
        STATS_USER_HOURS,  /* hour + username */
        STATS_HOSTS,       /* host */
        STATS_HOST_ERRORS, /* host + message digest */
        STATS_HOST_USERS,  /* host + username */
        _STATS_TABLE_MAX,
};

struct stats_totals {
        uint64_t info;
        uint64_t error;
        uint64_t unparsed;
        uint64_t other_users[2]; /* events of users refused by the cap: [STATS_INFO], [STATS_ERROR] */
        uint64_t other_errors;   /* events of messages refused by the cap */
};

struct stats;

/* Returns NULL on OOM. Without limits: stats_set_limits() sets them. */
struct stats *stats_new(void);

/* Accepts NULL; returns NULL. */
struct stats *stats_free(struct stats *s);

void stats_set_limits(struct stats *s, const struct stats_limits *limits);
const struct stats_limits *stats_limits(const struct stats *s);

/* An empty struct stats with the limits and windows of model, for counting
 * part of the entries elsewhere and merging them back. NULL on OOM. */
struct stats *stats_new_like(const struct stats *model);

/* Adds every count of src to dst. Only for stats without caps (max_users,
 * max_errors): with caps, which keys are kept depends on the order of the
 * entries. Returns 0 or -ENOMEM; after -ENOMEM dst is half merged: discard
 * it, never save it. */
int stats_merge(struct stats *dst, const struct stats *src);

/* Counts one event, of host (NULL: hosts are not counted) at realtime_usec
 * (0: unknown, all-time counts only). Returns 0 or -ENOMEM; after -ENOMEM
 * the event may be half counted: discard s, never save it. */
int stats_add_event(struct stats *s, const struct event *ev, const char *host, size_t host_len, uint64_t realtime_usec);

/* Counts an entry that is not in the grammar. */
void stats_add_unparsed(struct stats *s);

/* Drops the per-day and per-hour counts that fell out of the windows as of
 * now, and counts later events only when they are within them. Returns 0 or
 * -ENOMEM. */
int stats_prune(struct stats *s, time_t now);

const struct stats_totals *stats_totals(const struct stats *s);
const struct counter_table *stats_table(const struct stats *s, enum stats_table t);

/* True once users or messages beyond the caps are counted as "(other)". */
bool stats_caps_reached(const struct stats *s);

/* For loading a snapshot or merging counts: adds n to a row of a table, as
 * counter_table_add() does, or the totals to s's. Returns 0 or -ENOMEM. */
int stats_restore_row(struct stats *s, enum stats_table t, const char *key, size_t len, unsigned column, uint64_t n);
void stats_restore_totals(struct stats *s, const struct stats_totals *totals);

/* The key of a message in the tables of days, hours and hosts. */
void stats_digest(const char *message, size_t len, char ret[STATS_DIGEST_BYTES]);

/* The bucket number of a window table key. */
int32_t stats_key_bucket(const char *key);

/* Splits a host table key into the host and the rest. */
void stats_key_host(const char *key, size_t key_len, const char **ret_host, size_t *ret_host_len, const char **ret_rest,
                    size_t *ret_rest_len);
