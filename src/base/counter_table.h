/* SPDX-License-Identifier: MIT */
/* A hash table from byte-string keys to a pair of 64-bit counters. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct counter_table;

/* A key and its counters. Owned by the table; valid until the table is freed. */
struct counter_row {
        uint64_t count[2];
        size_t key_len;
        char key[]; /* not NUL-terminated: keys may hold any byte */
};

enum counter_order {
        COUNTER_ORDER_KEY,         /* key ascending, byte order */
        COUNTER_ORDER_FIRST_COUNT, /* count[0] descending, then key ascending */
};

/* Returns NULL on OOM. Free with counter_table_free(). */
struct counter_table *counter_table_new(void);

/* Accepts NULL; returns NULL. */
struct counter_table *counter_table_free(struct counter_table *t);

/* Adds n to counter `column` (0 or 1) of key, inserting a copy of the key at
 * zero if it is new. No allocation happens for a key that exists.
 * Returns 0 or -ENOMEM (the table is unchanged then). */
int counter_table_add(struct counter_table *t, const char *key, size_t key_len, unsigned column, uint64_t n);

/* Sets counter `column` of key to value, inserting the key if it is new.
 * Returns 0 or -ENOMEM (the table is unchanged then). */
int counter_table_set(struct counter_table *t, const char *key, size_t key_len, unsigned column, uint64_t value);

/* As counter_table_add(), but a key that is not in the table yet is refused
 * once the table holds max_rows keys (0: no limit). Returns 0, 1 if the key
 * was refused (nothing counted), or -ENOMEM. */
int counter_table_add_capped(struct counter_table *t, const char *key, size_t key_len, unsigned column, uint64_t n,
                             size_t max_rows);

/* Removes every row for which drop(row, userdata) is true; drop is asked
 * twice per row and must answer the same. Returns 0 or -ENOMEM (the table is
 * unchanged then). */
int counter_table_remove_if(struct counter_table *t, bool (*drop)(const struct counter_row *row, void *userdata),
                            void *userdata);

/* The row of key, or NULL. */
const struct counter_row *counter_table_get(const struct counter_table *t, const char *key, size_t key_len);

size_t counter_table_size(const struct counter_table *t);

/* Iterates, in no particular order: start with *i = 0; returns NULL at the
 * end. The table must not change meanwhile. */
const struct counter_row *counter_table_next(const struct counter_table *t, size_t *i);

/* A freshly allocated array of every row in the given order; the caller frees
 * the array (not the rows). *ret is NULL for an empty table. Returns 0 or -ENOMEM. */
int counter_table_sorted(const struct counter_table *t, enum counter_order order, const struct counter_row ***ret);

/* A 64-bit hash of key that is the same in every process (the tables' own
 * hashes are keyed at random): for keys that are persisted. */
uint64_t counter_table_digest(const char *key, size_t key_len);

/* Lexicographic byte order, shorter first on a common prefix. */
int counter_row_compare_keys(const struct counter_row *a, const struct counter_row *b);
