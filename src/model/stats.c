/* SPDX-License-Identifier: MIT */
/* UTF-8 repair plus counting: the only place that decides what a parsed
 * event adds to the reports. */
#include "stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "utf8.h"

#define USEC_PER_SEC  1000000LL
#define USEC_PER_HOUR (3600LL * USEC_PER_SEC)
#define HOURS_KEPT    24 /* the "last 24 hours" window */

struct stats {
        struct counter_table *tables[_STATS_TABLE_MAX];
        struct stats_totals totals;

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

struct stats *stats_new(void) {
        struct stats *s = calloc(1, sizeof(*s));

        if (!s)
                return NULL;
        for (size_t t = 0; t < _STATS_TABLE_MAX; t++)
                if (!(s->tables[t] = counter_table_new()))
                        return stats_free(s);
        s->first_day = INT32_MIN;
        s->first_hour = INT32_MIN;
        s->last_day = INT32_MAX;
        s->last_hour = INT32_MAX;
        return s;
}

struct stats *stats_free(struct stats *s) {
        if (!s)
                return NULL;
        for (size_t t = 0; t < _STATS_TABLE_MAX; t++)
                counter_table_free(s->tables[t]);
        free(s->scratch);
        free(s->compound_key);
        free(s->host_prefix);
        free(s);
        return NULL;
}

void stats_set_limits(struct stats *s, const struct stats_limits *limits) {
        s->limits = *limits;
}

const struct stats_limits *stats_limits(const struct stats *s) {
        return &s->limits;
}

struct stats *stats_new_like(const struct stats *model) {
        struct stats *s = stats_new();

        if (!s)
                return NULL;
        s->limits = model->limits;
        s->first_day = model->first_day;
        s->first_hour = model->first_hour;
        s->last_day = model->last_day;
        s->last_hour = model->last_hour;
        return s;
}

int stats_restore_row(struct stats *s, enum stats_table t, const char *key, size_t len, unsigned column, uint64_t n) {
        return counter_table_add(s->tables[t], key, len, column, n);
}

void stats_restore_totals(struct stats *s, const struct stats_totals *totals) {
        s->totals.info += totals->info;
        s->totals.error += totals->error;
        s->totals.unparsed += totals->unparsed;
        s->totals.other_users[STATS_INFO] += totals->other_users[STATS_INFO];
        s->totals.other_users[STATS_ERROR] += totals->other_users[STATS_ERROR];
        s->totals.other_errors += totals->other_errors;
}

int stats_merge(struct stats *dst, const struct stats *src) {
        const struct counter_row *row;

        for (enum stats_table t = 0; t < _STATS_TABLE_MAX; t++)
                for (size_t i = 0; (row = counter_table_next(src->tables[t], &i));)
                        for (unsigned c = 0; c < 2; c++) {
                                int r = stats_restore_row(dst, t, row->key, row->key_len, c, row->count[c]);
                                if (r < 0)
                                        return r;
                        }
        stats_restore_totals(dst, &src->totals);
        return 0;
}

const struct stats_totals *stats_totals(const struct stats *s) {
        return &s->totals;
}

const struct counter_table *stats_table(const struct stats *s, enum stats_table t) {
        return s->tables[t];
}

bool stats_caps_reached(const struct stats *s) {
        return s->totals.other_errors > 0 || s->totals.other_users[STATS_INFO] > 0 ||
               s->totals.other_users[STATS_ERROR] > 0;
}

static int reserve(char **buf, size_t *size, size_t need) {
        if (*size >= need)
                return 0;
        char *p = realloc(*buf, need);
        if (!p)
                return -ENOMEM;
        *buf = p;
        *size = need;
        return 0;
}

/* The key that text stands for: repaired to valid UTF-8 and, if the raw text
 * is over the limit, cut on a character boundary with "…" appended. Returns
 * text itself when nothing changes (the common case, no copy), else the
 * scratch buffer; NULL on OOM. */
static const char *key_of(struct stats *s, const char *text, size_t len, bool truncate, size_t *ret_len) {
        size_t max = s->limits.max_message_bytes, n;
        bool valid = utf8_is_valid(text, len), cut = truncate && max > 0 && len > max;

        if (valid && !cut) {
                *ret_len = len;
                return text;
        }
        if (reserve(&s->scratch, &s->scratch_size, UTF8_REPAIR_MAX(len) + 3) < 0)
                return NULL;
        if (valid) {
                memcpy(s->scratch, text, len);
                n = len;
        } else
                n = utf8_repair(text, len, s->scratch);
        if (cut && n > max) {
                n = max;
                while (n > 0 && ((unsigned char) s->scratch[n] & 0xC0) == 0x80)
                        n--; /* back to the start of the character that straddles the limit */
                memcpy(s->scratch + n, "\xE2\x80\xA6", 3);
                n += 3;
        }
        *ret_len = n;
        return s->scratch;
}

/* The local day of an event; the bounds of the current one are cached, as
 * localtime_r() per event would cost more than the rest of the counting. */
static int32_t event_day(struct stats *s, uint64_t usec) {
        int64_t u = (int64_t) usec;

        if (u >= s->day_start_usec && u < s->day_end_usec)
                return s->day;

        time_t t = (time_t) (u / USEC_PER_SEC);
        struct tm tm;
        if (!localtime_r(&t, &tm))
                return 0;
        s->day = local_day(t);
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        tm.tm_isdst = -1;
        time_t start = mktime(&tm);
        tm.tm_mday++;
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        tm.tm_isdst = -1;
        time_t end = mktime(&tm);
        if (start == (time_t) -1 || end == (time_t) -1 || end <= start) {
                s->day_start_usec = s->day_end_usec = 0; /* no cache, still correct */
                return s->day;
        }
        s->day_start_usec = (int64_t) start * USEC_PER_SEC;
        s->day_end_usec = (int64_t) end * USEC_PER_SEC;
        return s->day;
}

/* Counts prefix + key in t, the prefix being a bucket or a host. */
static int add_prefixed(struct stats *s, struct counter_table *t, const char *prefix, size_t prefix_len,
                        const char *key, size_t len, unsigned column) {
        if (reserve(&s->compound_key, &s->compound_key_size, prefix_len + len) < 0)
                return -ENOMEM;
        memcpy(s->compound_key, prefix, prefix_len);
        memcpy(s->compound_key + prefix_len, key, len);
        return counter_table_add(t, s->compound_key, prefix_len + len, column, 1);
}

static void bucket_bytes(int32_t bucket, char ret[STATS_BUCKET_BYTES]) {
        uint32_t b = (uint32_t) bucket;
        for (size_t i = 0; i < STATS_BUCKET_BYTES; i++)
                ret[i] = (char) (b >> (8 * i));
}

void stats_digest(const char *message, size_t len, char ret[STATS_DIGEST_BYTES]) {
        uint64_t h = counter_table_digest(message, len);
        for (size_t i = 0; i < STATS_DIGEST_BYTES; i++)
                ret[i] = (char) (h >> (8 * i));
}

int32_t stats_key_bucket(const char *key) {
        uint32_t b = 0;
        for (size_t i = 0; i < STATS_BUCKET_BYTES; i++)
                b |= (uint32_t) (unsigned char) key[i] << (8 * i);
        return (int32_t) b;
}

/* Where one event goes besides the all-time tables. */
struct placement {
        int32_t day, hour;       /* INT32_MIN: outside the windows */
        const char *host_prefix; /* NULL: hosts not counted */
        size_t host_prefix_len;
};

/* The tables one kind of key is counted in. */
struct key_tables {
        enum stats_table all, days, hours, per_host;
        bool digest; /* the windows and hosts key it by its digest */
};

static const struct key_tables error_tables = { STATS_ERRORS, STATS_ERROR_DAYS, STATS_ERROR_HOURS, STATS_HOST_ERRORS,
                                                true };
static const struct key_tables user_tables = { STATS_USERS, STATS_USER_DAYS, STATS_USER_HOURS, STATS_HOST_USERS,
                                               false };

/* Counts key in the all-time table (within the cap), in the windows and per
 * host. Returns 0, 1 if refused by the cap, or -ENOMEM. */
static int count_key(struct stats *s, const struct key_tables *kt, size_t cap, const char *key, size_t len,
                     unsigned column, const struct placement *p) {
        char bucket[STATS_BUCKET_BYTES], sum[STATS_DIGEST_BYTES];
        int r = counter_table_add_capped(s->tables[kt->all], key, len, column, 1, cap);

        if (r != 0)
                return r;
        if (kt->digest) {
                stats_digest(key, len, sum);
                key = sum;
                len = sizeof(sum);
        }
        if (p->day != INT32_MIN) {
                bucket_bytes(p->day, bucket);
                r = add_prefixed(s, s->tables[kt->days], bucket, sizeof(bucket), key, len, column);
                if (r < 0)
                        return r;
        }
        if (p->hour != INT32_MIN) {
                bucket_bytes(p->hour, bucket);
                r = add_prefixed(s, s->tables[kt->hours], bucket, sizeof(bucket), key, len, column);
                if (r < 0)
                        return r;
        }
        if (p->host_prefix)
                return add_prefixed(s, s->tables[kt->per_host], p->host_prefix, p->host_prefix_len, key, len, column);
        return 0;
}

/* The windows an event at realtime_usec falls in. */
static void place_in_time(struct stats *s, uint64_t realtime_usec, struct placement *p) {
        /* journald stores no time past 2^55 µs; a forged file might, and the
         * local-day arithmetic would overflow on it. */
        if (realtime_usec == 0 || realtime_usec >= (UINT64_C(1) << 55) || s->limits.days == 0)
                return;
        p->day = event_day(s, realtime_usec);
        if (p->day < s->first_day || p->day > s->last_day)
                p->day = INT32_MIN;
        int64_t h = (int64_t) (realtime_usec / (uint64_t) USEC_PER_HOUR);
        p->hour = h >= s->first_hour && h <= s->last_hour ? (int32_t) h : INT32_MIN;
}

/* Counts the host's own row and makes the prefix of its keys in the host
 * tables. Returns 0 or -ENOMEM. */
static int place_on_host(struct stats *s, const char *host, size_t host_len, unsigned column, struct placement *p) {
        const char *key;
        size_t key_len;
        int r;

        /* Repaired like every key; an over-long name is cut, it cannot be a
         * real host name anyway. */
        key = key_of(s, host, host_len > 255 ? 255 : host_len, false, &key_len);
        if (!key)
                return -ENOMEM;
        r = counter_table_add(s->tables[STATS_HOSTS], key, key_len, column, 1);
        if (r < 0)
                return r;
        /* Its own buffer: the scratch one is reused for the keys. */
        if (reserve(&s->host_prefix, &s->host_prefix_size, STATS_HOST_LEN_BYTES + key_len) < 0)
                return -ENOMEM;
        s->host_prefix[0] = (char) (key_len & 0xff);
        s->host_prefix[1] = (char) (key_len >> 8);
        memcpy(s->host_prefix + STATS_HOST_LEN_BYTES, key, key_len);
        p->host_prefix = s->host_prefix;
        p->host_prefix_len = STATS_HOST_LEN_BYTES + key_len;
        return 0;
}

int stats_add_event(struct stats *s, const struct event *ev, const char *host, size_t host_len,
                    uint64_t realtime_usec) {
        struct placement p = { .day = INT32_MIN, .hour = INT32_MIN };
        unsigned column = ev->level == EVENT_INFO ? STATS_INFO : STATS_ERROR;
        const char *key;
        size_t key_len;
        int r;

        place_in_time(s, realtime_usec, &p);
        if (host) {
                r = place_on_host(s, host, host_len, column, &p);
                if (r < 0)
                        return r;
        }

        if (ev->level == EVENT_ERROR) {
                key = key_of(s, ev->text, ev->text_len, true, &key_len);
                r = key ? count_key(s, &error_tables, s->limits.max_errors, key, key_len, 0, &p) : -ENOMEM;
                if (r < 0)
                        return r;
                if (r > 0)
                        s->totals.other_errors++;
        }

        key = key_of(s, ev->user, ev->user_len, false, &key_len);
        r = key ? count_key(s, &user_tables, s->limits.max_users, key, key_len, column, &p) : -ENOMEM;
        if (r < 0)
                return r;
        if (r > 0)
                s->totals.other_users[column]++;

        if (p.day != INT32_MIN) {
                char day_key[STATS_BUCKET_BYTES];
                bucket_bytes(p.day, day_key);
                r = counter_table_add(s->tables[STATS_DAY_TOTALS], day_key, sizeof(day_key), column, 1);
                if (r < 0)
                        return r;
        }

        if (ev->level == EVENT_INFO)
                s->totals.info++;
        else
                s->totals.error++;
        return 0;
}

void stats_add_unparsed(struct stats *s) {
        s->totals.unparsed++;
}

void stats_key_host(const char *key, size_t key_len, const char **ret_host, size_t *ret_host_len, const char **ret_rest,
                    size_t *ret_rest_len) {
        size_t n;

        /* The state loader checks the shape; this only never reads outside. */
        if (key_len < STATS_HOST_LEN_BYTES) {
                *ret_host = *ret_rest = key;
                *ret_host_len = *ret_rest_len = 0;
                return;
        }
        n = (size_t) (unsigned char) key[0] | (size_t) (unsigned char) key[1] << 8;
        if (n > key_len - STATS_HOST_LEN_BYTES)
                n = key_len - STATS_HOST_LEN_BYTES;
        *ret_host = key + STATS_HOST_LEN_BYTES;
        *ret_host_len = n;
        *ret_rest = key + STATS_HOST_LEN_BYTES + n;
        *ret_rest_len = key_len - STATS_HOST_LEN_BYTES - n;
}

static bool bucket_before(const struct counter_row *row, void *userdata) {
        return stats_key_bucket(row->key) < *(const int32_t *) userdata;
}

int stats_prune(struct stats *s, time_t now) {
        int32_t first_day = s->limits.days > 0 ? local_day(now) - (int32_t) s->limits.days + 1 : INT32_MAX;
        int32_t first_hour = (int32_t) (now / 3600) - HOURS_KEPT + 1;
        int r;

        s->first_day = first_day;
        s->first_hour = s->limits.days > 0 ? first_hour : INT32_MAX;
        /* A host whose clock runs ahead would fill rows that no window
         * shows and no pruning removes: such events count all-time only. */
        s->last_day = local_day(now) + 2;
        s->last_hour = (int32_t) (now / 3600) + 48;
        r = counter_table_remove_if(s->tables[STATS_DAY_TOTALS], bucket_before, &first_day);
        if (r >= 0)
                r = counter_table_remove_if(s->tables[STATS_ERROR_DAYS], bucket_before, &first_day);
        if (r >= 0)
                r = counter_table_remove_if(s->tables[STATS_USER_DAYS], bucket_before, &first_day);
        if (r >= 0)
                r = counter_table_remove_if(s->tables[STATS_ERROR_HOURS], bucket_before, &s->first_hour);
        if (r >= 0)
                r = counter_table_remove_if(s->tables[STATS_USER_HOURS], bucket_before, &s->first_hour);
        return r;
}
