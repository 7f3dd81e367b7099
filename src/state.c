/* SPDX-License-Identifier: MIT */
/* Binary snapshot, little-endian:
 *
 *   "TICKYRD\n"  u32 version  u32 zero  u64 payload size
 *   payload:     str cursor  str source  u64 info  u64 error  u64 unparsed
 *                table users (2 counts)  table errors (1 count)
 *     since 2:   u64 other users' INFO  u64 other users' ERROR  u64 other errors
 *                table day_totals (2)  table error_days (1)  table user_days (2)
 *                table error_hours (1)  table user_hours (2)
 *                table hosts (2)  table host_errors (1)  table host_users (2)
 *   u32 CRC-32 of all the bytes before it
 *
 * where str is u32 length + bytes and a table is u64 n_rows, then n_rows
 * times str key and its counts (u64 each), keys in byte order. Version 1
 * files (no windows, no caps) are still read. Everything is built in memory first and
 * written with one atomic_file, so the cursor and the counts it stands for
 * can only ever be replaced together. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "crc32.h"
#include "macro.h"
#include "utf8.h"

static const char magic[8] = { 'T', 'I', 'C', 'K', 'Y', 'R', 'D', '\n' };
#define HEADER_SIZE (sizeof(magic) + 4 + 4 + 8)

/* Little-endian encoders; the state file has the same meaning on any host. */
struct buffer {
        unsigned char *data;
        size_t len, cap;
        bool oom;
};

static void put(struct buffer *b, const void *p, size_t n) {
        if (b->oom)
                return;
        if (b->cap - b->len < n) {
                size_t cap = b->cap ? b->cap : 4096;
                while (cap - b->len < n)
                        cap *= 2;
                unsigned char *d = realloc(b->data, cap);
                if (!d) {
                        b->oom = true;
                        return;
                }
                b->data = d;
                b->cap = cap;
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
}

static void put_u32(struct buffer *b, uint32_t v) {
        unsigned char le[4];
        for (size_t i = 0; i < sizeof(le); i++)
                le[i] = (unsigned char) (v >> (8 * i));
        put(b, le, sizeof(le));
}

static void put_u64(struct buffer *b, uint64_t v) {
        unsigned char le[8];
        for (size_t i = 0; i < sizeof(le); i++)
                le[i] = (unsigned char) (v >> (8 * i));
        put(b, le, sizeof(le));
}

static void put_str(struct buffer *b, const char *s, size_t n) {
        if (n > UINT32_MAX) {
                b->oom = true; /* cannot be represented; no key is ever this long */
                return;
        }
        put_u32(b, (uint32_t) n);
        put(b, s, n);
}

static int put_table(struct buffer *b, const struct counter_table *t, unsigned n_counts) {
        _cleanup_free_ const struct counter_row **rows = NULL;
        size_t n = counter_table_size(t);
        int r;

        /* Sorted, so that equal aggregates give byte-identical snapshots. */
        r = counter_table_sorted(t, COUNTER_ORDER_KEY, &rows);
        if (r < 0)
                return r;
        put_u64(b, n);
        for (size_t i = 0; i < n; i++) {
                put_str(b, rows[i]->key, rows[i]->key_len);
                for (unsigned c = 0; c < n_counts; c++)
                        put_u64(b, rows[i]->count[c]);
        }
        return 0;
}

static int serialize(struct buffer *b, const char *cursor, const char *source, const struct stats *s) {
        int r;

        put(b, magic, sizeof(magic));
        put_u32(b, STATE_VERSION);
        put_u32(b, 0);
        put_u64(b, 0); /* payload size, patched below */
        put_str(b, cursor ? cursor : "", cursor ? strlen(cursor) : 0);
        put_str(b, source ? source : "", source ? strlen(source) : 0);
        put_u64(b, s->info);
        put_u64(b, s->error);
        put_u64(b, s->unparsed);
        r = put_table(b, s->users, 2);
        if (r >= 0)
                r = put_table(b, s->errors, 1);
        put_u64(b, s->other_users[STATS_INFO]);
        put_u64(b, s->other_users[STATS_ERROR]);
        put_u64(b, s->other_errors);
        if (r >= 0)
                r = put_table(b, s->day_totals, 2);
        if (r >= 0)
                r = put_table(b, s->error_days, 1);
        if (r >= 0)
                r = put_table(b, s->user_days, 2);
        if (r >= 0)
                r = put_table(b, s->error_hours, 1);
        if (r >= 0)
                r = put_table(b, s->user_hours, 2);
        if (r >= 0)
                r = put_table(b, s->hosts, 2);
        if (r >= 0)
                r = put_table(b, s->host_errors, 1);
        if (r >= 0)
                r = put_table(b, s->host_users, 2);
        if (r < 0)
                return r;
        if (b->oom)
                return -ENOMEM;

        uint64_t payload = b->len - HEADER_SIZE;
        for (size_t i = 0; i < 8; i++)
                b->data[HEADER_SIZE - 8 + i] = (unsigned char) (payload >> (8 * i));
        put_u32(b, crc32_update(0, b->data, b->len));
        return b->oom ? -ENOMEM : 0;
}

int state_save(const char *dir, const char *cursor, const char *source, const struct stats *s) {
        struct buffer b = { .data = NULL };
        struct atomic_file af;
        int r;

        r = serialize(&b, cursor, source, s);
        if (r >= 0)
                r = atomic_file_begin(&af, dir, STATE_FILE_NAME);
        if (r >= 0) {
                if (fwrite(b.data, 1, b.len, af.f) != b.len)
                        r = -EIO;
                else
                        r = atomic_file_commit(&af, 0600);
                atomic_file_done(&af);
        }
        free(b.data);
        return r;
}

/* A bounds-checked reader over the loaded bytes. */
struct reader {
        const unsigned char *p;
        size_t left;
        bool short_read;
};

static const unsigned char *take(struct reader *c, size_t n) {
        const unsigned char *p = c->p;
        if (c->short_read || c->left < n) {
                c->short_read = true;
                return NULL;
        }
        c->p += n;
        c->left -= n;
        return p;
}

static uint64_t take_uint(struct reader *c, size_t width) {
        const unsigned char *p = take(c, width);
        uint64_t v = 0;
        if (!p)
                return 0;
        for (size_t i = 0; i < width; i++)
                v |= (uint64_t) p[i] << (8 * i);
        return v;
}

static const char *take_str(struct reader *c, size_t *ret_len) {
        size_t n = (size_t) take_uint(c, 4);
        const char *s = (const char *) take(c, n);
        *ret_len = s ? n : 0;
        return s;
}

/* What a key of a table must look like, beyond being bytes. */
enum key_shape {
        KEY_TEXT,          /* valid UTF-8, as every key the aggregation makes */
        KEY_BUCKET,        /* bucket number only (day_totals) */
        KEY_BUCKET_PREFIX, /* bucket number + key */
        KEY_HOST_PREFIX,   /* host length + host + key */
};

static bool key_has_shape(const char *key, size_t len, enum key_shape shape) {
        switch (shape) {
        case KEY_BUCKET:
                return len == STATS_BUCKET_BYTES;
        case KEY_BUCKET_PREFIX:
                return len >= STATS_BUCKET_BYTES;
        case KEY_HOST_PREFIX:
                return len >= STATS_HOST_LEN_BYTES &&
                       ((size_t) (unsigned char) key[0] | (size_t) (unsigned char) key[1] << 8) <=
                               len - STATS_HOST_LEN_BYTES;
        default:
                return utf8_is_valid(key, len);
        }
}

static int take_table(struct reader *c, struct counter_table *t, unsigned n_counts, enum key_shape shape) {
        uint64_t n = take_uint(c, 8);
        /* Each row takes at least 4 + 8 bytes: a huge count is corruption,
         * not a reason to loop for hours. */
        if (n > c->left / (4 + 8 * n_counts)) {
                c->short_read = true;
                return 0;
        }
        for (uint64_t i = 0; i < n && !c->short_read; i++) {
                size_t len;
                const char *key = take_str(c, &len);
                uint64_t counts[2] = { 0, 0 };
                int r = 0;

                for (unsigned k = 0; k < n_counts; k++)
                        counts[k] = take_uint(c, 8);
                if (c->short_read)
                        break;
                if (!key_has_shape(key, len, shape)) {
                        c->short_read = true; /* reported as malformed */
                        break;
                }
                for (unsigned k = 0; k < n_counts && r >= 0; k++)
                        r = counter_table_add(t, key, len, k, counts[k]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* What version 2 added: overflow counts, windows, hosts. */
static int take_windows(struct reader *c, struct stats *s) {
        int r;

        s->other_users[STATS_INFO] = take_uint(c, 8);
        s->other_users[STATS_ERROR] = take_uint(c, 8);
        s->other_errors = take_uint(c, 8);
        r = take_table(c, s->day_totals, 2, KEY_BUCKET);
        if (r >= 0)
                r = take_table(c, s->error_days, 1, KEY_BUCKET_PREFIX);
        if (r >= 0)
                r = take_table(c, s->user_days, 2, KEY_BUCKET_PREFIX);
        if (r >= 0)
                r = take_table(c, s->error_hours, 1, KEY_BUCKET_PREFIX);
        if (r >= 0)
                r = take_table(c, s->user_hours, 2, KEY_BUCKET_PREFIX);
        if (r >= 0)
                r = take_table(c, s->hosts, 2, KEY_TEXT);
        if (r >= 0)
                r = take_table(c, s->host_errors, 1, KEY_HOST_PREFIX);
        if (r >= 0)
                r = take_table(c, s->host_users, 2, KEY_HOST_PREFIX);
        return r;
}

/* Every event is in exactly one user row (or the other users) and every
 * ERROR in one message row (or the other messages): a snapshot whose rows
 * do not add up was not written by us. */
static bool totals_agree(const struct stats *s) {
        uint64_t sums[3] = { s->other_users[STATS_INFO], s->other_users[STATS_ERROR], s->other_errors };
        const struct counter_row *r;
        size_t it = 0;

        while ((r = counter_table_next(s->users, &it))) {
                sums[0] += r->count[STATS_INFO];
                sums[1] += r->count[STATS_ERROR];
        }
        it = 0;
        while ((r = counter_table_next(s->errors, &it)))
                sums[2] += r->count[0];
        return sums[0] == s->info && sums[1] == s->error && sums[2] == s->error;
}

static char *strndup_or_null(const char *s, size_t n, bool *oom) {
        char *d;
        if (!s || n == 0 || s[0] == '\0')
                return NULL;
        d = strndup(s, n);
        if (!d)
                *oom = true;
        return d;
}

static int read_file(const char *path, unsigned char **ret, size_t *ret_len) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ unsigned char *data = NULL;
        struct stat st;

        if (!f)
                return -errno;
        if (fstat(fileno(f), &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADMSG;
        data = malloc((size_t) st.st_size + 1);
        if (!data)
                return -ENOMEM;
        if (fread(data, 1, (size_t) st.st_size, f) != (size_t) st.st_size)
                return ferror(f) ? -EIO : -EBADMSG;
        *ret_len = (size_t) st.st_size;
        *ret = TAKE_PTR(data);
        return 0;
}

int state_load(const char *dir, struct stats *s, char **ret_cursor, char **ret_source, const char **ret_reason) {
        _cleanup_free_ unsigned char *data = NULL;
        _cleanup_free_ char *path = NULL, *cursor = NULL, *source = NULL;
        struct reader c;
        const char *str;
        size_t len = 0, str_len;
        bool oom = false;
        int r;

        *ret_reason = NULL;
        if (asprintf(&path, "%s/%s", dir, STATE_FILE_NAME) < 0) {
                path = NULL;
                return -ENOMEM;
        }
        r = read_file(path, &data, &len);
        if (r == -EBADMSG)
                *ret_reason = "not a regular file";
        if (r < 0)
                return r;

        if (len < HEADER_SIZE + 4 || memcmp(data, magic, sizeof(magic)) != 0) {
                *ret_reason = len < sizeof(magic) || memcmp(data, magic, sizeof(magic)) != 0
                                      ? "not a ticky-reportd state file"
                                      : "truncated";
                return -EBADMSG;
        }
        c = (struct reader){ .p = data + sizeof(magic), .left = len - sizeof(magic) };
        uint64_t version = take_uint(&c, 4);
        (void) take_uint(&c, 4);
        uint64_t payload = take_uint(&c, 8);
        if (version < 1 || version > STATE_VERSION) {
                *ret_reason = "unsupported state format version";
                return -EBADMSG;
        }
        if (payload != len - HEADER_SIZE - 4) {
                *ret_reason = payload > len - HEADER_SIZE - 4 ? "truncated" : "trailing garbage";
                return -EBADMSG;
        }
        struct reader trailer = { .p = data + len - 4, .left = 4 };
        if (crc32_update(0, data, len - 4) != (uint32_t) take_uint(&trailer, 4)) {
                *ret_reason = "checksum mismatch";
                return -EBADMSG;
        }

        c.left = (size_t) payload;
        str = take_str(&c, &str_len);
        cursor = strndup_or_null(str, str_len, &oom);
        str = take_str(&c, &str_len);
        source = strndup_or_null(str, str_len, &oom);
        if (oom)
                return -ENOMEM;
        s->info += take_uint(&c, 8);
        s->error += take_uint(&c, 8);
        s->unparsed += take_uint(&c, 8);
        r = take_table(&c, s->users, 2, KEY_TEXT);
        if (r >= 0)
                r = take_table(&c, s->errors, 1, KEY_TEXT);
        if (r >= 0 && version >= 2)
                r = take_windows(&c, s);
        if (r < 0)
                return r;
        if (c.short_read || c.left != 0) {
                /* The checksum matched, so this was written wrong, not damaged. */
                *ret_reason = "malformed contents";
                return -EBADMSG;
        }
        if (!totals_agree(s)) {
                *ret_reason = "counts do not add up to the totals";
                return -EBADMSG;
        }

        *ret_cursor = TAKE_PTR(cursor);
        *ret_source = TAKE_PTR(source);
        return 0;
}
