/* SPDX-License-Identifier: MIT */
/* One table for both kinds of record: an identity is hex digits, a followed
 * file's key starts with a word, so they never collide. */
#include "imported_files.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct imported_files {
        struct counter_table *table; /* key -> [0] events, [1] when */
};

struct imported_files *imported_files_new(void) {
        struct imported_files *f = calloc(1, sizeof(*f));

        if (!f)
                return NULL;
        f->table = counter_table_new();
        if (!f->table)
                return imported_files_free(f);
        return f;
}

struct imported_files *imported_files_free(struct imported_files *f) {
        if (!f)
                return NULL;
        counter_table_free(f->table);
        free(f);
        return NULL;
}

int imported_files_add(struct imported_files *f, const char *identity, uint64_t events, time_t when) {
        size_t len = strlen(identity);
        int r;

        r = counter_table_add(f->table, identity, len, 0, events);
        if (r >= 0)
                r = counter_table_add(f->table, identity, len, 1, (uint64_t) when);
        return r;
}

bool imported_files_get(const struct imported_files *f, const char *identity, uint64_t *ret_events, time_t *ret_when) {
        const struct counter_row *row = counter_table_get(f->table, identity, strlen(identity));

        if (!row)
                return false;
        if (ret_events)
                *ret_events = row->count[0];
        if (ret_when)
                *ret_when = (time_t) row->count[1];
        return true;
}

#define FOLLOWED_KEY_MAX 48

static size_t followed_key(uint32_t head_crc, size_t head_len, char ret[static FOLLOWED_KEY_MAX]) {
        return (size_t) snprintf(ret, FOLLOWED_KEY_MAX, "followed-%zu-%08" PRIx32, head_len, head_crc);
}

int imported_files_add_followed(struct imported_files *f, uint32_t head_crc, size_t head_len, time_t when) {
        char key[FOLLOWED_KEY_MAX];
        size_t key_len = followed_key(head_crc, head_len, key);

        if (counter_table_get(f->table, key, key_len))
                return 0;
        return counter_table_add(f->table, key, key_len, 1, (uint64_t) when);
}

bool imported_files_followed(const struct imported_files *f, uint32_t head_crc, size_t head_len) {
        char key[FOLLOWED_KEY_MAX];

        return counter_table_get(f->table, key, followed_key(head_crc, head_len, key));
}

const struct counter_table *imported_files_table(const struct imported_files *f) {
        return f->table;
}

int imported_files_restore_row(struct imported_files *f, const char *key, size_t len, unsigned column, uint64_t n) {
        return counter_table_add(f->table, key, len, column, n);
}
