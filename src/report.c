/* SPDX-License-Identifier: MIT */
/* Sorting once, then one atomic replacement per file. */
#include "report.h"

#include <errno.h>
#include <stdlib.h>

#include "atomic_file.h"
#include "macro.h"
#include "report_csv.h"
#include "report_html.h"

int report_data_init(struct report_data *ret, const struct stats *s, const char *title, const char *source,
                     time_t updated) {
        struct report_data d = {
                .title = title,
                .source = source,
                .updated = updated,
                .stats = s,
                .n_errors = counter_table_size(s->errors),
                .n_users = counter_table_size(s->users),
        };
        int r;

        r = counter_table_sorted(s->errors, COUNTER_ORDER_FIRST_COUNT, &d.errors);
        if (r < 0)
                return r;
        r = counter_table_sorted(s->users, COUNTER_ORDER_KEY, &d.users);
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
        d->errors = d->users = NULL;
}

static const struct {
        const char *name;
        int (*write)(FILE *f, const struct report_data *d);
} files[] = {
        { "error_message.csv", report_csv_write_errors },   { "user_statistics.csv", report_csv_write_users },
        { "error_message.html", report_html_write_errors }, { "user_statistics.html", report_html_write_users },
        { "index.html", report_html_write_index },
};

int report_write(const char *dir, const struct report_data *d) {
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                struct atomic_file af;
                int r;

                r = atomic_file_begin(&af, dir, files[i].name);
                if (r < 0)
                        return r;
                r = files[i].write(af.f, d);
                if (r >= 0)
                        r = atomic_file_commit(&af, 0644);
                atomic_file_done(&af);
                if (r < 0)
                        return r;
        }
        return 0;
}

int report_remove_stale(const char *dir) {
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                int q = atomic_file_remove_stale(dir, files[i].name);
                if (q < 0)
                        r = q;
        }
        return r;
}
