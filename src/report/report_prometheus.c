/* SPDX-License-Identifier: MIT */
/* Text exposition format 0.0.4: the series of a family are written together,
 * after its HELP and TYPE lines, as the parsers require. */
#include "report_prometheus.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>

void report_prometheus_write_label_value(FILE *f, const char *s, size_t n) {
        const char *run = s, *end = s + n;

        fputc('"', f);
        for (const char *p = s; p < end; p++) {
                const char *escaped;
                switch (*p) {
                case '\\':
                        escaped = "\\\\";
                        break;
                case '"':
                        escaped = "\\\"";
                        break;
                case '\n':
                        escaped = "\\n";
                        break;
                default:
                        continue;
                }
                fwrite(run, 1, (size_t) (p - run), f);
                fputs(escaped, f);
                run = p + 1;
        }
        fwrite(run, 1, (size_t) (end - run), f);
        fputc('"', f);
}

static void write_family(FILE *f, const char *name, const char *type, const char *help) {
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int report_prometheus_write(FILE *f, const struct report_data *d) {
        static const char *const levels[2] = { [STATS_INFO] = "info", [STATS_ERROR] = "error" };

        write_family(f, "ticky_events_total", "counter", "ticky events (INFO and ERROR entries) per user.");
        for (size_t i = 0; i < d->n_users; i++)
                for (unsigned level = 0; level < 2; level++) {
                        fprintf(f, "ticky_events_total{level=\"%s\",user=", levels[level]);
                        report_prometheus_write_label_value(f, d->users[i]->key, d->users[i]->key_len);
                        fprintf(f, "} %" PRIu64 "\n", d->users[i]->count[level]);
                }
        if (report_other_present(&d->other_users)) {
                write_family(f, "ticky_other_events_total", "counter",
                             "ticky events of the users beyond the cap on distinct users, together.");
                for (unsigned level = 0; level < 2; level++)
                        fprintf(f, "ticky_other_events_total{level=\"%s\"} %" PRIu64 "\n", levels[level],
                                d->other_users.count[level]);
        }

        write_family(f, "ticky_errors_total", "counter", "ticky ERROR events per message.");
        for (size_t i = 0; i < d->n_errors; i++) {
                fputs("ticky_errors_total{message=", f);
                report_prometheus_write_label_value(f, d->errors[i]->key, d->errors[i]->key_len);
                fprintf(f, "} %" PRIu64 "\n", d->errors[i]->count[0]);
        }
        if (report_other_present(&d->other_errors)) {
                write_family(f, "ticky_other_errors_total", "counter",
                             "ticky ERROR events of the messages beyond the cap on distinct messages, together.");
                fprintf(f, "ticky_other_errors_total %" PRIu64 "\n", d->other_errors.count[0]);
        }

        write_family(f, "ticky_unparsed_total", "counter", "ticky journal entries that do not follow the grammar.");
        fprintf(f, "ticky_unparsed_total %" PRIu64 "\n", d->totals.unparsed);
        write_family(f, "ticky_last_update_timestamp_seconds", "gauge",
                     "When ticky-reportd wrote these counts, in seconds since the epoch.");
        fprintf(f, "ticky_last_update_timestamp_seconds %" PRId64 "\n", (int64_t) d->updated);
        return ferror(f) ? -EIO : 0;
}
