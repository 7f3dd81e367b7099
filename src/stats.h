/* SPDX-License-Identifier: MIT */
/* The running aggregates: error ranking, per-user counts, totals. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "counter_table.h"

/* Keys of both tables are UTF-8-repaired text (SPEC: the repaired text is the key). */
struct stats {
        struct counter_table *errors; /* message -> count[0] */
        struct counter_table *users;  /* username -> count[STATS_INFO], count[STATS_ERROR] */
        uint64_t info;
        uint64_t error;
        uint64_t unparsed;

        char *scratch; /* repair buffer, reused across messages */
        size_t scratch_size;
};

enum {
        STATS_INFO = 0,
        STATS_ERROR = 1,
};

/* Returns NULL on OOM. */
struct stats *stats_new(void);

/* Accepts NULL; returns NULL. */
struct stats *stats_free(struct stats *s);

/* Counts one journal MESSAGE (msg may be NULL: the entry had none). A message
 * that does not parse is counted as unparsed. Returns 0 or -ENOMEM; after
 * -ENOMEM the event may be half counted: discard s, never save it. */
int stats_add_message(struct stats *s, const char *msg, size_t len);

/* Adds already-repaired counts, as read back from a saved snapshot. */
int stats_add_user(struct stats *s, const char *user, size_t len, uint64_t info, uint64_t error);
int stats_add_error(struct stats *s, const char *message, size_t len, uint64_t count);
