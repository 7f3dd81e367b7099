/* SPDX-License-Identifier: MIT */
/* ticky.prom: label escaping, a golden file, every sample read back by a
 * strict parser of the text format, and promtool's linter when installed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "report_data.h"
#include "report_files.h"
#include "report_prometheus.h"

#define ADD_N(s, m, n) cr_assert_eq(count_message(s, m, n, 0), 0)
#define ADD(s, m)      ADD_N(s, m, sizeof(m) - 1)

static char *label_value(const char *s, size_t n) {
        return escape_to_string(report_prometheus_write_label_value, s, n);
}

static char *render(const struct report_data *d, size_t *ret_len) {
        return render_to_string(report_prometheus_write, d, ret_len);
}

Test(report_prometheus, escapes_backslash_quote_and_newline_only) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "plain", "\"plain\"" },
                { "", "\"\"" },
                { "say \"hi\"", "\"say \\\"hi\\\"\"" },
                { "C:\\dir\\n", "\"C:\\\\dir\\\\n\"" },
                { "two\nlines", "\"two\\nlines\"" },
                { "\\\n\"", "\"\\\\\\n\\\"\"" },
                /* Everything else is written as it is: tab, CR, other controls,
                 * markup, non-ASCII UTF-8 and U+2028. */
                { "tab\tcr\rbell\x07 \x1f\x7f", "\"tab\tcr\rbell\x07 \x1f\x7f\"" },
                { "</script> & 'q' {a=\"b\"}", "\"</script> & 'q' {a=\\\"b\\\"}\"" },
                { "\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80 \xef\xbf\xbd",
                  "\"\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80 \xef\xbf\xbd\"" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *got = label_value(cases[i].in, strlen(cases[i].in));
                cr_expect_str_eq(got, cases[i].out, "case %zu", i);
                free(got);
        }
}

/* A strict reader of text format 0.0.4 as node_exporter's textfile collector
 * takes it: every line ends in a newline; a family is # HELP and # TYPE, then
 * its samples, together and once; counters end in _total; label values use
 * only the escapes \\ \" \n; no timestamps; no series twice. It prints each
 * sample as "name{label=HEX,...} value", in file order, label values as the
 * hex of their UTF-8 bytes. */
static const char parser[] =
        "import re, sys\n"
        "text = open(sys.argv[1], 'rb').read().decode('utf-8')\n"
        "NL, BS, DQ = chr(10), chr(92), chr(34)\n"
        "assert text.endswith(NL), 'no final newline'\n"
        "NAME = re.compile('[a-zA-Z_:][a-zA-Z0-9_:]*')\n"
        "LABEL = re.compile('[a-zA-Z_][a-zA-Z0-9_]*')\n"
        "helps, types, finished, seen, out = {}, {}, set(), set(), []\n"
        "family = None\n"
        "def start(name):\n"
        "    global family\n"
        "    if name != family:\n"
        "        assert name not in finished, 'family %s is split' % name\n"
        "        if family:\n"
        "            finished.add(family)\n"
        "        family = name\n"
        "for no, line in enumerate(text[:-1].split(NL), 1):\n"
        "    where = 'line %d: %r' % (no, line[:80])\n"
        "    assert line, 'empty ' + where\n"
        "    if line.startswith('#'):\n"
        "        f = line.split(' ', 3)\n"
        "        assert len(f) == 4 and f[1] in ('HELP', 'TYPE') and NAME.fullmatch(f[2]), where\n"
        "        start(f[2])\n"
        "        if f[1] == 'HELP':\n"
        "            assert f[2] not in helps and f[2] not in types, 'HELP after TYPE or twice ' + where\n"
        "            assert f[3].strip() and NL not in f[3] and BS not in f[3], where\n"
        "            helps[f[2]] = f[3]\n"
        "        else:\n"
        "            assert f[2] not in types and f[3] in ('counter', 'gauge'), where\n"
        "            assert f[3] != 'counter' or f[2].endswith('_total'), 'counter without _total ' + where\n"
        "            types[f[2]] = f[3]\n"
        "        continue\n"
        "    m = NAME.match(line)\n"
        "    assert m, where\n"
        "    name, i = m.group(), m.end()\n"
        "    assert name == family and name in helps and name in types, 'sample outside its family ' + where\n"
        "    labels = []\n"
        "    if line[i] == '{':\n"
        "        i += 1\n"
        "        while True:\n"
        "            m = LABEL.match(line, i)\n"
        "            assert m and line[m.end():m.end() + 2] == '=' + DQ, where\n"
        "            i, value = m.end() + 2, []\n"
        "            while line[i] != DQ:\n"
        "                if line[i] == BS:\n"
        "                    value.append({BS: BS, DQ: DQ, 'n': NL}[line[i + 1]])\n"
        "                    i += 2\n"
        "                else:\n"
        "                    value.append(line[i])\n"
        "                    i += 1\n"
        "            labels.append((m.group(), ''.join(value)))\n"
        "            i += 1\n"
        "            if line[i] == '}':\n"
        "                break\n"
        "            assert line[i] == ',', where\n"
        "            i += 1\n"
        "        i += 1\n"
        "    names = [k for k, _ in labels]\n"
        "    assert len(set(names)) == len(names), 'label twice ' + where\n"
        "    series = (name, tuple(sorted(labels)))\n"
        "    assert series not in seen, 'series twice ' + where\n"
        "    seen.add(series)\n"
        "    assert line[i] == ' ' and re.fullmatch('[0-9]+', line[i + 1:]), 'value (no timestamp) ' + where\n"
        "    float(line[i + 1:])\n"
        "    out.append('%s{%s} %s' % (name, ','.join('%s=%s' % (k, v.encode('utf-8').hex()) for k, v in labels),\n"
        "                                line[i + 1:]))\n"
        "for name in ('ticky_events_total', 'ticky_errors_total', 'ticky_unparsed_total',\n"
        "             'ticky_last_update_timestamp_seconds'):\n"
        "    assert name in types, 'missing family ' + name\n"
        "print(NL.join(out))\n";

static void write_hex(FILE *f, const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%02x", (unsigned char) s[i]);
}

/* What the parser must print for d, computed from d alone. */
static char *expected_samples(const struct report_data *d) {
        static const char *const levels[] = { "696e666f", "6572726f72" }; /* "info", "error" */
        char *buf = NULL;
        size_t len;
        FILE *f = open_memstream(&buf, &len);

        for (size_t i = 0; i < d->n_users; i++)
                for (size_t level = 0; level < 2; level++) {
                        fprintf(f, "ticky_events_total{level=%s,user=", levels[level]);
                        write_hex(f, d->users[i]->key, d->users[i]->key_len);
                        fprintf(f, "} %ju\n", (uintmax_t) d->users[i]->count[level]);
                }
        if (report_other_present(&d->other_users))
                for (size_t level = 0; level < 2; level++)
                        fprintf(f, "ticky_other_events_total{level=%s} %ju\n", levels[level],
                                (uintmax_t) d->other_users.count[level]);
        for (size_t i = 0; i < d->n_errors; i++) {
                fputs("ticky_errors_total{message=", f);
                write_hex(f, d->errors[i]->key, d->errors[i]->key_len);
                fprintf(f, "} %ju\n", (uintmax_t) d->errors[i]->count[0]);
        }
        if (report_other_present(&d->other_errors))
                fprintf(f, "ticky_other_errors_total{} %ju\n", (uintmax_t) d->other_errors.count[0]);
        fprintf(f, "ticky_unparsed_total{} %ju\nticky_last_update_timestamp_seconds{} %jd\n",
                (uintmax_t) d->totals.unparsed, (intmax_t) d->updated);
        cr_assert_eq(fclose(f), 0);
        return buf;
}

static bool have_promtool(void) {
        return system("command -v promtool >/dev/null 2>&1") == 0;
}

/* Renders d, reads it back with the parser above (and promtool's linter when
 * installed), and compares every sample. */
static void expect_round_trip(const struct report_data *d) {
        char *dir = temp_dir(), *out, *got, *want, *cmd;
        size_t len;
        int status;

        out = render(d, &len);
        write_file(dir, "ticky.prom", out, len);
        write_file(dir, "parse.py", parser, sizeof(parser) - 1);
        cr_assert_geq(asprintf(&cmd, "python3 '%s/parse.py' '%s/ticky.prom' > '%s/samples'", dir, dir, dir), 0);
        status = system(cmd);
        cr_assert_eq(status, 0, "the parser rejected ticky.prom (status %d)", status);
        free(cmd);
        got = read_file_or_null(dir, "samples", NULL);
        cr_assert_not_null(got);
        want = expected_samples(d);
        cr_expect_str_eq(got, want);
        if (have_promtool()) {
                cr_assert_geq(asprintf(&cmd, "promtool check metrics < '%s/ticky.prom'", dir), 0);
                status = system(cmd);
                cr_expect_eq(status, 0, "promtool check metrics rejected ticky.prom (status %d)", status);
                free(cmd);
        }
        free(want);
        free(got);
        free(out);
        rm_rf(dir);
        free(dir);
}

/* The hostile sample of test_report.c, and more for the label escapes. */
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
        ADD(s, "ERROR line\xe2\x80\xa8sep\xe2\x80\xa9para {le=\"0.5\"} } 1 (ctl)");
        ADD(s, "ERROR back\\slash \\n \\\" \"\\\" \xf0\x9f\x98\x80 (q\"u\\o)");
        ADD(s, "ERROR (other) (oren)");
        ADD(s, "WARN not ticky grammar (x)");
        return s;
}

Test(report_golden, ticky_prom) {
        struct stats *s = sample();
        struct report_data d;
        size_t len;
        char *out;

        /* The events of the other rows below are part of the totals. */
        stats_restore_totals(s, &(struct stats_totals){ .info = 5 });
        stats_restore_totals(s, &(struct stats_totals){ .error = 1 + 7 });
        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 1764000000), 0);
        d.other_errors = (struct report_other){ .count = { 7, 0 } };
        d.other_users = (struct report_other){ .count = { 5, 1 } };
        out = render(&d, &len);
        expect_golden("ticky.prom", out, len);
        free(out);
        expect_round_trip(&d);
        report_data_done(&d);
        stats_free(s);
}

Test(report_prometheus, writes_no_other_series_without_overflow) {
        struct stats *s = sample();
        struct report_data d;
        size_t len;
        char *out;

        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 0), 0);
        out = render(&d, &len);
        cr_expect_null(strstr(out, "ticky_other_"));
        cr_expect_not_null(strstr(out, "\nticky_last_update_timestamp_seconds 0\n"));
        free(out);
        expect_round_trip(&d);
        report_data_done(&d);
        stats_free(s);
}

Test(report_prometheus, writes_every_family_when_empty) {
        struct stats *s = stats_new();
        struct report_data d;
        size_t len;
        char *out;

        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 1764000000), 0);
        out = render(&d, &len);
        cr_expect_str_eq(out, "# HELP ticky_events_total ticky events (INFO and ERROR entries) per user.\n"
                              "# TYPE ticky_events_total counter\n"
                              "# HELP ticky_errors_total ticky ERROR events per message.\n"
                              "# TYPE ticky_errors_total counter\n"
                              "# HELP ticky_unparsed_total ticky journal entries that do not follow the grammar.\n"
                              "# TYPE ticky_unparsed_total counter\n"
                              "ticky_unparsed_total 0\n"
                              "# HELP ticky_last_update_timestamp_seconds When ticky-reportd wrote these counts, in "
                              "seconds since the epoch.\n"
                              "# TYPE ticky_last_update_timestamp_seconds gauge\n"
                              "ticky_last_update_timestamp_seconds 1764000000\n");
        free(out);
        expect_round_trip(&d);
        report_data_done(&d);
        stats_free(s);
}

Test(report_prometheus, writes_the_largest_counts_exactly) {
        struct stats *s = sample();
        struct report_data d;
        size_t len;
        char *out;

        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 1764000000), 0);
        d.totals.unparsed = UINT64_MAX;
        d.other_errors = (struct report_other){ .count = { UINT64_MAX, 0 } };
        out = render(&d, &len);
        cr_expect_not_null(strstr(out, "\nticky_unparsed_total 18446744073709551615\n"));
        cr_expect_not_null(strstr(out, "\nticky_other_errors_total 18446744073709551615\n"));
        cr_expect_null(strstr(out, "ticky_other_events_total"));
        free(out);
        expect_round_trip(&d);
        report_data_done(&d);
        stats_free(s);
}

Test(report_prometheus, writes_a_64_kib_message_whole) {
        size_t body = 65536, n;
        char *msg = long_hostile_message(body, "\\\"", &n);
        struct stats *s = stats_new();
        struct report_data d;

        ADD_N(s, msg, n);
        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 1764000000), 0);
        cr_assert_eq(d.n_errors, 1);
        cr_assert_eq(d.errors[0]->key_len, body, "the message was cut: %zu bytes", d.errors[0]->key_len);
        expect_round_trip(&d);
        report_data_done(&d);
        stats_free(s);
        free(msg);
}

Test(report_prometheus, fails_with_eio_when_writes_fail) {
        struct stats *s = sample();
        struct report_data d;
        FILE *f = fopen("/dev/full", "we");

        cr_assert_not_null(f);
        /* Unbuffered: the first write fails, not the final fclose(). */
        setvbuf(f, NULL, _IONBF, 0);
        cr_assert_eq(report_data_init(&d, s, "t", "local journal", 0), 0);
        cr_expect_eq(report_prometheus_write(f, &d), -EIO);
        fclose(f);
        report_data_done(&d);
        stats_free(s);
}
