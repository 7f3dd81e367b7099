/* SPDX-License-Identifier: MIT */
/* CRLF line ends and minimal quoting, as RFC 4180 and Python's csv module. */
#include "report_csv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "text_output.h"

void report_csv_write_field(FILE *f, const char *s, size_t n) {
        bool quote = false;

        for (size_t i = 0; i < n && !quote; i++)
                quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
        if (!quote) {
                fwrite(s, 1, n, f);
                return;
        }
        fputc('"', f);
        for (const char *p = s, *end = s + n; p < end;) {
                const char *q = memchr(p, '"', (size_t) (end - p));
                size_t chunk = q ? (size_t) (q - p) + 1 : (size_t) (end - p);
                fwrite(p, 1, chunk, f);
                if (q)
                        fputc('"', f); /* doubles the quote just written */
                p += chunk;
        }
        fputc('"', f);
}

int report_csv_write_errors(FILE *f, const struct report_data *d) {
        fputs("Error,Count\r\n", f);
        for (size_t i = 0; i < d->n_errors; i++) {
                report_csv_write_field(f, d->errors[i]->key, d->errors[i]->key_len);
                fputc(',', f);
                write_u64(f, d->errors[i]->count[0]);
                fputs("\r\n", f);
        }
        /* Last, after the ranking: it is not one message. */
        if (report_other_present(&d->other_errors))
                fprintf(f, "(other),%" PRIu64 "\r\n", d->other_errors.count[0]);
        return ferror(f) ? -EIO : 0;
}

int report_csv_write_users(FILE *f, const struct report_data *d) {
        fputs("Username,INFO,ERROR\r\n", f);
        for (size_t i = 0; i < d->n_users; i++) {
                const struct counter_row *u = d->users[i];
                report_csv_write_field(f, u->key, u->key_len);
                fputc(',', f);
                write_u64(f, u->count[STATS_INFO]);
                fputc(',', f);
                write_u64(f, u->count[STATS_ERROR]);
                fputs("\r\n", f);
        }
        if (report_other_present(&d->other_users))
                fprintf(f, "(other),%" PRIu64 ",%" PRIu64 "\r\n", d->other_users.count[STATS_INFO],
                        d->other_users.count[STATS_ERROR]);
        return ferror(f) ? -EIO : 0;
}
