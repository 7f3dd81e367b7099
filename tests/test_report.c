/* SPDX-License-Identifier: MIT */
/* Renderers on plain structs: escaping, quoting, golden pages. */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "macro.h"
#include "report_csv.h"
#include "report_data.h"
#include "report_files.h"
#include "report_html.h"

#define ADD(s, m) cr_assert_eq(count_message(s, m, sizeof(m) - 1, 0), 0)

static char *render(int (*write)(FILE *, const struct report_data *), const struct report_data *d, size_t *ret_len) {
        return render_to_string(write, d, ret_len);
}

static char *field(const char *s, size_t n) {
        return escape_to_string(report_csv_write_field, s, n);
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

Test(report_html, shows_invisible_and_reordering_characters) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "b\u200Dob", "b&#8249;U+200D&#8250;ob" },                       /* looks like "bob" */
                { "invoice\u202Eexe.txt", "invoice&#8249;U+202E&#8250;exe.txt" }, /* Trojan Source */
                { "\u2066x\u2069\u200E", "&#8249;U+2066&#8250;x&#8249;U+2069&#8250;&#8249;U+200E&#8250;" },
                { "\x1B[31mred", "&#8249;U+001B&#8250;[31mred" }, /* a terminal's escape */
                { "soft\u00ADhy\uFEFFphen\xC2\x85",
                  "soft&#8249;U+00AD&#8250;hy&#8249;U+FEFF&#8250;phen&#8249;U+0085&#8250;" },
                { "tab\tand\nnewline stay", "tab\tand\nnewline stay" },
                { "\u05E9\u05DC\u05D5\u05DD caf\u00E9 \u2713 [U+202E]",
                  "\u05E9\u05DC\u05D5\u05DD caf\u00E9 \u2713 [U+202E]" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *buf = NULL;
                size_t len;
                FILE *f = open_memstream(&buf, &len);
                report_html_write_escaped(f, cases[i].in, strlen(cases[i].in));
                fclose(f);
                cr_expect_str_eq(buf, cases[i].out, "case %zu", i);
                free(buf);
        }
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
        cr_expect_null(strstr(out, "<b>"));
        cr_expect_not_null(strstr(out, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;, &#39;q&#39; &amp; co"));
        free(out);
        out = render(report_html_write_users, &d, &len);
        cr_expect_not_null(strstr(out, "evil&lt;b&gt;"));
        free(out);
        out = render(report_html_write_index, &d, &len);
        cr_expect_not_null(strstr(out, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;, &#39;q&#39; &amp; co"));
        free(out);
        report_data_done(&d);
        stats_free(s);
}

/* The sample with everything the engine may add: per-day counts (with a
 * gap of two days), time windows and "(other)" rows, filled in by hand. */
struct dashboard {
        struct stats *s;
        struct report_data d;
        struct report_window error_windows[5], user_windows[7];
};

static const int32_t dashboard_days[] = { 20410, 20411, 20412, 20415, 20416 };
static const uint64_t dashboard_totals[][2] = { { 3, 1 }, { 10, 1 }, { 0, 1 }, { 7, 1 }, { 12, 2 } };
/* errors x days, in the order of the ranking */
static const uint64_t dashboard_daily[] = {
        0, 1, 0, 0, 1, /* Timeout while retrieving information */
        0, 0, 0, 1, 0, /* <script>... */
        1, 0, 0, 0, 0, /* Ticket doesn't exist */
        0, 0, 0, 0, 1, /* bad \uFFFD byte */
        0, 0, 1, 0, 0, /* two\nlines... */
};

static void dashboard_init(struct dashboard *b) {
        *b = (struct dashboard){ .s = sample() };
        setenv("TZ", "UTC", 1);
        tzset();
        cr_assert_eq(report_data_init(&b->d, b->s, "ticky <prod>", "namespace ticky-\"prod\"", 1764000000), 0);
        cr_assert_eq(b->d.n_errors, 5);
        cr_assert_eq(b->d.n_users, 7);
        for (size_t i = 0; i < 5; i++)
                b->error_windows[i] = (struct report_window){
                        .last_24h = { i % 2 },
                        .last_7d = { b->d.errors[i]->count[0] },
                };
        for (size_t i = 0; i < 7; i++)
                b->user_windows[i] = (struct report_window){
                        .last_24h = { 0, i % 2 },
                        .last_7d = { b->d.users[i]->count[STATS_INFO], b->d.users[i]->count[STATS_ERROR] },
                };
        b->d.n_days = 5;
        b->d.days = dashboard_days;
        b->d.day_totals = dashboard_totals;
        b->d.error_daily = dashboard_daily;
        b->d.n_error_daily = b->d.n_errors;
        b->d.error_windows = b->error_windows;
        b->d.user_windows = b->user_windows;
        /* the users beyond the cap sent 2 INFO and 3 ERROR events, the latter
         * with 3 messages beyond the cap: the totals include them */
        b->d.other_errors = (struct report_other){ .count = { 3 } };
        b->d.other_users = (struct report_other){ .count = { 2, 3 } };
        b->d.totals.error += 3;
        b->d.totals.info += 2;
}

static void dashboard_done(struct dashboard *b) {
        /* report_data_done() frees what report_data_init() allocated, not ours */
        b->d.n_days = 0;
        b->d.days = NULL;
        b->d.day_totals = NULL;
        b->d.error_daily = NULL;
        b->d.error_windows = b->d.user_windows = NULL;
        report_data_done(&b->d);
        stats_free(b->s);
}

static void render_dashboard_golden(const char *name, int (*write)(FILE *, const struct report_data *)) {
        struct dashboard b;
        size_t len;
        char *out;

        dashboard_init(&b);
        out = render(write, &b.d, &len);
        expect_golden(name, out, len);
        free(out);
        dashboard_done(&b);
}

Test(report_golden, error_message_windows_html) {
        render_dashboard_golden("error_message_windows.html", report_html_write_errors);
}

Test(report_golden, user_statistics_windows_html) {
        render_dashboard_golden("user_statistics_windows.html", report_html_write_users);
}

Test(report_golden, index_windows_html) {
        render_dashboard_golden("index_windows.html", report_html_write_index);
}

static size_t occurrences(const char *haystack, const char *needle) {
        size_t n = 0;
        for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

/* The text between the first occurrence of from and the next of to. */
static char *between(const char *s, const char *from, const char *to) {
        const char *a = strstr(s, from), *b;

        cr_assert_not_null(a, "no %s", from);
        a += strlen(from);
        b = strstr(a, to);
        cr_assert_not_null(b, "no %s after %s", to, from);
        return strndup(a, (size_t) (b - a));
}

Test(report_html, shows_no_window_chart_or_other_when_absent) {
        struct stats *s = sample();
        struct report_data d;
        int (*writers[])(FILE *, const struct report_data *) = { report_html_write_errors, report_html_write_users,
                                                                 report_html_write_index };

        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 0), 0);
        for (size_t i = 0; i < 3; i++) {
                size_t len;
                char *out = render(writers[i], &d, &len);
                cr_expect_null(strstr(out, "Last 24 h"), "page %zu", i);
                cr_expect_null(strstr(out, "Last 7 days"), "page %zu", i);
                cr_expect_null(strstr(out, "(other"), "page %zu", i);
                cr_expect_null(strstr(out, "class=\"warn\""), "page %zu", i);
                cr_expect_null(strstr(out, "<svg"), "page %zu", i);
                cr_expect_null(strstr(out, "Per day"), "page %zu", i);
                free(out);
        }
        report_data_done(&d);
        stats_free(s);
}

Test(report_html, shows_windows_as_columns) {
        struct dashboard b;
        size_t len;
        char *out, *row;

        dashboard_init(&b);
        out = render(report_html_write_errors, &b.d, &len);
        cr_expect_not_null(strstr(out, ">Last 24 h</th>"));
        cr_expect_not_null(strstr(out, ">Last 7 days</th>"));
        /* the second error: count 1, 24 h 1, 7 days 1 */
        row = between(out, "<tr id=\"e-1fd28a1cc10d9d92\">", "</tr>");
        cr_expect_not_null(strstr(row, "</td><td data-value=\"1\">1</td><td class=\"sh\">"), "%s", row);
        cr_expect_not_null(strstr(row, "11.1%</td><td data-value=\"1\">1</td><td data-value=\"1\">1</td>"), "%s", row);
        free(row);
        free(out);

        out = render(report_html_write_users, &b.d, &len);
        cr_expect_not_null(strstr(out, "<th scope=\"colgroup\" colspan=\"2\">Last 24 h</th>"));
        /* ahmed.miller: all time 1/1, 24 h 0/1, 7 days 1/1 */
        row = between(out, "<tr id=\"u-ahmed.miller\">", "</tr>");
        cr_expect_str_eq(row, "<td>ahmed.miller</td><td data-value=\"1\">1</td><td data-value=\"1\">1</td>"
                              "<td data-value=\"0\">0</td><td data-value=\"1\">1</td><td data-value=\"1\">1</td>"
                              "<td data-value=\"1\">1</td><td><a href=\"#u-ahmed.miller\">#</a></td>");
        free(row);
        free(out);
        dashboard_done(&b);
}

Test(report_html, shows_other_rows_last_with_a_note) {
        struct dashboard b;
        size_t len;
        char *out, *foot;

        dashboard_init(&b);
        out = render(report_html_write_errors, &b.d, &len);
        cr_expect_not_null(strstr(out, "<p class=\"warn\" role=\"note\"><strong>Cap reached:</strong> 5 messages are "
                                       "listed; the other messages are counted together in the row “(other "
                                       "messages)” at the end of the table.</p>"));
        foot = between(out, "</tbody>\n<tfoot>\n", "</tfoot>");
        cr_expect_not_null(strstr(foot, "<tr id=\"other\" class=\"other\"><td>(other messages)</td>"
                                        "<td data-value=\"3\">3</td><td class=\"sh\">33.3%</td>"),
                           "%s", foot);
        cr_expect_lt(strstr(foot, "(other"), strstr(foot, ">Total<"));
        free(foot);
        cr_expect_eq(occurrences(out, "(other"), 2); /* the row and the note that names it */
        free(out);

        out = render(report_html_write_users, &b.d, &len);
        foot = between(out, "</tbody>\n<tfoot>\n", "</tfoot>");
        cr_expect_not_null(strstr(foot, "<tr id=\"other\" class=\"other\"><td>(other users)</td>"
                                        "<td data-value=\"2\">2</td><td data-value=\"3\">3</td>"),
                           "%s", foot);
        free(foot);
        cr_expect_not_null(strstr(out, "<strong>Cap reached:</strong> 7 users are listed; the other users are "
                                       "counted together in the row “(other users)” at the end of the table."));
        free(out);

        out = render(report_html_write_index, &b.d, &len);
        cr_expect_not_null(strstr(out, "<a href=\"error_message.html#other\">(other messages)</a>"));
        cr_expect_not_null(strstr(out, "<a href=\"user_statistics.html#other\">(other users)</a>"));
        cr_expect_not_null(strstr(out, "<dd id=\"users\" data-value=\"7\">7<small> and more</small></dd>"));
        free(out);
        dashboard_done(&b);
}

Test(report_html, draws_events_per_day_to_scale) {
        struct dashboard b;
        size_t len;
        char *out, *svg;

        dashboard_init(&b);
        out = render(report_html_write_index, &b.d, &len);
        svg = between(out, "<svg", "</svg>");
        /* 7 days from first to last, drawn in at least 14 slots of 10, right-aligned;
         * the busiest day (12 + 2) is 1000 high, the others in proportion (the
         * top of a stack rounded, then the bar below it subtracted) */
        cr_expect_not_null(strstr(svg, " viewBox=\"0 0 140 1000\""), "%s", svg);
        cr_expect_eq(occurrences(svg, "<rect"), 10);
        cr_expect_not_null(strstr(svg,
                                  "<g><title>2025-11-18: 3 INFO, 1 ERROR</title>"
                                  "<rect class=\"e\" x=\"71\" y=\"929\" width=\"8\" height=\"71\" data-value=\"1\"/>"
                                  "<rect class=\"i\" x=\"71\" y=\"714\" width=\"8\" height=\"215\" data-value=\"3\"/>"),
                           "%s", svg);
        cr_expect_not_null(strstr(svg,
                                  "<g><title>2025-11-24: 12 INFO, 2 ERROR</title>"
                                  "<rect class=\"e\" x=\"131\" y=\"857\" width=\"8\" height=\"143\" data-value=\"2\"/>"
                                  "<rect class=\"i\" x=\"131\" y=\"0\" width=\"8\" height=\"857\" data-value=\"12\"/>"),
                           "%s", svg);
        free(svg);
        cr_expect_not_null(
                strstr(out, "<tr><td>2025-11-20</td><td data-value=\"0\">0</td><td data-value=\"1\">1</td></tr>"));
        free(out);
        dashboard_done(&b);
}

Test(report_html, draws_a_sparkline_per_error) {
        struct dashboard b;
        size_t len;
        char *out, *row;

        dashboard_init(&b);
        out = render(report_html_write_errors, &b.d, &len);
        cr_expect_eq(occurrences(out, "<polyline "), 5);
        /* days 0 1 2 5 6 of 7: the two missing days are drawn as zero, and the
         * points in the middle of a flat run are left out */
        row = between(out, "<tr id=\"e-29bce7d717e32896\">", "</tr>");
        cr_expect_not_null(strstr(row, "<td class=\"sp\"><svg viewBox=\"0 0 100 25\" aria-hidden=\"true\"><polyline "
                                       "points=\"0,24 16,1 33,24 83,24 100,1\"/></svg></td>"),
                           "%s", row);
        free(row);
        free(out);

        /* one day: a flat line */
        b.d.n_days = 1;
        b.d.days = dashboard_days + 4;
        b.d.day_totals = dashboard_totals + 4;
        b.d.error_daily = (const uint64_t[]){ 1, 0, 0, 1, 0 };
        b.d.n_error_daily = b.d.n_errors;
        out = render(report_html_write_errors, &b.d, &len);
        cr_expect_not_null(strstr(out, "points=\"0,1 100,1\""));
        cr_expect_not_null(strstr(out, "points=\"0,24 100,24\""));
        free(out);

        /* days out of order are not drawn at all */
        b.d.n_days = 2;
        b.d.days = (const int32_t[]){ 20416, 20415 };
        out = render(report_html_write_errors, &b.d, &len);
        cr_expect_null(strstr(out, "<svg"));
        free(out);
        out = render(report_html_write_index, &b.d, &len);
        cr_expect_null(strstr(out, "<svg"));
        free(out);
        dashboard_done(&b);
}

static uint64_t fnv1a64(const char *s) {
        uint64_t h = 14695981039346656037u;
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211u;
        return h;
}

Test(report_html, ids_are_stable_valid_and_unique) {
        struct stats *s = sample();
        struct report_data d;
        size_t len;
        char *out, want[64];

        ADD(s, "ERROR foobar (a~b)");
        ADD(s, "INFO x (A~B)");
        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 0), 0);

        /* errors: FNV-1a 64 of the message, whatever the rank */
        cr_assert_eq(fnv1a64("foobar"), 0x85944171f73967e8u); /* the published test vector */
        out = render(report_html_write_errors, &d, &len);
        cr_expect_not_null(strstr(out, "<tr id=\"e-85944171f73967e8\"><td>foobar</td>"));
        cr_expect_not_null(strstr(out, "<a href=\"#e-85944171f73967e8\">#</a>"));
        snprintf(want, sizeof(want), "<tr id=\"e-%016" PRIx64 "\"><td>Ticket doesn", fnv1a64("Ticket doesn't exist"));
        cr_expect_not_null(strstr(out, want), "%s", want);
        free(out);

        /* users: plain ASCII names as they are, every other byte as ~XX */
        out = render(report_html_write_users, &d, &len);
        cr_expect_not_null(strstr(out, "<tr id=\"u-ahmed.miller\">"));
        cr_expect_not_null(strstr(out, "<tr id=\"u-a~2cb\">"));
        cr_expect_not_null(strstr(out, "<tr id=\"u-a~7eb\">"));
        cr_expect_not_null(strstr(out, "<tr id=\"u-A~7eB\">"));
        cr_expect_not_null(strstr(out, "<tr id=\"u-evil~3cb~3e\">"));
        cr_expect_not_null(strstr(out, "<tr id=\"u-~c3~a9milie\">"));
        cr_expect_not_null(strstr(out, "<a href=\"#u-~c3~a9milie\">#</a>"));
        free(out);

        /* every row of both tables: an id of [A-Za-z0-9._~-], unique, and a link to it */
        for (int page = 0; page < 2; page++) {
                char *ids[16];
                size_t n = 0;

                out = render(page == 0 ? report_html_write_errors : report_html_write_users, &d, &len);
                for (const char *p = out; (p = strstr(p, "<tr id=\"")); n++) {
                        char *id, *link;

                        cr_assert_lt(n, 16);
                        p += strlen("<tr id=\"");
                        id = strndup(p, strcspn(p, "\""));
                        cr_expect_gt(strlen(id), 0);
                        cr_expect_eq(strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~-"),
                                     strlen(id), "%s", id);
                        cr_assert(asprintf(&link, "<a href=\"#%s\">#</a>", id) > 0);
                        cr_expect_not_null(strstr(p, link), "no permalink for %s", id);
                        for (size_t j = 0; j < n; j++)
                                cr_expect_str_neq(ids[j], id);
                        ids[n] = id;
                        free(link);
                }
                cr_expect_eq(n, page == 0 ? d.n_errors : d.n_users);
                for (size_t j = 0; j < n; j++)
                        free(ids[j]);
                free(out);
        }
        report_data_done(&d);
        stats_free(s);
}

Test(report_html, writes_plain_digits_for_the_script_to_format) {
        struct stats *s = stats_new();
        struct report_data d;
        size_t len;
        char *out;

        cr_assert_eq(stats_restore_row(s, STATS_USERS, "big", 3, STATS_INFO, 1234567), 0);
        cr_assert_eq(stats_restore_row(s, STATS_USERS, "big", 3, STATS_ERROR, 18446744073709551615u), 0);
        cr_assert_eq(stats_restore_row(s, STATS_USERS, "small", 5, STATS_INFO, 999), 0);
        cr_assert_eq(stats_restore_row(s, STATS_USERS, "small", 5, STATS_ERROR, 1000), 0);
        cr_assert_eq(stats_restore_row(s, STATS_ERRORS, "boom", 4, 0, 1000000), 0);
        stats_restore_totals(s, &(struct stats_totals){ .info = 1235566 });
        stats_restore_totals(s, &(struct stats_totals){ .error = 1000000 });
        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 0), 0);
        out = render(report_html_write_users, &d, &len);
        /* Plain digits in the page (programs read them); the script adds the
         * separators, which the browser tests check. */
        cr_expect_not_null(strstr(out, "<td data-value=\"1234567\">1234567</td>"
                                       "<td data-value=\"18446744073709551615\">18446744073709551615</td>"));
        cr_expect_not_null(strstr(out, "<td data-value=\"999\">999</td><td data-value=\"1000\">1000</td>"));
        cr_expect_not_null(strstr(out, "<th scope=\"row\">Total</th><td data-value=\"1235566\">1235566</td>"));
        free(out);
        out = render(report_html_write_index, &d, &len);
        cr_expect_not_null(strstr(out, "<dt>Events counted</dt><dd id=\"events\" data-value=\"2235566\">2235566</dd>"));
        cr_expect_not_null(strstr(out, "<dt>Unparsed entries</dt><dd id=\"unparsed\" data-value=\"0\">0</dd>"));
        free(out);
        out = render(report_html_write_errors, &d, &len);
        cr_expect_not_null(strstr(out, "<td data-value=\"1000000\">1000000</td><td class=\"sh\">"
                                       "<span><i style=\"width:100.0%\"></i></span>100.0%</td>"));
        cr_expect_not_null(strstr(report_html_script, "Intl.NumberFormat(\"en-US\")"), "the script formats them");
        free(out);
        report_data_done(&d);
        stats_free(s);
}

Test(report_html, shares_and_bars_round_to_tenths) {
        struct stats *s = stats_new();
        struct report_data d;
        size_t len;
        char *out;

        cr_assert_eq(stats_restore_row(s, STATS_ERRORS, "most", 4, 0, 2000), 0);
        cr_assert_eq(stats_restore_row(s, STATS_ERRORS, "third", 5, 0, 667), 0);
        cr_assert_eq(stats_restore_row(s, STATS_ERRORS, "rare", 4, 0, 1), 0);
        stats_restore_totals(s, &(struct stats_totals){ .error = 2668 });
        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 0), 0);
        out = render(report_html_write_errors, &d, &len);
        /* 2000/2668 = 75.0% of all, the longest bar */
        cr_expect_not_null(strstr(out, "<span><i style=\"width:100.0%\"></i></span>75.0%</td>"));
        /* 667/2668 = 25.0% of all, 667/2000 = 33.4% of the longest bar */
        cr_expect_not_null(strstr(out, "<span><i style=\"width:33.4%\"></i></span>25.0%</td>"));
        /* 1/2668 rounds to 0.0%: shown as less than 0.1% */
        cr_expect_not_null(strstr(out, "<span><i style=\"width:0.1%\"></i></span>&lt;0.1%</td>"));
        free(out);
        report_data_done(&d);
        stats_free(s);
}

/* An attribute on...= in a tag before the script: a CSP without
 * 'unsafe-inline' would block it. Values are escaped, so '>' ends a tag. */
static bool has_event_handler(const char *html) {
        const char *end = strstr(html, "<script>");
        bool in_tag = false;

        for (const char *p = html; *p && p != end; p++) {
                if (*p == '<' || *p == '>')
                        in_tag = *p == '<';
                else if (in_tag && strncmp(p, " on", 3) == 0) {
                        const char *q = p + 3;
                        while (*q >= 'a' && *q <= 'z')
                                q++;
                        if (q > p + 3 && *q == '=')
                                return true;
                }
        }
        return false;
}

Test(report_html, shares_one_header_and_one_script) {
        struct stats *s = sample();
        struct report_data d;
        static const struct {
                int (*write)(FILE *, const struct report_data *);
                const char *current;
        } pages[] = {
                { report_html_write_index, "<a href=\"index.html\" aria-current=\"page\">Overview</a>" },
                { report_html_write_errors, "<a href=\"error_message.html\" aria-current=\"page\">Errors</a>" },
                { report_html_write_users, "<a href=\"user_statistics.html\" aria-current=\"page\">Users</a>" },
        };
        char *script;

        cr_assert(asprintf(&script, "<script>%s</script>", report_html_script) > 0);
        cr_assert_eq(report_data_init(&d, s, "a <b> & 'c'", "directory /srv/\"x\"", 0), 0);
        for (size_t i = 0; i < 3; i++) {
                size_t len;
                char *out = render(pages[i].write, &d, &len);
                cr_expect_eq(occurrences(out, "<script"), 1, "page %zu", i);
                cr_expect_not_null(strstr(out, script), "page %zu", i);
                cr_expect(!has_event_handler(out), "page %zu has an inline event handler", i);
                cr_expect_eq(occurrences(out, "aria-current=\"page\""), 1, "page %zu", i);
                cr_expect_not_null(strstr(out, pages[i].current), "page %zu", i);
                cr_expect_not_null(
                        strstr(out, "<a class=\"brand\" href=\"index.html\">a &lt;b&gt; &amp; &#39;c&#39;</a>"));
                cr_expect_not_null(strstr(out, " · Source: directory /srv/&quot;x&quot;</p>"), "page %zu", i);
                free(out);
        }
        /* the script builds its controls with DOM calls only */
        cr_expect_null(strstr(report_html_script, "eval"));
        cr_expect_null(strstr(report_html_script, "innerHTML"));
        cr_expect_null(strstr(report_html_script, "Function("));
        cr_expect_null(strstr(report_html_script, "</"));
        free(script);
        report_data_done(&d);
        stats_free(s);
}

Test(report_html, boxes_only_long_keys) {
        struct stats *s = stats_new();
        struct report_data d;
        char key[1026];
        size_t len;
        char *out;

        memset(key, 'k', sizeof(key));
        cr_assert_eq(stats_restore_row(s, STATS_ERRORS, key, 1024, 0, 2), 0);
        cr_assert_eq(stats_restore_row(s, STATS_ERRORS, key, 1025, 0, 1), 0);
        stats_restore_totals(s, &(struct stats_totals){ .error = 3 });
        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 0), 0);
        out = render(report_html_write_errors, &d, &len);
        cr_expect_eq(occurrences(out, "<td><div class=\"long\">"), 1);
        cr_expect_not_null(strstr(out, "\"><td>kkkk"));
        cr_expect_eq(occurrences(out, "k</div></td>"), 1);
        free(out);
        report_data_done(&d);
        stats_free(s);
}

Test(report_html, renders_an_empty_report) {
        struct stats *s = stats_new();
        struct report_data d;
        int (*writers[])(FILE *, const struct report_data *) = { report_html_write_errors, report_html_write_users,
                                                                 report_html_write_index };

        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 0), 0);
        for (size_t i = 0; i < 3; i++) {
                size_t len;
                char *out = render(writers[i], &d, &len);
                cr_expect_null(strstr(out, "<tr id="), "page %zu", i);
                cr_expect_not_null(strstr(out, "</html>\n"), "page %zu", i);
                free(out);
        }
        report_data_done(&d);
        stats_free(s);
}

Test(report, writes_all_files_atomically) {
        static const char *names[] = { "error_message.csv",    "user_statistics.csv", "error_message.html",
                                       "user_statistics.html", "index.html",          "report.json" };
        static const char old[] = "old content\n";
        char *dir = temp_dir(), *keep = temp_dir();
        struct stats *s = sample();
        struct report_data d;

        /* Each file exists already, with a second name outside the
         * directory. Replaced by rename(), the path gets a new inode and
         * the second name keeps the old bytes; written in place, both would
         * show the new ones (and a reader could see half of them). */
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char *path, *link_path;
                write_file(dir, names[i], old, sizeof(old) - 1);
                cr_assert_geq(asprintf(&path, "%s/%s", dir, names[i]), 0);
                cr_assert_geq(asprintf(&link_path, "%s/%s", keep, names[i]), 0);
                cr_assert_eq(link(path, link_path), 0, "%s", strerror(errno));
                free(path);
                free(link_path);
        }
        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 0), 0);
        cr_assert_eq(report_files_write(dir, &d), 0);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                size_t len;
                char *now = read_file_or_null(dir, names[i], &len), *before = read_file_or_null(keep, names[i], NULL);
                cr_assert_not_null(now, "%s", names[i]);
                cr_expect_str_eq(before, old, "%s was written in place", names[i]);
                cr_expect(len > sizeof(old) && strstr(now, "old content") == NULL, "%s not replaced", names[i]);
                free(now);
                free(before);
        }
        /* Nothing else, no ".NAME.XXXXXX" left behind. */
        cr_expect_eq(count_entries(dir), ELEMENTSOF(names));
        report_data_done(&d);
        stats_free(s);
        rm_rf(dir);
        rm_rf(keep);
        free(dir);
        free(keep);
}

Test(report, daily_counts_only_for_the_most_common_messages) {
        struct stats *s = stats_new();
        struct report_data d;
        time_t now = 1795262400;
        char msg[64];

        stats_set_limits(s, &(struct stats_limits){ .days = 7 });
        cr_assert_eq(stats_prune(s, now), 0);
        for (int i = 0; i < REPORT_MAX_DAILY_ROWS + 5; i++) {
                int n = snprintf(msg, sizeof(msg), "ERROR Message %d (u)", i);
                cr_assert_eq(count_message(s, msg, (size_t) n, (uint64_t) now * 1000000), 0);
        }
        cr_assert_eq(report_data_init(&d, s, "t", "local journal", now), 0);
        cr_expect_eq(d.n_errors, REPORT_MAX_DAILY_ROWS + 5);
        cr_expect_eq(d.n_error_daily, REPORT_MAX_DAILY_ROWS);
        cr_expect_eq(d.error_windows[d.n_errors - 1].last_24h[0], 1, "windows still for every row");
        char *out = render(report_html_write_errors, &d, NULL);
        cr_expect_not_null(out);
        free(out);
        report_data_done(&d);
        stats_free(s);
}
