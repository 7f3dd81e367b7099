/* SPDX-License-Identifier: MIT */
/* Event parsing plus UTF-8 repair plus counting: the only place that decides
 * what a message adds to the reports. */
#include "stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
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
        if (!s->errors || !s->users || !s->day_totals || !s->error_days || !s->user_days || !s->error_hours ||
            !s->user_hours)
                return stats_free(s);
        s->first_day = INT32_MIN;
        s->first_hour = INT32_MIN;
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
        free(s->scratch);
        free(s->bucket_key);
        free(s);
        return NULL;
}

void stats_set_limits(struct stats *s, const struct stats_limits *limits) {
        s->limits = *limits;
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

static int add_bucketed(struct stats *s, struct counter_table *t, int32_t bucket, const char *key, size_t len,
                        unsigned column) {
        uint32_t b = (uint32_t) bucket;

        if (reserve(&s->bucket_key, &s->bucket_key_size, STATS_BUCKET_BYTES + len) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < STATS_BUCKET_BYTES; i++)
                s->bucket_key[i] = (char) (b >> (8 * i));
        memcpy(s->bucket_key + STATS_BUCKET_BYTES, key, len);
        return counter_table_add(t, s->bucket_key, STATS_BUCKET_BYTES + len, column, 1);
}

int32_t stats_key_bucket(const char *key) {
        uint32_t b = 0;
        for (size_t i = 0; i < STATS_BUCKET_BYTES; i++)
                b |= (uint32_t) (unsigned char) key[i] << (8 * i);
        return (int32_t) b;
}

/* Counts key in the all-time table (within the cap) and in the windows. */
static int count_key(struct stats *s, struct counter_table *all, struct counter_table *days,
                     struct counter_table *hours, size_t cap, const char *key, size_t len, unsigned column, int32_t day,
                     int32_t hour) {
        int r = counter_table_add_capped(all, key, len, column, 1, cap);
        if (r != 0)
                return r; /* 1: refused by the cap */
        if (day != INT32_MIN) {
                r = add_bucketed(s, days, day, key, len, column);
                if (r < 0)
                        return r;
        }
        if (hour != INT32_MIN) {
                r = add_bucketed(s, hours, hour, key, len, column);
                if (r < 0)
                        return r;
        }
        return 0;
}

int stats_add_message(struct stats *s, const char *msg, size_t len, uint64_t realtime_usec) {
        int32_t day = INT32_MIN, hour = INT32_MIN;
        unsigned column;
        struct event ev;
        const char *key;
        size_t key_len;
        int r;

        if (event_parse(msg, len, &ev) < 0) {
                s->unparsed++;
                return 0;
        }
        column = ev.level == EVENT_INFO ? STATS_INFO : STATS_ERROR;

        if (realtime_usec > 0 && s->limits.days > 0) {
                day = event_day(s, realtime_usec);
                if (day < s->first_day)
                        day = INT32_MIN;
                int64_t h = (int64_t) (realtime_usec / (uint64_t) USEC_PER_HOUR);
                hour = h >= s->first_hour && h <= INT32_MAX ? (int32_t) h : INT32_MIN;
        }

        if (ev.level == EVENT_ERROR) {
                key = key_of(s, ev.text, ev.text_len, true, &key_len);
                if (!key)
                        return -ENOMEM;
                r = count_key(s, s->errors, s->error_days, s->error_hours, s->limits.max_errors, key, key_len, 0, day,
                              hour);
                if (r < 0)
                        return r;
                if (r > 0)
                        s->other_errors++;
        }

        key = key_of(s, ev.user, ev.user_len, false, &key_len);
        if (!key)
                return -ENOMEM;
        r = count_key(s, s->users, s->user_days, s->user_hours, s->limits.max_users, key, key_len, column, day, hour);
        if (r < 0)
                return r;
        if (r > 0)
                s->other_users[column]++;

        if (day != INT32_MIN) {
                uint32_t b = (uint32_t) day;
                char day_key[STATS_BUCKET_BYTES];
                for (size_t i = 0; i < STATS_BUCKET_BYTES; i++)
                        day_key[i] = (char) (b >> (8 * i));
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

static bool bucket_before(const struct counter_row *row, void *userdata) {
        return stats_key_bucket(row->key) < *(const int32_t *) userdata;
}

int stats_prune(struct stats *s, time_t now) {
        int32_t first_day = s->limits.days > 0 ? stats_local_day(now) - (int32_t) s->limits.days + 1 : INT32_MAX;
        int32_t first_hour = (int32_t) (now / 3600) - HOURS_KEPT + 1;
        int r;

        s->first_day = first_day;
        s->first_hour = s->limits.days > 0 ? first_hour : INT32_MAX;
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
