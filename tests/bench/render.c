/* SPDX-License-Identifier: MIT */
/* Rendering cost: fills a struct stats with synthetic events, then times what
 * a flush of the daemon does with it (stats_prune() + report_data_init(),
 * then report_files_write() into a directory), several times over.
 *
 *     bench_render --users N --errors M --out DIR [--runs R] [--days D]
 *
 * Every user gets two INFO events and one ERROR event (error i % M), spread
 * over the last 7 days so that the time windows are filled as in the
 * daemon with the default [report] days = 90 (--days 0: no windows).
 * Prints one line per run, "run=I prepare_s=... write_s=... bytes=...". */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "count.h"
#include "report_data.h"
#include "report_files.h"
#include "stats.h"

static double now_sec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int parse_size(const char *s, size_t *ret) {
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || end == s || *end || v > SIZE_MAX)
                return -EINVAL;
        *ret = (size_t) v;
        return 0;
}

static uint64_t output_bytes(const char *dir) {
        static const char *const names[] = { "index.html",        "error_message.html",  "user_statistics.html",
                                             "error_message.csv", "user_statistics.csv", "report.json" };
        uint64_t total = 0;
        char path[4096];
        struct stat st;

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                if (stat(path, &st) == 0)
                        total += (uint64_t) st.st_size;
        }
        return total;
}

static int fill(struct stats *s, size_t n_users, size_t n_errors, time_t now) {
        static const char *const info[] = { "Created", "Closed", "Commented on" };
        uint64_t now_usec = (uint64_t) now * 1000000u, span_usec = 7u * 86400u * 1000000u;
        char msg[256];

        for (size_t u = 0; u < n_users; u++) {
                /* Usernames as ticky's: letters, digits and a dot, in no sorted order. */
                char user[64];
                size_t mixed = (u * 2654435761u) % (n_users * 4 + 1);

                snprintf(user, sizeof(user), "%s%zu.%c%zu", (u & 1) ? "user" : "agent", mixed, 'a' + (int) (u % 26), u);
                for (size_t k = 0; k < 3; k++) {
                        uint64_t t = now_usec - 1 - (uint64_t) ((u * 3 + k) * 7919u) % span_usec;
                        int len;

                        if (k < 2) {
                                len = snprintf(msg, sizeof(msg), "INFO %s ticket [#%zu] (%s)", info[(u + k) % 3],
                                               u * 3 + k, user);
                        } else {
                                len = snprintf(msg, sizeof(msg), "ERROR Error number %zu while handling a ticket (%s)",
                                               u % n_errors, user);
                        }
                        if (count_entry(s, &(struct entry){ .message = msg,
                                                            .message_len = (size_t) len,
                                                            .realtime_usec = t }) < 0)
                                return -ENOMEM;
                }
        }
        /* Every error message at least once, however few the users. */
        for (size_t e = n_users; e < n_errors; e++) {
                int len = snprintf(msg, sizeof(msg), "ERROR Error number %zu while handling a ticket (someone)", e);

                if (count_entry(s, &(struct entry){ .message = msg,
                                                    .message_len = (size_t) len,
                                                    .realtime_usec = now_usec - 1 }) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int main(int argc, char **argv) {
        size_t n_users = 10000, n_errors = 1000, runs = 5, days = CONFIG_DEFAULT_DAYS;
        const char *out = NULL;
        struct stats *s;
        time_t now;
        double t0;
        int r;

        for (int i = 1; i < argc; i++) {
                const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
                size_t *target = NULL;

                if (strcmp(opt, "--users") == 0)
                        target = &n_users;
                else if (strcmp(opt, "--errors") == 0)
                        target = &n_errors;
                else if (strcmp(opt, "--runs") == 0)
                        target = &runs;
                else if (strcmp(opt, "--days") == 0)
                        target = &days;
                else if (strcmp(opt, "--out") == 0 && val) {
                        out = val;
                        i++;
                        continue;
                }
                if (!target || !val || parse_size(val, target) < 0) {
                        fprintf(stderr,
                                "usage: %s --users N --errors M --out DIR [--runs R] [--days D]\n"
                                "bad or missing value: %s\n",
                                argv[0], opt);
                        return 2;
                }
                i++;
        }
        if (!out || n_errors == 0 || runs == 0 || days > 3660) {
                fprintf(stderr, "usage: %s --users N --errors M --out DIR [--runs R] [--days D]\n", argv[0]);
                return 2;
        }

        tzset();
        now = time(NULL);
        s = stats_new();
        if (!s) {
                fprintf(stderr, "out of memory\n");
                return 1;
        }
        stats_set_limits(s, &(struct stats_limits){
                                    .max_users = CONFIG_DEFAULT_MAX_USERS,
                                    .max_errors = CONFIG_DEFAULT_MAX_ERRORS,
                                    .max_message_bytes = CONFIG_DEFAULT_MAX_MESSAGE_BYTES,
                                    .days = (unsigned) days,
                            });
        r = stats_prune(s, now);
        t0 = now_sec();
        if (r >= 0)
                r = fill(s, n_users, n_errors, now);
        if (r < 0) {
                fprintf(stderr, "filling the statistics: %s\n", strerror(-r));
                stats_free(s);
                return 1;
        }
        printf("fill_s=%.6f users=%zu errors=%zu events=%" PRIu64 "\n", now_sec() - t0,
               counter_table_size(stats_table(s, STATS_USERS)), counter_table_size(stats_table(s, STATS_ERRORS)),
               stats_totals(s)->info + stats_totals(s)->error);
        fflush(stdout);

        for (size_t i = 1; i <= runs; i++) {
                struct report_data d;
                double t1, t2, t3;

                t1 = now_sec();
                r = stats_prune(s, now);
                if (r >= 0)
                        r = report_data_init(&d, s, "ticky", "benchmark", now);
                t2 = now_sec();
                if (r >= 0) {
                        r = report_files_write(out, &d);
                        report_data_done(&d);
                }
                t3 = now_sec();
                if (r < 0) {
                        fprintf(stderr, "rendering into %s: %s\n", out, strerror(-r));
                        stats_free(s);
                        return 1;
                }
                printf("run=%zu prepare_s=%.6f write_s=%.6f bytes=%" PRIu64 "\n", i, t2 - t1, t3 - t2,
                       output_bytes(out));
                fflush(stdout);
        }
        stats_free(s);
        return 0;
}
