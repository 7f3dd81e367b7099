/* SPDX-License-Identifier: MIT */
/* Sorting once, and the windows and hosts summed per row, for every writer. */
#include "report_data.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"

/* Row positions by key (or by the digest of the key, as the tables of
 * messages per day, hour and host have it), to add counts to their row:
 * count[0] is the position, count[1] how many rows have that key. Two
 * messages with one digest (crafted: the digest's key is public) are
 * ambiguous, and row_at() finds neither. */
static struct counter_table *index_rows(const struct counter_row **rows, size_t n, bool digest) {
        struct counter_table *t = counter_table_new();
        char sum[STATS_DIGEST_BYTES];

        for (size_t i = 0; t && i < n; i++) {
                const char *key = rows[i]->key;
                size_t len = rows[i]->key_len;
                if (digest) {
                        stats_digest(key, len, sum);
                        key = sum;
                        len = sizeof(sum);
                }
                if (counter_table_add(t, key, len, 0, i) < 0 || counter_table_add(t, key, len, 1, 1) < 0)
                        t = counter_table_free(t);
        }
        return t;
}

/* The position of the row of key, or false if there is none, or more. */
static bool row_at(const struct counter_table *index, const char *key, size_t len, size_t *ret) {
        const struct counter_row *pos = counter_table_get(index, key, len);

        if (!pos || pos->count[1] != 1)
                return false;
        *ret = (size_t) pos->count[0];
        return true;
}

/* Adds the counts of a window table (bucket + key rows) to the row of
 * their key: into daily (n_days per row, from first_day, for the first
 * n_daily rows) and into the window of the row when the bucket is from
 * `since` to `last`. */
static void spread(const struct counter_table *window, const struct counter_table *index, unsigned n_counts,
                   int32_t since, int32_t last, bool hours, struct report_window *windows, uint64_t *daily,
                   size_t n_daily, int32_t first_day, size_t n_days) {
        const struct counter_row *r;
        size_t it = 0;

        while ((r = counter_table_next(window, &it))) {
                int32_t bucket = stats_key_bucket(r->key);
                size_t i;
                if (!row_at(index, r->key + STATS_BUCKET_BYTES, r->key_len - STATS_BUCKET_BYTES, &i))
                        continue; /* a key beyond the cap: no row of its own */
                if (bucket > last)
                        continue; /* ahead of the clock: a host's clock is wrong */
                if (bucket >= since)
                        for (unsigned c = 0; c < n_counts; c++)
                                (hours ? windows[i].last_24h : windows[i].last_7d)[c] += r->count[c];
                if (daily && i < n_daily && bucket >= first_day && (size_t) (bucket - first_day) < n_days)
                        daily[i * n_days + (size_t) (bucket - first_day)] += r->count[0];
        }
}

static bool has_windows(const struct stats *s) {
        return stats_limits(s)->days > 0 && counter_table_size(stats_table(s, STATS_DAY_TOTALS)) > 0;
}

static int init_windows(struct report_data *d, const struct stats *s, time_t now,
                        const struct counter_table *error_index, const struct counter_table *user_index) {
        const struct counter_row *r;
        const struct counter_table *day_totals = stats_table(s, STATS_DAY_TOTALS);
        int32_t today = local_day(now), first = today - (int32_t) stats_limits(s)->days + 1, oldest = today;
        int32_t this_hour = (int32_t) (now / 3600);
        size_t it = 0;

        if (!has_windows(s))
                return 0;
        while ((r = counter_table_next(day_totals, &it)))
                if (stats_key_bucket(r->key) < oldest)
                        oldest = stats_key_bucket(r->key);
        if (oldest > first)
                first = oldest;

        d->n_days = (size_t) (today - first + 1);
        int32_t *days = calloc(d->n_days, sizeof(*days));
        uint64_t(*totals)[2] = calloc(d->n_days, sizeof(*totals));
        /* Daily counts for the most common messages only: a flood of
         * distinct ones must not cost messages x days at every write. */
        d->n_error_daily = d->n_errors < REPORT_MAX_DAILY_ROWS ? d->n_errors : REPORT_MAX_DAILY_ROWS;
        uint64_t *daily = calloc(d->n_error_daily * d->n_days + 1, sizeof(*daily));
        struct report_window *ew = calloc(d->n_errors + 1, sizeof(*ew));
        struct report_window *uw = calloc(d->n_users + 1, sizeof(*uw));
        d->days = days;
        d->day_totals = (const uint64_t(*)[2]) totals;
        d->error_daily = daily;
        d->error_windows = ew;
        d->user_windows = uw;
        if (!days || !totals || !daily || !ew || !uw)
                return -ENOMEM;

        for (size_t i = 0; i < d->n_days; i++)
                days[i] = first + (int32_t) i;
        it = 0;
        while ((r = counter_table_next(day_totals, &it))) {
                int32_t day = stats_key_bucket(r->key);
                if (day >= first && day <= today)
                        for (unsigned c = 0; c < 2; c++)
                                totals[day - first][c] += r->count[c];
        }
        spread(stats_table(s, STATS_ERROR_DAYS), error_index, 1, today - 6, today, false, ew, daily, d->n_error_daily,
               first, d->n_days);
        spread(stats_table(s, STATS_ERROR_HOURS), error_index, 1, this_hour - 23, this_hour, true, ew, NULL, 0, first,
               d->n_days);
        spread(stats_table(s, STATS_USER_DAYS), user_index, 2, today - 6, today, false, uw, NULL, 0, first, d->n_days);
        spread(stats_table(s, STATS_USER_HOURS), user_index, 2, this_hour - 23, this_hour, true, uw, NULL, 0, first,
               d->n_days);
        return 0;
}

struct host_of_row {
        size_t row;
        const char *host;
        size_t host_len;
};

static int compare_host_of_row(const void *x, const void *y) {
        const struct host_of_row *a = x, *b = y;
        size_t n = a->host_len < b->host_len ? a->host_len : b->host_len;
        int c;

        if (a->row != b->row)
                return a->row < b->row ? -1 : 1;
        c = memcmp(a->host, b->host, n);
        return c != 0 ? c : (a->host_len > b->host_len) - (a->host_len < b->host_len);
}

/* For each of n rows, the hosts it occurred on, joined: "a, b". */
static int host_lists(const struct counter_table *per_host, const struct counter_table *index, size_t n, char ***ret) {
        struct host_of_row *pairs = calloc(counter_table_size(per_host) + 1, sizeof(*pairs));
        char **lists = calloc(n + 1, sizeof(*lists));
        const struct counter_row *r;
        size_t n_pairs = 0, it = 0;

        if (!pairs || !lists) {
                free(pairs);
                free(lists);
                return -ENOMEM;
        }
        while ((r = counter_table_next(per_host, &it))) {
                const char *host, *key;
                size_t host_len, key_len;
                stats_key_host(r->key, r->key_len, &host, &host_len, &key, &key_len);
                size_t row;
                if (row_at(index, key, key_len, &row))
                        pairs[n_pairs++] = (struct host_of_row){ row, host, host_len };
        }
        qsort(pairs, n_pairs, sizeof(*pairs), compare_host_of_row);

        int q = 0;
        for (size_t i = 0, end; i < n_pairs && q >= 0; i = end) {
                /* Each list is built once: joining host by host would copy
                 * a user's list once per host, quadratic on a collector. */
                size_t len = 0;
                for (end = i; end < n_pairs && pairs[end].row == pairs[i].row; end++)
                        len += pairs[end].host_len + 2;
                char *list = malloc(len - 1), *p = list; /* no ", " after the last; one '\0' */
                if (!list) {
                        q = -ENOMEM;
                        break;
                }
                for (size_t k = i; k < end; k++) {
                        if (k > i)
                                p = mempcpy(p, ", ", 2);
                        p = mempcpy(p, pairs[k].host, pairs[k].host_len);
                }
                *p = '\0';
                lists[pairs[i].row] = list;
        }
        free(pairs);
        *ret = lists; /* even on failure: report_data_done() frees it */
        return q;
}

static void free_lists(char **lists, size_t n) {
        for (size_t i = 0; lists && i < n; i++)
                free(lists[i]);
        free(lists);
}

static int init_hosts(struct report_data *d, const struct stats *s, const struct counter_table *error_index,
                      const struct counter_table *user_index) {
        const struct counter_table *hosts = stats_table(s, STATS_HOSTS);
        int r;

        if (counter_table_size(hosts) == 0)
                return 0;
        r = counter_table_sorted(hosts, COUNTER_ORDER_KEY, &d->hosts);
        if (r < 0)
                return r;
        d->n_hosts = counter_table_size(hosts);
        r = host_lists(stats_table(s, STATS_HOST_ERRORS), error_index, d->n_errors, &d->error_hosts);
        if (r >= 0)
                r = host_lists(stats_table(s, STATS_HOST_USERS), user_index, d->n_users, &d->user_hosts);
        return r;
}

/* The row indexes serve both the windows and the hosts: built once, and
 * only when either is there. */
static int init_windows_and_hosts(struct report_data *d, const struct stats *s, time_t now) {
        struct counter_table *error_index, *user_index;
        int r;

        if (!has_windows(s) && counter_table_size(stats_table(s, STATS_HOSTS)) == 0)
                return 0;
        error_index = index_rows(d->errors, d->n_errors, true);
        user_index = index_rows(d->users, d->n_users, false);
        r = error_index && user_index ? 0 : -ENOMEM;
        if (r >= 0)
                r = init_windows(d, s, now, error_index, user_index);
        if (r >= 0)
                r = init_hosts(d, s, error_index, user_index);
        counter_table_free(error_index);
        counter_table_free(user_index);
        return r;
}

int report_data_init(struct report_data *ret, const struct stats *s, const char *title, const char *source,
                     time_t updated) {
        const struct stats_totals *totals = stats_totals(s);
        const struct counter_table *errors = stats_table(s, STATS_ERRORS), *users = stats_table(s, STATS_USERS);
        struct report_data d = {
                .title = title,
                .source = source,
                .updated = updated,
                .totals = *totals,
                .n_errors = counter_table_size(errors),
                .n_users = counter_table_size(users),
                .other_errors = { .count = { totals->other_errors, 0 } },
                .other_users = { .count = { totals->other_users[STATS_INFO], totals->other_users[STATS_ERROR] } },
        };
        int r;

        r = counter_table_sorted(errors, COUNTER_ORDER_FIRST_COUNT, &d.errors);
        if (r >= 0)
                r = counter_table_sorted(users, COUNTER_ORDER_KEY, &d.users);
        if (r >= 0)
                r = init_windows_and_hosts(&d, s, updated);
        if (r < 0) {
                report_data_done(&d);
                return r;
        }
        *ret = d;
        return 0;
}

void report_data_done(struct report_data *d) {
        free(d->errors);
        free(d->users);
        free((void *) d->days);
        free((void *) d->day_totals);
        free((void *) d->error_daily);
        free((void *) d->error_windows);
        free((void *) d->user_windows);
        free(d->hosts);
        free_lists(d->error_hosts, d->n_errors);
        free_lists(d->user_hosts, d->n_users);
        *d = (struct report_data){ .title = NULL };
}
