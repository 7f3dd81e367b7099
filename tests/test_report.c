/* SPDX-License-Identifier: MIT */
/* Renderers on plain structs: escaping, quoting, golden pages. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "report.h"
#include "report_csv.h"
#include "report_html.h"

#define ADD(s, m) cr_assert_eq(stats_add_message(s, m, sizeof(m) - 1, 0), 0)

static char *render(int (*write)(FILE *, const struct report_data *), const struct report_data *d, size_t *ret_len) {
        char *buf = NULL;
        FILE *f = open_memstream(&buf, ret_len);
        cr_assert_eq(write(f, d), 0);
        cr_assert_eq(fclose(f), 0);
        return buf;
}

static char *field(const char *s, size_t n) {
        char *buf = NULL;
        size_t len;
        FILE *f = open_memstream(&buf, &len);
        report_csv_write_field(f, s, n);
        fclose(f);
        return buf;
}

Test(report_csv, quotes_only_when_needed) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "plain", "plain" },           { "", "" },
                { "a,b", "\"a,b\"" },           { "say \"hi\"", "\"say \"\"hi\"\"\"" },
                { "\"", "\"\"\"\"" },           { "line\nbreak", "\"line\nbreak\"" },
                { "cr\rhere", "\"cr\rhere\"" }, { "tab\tand 'single'", "tab\tand 'single'" },
                { " spaces ", " spaces " },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *got = field(cases[i].in, strlen(cases[i].in));
                cr_expect_str_eq(got, cases[i].out, "case %zu", i);
                free(got);
        }
}

Test(report_html, escapes_the_five_characters) {
        char *buf = NULL;
        size_t len;
        FILE *f = open_memstream(&buf, &len);
        report_html_write_escaped(f, "<a href='x'>\"&amp;\"</a>", 23);
        fclose(f);
        cr_expect_str_eq(buf, "&lt;a href=&#39;x&#39;&gt;&quot;&amp;amp;&quot;&lt;/a&gt;");
        free(buf);
}

/* A fixed, hostile sample; the pages are compared byte for byte. */
static struct stats *sample(void) {
        struct stats *s = stats_new();
        ADD(s, "INFO Created ticket [#4217] (mdouglas)");
        ADD(s, "INFO Closed ticket [#1234] (ahmed.miller)");
        ADD(s, "ERROR Timeout while retrieving information (oren)");
        ADD(s, "ERROR Timeout while retrieving information (ahmed.miller)");
        ADD(s, "ERROR Ticket doesn't exist (flavia)");
        ADD(s, "ERROR <script>alert(\"x\")</script>, 'q' & co (evil<b>)");
        ADD(s, "ERROR two\nlines, \"quoted\" (a,b)");
        ADD(s, "ERROR bad \xff byte (\xc3\xa9milie)");
        ADD(s, "WARN not ticky grammar (x)");
        return s;
}

static void render_golden(const char *name, int (*write)(FILE *, const struct report_data *)) {
        struct stats *s = sample();
        struct report_data d;
        size_t len;
        char *out;

        setenv("TZ", "UTC", 1);
        tzset();
        cr_assert_eq(report_data_init(&d, s, "ticky <prod>", "directory /var/log/journal/remote", 1764000000), 0);
        out = render(write, &d, &len);
        expect_golden(name, out, len);
        free(out);
        report_data_done(&d);
        stats_free(s);
}

Test(report_golden, error_message_csv) {
        render_golden("error_message.csv", report_csv_write_errors);
}

Test(report_golden, user_statistics_csv) {
        render_golden("user_statistics.csv", report_csv_write_users);
}

Test(report_golden, error_message_html) {
        render_golden("error_message.html", report_html_write_errors);
}

Test(report_golden, user_statistics_html) {
        render_golden("user_statistics.html", report_html_write_users);
}

Test(report_golden, index_html) {
        render_golden("index.html", report_html_write_index);
}

Test(report_html, never_emits_markup_from_messages) {
        struct stats *s = sample();
        struct report_data d;
        size_t len;

        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 0), 0);
        char *out = render(report_html_write_errors, &d, &len);
        cr_expect_null(strstr(out, "<script"));
        cr_expect_null(strstr(out, "<b>"));
        cr_expect_not_null(strstr(out, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;, &#39;q&#39; &amp; co"));
        free(out);
        out = render(report_html_write_users, &d, &len);
        cr_expect_not_null(strstr(out, "evil&lt;b&gt;"));
        free(out);
        report_data_done(&d);
        stats_free(s);
}

Test(report, writes_all_files_atomically) {
        char *dir = temp_dir();
        struct stats *s = sample();
        struct report_data d;
        static const char *names[] = { "error_message.csv", "user_statistics.csv", "error_message.html",
                                       "user_statistics.html", "index.html" };

        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 0), 0);
        cr_assert_eq(report_write(dir, &d), 0);
        cr_expect_eq(count_entries(dir), 5, "temporary files left behind");
        for (size_t i = 0; i < 5; i++) {
                char *data = read_file_or_null(dir, names[i], NULL);
                cr_expect_not_null(data, "%s", names[i]);
                free(data);
        }
        report_data_done(&d);
        stats_free(s);
        rm_rf(dir);
        free(dir);
}
