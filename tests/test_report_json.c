/* SPDX-License-Identifier: MIT */
/* report.json: escaping, a golden document, and every value read back by
 * Python's json module. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers.h"
#include "report_data.h"
#include "report_files.h"
#include "report_json.h"

#define ADD_N(s, m, n) cr_assert_eq(count_message(s, m, n, 0), 0)
#define ADD(s, m)      ADD_N(s, m, sizeof(m) - 1)

static char *escaped(const char *s, size_t n) {
        return escape_to_string(report_json_write_string, s, n);
}

static char *render(const struct report_data *d, size_t *ret_len) {
        return render_to_string(report_json_write, d, ret_len);
}

Test(report_json, escapes_quote_and_backslash) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "plain", "\"plain\"" },
                { "", "\"\"" },
                { "say \"hi\"", "\"say \\\"hi\\\"\"" },
                { "\\", "\"\\\\\"" },
                { "\\\"", "\"\\\\\\\"\"" },
                { "C:\\dir\\n", "\"C:\\\\dir\\\\n\"" },
                { "/ and ' stay", "\"/ and ' stay\"" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *got = escaped(cases[i].in, strlen(cases[i].in));
                cr_expect_str_eq(got, cases[i].out, "case %zu", i);
                free(got);
        }
}

Test(report_json, escapes_every_control_character) {
        for (unsigned c = 0; c < 0x20; c++) {
                char in[3] = { 'a', (char) c, 'b' }, want[16];
                const char *shortcut = NULL;

                switch (c) {
                case '\b':
                        shortcut = "\\b";
                        break;
                case '\t':
                        shortcut = "\\t";
                        break;
                case '\n':
                        shortcut = "\\n";
                        break;
                case '\f':
                        shortcut = "\\f";
                        break;
                case '\r':
                        shortcut = "\\r";
                        break;
                }
                if (shortcut)
                        snprintf(want, sizeof(want), "\"a%sb\"", shortcut);
                else
                        snprintf(want, sizeof(want), "\"a\\u%04xb\"", c);
                char *got = escaped(in, sizeof(in));
                cr_expect_str_eq(got, want, "U+%04X", c);
                free(got);
        }
}

Test(report_json, escapes_markup_and_line_separators) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "</script>", "\"\\u003c/script\\u003e\"" },
                { "<!-- a & b -->", "\"\\u003c!-- a \\u0026 b --\\u003e\"" },
                { "x\xe2\x80\xa8y", "\"x\\u2028y\"" },
                { "\xe2\x80\xa9", "\"\\u2029\"" },
                { "\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"" },
                /* Neighbours of U+2028 and U+2029, other non-ASCII text and DEL
                 * pass through as UTF-8. */
                { "\xe2\x80\xa7\xe2\x80\xaa", "\"\xe2\x80\xa7\xe2\x80\xaa\"" },
                { "\xc3\xa9milie \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd \x7f",
                  "\"\xc3\xa9milie \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd \x7f\"" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *got = escaped(cases[i].in, strlen(cases[i].in));
                cr_expect_str_eq(got, cases[i].out, "case %zu", i);
                free(got);
        }
}

Test(report_json, never_reads_past_the_end) {
        /* A string cut inside a 3-byte sequence (never the case for repaired
         * keys): the first bytes of U+2028 must not be taken for all of it. */
        char *in = malloc(2), *got;
        memcpy(in, "\xe2\x80", 2);
        got = escaped(in, 2);
        cr_expect_str_eq(got, "\"\xe2\x80\"");
        free(got);
        free(in);
}

/* Reads the document with Python's json module and prints every value in the
 * same line format as expected_values() below. Strict: the file must be
 * UTF-8 with no raw control character but newline, no raw < > & U+2028
 * U+2029, no duplicate or unknown key, no float, no key out of order. */
static const char checker[] =
        "import datetime, json, sys\n"
        "text = open(sys.argv[1], 'rb').read().decode('utf-8')\n"
        "assert text.endswith(chr(10)), 'no final newline'\n"
        "for ch in '<>&' + chr(0x2028) + chr(0x2029):\n"
        "    assert ch not in text, 'raw %r' % ch\n"
        "assert all(ord(c) >= 32 or c == chr(10) for c in text), 'raw control character'\n"
        "def pairs(kv):\n"
        "    keys = [k for k, _ in kv]\n"
        "    assert len(set(keys)) == len(keys), 'duplicate key in %r' % keys\n"
        "    return dict(kv)\n"
        "def no_float(s):\n"
        "    raise ValueError('not an integer: ' + s)\n"
        "doc = json.loads(text, object_pairs_hook=pairs, parse_float=no_float, parse_constant=no_float)\n"
        "def keys(obj, allowed):\n"
        "    got = list(obj)\n"
        "    assert got == [k for k in allowed if k in obj], 'keys %r, allowed %r' % (got, allowed)\n"
        "def n(v):\n"
        "    assert type(v) is int and 0 <= v < 2**64, repr(v)\n"
        "    return str(v)\n"
        "def h(s):\n"
        "    assert type(s) is str\n"
        "    return s.encode('utf-8').hex()\n"
        "keys(doc, ['schema', 'generated', 'generated_unix', 'title', 'source', 'totals', 'days', 'errors',\n"
        "           'other_errors', 'users', 'other_users'])\n"
        "out = ['schema ' + doc['schema']]\n"
        "g = doc['generated']\n"
        "t = datetime.datetime.strptime(g, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)\n"
        "assert int(t.timestamp()) == doc['generated_unix'], g\n"
        "out.append('generated %s %s' % (g, n(doc['generated_unix'])))\n"
        "out.append('title ' + h(doc['title']))\n"
        "out.append('source ' + h(doc['source']))\n"
        "totals = ['events', 'info', 'error', 'unparsed', 'users', 'distinct_errors']\n"
        "keys(doc['totals'], totals)\n"
        "assert list(doc['totals']) == totals\n"
        "out.append('totals ' + ' '.join(n(doc['totals'][k]) for k in totals))\n"
        "for d in doc.get('days', []):\n"
        "    assert list(d) == ['date', 'info', 'error']\n"
        "    assert datetime.date.fromisoformat(d['date']).isoformat() == d['date']\n"
        "    out.append('day %s %s %s' % (d['date'], n(d['info']), n(d['error'])))\n"
        "for e in doc['errors']:\n"
        "    keys(e, ['message', 'count', 'last_24h', 'last_7d', 'daily'])\n"
        "    line = 'error %s %s' % (h(e['message']), n(e['count']))\n"
        "    if 'last_24h' in e:\n"
        "        line += ' window %s %s' % (n(e['last_24h']), n(e['last_7d']))\n"
        "    if 'daily' in e:\n"
        "        assert len(e['daily']) == len(doc['days'])\n"
        "        line += ' daily ' + ' '.join(n(v) for v in e['daily'])\n"
        "    out.append(line)\n"
        "if 'other_errors' in doc:\n"
        "    o = doc['other_errors']\n"
        "    assert list(o) == ['count']\n"
        "    out.append('other_errors ' + n(o['count']))\n"
        "for u in doc['users']:\n"
        "    keys(u, ['name', 'info', 'error', 'last_24h', 'last_7d'])\n"
        "    line = 'user %s %s %s' % (h(u['name']), n(u['info']), n(u['error']))\n"
        "    for w in ('last_24h', 'last_7d'):\n"
        "        if w in u:\n"
        "            assert list(u[w]) == ['info', 'error']\n"
        "            line += ' %s %s %s' % (w, n(u[w]['info']), n(u[w]['error']))\n"
        "    out.append(line)\n"
        "if 'other_users' in doc:\n"
        "    o = doc['other_users']\n"
        "    assert list(o) == ['info', 'error']\n"
        "    out.append('other_users %s %s' % (n(o['info']), n(o['error'])))\n"
        "print(chr(10).join(out))\n";

static void write_hex(FILE *f, const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%02x", (unsigned char) s[i]);
}

/* What the checker must print for d, computed from d alone. */
static char *expected_values(const struct report_data *d, const char *generated) {
        const struct stats_totals *s = &d->totals;
        char *buf = NULL;
        size_t len;
        FILE *f = open_memstream(&buf, &len);

        fprintf(f, "schema ticky-reportd/report/1\ngenerated %s %jd\ntitle ", generated, (intmax_t) d->updated);
        write_hex(f, d->title, strlen(d->title));
        fputs("\nsource ", f);
        write_hex(f, d->source, strlen(d->source));
        fprintf(f, "\ntotals %ju %ju %ju %ju %zu %zu\n", (uintmax_t) (s->info + s->error), (uintmax_t) s->info,
                (uintmax_t) s->error, (uintmax_t) s->unparsed, d->n_users, d->n_errors);
        for (size_t i = 0; i < d->n_days; i++) {
                time_t t = (time_t) d->days[i] * 86400;
                struct tm tm;
                char date[32];
                cr_assert_not_null(gmtime_r(&t, &tm));
                strftime(date, sizeof(date), "%Y-%m-%d", &tm);
                fprintf(f, "day %s %ju %ju\n", date, (uintmax_t) d->day_totals[i][0], (uintmax_t) d->day_totals[i][1]);
        }
        for (size_t i = 0; i < d->n_errors; i++) {
                fputs("error ", f);
                write_hex(f, d->errors[i]->key, d->errors[i]->key_len);
                fprintf(f, " %ju", (uintmax_t) d->errors[i]->count[0]);
                if (d->error_windows)
                        fprintf(f, " window %ju %ju", (uintmax_t) d->error_windows[i].last_24h[0],
                                (uintmax_t) d->error_windows[i].last_7d[0]);
                if (d->error_daily) {
                        fputs(" daily", f);
                        for (size_t j = 0; j < d->n_days; j++)
                                fprintf(f, " %ju", (uintmax_t) d->error_daily[i * d->n_days + j]);
                }
                fputc('\n', f);
        }
        if (report_other_present(&d->other_errors))
                fprintf(f, "other_errors %ju\n", (uintmax_t) d->other_errors.count[0]);
        for (size_t i = 0; i < d->n_users; i++) {
                const struct report_window *w = d->user_windows ? &d->user_windows[i] : NULL;
                fputs("user ", f);
                write_hex(f, d->users[i]->key, d->users[i]->key_len);
                fprintf(f, " %ju %ju", (uintmax_t) d->users[i]->count[0], (uintmax_t) d->users[i]->count[1]);
                if (w)
                        fprintf(f, " last_24h %ju %ju last_7d %ju %ju", (uintmax_t) w->last_24h[0],
                                (uintmax_t) w->last_24h[1], (uintmax_t) w->last_7d[0], (uintmax_t) w->last_7d[1]);
                fputc('\n', f);
        }
        if (report_other_present(&d->other_users))
                fprintf(f, "other_users %ju %ju\n", (uintmax_t) d->other_users.count[0],
                        (uintmax_t) d->other_users.count[1]);
        cr_assert_eq(fclose(f), 0);
        return buf;
}

/* Renders d, has Python read it back, and compares every value. */
static void expect_round_trip(const struct report_data *d, const char *generated) {
        char *dir = temp_dir(), *out, *got, *want, *cmd;
        size_t len;
        int status;

        out = render(d, &len);
        write_file(dir, "report.json", out, len);
        write_file(dir, "check.py", checker, sizeof(checker) - 1);
        cr_assert_geq(asprintf(&cmd, "python3 '%s/check.py' '%s/report.json' > '%s/values'", dir, dir, dir), 0);
        status = system(cmd);
        cr_assert_eq(status, 0, "python3 rejected report.json (status %d)", status);
        got = read_file_or_null(dir, "values", NULL);
        cr_assert_not_null(got);
        want = expected_values(d, generated);
        cr_expect_str_eq(got, want);
        free(want);
        free(got);
        free(cmd);
        free(out);
        rm_rf(dir);
        free(dir);
}

/* The hostile sample of test_report.c, and more for JSON's own escapes. */
static struct stats *sample(void) {
        struct stats *s = stats_new();
        cr_assert_not_null(s);
        ADD(s, "INFO Created ticket [#4217] (mdouglas)");
        ADD(s, "INFO Closed ticket [#1234] (ahmed.miller)");
        ADD(s, "INFO Commented on ticket [#3813] (q\"u\\o)");
        ADD(s, "ERROR Timeout while retrieving information (oren)");
        ADD(s, "ERROR Timeout while retrieving information (ahmed.miller)");
        ADD(s, "ERROR Ticket doesn't exist (flavia)");
        ADD(s, "ERROR <script>alert(\"x\")</script>, 'q' & co (evil<b>)");
        ADD(s, "ERROR two\nlines, \"quoted\" (a,b)");
        ADD(s, "ERROR bad \xff byte (\xc3\xa9milie)");
        ADD(s, "ERROR tab\there, cr\rhere, bell\x07, vt\v, unit sep\x1f, DEL\x7f (ctl)");
        ADD(s, "ERROR line\xe2\x80\xa8sep\xe2\x80\xa9para </script><!-- & (ctl)");
        ADD(s, "ERROR back\\slash \\n \\u0041 \"\\\" \xf0\x9f\x98\x80 (q\"u\\o)");
        ADD(s, "ERROR (other) (oren)");
        ADD(s, "WARN not ticky grammar (x)");
        return s;
}

/* The sample with every optional part: three days, windows, other rows. */
struct full {
        struct stats *stats;
        struct report_data d;
        uint64_t *error_daily;
        struct report_window *error_windows, *user_windows;
};

static const int32_t days[] = { 20414, 20415, 20416 }; /* 2025-11-22 to 24 */
static const uint64_t day_totals[][2] = { { 1, 2 }, { 0, 9 }, { 7, 7 } };

static void full_init(struct full *x) {
        x->stats = sample();
        /* The events of the other rows below are part of the totals. */
        stats_restore_totals(x->stats, &(struct stats_totals){ .info = 5 });
        stats_restore_totals(x->stats, &(struct stats_totals){ .error = 1 + 7 });
        cr_assert_eq(report_data_init(&x->d, x->stats, "ticky <prod> \xe2\x80\xa8", "directory /var/log/journal/remote",
                                      1764000000),
                     0);
        /* No per-day counts are kept (no limits set): nothing to replace. */
        cr_assert_null(x->d.days);
        cr_assert_null(x->d.error_windows);
        x->error_daily = calloc(x->d.n_errors * 3, sizeof(uint64_t));
        x->d.n_error_daily = x->d.n_errors;
        x->error_windows = calloc(x->d.n_errors, sizeof(struct report_window));
        x->user_windows = calloc(x->d.n_users, sizeof(struct report_window));
        cr_assert(x->error_daily && x->error_windows && x->user_windows);
        for (size_t i = 0; i < x->d.n_errors; i++) {
                uint64_t c = x->d.errors[i]->count[0];
                x->error_daily[i * 3 + 1] = c - c / 2;
                x->error_daily[i * 3 + 2] = c / 2;
                x->error_windows[i].last_24h[0] = c / 2;
                x->error_windows[i].last_7d[0] = c;
        }
        for (size_t i = 0; i < x->d.n_users; i++) {
                const uint64_t *c = x->d.users[i]->count;
                x->user_windows[i] = (struct report_window){
                        .last_24h = { c[0] / 2, c[1] },
                        .last_7d = { c[0], c[1] },
                };
        }
        x->d.n_days = 3;
        x->d.days = days;
        x->d.day_totals = day_totals;
        x->d.error_daily = x->error_daily;
        x->d.error_windows = x->error_windows;
        x->d.user_windows = x->user_windows;
        x->d.other_errors = (struct report_other){ .count = { 7, 0 } };
        x->d.other_users = (struct report_other){ .count = { 5, 1 } };
}

static void full_done(struct full *x) {
        /* The arrays are the test's: report_data_done() must not free them. */
        x->d.n_days = 0;
        x->d.days = NULL;
        x->d.day_totals = NULL;
        x->d.error_daily = NULL;
        x->d.error_windows = x->d.user_windows = NULL;
        free(x->error_daily);
        free(x->error_windows);
        free(x->user_windows);
        report_data_done(&x->d);
        stats_free(x->stats);
}

Test(report_golden, report_json) {
        struct full x;
        size_t len;
        char *out;

        full_init(&x);
        out = render(&x.d, &len);
        expect_golden("report.json", out, len);
        free(out);
        full_done(&x);
}

Test(report_json, round_trips_every_value) {
        struct full x;

        full_init(&x);
        expect_round_trip(&x.d, "2025-11-24T16:00:00Z");
        full_done(&x);
}

Test(report_json, omits_optional_parts_when_absent) {
        struct stats *s = sample();
        struct report_data d;
        size_t len;
        char *out;

        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 0), 0);
        out = render(&d, &len);
        for (size_t i = 0; i < 5; i++) {
                static const char *absent[] = { "\"days\"", "\"daily\"", "\"last_24h\"", "\"last_7d\"", "\"other_" };
                cr_expect_null(strstr(out, absent[i]), "%s", absent[i]);
        }
        cr_expect_not_null(strstr(out, "\"generated\": \"1970-01-01T00:00:00Z\",\n  \"generated_unix\": 0,\n"));
        free(out);
        expect_round_trip(&d, "1970-01-01T00:00:00Z");
        report_data_done(&d);
        stats_free(s);
}

Test(report_json, writes_empty_arrays_without_rows) {
        struct stats *s = stats_new();
        struct report_data d;
        size_t len;
        char *out;

        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 1764000000), 0);
        out = render(&d, &len);
        cr_expect_not_null(strstr(out, "  \"errors\": [],\n  \"users\": []\n}\n"), "%s", out);
        free(out);
        expect_round_trip(&d, "2025-11-24T16:00:00Z");
        report_data_done(&d);
        stats_free(s);
}

Test(report_json, shows_other_rows_without_the_rest) {
        /* Other rows without any per-day data, and the largest count there is. */
        struct stats *s = sample();
        struct report_data d;
        size_t len;
        char *out;

        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 1764000000), 0);
        d.totals.unparsed = UINT64_MAX;
        d.other_errors = (struct report_other){ .count = { UINT64_MAX, 0 } };
        d.other_users = (struct report_other){ .count = { 0, UINT64_MAX } };
        out = render(&d, &len);
        cr_expect_not_null(strstr(out, "\"unparsed\": 18446744073709551615,"));
        cr_expect_not_null(strstr(out, "\n  \"other_errors\": {\"count\": 18446744073709551615},\n"));
        cr_expect_not_null(strstr(out, "\n  \"other_users\": {\"info\": 0, \"error\": 18446744073709551615}\n}\n"));
        cr_expect_null(strstr(out, "\"days\""));
        free(out);
        expect_round_trip(&d, "2025-11-24T16:00:00Z");
        report_data_done(&d);
        stats_free(s);
}

Test(report_json, writes_a_64_kib_message_whole) {
        size_t body = 65536, n;
        char *msg = long_hostile_message(body, "</script>", &n);
        struct stats *s = stats_new();
        struct report_data d;

        ADD_N(s, msg, n);
        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 1764000000), 0);
        cr_assert_eq(d.n_errors, 1);
        cr_assert_eq(d.errors[0]->key_len, body, "the message was cut: %zu bytes", d.errors[0]->key_len);
        expect_round_trip(&d, "2025-11-24T16:00:00Z");
        report_data_done(&d);
        stats_free(s);
        free(msg);
}

Test(report_json, repairs_title_and_source) {
        struct stats *s = stats_new();
        struct report_data d;
        size_t len;
        char *out;

        cr_assert_eq(report_data_init(&d, s, "bad \xff title", "namespace \xc3(", 0), 0);
        out = render(&d, &len);
        cr_expect_not_null(strstr(out, "\"title\": \"bad \xef\xbf\xbd title\",\n"));
        cr_expect_not_null(strstr(out, "\"source\": \"namespace \xef\xbf\xbd(\",\n"));
        free(out);
        report_data_done(&d);
        stats_free(s);
}

Test(report_json, fails_with_eio_when_writes_fail) {
        struct stats *s = sample();
        struct report_data d;
        FILE *f = fopen("/dev/full", "we");

        cr_assert_not_null(f);
        /* Unbuffered: the first write fails, not the final fclose(). */
        setvbuf(f, NULL, _IONBF, 0);
        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 0), 0);
        cr_expect_eq(report_json_write(f, &d), -EIO);
        fclose(f);
        report_data_done(&d);
        stats_free(s);
}
