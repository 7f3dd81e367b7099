/* SPDX-License-Identifier: MIT */
/* Open addressing with linear probing over row pointers. Keys come from log
 * messages, which anyone who can log may shape, so the hash is SipHash-1-3
 * with a per-table random key: colliding keys cannot be precomputed. */
#include "counter_table.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* The hash sits beside the pointer, so that a probe past another key costs
 * no cache miss on its row. */
struct slot {
        uint64_t hash;
        struct counter_row *row; /* NULL: empty */
};

struct counter_table {
        struct slot *slots;
        size_t n_slots; /* a power of two */
        size_t n_rows;
        uint64_t k0, k1;
};

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
/* The rows of the reference implementation, kept as they are there. */
/* clang-format off */
#define SIPROUND                                                          \
        do {                                                              \
                v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
                v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                    \
                v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                    \
                v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
        } while (0)
/* clang-format on */

static uint64_t siphash13(uint64_t k0, uint64_t k1, const char *data, size_t len) {
        const unsigned char *p = (const unsigned char *) data;
        uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
        uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
        uint64_t b = (uint64_t) len << 56, m;
        size_t i, tail = len & 7;

        for (i = 0; i + 8 <= len; i += 8) {
                memcpy(&m, p + i, 8); /* little-endian hosts only, like the journal */
                v3 ^= m;
                SIPROUND;
                v0 ^= m;
        }
        for (size_t j = 0; j < tail; j++)
                b |= (uint64_t) p[i + j] << (8 * j);
        v3 ^= b;
        SIPROUND;
        v0 ^= b;
        v2 ^= 0xff;
        SIPROUND;
        SIPROUND;
        SIPROUND;
        return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t counter_table_digest(const char *key, size_t key_len) {
        /* A fixed key: collisions could be crafted, but they would only
         * merge the day or host counts of two messages, never their totals. */
        return siphash13(0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL, key, key_len);
}

struct counter_table *counter_table_new(void) {
        struct counter_table *t = calloc(1, sizeof(*t));
        uint64_t key[2];

        if (!t)
                return NULL;
        /* A failed getrandom() only weakens flood resistance; keep going. */
        if (getrandom(key, sizeof(key), GRND_NONBLOCK) != (ssize_t) sizeof(key))
                key[0] = (uint64_t) (uintptr_t) t, key[1] = 0x9e3779b97f4a7c15ULL;
        t->k0 = key[0];
        t->k1 = key[1];
        t->n_slots = 64;
        t->slots = calloc(t->n_slots, sizeof(*t->slots));
        if (!t->slots)
                return counter_table_free(t);
        return t;
}

struct counter_table *counter_table_free(struct counter_table *t) {
        if (!t)
                return NULL;
        if (t->slots)
                for (size_t i = 0; i < t->n_slots; i++)
                        free(t->slots[i].row);
        free(t->slots);
        free(t);
        return NULL;
}

static size_t find_slot(const struct counter_table *t, uint64_t hash, const char *key, size_t key_len) {
        size_t mask = t->n_slots - 1, i = (size_t) hash & mask;

        for (;; i = (i + 1) & mask) {
                const struct slot *sl = &t->slots[i];
                if (!sl->row ||
                    (sl->hash == hash && sl->row->key_len == key_len && memcmp(sl->row->key, key, key_len) == 0))
                        return i;
        }
}

/* Places every row of old[0..n_old) into fresh slots of size n. */
static void rehash(struct slot *slots, size_t n, const struct slot *old, size_t n_old) {
        for (size_t i = 0; i < n_old; i++) {
                if (!old[i].row)
                        continue;
                size_t j = (size_t) old[i].hash & (n - 1);
                while (slots[j].row)
                        j = (j + 1) & (n - 1);
                slots[j] = old[i];
        }
}

static int grow(struct counter_table *t, size_t n) {
        struct slot *slots = calloc(n, sizeof(*slots));

        if (!slots)
                return -ENOMEM;
        rehash(slots, n, t->slots, t->n_slots);
        free(t->slots);
        t->slots = slots;
        t->n_slots = n;
        return 0;
}

int counter_table_add_capped(struct counter_table *t, const char *key, size_t key_len, unsigned column, uint64_t n,
                             size_t max_rows) {
        uint64_t hash = siphash13(t->k0, t->k1, key, key_len);
        size_t i = find_slot(t, hash, key, key_len);
        struct counter_row *r;

        assert(column < 2);
        if (t->slots[i].row) {
                t->slots[i].row->count[column] += n;
                return 0;
        }
        if (max_rows > 0 && t->n_rows >= max_rows)
                return 1;

        /* Keep the load factor at or under 1/2. */
        if ((t->n_rows + 1) * 2 > t->n_slots) {
                int e = grow(t, t->n_slots * 2);
                if (e < 0)
                        return e;
                i = find_slot(t, hash, key, key_len);
        }
        r = malloc(sizeof(*r) + key_len);
        if (!r)
                return -ENOMEM;
        *r = (struct counter_row){ .key_len = key_len };
        memcpy(r->key, key, key_len);
        r->count[column] = n;
        t->slots[i] = (struct slot){ .hash = hash, .row = r };
        t->n_rows++;
        return 0;
}

int counter_table_add(struct counter_table *t, const char *key, size_t key_len, unsigned column, uint64_t n) {
        return counter_table_add_capped(t, key, key_len, column, n, 0);
}

int counter_table_set(struct counter_table *t, const char *key, size_t key_len, unsigned column, uint64_t value) {
        size_t i = find_slot(t, siphash13(t->k0, t->k1, key, key_len), key, key_len);

        assert(column < 2);
        if (t->slots[i].row) {
                t->slots[i].row->count[column] = value;
                return 0;
        }
        return counter_table_add(t, key, key_len, column, value);
}

int counter_table_remove_if(struct counter_table *t, bool (*drop)(const struct counter_row *row, void *userdata),
                            void *userdata) {
        size_t removed = 0;

        /* Count first, so that a failed allocation leaves every row in place. */
        for (size_t i = 0; i < t->n_slots; i++)
                if (t->slots[i].row && drop(t->slots[i].row, userdata))
                        removed++;
        if (removed == 0)
                return 0;

        size_t n = 64;
        while ((t->n_rows - removed) * 2 > n)
                n *= 2;
        struct slot *slots = calloc(n, sizeof(*slots));
        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_slots; i++)
                if (t->slots[i].row && drop(t->slots[i].row, userdata)) {
                        free(t->slots[i].row);
                        t->slots[i].row = NULL;
                }
        rehash(slots, n, t->slots, t->n_slots);
        free(t->slots);
        t->slots = slots;
        t->n_slots = n;
        t->n_rows -= removed;
        return 0;
}

const struct counter_row *counter_table_get(const struct counter_table *t, const char *key, size_t key_len) {
        uint64_t hash = siphash13(t->k0, t->k1, key, key_len);
        return t->slots[find_slot(t, hash, key, key_len)].row;
}

size_t counter_table_size(const struct counter_table *t) {
        return t->n_rows;
}

const struct counter_row *counter_table_next(const struct counter_table *t, size_t *i) {
        while (*i < t->n_slots) {
                const struct counter_row *r = t->slots[(*i)++].row;
                if (r)
                        return r;
        }
        return NULL;
}

int counter_row_compare_keys(const struct counter_row *a, const struct counter_row *b) {
        size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
        int c = memcmp(a->key, b->key, n);

        if (c != 0)
                return c;
        return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

static int compare_by_key(const void *x, const void *y) {
        return counter_row_compare_keys(*(const struct counter_row *const *) x, *(const struct counter_row *const *) y);
}

static int compare_by_first_count(const void *x, const void *y) {
        const struct counter_row *a = *(const struct counter_row *const *) x;
        const struct counter_row *b = *(const struct counter_row *const *) y;

        if (a->count[0] != b->count[0])
                return a->count[0] > b->count[0] ? -1 : 1;
        return counter_row_compare_keys(a, b);
}

int counter_table_sorted(const struct counter_table *t, enum counter_order order, const struct counter_row ***ret) {
        const struct counter_row **rows = NULL;
        size_t n = 0;

        if (t->n_rows > 0) {
                rows = malloc(t->n_rows * sizeof(*rows));
                if (!rows)
                        return -ENOMEM;
                for (size_t i = 0; i < t->n_slots; i++)
                        if (t->slots[i].row)
                                rows[n++] = t->slots[i].row;
                qsort(rows, n, sizeof(*rows), order == COUNTER_ORDER_KEY ? compare_by_key : compare_by_first_count);
        }
        *ret = rows;
        return 0;
}
