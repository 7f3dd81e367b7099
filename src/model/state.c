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
 *     since 3:   table imports (2)
 *     since 4:   table journal_positions (2)
 *   u32 CRC-32 of all the bytes before it
 *
 * where str is u32 length + bytes and a table is u64 n_rows, then n_rows
 * times str key and its counts (u64 each), keys in byte order. Versions 1
 * (no windows, no caps), 2 (no imports) and 3 (no positions per journal
 * file: the cursor was one in the merged journal) are still read. The whole snapshot goes into
 * one atomic_file, so the cursor and the counts it stands for can only ever
 * be replaced together. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "checksum.h"
#include "macro.h"
#include "utf8.h"

static const char magic[8] = { 'T', 'I', 'C', 'K', 'Y', 'R', 'D', '\n' };
#define HEADER_SIZE (sizeof(magic) + 4 + 4 + 8)

/* What a key of a table must look like, beyond being bytes. */
enum key_shape {
        KEY_TEXT,          /* valid UTF-8, as every key the aggregation makes */
        KEY_BUCKET,        /* bucket number only (day_totals) */
        KEY_BUCKET_PREFIX, /* bucket number + key */
        KEY_HOST_PREFIX,   /* host length + host + key */
        KEY_FILE_ID,       /* a journal file's 16-byte id */
};

static bool key_has_shape(const char *key, size_t len, enum key_shape shape) {
        switch (shape) {
        case KEY_BUCKET:
                return len == STATS_BUCKET_BYTES;
        case KEY_BUCKET_PREFIX:
                return len >= STATS_BUCKET_BYTES;
        case KEY_FILE_ID:
                return len == STATE_FILE_ID_BYTES;
        case KEY_HOST_PREFIX:
                return len >= STATS_HOST_LEN_BYTES &&
                       ((size_t) (unsigned char) key[0] | (size_t) (unsigned char) key[1] << 8) <=
                               len - STATS_HOST_LEN_BYTES;
        default:
                return utf8_is_valid(key, len);
        }
}

/* Little-endian encoders; the state file has the same meaning on any host.
 * The snapshot is written twice over: first only measured (f NULL), for the
 * payload size in the header, then streamed through a small buffer into the
 * file, with the checksum of every byte. Nothing the size of the snapshot is
 * ever held in memory. */
struct writer {
        FILE *f; /* NULL: only count */
        uint64_t len;
        uint32_t crc;
        bool failed; /* a write failed, or a string is too long to store */
        int error;   /* the errno of the write that failed */
        size_t n_staged;
        unsigned char staged[16384];
};

static void flush_staged(struct writer *w) {
        if (w->n_staged == 0)
                return;
        w->crc = crc32_update(w->crc, w->staged, w->n_staged);
        if (!w->failed && fwrite(w->staged, 1, w->n_staged, w->f) != w->n_staged) {
                w->failed = true;
                w->error = errno;
        }
        w->n_staged = 0;
}

static void put(struct writer *w, const void *p, size_t n) {
        w->len += n;
        if (!w->f)
                return;
        while (n > 0) {
                size_t room = sizeof(w->staged) - w->n_staged, k = n < room ? n : room;
                memcpy(w->staged + w->n_staged, p, k);
                w->n_staged += k;
                p = (const unsigned char *) p + k;
                n -= k;
                if (w->n_staged == sizeof(w->staged))
                        flush_staged(w);
        }
}

static void put_u32(struct writer *w, uint32_t v) {
        unsigned char le[4];
        for (size_t i = 0; i < sizeof(le); i++)
                le[i] = (unsigned char) (v >> (8 * i));
        put(w, le, sizeof(le));
}

static void put_u64(struct writer *w, uint64_t v) {
        unsigned char le[8];
        for (size_t i = 0; i < sizeof(le); i++)
                le[i] = (unsigned char) (v >> (8 * i));
        put(w, le, sizeof(le));
}

static void put_str(struct writer *w, const char *s, size_t n) {
        if (n > UINT32_MAX) {
                w->failed = true; /* cannot be represented; no key is ever this long */
                return;
        }
        put_u32(w, (uint32_t) n);
        put(w, s, n);
}

static void put_row(struct writer *w, const struct counter_row *row, unsigned n_counts) {
        put_str(w, row->key, row->key_len);
        for (unsigned c = 0; c < n_counts; c++)
                put_u64(w, row->count[c]);
}

static int put_table(struct writer *w, const struct counter_table *t, unsigned n_counts) {
        _cleanup_free_ const struct counter_row **rows = NULL;
        const struct counter_row *row;
        size_t n = counter_table_size(t);
        int r;

        put_u64(w, n);
        if (!w->f) {
                /* The size does not depend on the order. */
                for (size_t i = 0; (row = counter_table_next(t, &i));)
                        put_row(w, row, n_counts);
                return 0;
        }
        /* Sorted, so that equal aggregates give byte-identical snapshots. */
        r = counter_table_sorted(t, COUNTER_ORDER_KEY, &rows);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                put_row(w, rows[i], n_counts);
        return 0;
}

/* The tables of the stats in the order of the file: those of version 1,
 * then (after the overflow counts) those version 2 added. */
struct table_layout {
        enum stats_table table;
        unsigned n_counts;
        enum key_shape shape;
};

static const struct table_layout tables_v1[] = {
        { STATS_USERS, 2, KEY_TEXT },
        { STATS_ERRORS, 1, KEY_TEXT },
};

static const struct table_layout tables_v2[] = {
        { STATS_DAY_TOTALS, 2, KEY_BUCKET },        { STATS_ERROR_DAYS, 1, KEY_BUCKET_PREFIX },
        { STATS_USER_DAYS, 2, KEY_BUCKET_PREFIX },  { STATS_ERROR_HOURS, 1, KEY_BUCKET_PREFIX },
        { STATS_USER_HOURS, 2, KEY_BUCKET_PREFIX }, { STATS_HOSTS, 2, KEY_TEXT },
        { STATS_HOST_ERRORS, 1, KEY_HOST_PREFIX },  { STATS_HOST_USERS, 2, KEY_HOST_PREFIX },
};

#define IMPORTS_N_COUNTS   2
#define POSITIONS_N_COUNTS 2

static int put_tables(struct writer *w, const struct stats *s, const struct table_layout *layout, size_t n) {
        int r = 0;

        for (size_t i = 0; i < n && r >= 0; i++)
                r = put_table(w, stats_table(s, layout[i].table), layout[i].n_counts);
        return r;
}

/* Everything but the checksum; payload_size is that of the header. */
static int serialize(struct writer *w, uint64_t payload_size, const struct state_snapshot *snap) {
        const struct stats_totals *totals = stats_totals(snap->stats);
        int r;

        put(w, magic, sizeof(magic));
        put_u32(w, STATE_VERSION);
        put_u32(w, 0);
        put_u64(w, payload_size);
        put_str(w, snap->cursor ? snap->cursor : "", snap->cursor ? strlen(snap->cursor) : 0);
        put_str(w, snap->source ? snap->source : "", snap->source ? strlen(snap->source) : 0);
        put_u64(w, totals->info);
        put_u64(w, totals->error);
        put_u64(w, totals->unparsed);
        r = put_tables(w, snap->stats, tables_v1, ELEMENTSOF(tables_v1));
        put_u64(w, totals->other_users[STATS_INFO]);
        put_u64(w, totals->other_users[STATS_ERROR]);
        put_u64(w, totals->other_errors);
        if (r >= 0)
                r = put_tables(w, snap->stats, tables_v2, ELEMENTSOF(tables_v2));
        if (r >= 0)
                r = put_table(w, imported_files_table(snap->imports), IMPORTS_N_COUNTS);
        if (r >= 0 && snap->journal_positions)
                r = put_table(w, snap->journal_positions, POSITIONS_N_COUNTS);
        else
                put_u64(w, 0);
        return r;
}

static int write_snapshot(FILE *f, const struct state_snapshot *snap) {
        struct writer measured = { .f = NULL }, w = { .f = f };
        int r;

        r = serialize(&measured, 0, snap);
        if (r < 0)
                return r;
        if (measured.failed)
                return -EINVAL;

        r = serialize(&w, measured.len - HEADER_SIZE, snap);
        if (r < 0)
                return r;
        flush_staged(&w);
        put_u32(&w, w.crc);
        flush_staged(&w);
        if (w.failed) /* a full disk says so, not "Input/output error" */
                return w.error > 0 ? -w.error : -EIO;
        /* The tables cannot change in between: a different length is a bug. */
        return w.len != measured.len + 4 ? -EIO : 0;
}

/* root running --once or --import for the service must leave a snapshot
 * the service's user can still read: the state directory's owner's. */
static int keep_owner(FILE *f, const char *dir) {
        struct stat st;

        if (geteuid() != 0)
                return 0;
        if (stat(dir, &st) < 0)
                return -errno;
        if (fchown(fileno(f), st.st_uid, st.st_gid) < 0)
                return -errno;
        return 0;
}

int state_save(const char *dir, const struct state_snapshot *snap) {
        struct atomic_file af;
        int r;

        r = atomic_file_begin(&af, dir, STATE_FILE_NAME);
        if (r < 0)
                return r;
        r = keep_owner(af.f, dir);
        if (r >= 0)
                r = write_snapshot(af.f, snap);
        if (r >= 0)
                r = atomic_file_commit(&af, 0600);
        atomic_file_done(&af);
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

/* Where the rows of a table go: a table of the stats, the imported files'
 * record, or a plain table. */
struct table_sink {
        struct stats *stats;
        enum stats_table table;
        struct imported_files *imports; /* set: the rows are its */
        struct counter_table *plain;    /* set: the rows are its */
};

static int sink_add(const struct table_sink *t, const char *key, size_t len, unsigned column, uint64_t n) {
        if (t->plain)
                return counter_table_add(t->plain, key, len, column, n);
        if (t->imports)
                return imported_files_restore_row(t->imports, key, len, column, n);
        return stats_restore_row(t->stats, t->table, key, len, column, n);
}

static int take_table(struct reader *c, const struct table_sink *t, unsigned n_counts, enum key_shape shape) {
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
                        r = sink_add(t, key, len, k, counts[k]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int take_tables(struct reader *c, struct stats *s, const struct table_layout *layout, size_t n) {
        int r = 0;

        for (size_t i = 0; i < n && r >= 0; i++)
                r = take_table(c, &(struct table_sink){ .stats = s, .table = layout[i].table }, layout[i].n_counts,
                               layout[i].shape);
        return r;
}

/* Every event is in exactly one user row (or the other users) and every
 * ERROR in one message row (or the other messages): a snapshot whose rows
 * do not add up was not written by us. */
static bool totals_agree(const struct stats *s) {
        const struct stats_totals *totals = stats_totals(s);
        uint64_t sums[3] = { totals->other_users[STATS_INFO], totals->other_users[STATS_ERROR], totals->other_errors };
        const struct counter_row *r;
        size_t it = 0;

        while ((r = counter_table_next(stats_table(s, STATS_USERS), &it))) {
                sums[0] += r->count[STATS_INFO];
                sums[1] += r->count[STATS_ERROR];
        }
        it = 0;
        while ((r = counter_table_next(stats_table(s, STATS_ERRORS), &it)))
                sums[2] += r->count[0];
        return sums[0] == totals->info && sums[1] == totals->error && sums[2] == totals->error;
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

/* The snapshot's bytes, mapped or, where the file system cannot map a file,
 * read into the heap. */
struct snapshot_bytes {
        unsigned char *data;
        size_t len;
        bool mapped;
};

static int read_whole(int fd, struct snapshot_bytes *ret) {
        size_t done = 0;

        ret->data = malloc(ret->len);
        if (!ret->data)
                return -ENOMEM;
        while (done < ret->len) {
                ssize_t n = read(fd, ret->data + done, ret->len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int r = n < 0 ? -errno : -EBADMSG; /* shorter than it was */
                        free(TAKE_PTR(ret->data));
                        return r;
                }
                done += (size_t) n;
        }
        return 0;
}

/* The snapshot is mapped, not read: its pages are the file's, not the
 * heap's, and are dropped as soon as the counts are loaded. We hold the
 * state lock and replace the file only by rename, so it cannot shrink
 * under the mapping. */
static int snapshot_bytes_load(const char *path, struct snapshot_bytes *ret) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        struct stat st;
        void *p;

        *ret = (struct snapshot_bytes){ .data = NULL };
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADMSG;
        if ((uint64_t) st.st_size > SIZE_MAX)
                return -EFBIG;
        ret->len = (size_t) st.st_size;
        if (ret->len == 0)
                return 0;
        p = mmap(NULL, ret->len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
                return read_whole(fd, ret);
        ret->data = p;
        ret->mapped = true;
        return 0;
}

static void snapshot_bytes_release(struct snapshot_bytes *b) {
        if (b->mapped)
                (void) munmap(b->data, b->len);
        else
                free(b->data);
}

static int parse_snapshot(const unsigned char *data, size_t len, const struct state_tables *t, char **ret_cursor,
                          char **ret_source, const char **ret_reason) {
        struct stats *s = t->stats;
        _cleanup_free_ char *cursor = NULL, *source = NULL;
        struct stats_totals totals = { .info = 0 };
        struct reader c;
        const char *str;
        size_t str_len;
        bool oom = false;
        int r;

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
        totals.info = take_uint(&c, 8);
        totals.error = take_uint(&c, 8);
        totals.unparsed = take_uint(&c, 8);
        r = take_tables(&c, s, tables_v1, ELEMENTSOF(tables_v1));
        if (r >= 0 && version >= 2) {
                /* What version 2 added: overflow counts, windows, hosts. */
                totals.other_users[STATS_INFO] = take_uint(&c, 8);
                totals.other_users[STATS_ERROR] = take_uint(&c, 8);
                totals.other_errors = take_uint(&c, 8);
                r = take_tables(&c, s, tables_v2, ELEMENTSOF(tables_v2));
        }
        if (r >= 0 && version >= 3)
                r = take_table(&c, &(struct table_sink){ .imports = t->imports }, IMPORTS_N_COUNTS, KEY_TEXT);
        if (r >= 0 && version >= 4)
                r = take_table(&c, &(struct table_sink){ .plain = t->journal_positions }, POSITIONS_N_COUNTS,
                               KEY_FILE_ID);
        if (r < 0)
                return r;
        stats_restore_totals(s, &totals);
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

int state_load(const char *dir, const struct state_tables *t, char **ret_cursor, char **ret_source,
               const char **ret_reason) {
        _cleanup_free_ char *path = NULL;
        struct snapshot_bytes bytes;
        int r;

        *ret_reason = NULL;
        if (asprintf(&path, "%s/%s", dir, STATE_FILE_NAME) < 0) {
                path = NULL;
                return -ENOMEM;
        }
        r = snapshot_bytes_load(path, &bytes);
        if (r == -EBADMSG)
                *ret_reason = "not a regular file";
        if (r < 0)
                return r;
        r = parse_snapshot(bytes.data, bytes.len, t, ret_cursor, ret_source, ret_reason);
        snapshot_bytes_release(&bytes);
        return r;
}
