/* SPDX-License-Identifier: MIT */
/* Event parsing plus UTF-8 repair plus counting: the only place that decides
 * what a message adds to the reports. */
#include "stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "macro.h"
#include "utf8.h"

#define USEC_PER_SEC  1000000LL
#define USEC_PER_HOUR (3600LL * USEC_PER_SEC)
#define HOURS_KEPT    24 /* the "last 24 hours" window */

struct stats *stats_new(void) {
        struct stats *s = calloc(1, sizeof(*s));

        if (!s)
                return NULL;
        s->errors = counter_table_new();
        s->users = counter_table_new();
        s->day_totals = counter_table_new();
        s->error_days = counter_table_new();
        s->user_days = counter_table_new();
        s->error_hours = counter_table_new();
        s->user_hours = counter_table_new();
        s->hosts = counter_table_new();
        s->host_errors = counter_table_new();
        s->host_users = counter_table_new();
        s->imports = counter_table_new();
        if (!s->errors || !s->users || !s->day_totals || !s->error_days || !s->user_days || !s->error_hours ||
            !s->user_hours || !s->hosts || !s->host_errors || !s->host_users || !s->imports)
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
        counter_table_free(s->errors);
        counter_table_free(s->users);
        counter_table_free(s->day_totals);
        counter_table_free(s->error_days);
        counter_table_free(s->user_days);
        counter_table_free(s->error_hours);
        counter_table_free(s->user_hours);
        counter_table_free(s->hosts);
        counter_table_free(s->host_errors);
        counter_table_free(s->host_users);
        counter_table_free(s->imports);
        free(s->scratch);
        free(s->compound_key);
        free(s->host_prefix);
        free(s);
        return NULL;
}

void stats_set_limits(struct stats *s, const struct stats_limits *limits) {
        s->limits = *limits;
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

static int merge_table(struct counter_table *dst, const struct counter_table *src) {
        const struct counter_row *row;

        for (size_t i = 0; (row = counter_table_next(src, &i));)
                for (unsigned c = 0; c < 2; c++) {
                        int r = counter_table_add(dst, row->key, row->key_len, c, row->count[c]);
                        if (r < 0)
                                return r;
                }
        return 0;
}

int stats_merge(struct stats *dst, const struct stats *src) {
        const struct counter_table *const from[] = { src->errors,     src->users,     src->day_totals,
                                                     src->error_days, src->user_days, src->error_hours,
                                                     src->user_hours, src->hosts,     src->host_errors,
                                                     src->host_users, src->imports };
        struct counter_table *const to[] = { dst->errors,      dst->users,       dst->day_totals, dst->error_days,
                                             dst->user_days,   dst->error_hours, dst->user_hours, dst->hosts,
                                             dst->host_errors, dst->host_users,  dst->imports };

        for (size_t t = 0; t < ELEMENTSOF(to); t++) {
                int r = merge_table(to[t], from[t]);
                if (r < 0)
                        return r;
        }
        dst->info += src->info;
        dst->error += src->error;
        dst->unparsed += src->unparsed;
        dst->other_users[STATS_INFO] += src->other_users[STATS_INFO];
        dst->other_users[STATS_ERROR] += src->other_users[STATS_ERROR];
        dst->other_errors += src->other_errors;
        return 0;
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

static int64_t floor_div(int64_t a, int64_t b) {
        return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int32_t stats_local_day(time_t t) {
        struct tm tm;
        if (!localtime_r(&t, &tm))
                return 0;
        /* Days from civil (H. Hinnant), for the local calendar date. */
        int64_t y = (int64_t) tm.tm_year + 1900 - (tm.tm_mon < 2);
        int64_t era = floor_div(y, 400), yoe = y - era * 400;
        int64_t mp = (tm.tm_mon + 10) % 12, doy = (153 * mp + 2) / 5 + tm.tm_mday - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return (int32_t) (era * 146097 + doe - 719468);
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
        s->day = stats_local_day(t);
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

/* Counts key in the all-time table (within the cap), in the windows and per
 * host. Returns 0, 1 if refused by the cap, or -ENOMEM. */
static int count_key(struct stats *s, struct counter_table *all, struct counter_table *days,
                     struct counter_table *hours, struct counter_table *per_host, size_t cap, const char *key,
                     size_t len, unsigned column, const struct placement *p, bool digest) {
        char bucket[STATS_BUCKET_BYTES], sum[STATS_DIGEST_BYTES];
        int r = counter_table_add_capped(all, key, len, column, 1, cap);

        if (r != 0)
                return r;
        if (digest) {
                stats_digest(key, len, sum);
                key = sum;
                len = sizeof(sum);
        }
        if (p->day != INT32_MIN) {
                bucket_bytes(p->day, bucket);
                r = add_prefixed(s, days, bucket, sizeof(bucket), key, len, column);
                if (r < 0)
                        return r;
        }
        if (p->hour != INT32_MIN) {
                bucket_bytes(p->hour, bucket);
                r = add_prefixed(s, hours, bucket, sizeof(bucket), key, len, column);
                if (r < 0)
                        return r;
        }
        if (p->host_prefix)
                return add_prefixed(s, per_host, p->host_prefix, p->host_prefix_len, key, len, column);
        return 0;
}

int stats_add(struct stats *s, const struct stats_entry *e) {
        struct placement p = { .day = INT32_MIN, .hour = INT32_MIN };
        unsigned column;
        struct event ev;
        const char *key;
        size_t key_len;
        int r;

        if (event_parse(e->message, e->message_len, &ev) < 0) {
                s->unparsed++;
                return 0;
        }
        column = ev.level == EVENT_INFO ? STATS_INFO : STATS_ERROR;

        /* journald stores no time past 2^55 µs; a forged file might, and the
         * local-day arithmetic would overflow on it. */
        if (e->realtime_usec > 0 && e->realtime_usec < (UINT64_C(1) << 55) && s->limits.days > 0) {
                p.day = event_day(s, e->realtime_usec);
                if (p.day < s->first_day || p.day > s->last_day)
                        p.day = INT32_MIN;
                int64_t h = (int64_t) (e->realtime_usec / (uint64_t) USEC_PER_HOUR);
                p.hour = h >= s->first_hour && h <= s->last_hour ? (int32_t) h : INT32_MIN;
        }

        if (e->host) {
                /* Repaired like every key; an over-long name is cut, it
                 * cannot be a real host name anyway. */
                key = key_of(s, e->host, e->host_len > 255 ? 255 : e->host_len, false, &key_len);
                if (!key)
                        return -ENOMEM;
                r = counter_table_add(s->hosts, key, key_len, column, 1);
                if (r < 0)
                        return r;
                /* Its own buffer: the scratch one is reused for the keys. */
                if (reserve(&s->host_prefix, &s->host_prefix_size, STATS_HOST_LEN_BYTES + key_len) < 0)
                        return -ENOMEM;
                s->host_prefix[0] = (char) (key_len & 0xff);
                s->host_prefix[1] = (char) (key_len >> 8);
                memcpy(s->host_prefix + STATS_HOST_LEN_BYTES, key, key_len);
                p.host_prefix = s->host_prefix;
                p.host_prefix_len = STATS_HOST_LEN_BYTES + key_len;
        }

        if (ev.level == EVENT_ERROR) {
                key = key_of(s, ev.text, ev.text_len, true, &key_len);
                r = key ? count_key(s, s->errors, s->error_days, s->error_hours, s->host_errors, s->limits.max_errors,
                                    key, key_len, 0, &p, true)
                        : -ENOMEM;
                if (r < 0)
                        return r;
                if (r > 0)
                        s->other_errors++;
        }

        key = key_of(s, ev.user, ev.user_len, false, &key_len);
        r = key ? count_key(s, s->users, s->user_days, s->user_hours, s->host_users, s->limits.max_users, key, key_len,
                            column, &p, false)
                : -ENOMEM;
        if (r < 0)
                return r;
        if (r > 0)
                s->other_users[column]++;

        if (p.day != INT32_MIN) {
                char day_key[STATS_BUCKET_BYTES];
                bucket_bytes(p.day, day_key);
                r = counter_table_add(s->day_totals, day_key, sizeof(day_key), column, 1);
                if (r < 0)
                        return r;
        }

        if (ev.level == EVENT_INFO)
                s->info++;
        else
                s->error++;
        return 0;
}

int stats_add_message(struct stats *s, const char *msg, size_t len, uint64_t realtime_usec) {
        return stats_add(s,
                         &(struct stats_entry){ .message = msg, .message_len = len, .realtime_usec = realtime_usec });
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
        int32_t first_day = s->limits.days > 0 ? stats_local_day(now) - (int32_t) s->limits.days + 1 : INT32_MAX;
        int32_t first_hour = (int32_t) (now / 3600) - HOURS_KEPT + 1;
        int r;

        s->first_day = first_day;
        s->first_hour = s->limits.days > 0 ? first_hour : INT32_MAX;
        /* A host whose clock runs ahead would fill rows that no window
         * shows and no pruning removes: such events count all-time only. */
        s->last_day = stats_local_day(now) + 2;
        s->last_hour = (int32_t) (now / 3600) + 48;
        r = counter_table_remove_if(s->day_totals, bucket_before, &first_day);
        if (r >= 0)
                r = counter_table_remove_if(s->error_days, bucket_before, &first_day);
        if (r >= 0)
                r = counter_table_remove_if(s->user_days, bucket_before, &first_day);
        if (r >= 0)
                r = counter_table_remove_if(s->error_hours, bucket_before, &s->first_hour);
        if (r >= 0)
                r = counter_table_remove_if(s->user_hours, bucket_before, &s->first_hour);
        return r;
}
