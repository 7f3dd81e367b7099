/* SPDX-License-Identifier: MIT */
/* Written straight to the stream, one row per line so that the golden file
 * reads as a diff; the schema is documented in report_json.h. */
#include "report_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "text_output.h"
#include "utf8.h"

void report_json_write_string(FILE *f, const char *s, size_t n) {
        static const char hex_digits[] = "0123456789abcdef";
        const unsigned char *p = (const unsigned char *) s, *end = p + n, *run = p;
        struct write_buffer e;

        write_buffer_init(&e, f);
        write_buffer_put(&e, "\"", 1);

        while (p < end) {
                unsigned c = *p;
                size_t len = 1;

                /* U+2028 and U+2029 (E2 80 A8, E2 80 A9) end a line in JavaScript
                 * before ES2019, and < > & are markup: "</script>" or "<!--" in
                 * a string would end or derail a <script> element. */
                if (c == 0xE2 && end - p >= 3 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
                        c = 0x2000u + p[2] - 0x80u;
                        len = 3;
                } else if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
                        p++;
                        continue;
                }
                write_buffer_put(&e, run, (size_t) (p - run));
                switch (c) {
                case '"':
                        write_buffer_put(&e, "\\\"", 2);
                        break;
                case '\\':
                        write_buffer_put(&e, "\\\\", 2);
                        break;
                case '\b':
                        write_buffer_put(&e, "\\b", 2);
                        break;
                case '\f':
                        write_buffer_put(&e, "\\f", 2);
                        break;
                case '\n':
                        write_buffer_put(&e, "\\n", 2);
                        break;
                case '\r':
                        write_buffer_put(&e, "\\r", 2);
                        break;
                case '\t':
                        write_buffer_put(&e, "\\t", 2);
                        break;
                default:
                        write_buffer_put(&e,
                                         (char[]){ '\\', 'u', hex_digits[c >> 12 & 15], hex_digits[c >> 8 & 15],
                                                   hex_digits[c >> 4 & 15], hex_digits[c & 15] },
                                         6);
                }
                p += len;
                run = p;
        }
        write_buffer_put(&e, run, (size_t) (end - run));
        write_buffer_put(&e, "\"", 1);
        write_buffer_flush(&e);
}

/* For strings that do not come from the aggregates (title, source), which were
 * never repaired: a JSON document must be valid UTF-8. */
static void write_text(FILE *f, const char *s) {
        utf8_write_repaired(f, s, report_json_write_string);
}

static void write_generated(FILE *f, time_t t) {
        char buf[32];
        struct tm tm;

        /* UTC, so that the text does not depend on the host's time zone; "Z"
         * rather than an offset, as RFC 3339 allows. */
        if (!gmtime_r(&t, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900 ||
            strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                fputs("null", f);
        else
                fprintf(f, "\"%s\"", buf);
}

static void write_date(FILE *f, int32_t day) {
        time_t t = (time_t) day * 86400;
        struct tm tm;
        char buf[32];

        /* The day numbers are already local: gmtime_r() only turns the count
         * into a calendar date, it applies no zone. */
        if (gmtime_r(&t, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%d", &tm) > 0)
                fprintf(f, "\"%s\"", buf);
        else
                fputs("null", f);
}

static void write_days(FILE *f, const struct report_data *d) {
        fputs("  \"days\": [", f);
        for (size_t i = 0; i < d->n_days; i++) {
                fputs(i == 0 ? "\n    {\"date\": " : ",\n    {\"date\": ", f);
                write_date(f, d->days[i]);
                fprintf(f, ", \"info\": %" PRIu64 ", \"error\": %" PRIu64 "}", d->day_totals[i][STATS_INFO],
                        d->day_totals[i][STATS_ERROR]);
        }
        fputs("\n  ],\n", f);
}

/* A list joined by ", " (host names hold no comma here) as a JSON array. */
static void write_host_list(FILE *f, const char *list) {
        fputc('[', f);
        for (const char *p = list; p && *p;) {
                const char *end = strstr(p, ", ");
                size_t n = end ? (size_t) (end - p) : strlen(p);
                if (p != list)
                        fputs(", ", f);
                report_json_write_string(f, p, n);
                p += n + (end ? 2 : 0);
        }
        fputc(']', f);
}

static void write_hosts(FILE *f, const struct report_data *d) {
        fputs("  \"hosts\": [", f);
        for (size_t i = 0; i < d->n_hosts; i++) {
                fputs(i == 0 ? "\n    {\"name\": " : ",\n    {\"name\": ", f);
                report_json_write_string(f, d->hosts[i]->key, d->hosts[i]->key_len);
                fprintf(f, ", \"info\": %" PRIu64 ", \"error\": %" PRIu64 "}", d->hosts[i]->count[STATS_INFO],
                        d->hosts[i]->count[STATS_ERROR]);
        }
        fputs("\n  ],\n", f);
}

static void write_errors(FILE *f, const struct report_data *d) {
        bool daily = d->error_daily && d->n_days > 0;

        fputs("  \"errors\": [", f);
        for (size_t i = 0; i < d->n_errors; i++) {
                const struct counter_row *e = d->errors[i];

                fputs(i == 0 ? "\n    {\"message\": " : ",\n    {\"message\": ", f);
                report_json_write_string(f, e->key, e->key_len);
                fputs(", \"count\": ", f);
                write_u64(f, e->count[0]);
                if (d->error_windows)
                        fprintf(f, ", \"last_24h\": %" PRIu64 ", \"last_7d\": %" PRIu64,
                                d->error_windows[i].last_24h[0], d->error_windows[i].last_7d[0]);
                if (d->error_hosts) {
                        fputs(", \"hosts\": ", f);
                        write_host_list(f, d->error_hosts[i]);
                }
                if (daily && i < d->n_error_daily) {
                        const uint64_t *row = d->error_daily + i * d->n_days;

                        fputs(", \"daily\": [", f);
                        for (size_t j = 0; j < d->n_days; j++) {
                                fputs(j == 0 ? "" : ", ", f);
                                write_u64(f, row[j]);
                        }
                        fputc(']', f);
                }
                fputc('}', f);
        }
        fputs(d->n_errors > 0 ? "\n  ],\n" : "],\n", f);
        if (report_other_present(&d->other_errors))
                fprintf(f, "  \"other_errors\": {\"count\": %" PRIu64 "},\n", d->other_errors.count[0]);
}

static void write_pair(FILE *f, const char *name, const uint64_t count[2]) {
        fputs(", \"", f);
        fputs(name, f);
        fputs("\": {\"info\": ", f);
        write_u64(f, count[STATS_INFO]);
        fputs(", \"error\": ", f);
        write_u64(f, count[STATS_ERROR]);
        fputc('}', f);
}

static void write_users(FILE *f, const struct report_data *d) {
        bool other = report_other_present(&d->other_users);

        fputs("  \"users\": [", f);
        for (size_t i = 0; i < d->n_users; i++) {
                const struct counter_row *u = d->users[i];

                fputs(i == 0 ? "\n    {\"name\": " : ",\n    {\"name\": ", f);
                report_json_write_string(f, u->key, u->key_len);
                fputs(", \"info\": ", f);
                write_u64(f, u->count[STATS_INFO]);
                fputs(", \"error\": ", f);
                write_u64(f, u->count[STATS_ERROR]);
                if (d->user_windows) {
                        write_pair(f, "last_24h", d->user_windows[i].last_24h);
                        write_pair(f, "last_7d", d->user_windows[i].last_7d);
                }
                if (d->user_hosts) {
                        fputs(", \"hosts\": ", f);
                        write_host_list(f, d->user_hosts[i]);
                }
                fputc('}', f);
        }
        fputs(d->n_users > 0 ? "\n  ]" : "]", f);
        /* The last member: no comma after it. */
        if (other)
                fprintf(f, ",\n  \"other_users\": {\"info\": %" PRIu64 ", \"error\": %" PRIu64 "}",
                        d->other_users.count[STATS_INFO], d->other_users.count[STATS_ERROR]);
        fputc('\n', f);
}

int report_json_write(FILE *f, const struct report_data *d) {
        const struct stats_totals *s = &d->totals;

        fputs("{\n  \"schema\": \"" REPORT_JSON_SCHEMA "\",\n  \"generated\": ", f);
        write_generated(f, d->updated);
        fprintf(f, ",\n  \"generated_unix\": %" PRId64 ",\n  \"title\": ", (int64_t) d->updated);
        write_text(f, d->title);
        fputs(",\n  \"source\": ", f);
        write_text(f, d->source);
        fprintf(f,
                ",\n  \"totals\": {\"events\": %" PRIu64 ", \"info\": %" PRIu64 ", \"error\": %" PRIu64
                ", \"unparsed\": %" PRIu64 ", \"users\": %zu, \"distinct_errors\": %zu},\n",
                s->info + s->error, s->info, s->error, s->unparsed, d->n_users, d->n_errors);
        if (d->n_days > 0 && d->days && d->day_totals)
                write_days(f, d);
        if (d->n_hosts > 0)
                write_hosts(f, d);
        write_errors(f, d);
        write_users(f, d);
        fputs("}\n", f);
        return ferror(f) ? -EIO : 0;
}
