/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "syslog_line.h"

#define NOW   INT64_C(1795521600) /* 2026-11-24T12:00:00Z */
#define USEC  UINT64_C(1000000)
#define T1000 UINT64_C(1795514400) /* 2026-11-24T10:00:00Z */

/* The unit tests run with TZ=UTC; the Berlin ones switch for their own process. */
static void use_tz(const char *tz) {
        cr_assert_eq(setenv("TZ", tz, 1), 0);
        tzset();
}

static int64_t utc(int year, int month, int day, int hour, int min, int sec) {
        struct tm tm = { .tm_year = year - 1900,
                         .tm_mon = month - 1,
                         .tm_mday = day,
                         .tm_hour = hour,
                         .tm_min = min,
                         .tm_sec = sec };
        return (int64_t) timegm(&tm);
}

/* mktime() for every line: what the clock's hour cache must agree with. */
static int64_t uncached(int year, int month, int day, int hour, int min, int sec, int isdst) {
        struct tm tm = { .tm_year = year - 1900,
                         .tm_mon = month - 1,
                         .tm_mday = day,
                         .tm_hour = hour,
                         .tm_min = min,
                         .tm_sec = sec,
                         .tm_isdst = isdst };
        return (int64_t) mktime(&tm);
}

static bool view_is(const char *p, size_t n, const char *want) {
        return n == strlen(want) && (n == 0 || memcmp(p, want, n) == 0);
}

#define OK(l, t, h, g, m)                                                                                              \
        { l, sizeof(l) - 1, t, h, g, m }

static const struct {
        const char *line;
        size_t len;
        uint64_t usec;
        const char *host, *tag, *message;
} accepted[] = {
        /* Traditional, now = 2026-11-24T12:00:00Z in UTC. */
        OK("Nov 24 10:00:00 host ticky: INFO Created ticket [#4217] (mdouglas)", T1000 *USEC, "host", "ticky",
           "INFO Created ticket [#4217] (mdouglas)"),
        OK("Nov 24 10:00:00 host ticky[1234]: ERROR Ticket doesn't exist (flavia)", T1000 *USEC, "host", "ticky",
           "ERROR Ticket doesn't exist (flavia)"),
        OK("Nov  4 10:00:00 h ticky: x", UINT64_C(1793786400) * USEC, "h", "ticky", "x"),
        OK("Nov 04 10:00:00 h ticky: x", UINT64_C(1793786400) * USEC, "h", "ticky", "x"),
        OK("Nov 24 10:59:59 h ticky: x", (T1000 + 3599) * USEC, "h", "ticky", "x"),
        OK("Nov 24 11:00:00 h ticky: x", (T1000 + 3600) * USEC, "h", "ticky", "x"),
        OK("Jan  1 00:00:00 h ticky: x", UINT64_C(1767225600) * USEC, "h", "ticky", "x"),
        OK("<14>Nov 24 10:00:00 host ticky: x", T1000 *USEC, "host", "ticky", "x"),
        OK("<0>Nov 24 10:00:00 host ticky: x", T1000 *USEC, "host", "ticky", "x"),
        OK("<191>Nov 24 10:00:00 host ticky: x", T1000 *USEC, "host", "ticky", "x"),
        OK("Nov 24 10:00:00 host ticky: INFO Closed ticket [#1] (jo.doe)", T1000 *USEC, "host", "ticky",
           "INFO Closed ticket [#1] (jo.doe)"),
        OK("Nov 24 10:00:00 host ticky: INFO Closed ticket [#1] (jo.doe)  \r", T1000 *USEC, "host", "ticky",
           "INFO Closed ticket [#1] (jo.doe)  \r"),
        OK("Nov 24 10:00:00 host ticky:  two spaces, one kept", T1000 *USEC, "host", "ticky", " two spaces, one kept"),
        OK("Nov 24 10:00:00 host ticky:no space", T1000 *USEC, "host", "ticky", "no space"),
        OK("Nov 24 10:00:00 host ticky:", T1000 *USEC, "host", "ticky", ""),
        OK("Nov 24 10:00:00 host ticky: ", T1000 *USEC, "host", "ticky", ""),
        OK("Nov 24 10:00:00 host ticky[1]:\tx", T1000 *USEC, "host", "ticky", "\tx"),
        OK("Nov 24 10:00:00 host ticky: a: b: 'c' \xff\xfe\xc3", T1000 *USEC, "host", "ticky",
           "a: b: 'c' \xff\xfe\xc3"),
        OK("Nov 24 10:00:00 host kernel: [    1.234] x", T1000 *USEC, "host", "kernel", "[    1.234] x"),
        OK("Nov 24 10:00:00 db-1.example.com postfix/smtpd[99]: x", T1000 *USEC, "db-1.example.com", "postfix/smtpd",
           "x"),
        /* RFC 3339 (RSYSLOG_FileFormat). */
        OK("2026-11-24T10:00:00.123456+01:00 host ticky[1234]: MESSAGE", (T1000 - 3600) * USEC + 123456, "host",
           "ticky", "MESSAGE"),
        OK("2026-11-24T10:00:00Z host ticky: m", T1000 *USEC, "host", "ticky", "m"),
        OK("2026-11-24T10:00:00+00:00 host ticky: m", T1000 *USEC, "host", "ticky", "m"),
        OK("2026-11-24T10:00:00-05:30 host ticky: m", (T1000 + 5 * 3600 + 1800) * USEC, "host", "ticky", "m"),
        OK("2026-11-24T10:00:00.1Z host ticky: m", T1000 *USEC + 100000, "host", "ticky", "m"),
        OK("2026-11-24T10:00:00.000001Z host ticky: m", T1000 *USEC + 1, "host", "ticky", "m"),
        OK("2026-11-24T10:00:00.123456789Z host ticky: m", T1000 *USEC + 123456, "host", "ticky", "m"),
        OK("<13>2026-11-24T10:00:00Z host ticky: m", T1000 *USEC, "host", "ticky", "m"),
        OK("2028-02-29T23:59:59+23:59 h t: m", UINT64_C(1835395259) * USEC, "h", "t", "m"),
        OK("1970-01-01T00:00:00Z h t: m", 0, "h", "t", "m"),
        OK("9999-12-31T23:59:59Z h t: m", UINT64_C(253402300799) * USEC, "h", "t", "m"),
        /* RFC 5424 (RSYSLOG_SyslogProtocol23Format). */
        OK("<14>1 2026-11-24T10:00:00.123456+00:00 host ticky 1234 - - MESSAGE", T1000 *USEC + 123456, "host", "ticky",
           "MESSAGE"),
        OK("<14>1 2026-11-24T10:00:00Z host ticky - - - MESSAGE", T1000 *USEC, "host", "ticky", "MESSAGE"),
        OK("<14>1 2026-11-24T10:00:00Z host ticky 1 ID47 - INFO Closed ticket [#1] (jo.doe) ", T1000 *USEC, "host",
           "ticky", "INFO Closed ticket [#1] (jo.doe) "),
        OK("<14>1 - - - - - -", 0, "", "", ""),
        OK("<14>1 - - - - - - ", 0, "", "", ""),
        OK("<14>1 - - - - - - m", 0, "", "", "m"),
        OK("<14>12 - h t - - - m", 0, "h", "t", "m"),
        OK("<14>1 2026-11-24T10:00:00Z host ticky 1234 ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App\"] m",
           T1000 *USEC, "host", "ticky", "m"),
        OK("<14>1 - h t - - [a@1 x=\"a\\]b\\\"c\\\\\" y=\"\"][b@2][c@3 z=\"]\"] m", 0, "h", "t", "m"),
        OK("<14>1 - h t - - [a@1 x=\"\\q\"]", 0, "h", "t", ""),
        OK("<14>1 - h t - - - \xEF\xBB\xBFINFO x (u)", 0, "h", "t", "INFO x (u)"),
        OK("<14>1 - h t - - - \xEF\xBB\xBF", 0, "h", "t", ""),
        OK("<14>1 - h t - - - \xEF\xBB", 0, "h", "t", "\xEF\xBB"),
        OK("<14>1 - h t - - -  two", 0, "h", "t", " two"),
        OK("<14>1 - h t - - - -x", 0, "h", "t", "-x"),
        OK("<14>1 - h t - - [a] [b]", 0, "h", "t", "[b]"),
        OK("<14>1 - -h t- - - - m", 0, "-h", "t-", "m"),
};

Test(syslog_line, parses_every_format) {
        struct syslog_clock clock;

        syslog_clock_init(&clock, (time_t) NOW);
        for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
                struct syslog_line l;
                int r = syslog_line_parse(accepted[i].line, accepted[i].len, &clock, &l);

                cr_expect_eq(r, 1, "case %zu '%s': returned %d", i, accepted[i].line, r);
                if (r != 1)
                        continue;
                cr_expect_eq(l.realtime_usec, accepted[i].usec, "case %zu '%s': realtime %llu", i, accepted[i].line,
                             (unsigned long long) l.realtime_usec);
                cr_expect(view_is(l.host, l.host_len, accepted[i].host), "case %zu: host '%.*s'", i, (int) l.host_len,
                          l.host);
                cr_expect(view_is(l.tag, l.tag_len, accepted[i].tag), "case %zu: tag '%.*s'", i, (int) l.tag_len,
                          l.tag);
                cr_expect(view_is(l.message, l.message_len, accepted[i].message), "case %zu: message '%.*s'", i,
                          (int) l.message_len, l.message);
                cr_expect(l.message + l.message_len == accepted[i].line + accepted[i].len,
                          "case %zu: message does not run to the end of the line", i);
        }
}

#define BAD(l)                                                                                                         \
        { l, sizeof(l) - 1 }

static const struct {
        const char *line;
        size_t len;
} rejected[] = {
        BAD(""),
        BAD(" "),
        BAD("garbage"),
        BAD("INFO Created ticket [#4217] (mdouglas)"),
        BAD("Nov"),
        BAD("Nov 2"),
        BAD("Nov 24 10:00"),
        BAD("Nov 24 10:00:00"),
        BAD("Nov 24 10:00:00 "),
        BAD("Nov 24 10:00:00 host"),
        BAD("Nov 24 10:00:00 host "),
        BAD("Nov 24 10:00:00 host ticky"),
        BAD("Nov 24 10:00:00 host ticky message"),
        BAD("Nov 24 10:00:00 host ticky : x"),
        BAD("Nov 24 10:00:00 host ticky [1]: x"),
        BAD("Nov 24 10:00:00 host ticky[]: x"),
        BAD("Nov 24 10:00:00 host ticky[12: x"),
        BAD("Nov 24 10:00:00 host ticky[1] x"),
        BAD("Nov 24 10:00:00 host ticky[1]"),
        BAD("Nov 24 10:00:00 host ticky[a]: x"),
        BAD("Nov 24 10:00:00 host ticky[1][2]: x"),
        BAD("Nov 24 10:00:00 host : x"),
        BAD("Nov 24 10:00:00 host [1]: x"),
        BAD("Nov 24 10:00:00  host ticky: x"),
        BAD("Nov 24 10:00:00host ticky: x"),
        BAD(" Nov 24 10:00:00 host ticky: x"),
        BAD("Nox 24 10:00:00 host ticky: x"),
        BAD("nov 24 10:00:00 host ticky: x"),
        BAD("NOV 24 10:00:00 host ticky: x"),
        BAD("Nov 00 10:00:00 host ticky: x"),
        BAD("Nov  0 10:00:00 host ticky: x"),
        BAD("Nov 31 10:00:00 host ticky: x"),
        BAD("Nov 32 10:00:00 host ticky: x"),
        BAD("Feb 29 10:00:00 host ticky: x"), /* neither 2026 nor 2025 is a leap year */
        BAD("Nov 4 10:00:00 host ticky: x"),
        BAD("Nov   4 10:00:00 host ticky: x"),
        BAD("Nov 4  10:00:00 host ticky: x"),
        BAD("Nov 24 24:00:00 host ticky: x"),
        BAD("Nov 24 10:60:00 host ticky: x"),
        BAD("Nov 24 10:00:60 host ticky: x"),
        BAD("Nov 24 1:00:00 host ticky: x"),
        BAD("Nov 24 10:0:00 host ticky: x"),
        BAD("Nov 24 10-00-00 host ticky: x"),
        BAD("Nov 24 10:00:00.123 host ticky: x"),
        BAD("Nov 24 2026 10:00:00 host ticky: x"),
        BAD("2026-11-24T10:00:00 host ticky: x"),
        BAD("2026-11-24T10:00:00. host ticky: x"),
        BAD("2026-11-24T10:00:00.Z host ticky: x"),
        BAD("2026-11-24T10:00:00.1234567890Z host ticky: x"),
        BAD("2026-11-24T10:00:00,1Z host ticky: x"),
        BAD("2026-11-24t10:00:00Z host ticky: x"),
        BAD("2026-11-24T10:00:00z host ticky: x"),
        BAD("2026-11-24 10:00:00Z host ticky: x"),
        BAD("2026-11-24T10:00:00+1:00 host ticky: x"),
        BAD("2026-11-24T10:00:00+0100 host ticky: x"),
        BAD("2026-11-24T10:00:00+01 host ticky: x"),
        BAD("2026-11-24T10:00:00+24:00 host ticky: x"),
        BAD("2026-11-24T10:00:00+01:60 host ticky: x"),
        BAD("2026-11-24T10:00:00Zhost ticky: x"),
        BAD("2026-11-24T10:00:00Z"),
        BAD("2026-11-24T10:00:00Z "),
        BAD("2026-11-24T10:00:00Z host"),
        BAD("2026-00-24T10:00:00Z host ticky: x"),
        BAD("2026-13-24T10:00:00Z host ticky: x"),
        BAD("2026-11-00T10:00:00Z host ticky: x"),
        BAD("2026-11-31T10:00:00Z host ticky: x"),
        BAD("2026-02-29T10:00:00Z host ticky: x"),
        BAD("2026-11-24T24:00:00Z host ticky: x"),
        BAD("2026-11-24T10:00:60Z host ticky: x"),
        BAD("1969-12-31T23:59:59Z host ticky: x"),
        BAD("1970-01-01T00:59:59+01:00 host ticky: x"),
        BAD("+026-11-24T10:00:00Z host ticky: x"),
        BAD("2026-11-2"),
        BAD("<"),
        BAD("<>Nov 24 10:00:00 host ticky: x"),
        BAD("<14"),
        BAD("<14Nov 24 10:00:00 host ticky: x"),
        BAD("<192>Nov 24 10:00:00 host ticky: x"),
        BAD("<1234>Nov 24 10:00:00 host ticky: x"),
        BAD("<-1>Nov 24 10:00:00 host ticky: x"),
        BAD("<14> Nov 24 10:00:00 host ticky: x"),
        BAD("14>Nov 24 10:00:00 host ticky: x"),
        BAD("<14>"),
        BAD("<14>1"),
        BAD("<14>1 "),
        BAD("<14>1 - - - - -"),
        BAD("<14>1 - - - - - "),
        BAD("1 - - - - - -"),
        BAD("<14>0 - - - - - -"),
        BAD("<14>01 - - - - - -"),
        BAD("<14>1234 - - - - - -"),
        BAD("<14>1 - - - - - x"),
        BAD("<14>1 - - - - - -x"),
        BAD("<14>1 - - - - - ["),
        BAD("<14>1 - - - - - []"),
        BAD("<14>1 - - - - - [a"),
        BAD("<14>1 - - - - - [a "),
        BAD("<14>1 - - - - - [a b]"),
        BAD("<14>1 - - - - - [a b=]"),
        BAD("<14>1 - - - - - [a b=c]"),
        BAD("<14>1 - - - - - [a =\"c\"]"),
        BAD("<14>1 - - - - - [a b=\"c]"),
        BAD("<14>1 - - - - - [a b=\"c\\\"]"),
        BAD("<14>1 - - - - - [a b=\"c\\"),
        BAD("<14>1 - - - - - [a=\"c\"]"),
        BAD("<14>1 - - - - - [a b=\"c\"  d=\"e\"]"),
        BAD("<14>1 - - - - - [a b=\"c\"]x"),
        BAD("<14>1 - - - - [a] m"),
        BAD("<14>1 - host  app - - - m"),
        BAD("<14>1  - - - - - -"),
        BAD("<14>1 -- - - - - -"),
        BAD("<14>1 2026-11-24T10:00:00 h t - - - m"),
        BAD("<14>1 2026-11-24T10:00:00Z"),
        BAD("<14>1 Nov 24 10:00:00 host ticky: x"),
        BAD("<14>2026-11-24 host ticky: x"),
};

Test(syslog_line, rejects_what_it_does_not_know) {
        struct syslog_clock clock;

        syslog_clock_init(&clock, (time_t) NOW);
        for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
                struct syslog_line l = { .host = NULL, .realtime_usec = 42 };
                int r = syslog_line_parse(rejected[i].line, rejected[i].len, &clock, &l);
                cr_expect_eq(r, 0, "case %zu '%.*s': returned %d", i, (int) rejected[i].len, rejected[i].line, r);
                cr_expect(l.host == NULL && l.realtime_usec == 42, "case %zu: ret touched on failure", i);
        }
}

Test(syslog_line, rejects_null_line) {
        struct syslog_clock clock;
        struct syslog_line l;

        syslog_clock_init(&clock, (time_t) NOW);
        cr_assert_eq(syslog_line_parse(NULL, 0, &clock, &l), 0);
}

static uint64_t parse_usec(struct syslog_clock *clock, const char *line) {
        struct syslog_line l;

        cr_assert_eq(syslog_line_parse(line, strlen(line), clock, &l), 1, "'%s' does not parse", line);
        return l.realtime_usec;
}

Test(syslog_line, takes_the_local_time_of_berlin_with_dst) {
        struct syslog_clock clock;

        use_tz("Europe/Berlin");
        syslog_clock_init(&clock, (time_t) NOW);
        /* CET in November, CEST in July. */
        cr_expect_eq(parse_usec(&clock, "Nov 24 10:00:00 h ticky: x"), UINT64_C(1795510800) * USEC);
        cr_expect_eq(parse_usec(&clock, "Jul  1 10:00:00 h ticky: x"), UINT64_C(1782892800) * USEC);
        /* The last second before and the first after each change. */
        cr_expect_eq(parse_usec(&clock, "Mar 29 01:59:59 h ticky: x"), UINT64_C(1774745999) * USEC);
        cr_expect_eq(parse_usec(&clock, "Mar 29 03:00:00 h ticky: x"), UINT64_C(1774746000) * USEC);
        cr_expect_eq(parse_usec(&clock, "Oct 25 01:59:59 h ticky: x"), UINT64_C(1792886399) * USEC);
        cr_expect_eq(parse_usec(&clock, "Oct 25 03:00:00 h ticky: x"), UINT64_C(1792893600) * USEC);
        /* RFC 3339 carries its own offset: TZ plays no part. */
        cr_expect_eq(parse_usec(&clock, "2026-11-24T10:00:00Z h ticky: x"), T1000 * USEC);
}

Test(syslog_line, puts_a_future_date_in_the_previous_year) {
        struct syslog_clock clock;

        syslog_clock_init(&clock, (time_t) utc(2027, 1, 1, 0, 30, 0));
        /* A December line read in January. */
        cr_expect_eq(parse_usec(&clock, "Dec 31 23:59:59 h ticky: x"), (uint64_t) utc(2026, 12, 31, 23, 59, 59) * USEC);
        cr_expect_eq(parse_usec(&clock, "Jan  1 00:10:00 h ticky: x"), (uint64_t) utc(2027, 1, 1, 0, 10, 0) * USEC);
        /* Up to a day ahead is a clock a little off, not last year. */
        cr_expect_eq(parse_usec(&clock, "Jan  2 00:30:00 h ticky: x"), (uint64_t) utc(2027, 1, 2, 0, 30, 0) * USEC);
        cr_expect_eq(parse_usec(&clock, "Jan  2 00:30:01 h ticky: x"), (uint64_t) utc(2026, 1, 2, 0, 30, 1) * USEC);
        cr_expect_eq(parse_usec(&clock, "Dec 31 23:59:59 h ticky: x"), (uint64_t) utc(2026, 12, 31, 23, 59, 59) * USEC);

        /* Feb 29 exists only in the leap year before. */
        syslog_clock_init(&clock, (time_t) utc(2029, 1, 15, 0, 0, 0));
        cr_expect_eq(parse_usec(&clock, "Feb 29 12:00:00 h ticky: x"), (uint64_t) utc(2028, 2, 29, 12, 0, 0) * USEC);
        syslog_clock_init(&clock, (time_t) utc(2028, 3, 1, 0, 0, 0));
        cr_expect_eq(parse_usec(&clock, "Feb 29 12:00:00 h ticky: x"), (uint64_t) utc(2028, 2, 29, 12, 0, 0) * USEC);
}

Test(syslog_line, uses_the_year_of_now_in_local_time) {
        struct syslog_clock clock;

        /* 2026-12-31T23:30:00Z is already 2027 in Berlin. */
        use_tz("Europe/Berlin");
        syslog_clock_init(&clock, (time_t) utc(2026, 12, 31, 23, 30, 0));
        cr_expect_eq(parse_usec(&clock, "Jan  1 00:20:00 h ticky: x"), (uint64_t) utc(2026, 12, 31, 23, 20, 0) * USEC);
}

/* Lines for the local times from (month, day) 00:00:00 on, step seconds apart, n of them,
 * in an order that jumps between hours when shuffle is set; each compared with mktime(). */
static void expect_cache_agrees(int month, int day, int step, int n, bool shuffle) {
        struct syslog_clock clock;
        uint32_t lcg = 12345;

        syslog_clock_init(&clock, (time_t) utc(2026, 12, 15, 0, 0, 0));
        for (int i = 0; i < n; i++) {
                int k = i;
                if (shuffle) {
                        lcg = lcg * 1103515245u + 12345u;
                        k = (int) ((lcg >> 8) % (uint32_t) n);
                }
                int s = k * step, d = day + s / 86400, hour = s / 3600 % 24, min = s / 60 % 60, sec = s % 60;
                char line[64];
                int len = snprintf(line, sizeof(line), "%s %2d %02d:%02d:%02d h ticky: x",
                                   month == 3    ? "Mar"
                                   : month == 10 ? "Oct"
                                                 : "Nov",
                                   d, hour, min, sec);
                struct syslog_line l;

                cr_assert_eq(syslog_line_parse(line, (size_t) len, &clock, &l), 1, "'%s'", line);
                int64_t got = (int64_t) (l.realtime_usec / USEC);
                if (month == 10 && d == 25 && hour == 2) {
                        /* Twice in that night, CEST then CET: either is right, mktime() too
                         * picks one by its own history. */
                        int64_t cest = uncached(2026, month, d, hour, min, sec, 1);
                        int64_t cet = uncached(2026, month, d, hour, min, sec, 0);
                        cr_expect(got == cest || got == cet, "'%s': %lld, not %lld or %lld", line, (long long) got,
                                  (long long) cest, (long long) cet);
                } else
                        cr_expect_eq(got, uncached(2026, month, d, hour, min, sec, -1), "'%s': %lld", line,
                                     (long long) got);
                cr_expect_eq(l.realtime_usec % USEC, 0);
        }
}

Test(syslog_line, clock_cache_agrees_with_mktime_across_hours) {
        expect_cache_agrees(11, 23, 7, 3 * 86400 / 7, false);
        expect_cache_agrees(11, 23, 7, 3 * 86400 / 7, true);
}

Test(syslog_line, clock_cache_agrees_with_mktime_across_dst_in_berlin) {
        use_tz("Europe/Berlin");
        expect_cache_agrees(3, 28, 7, 2 * 86400 / 7, false);
        expect_cache_agrees(3, 28, 7, 2 * 86400 / 7, true);
        expect_cache_agrees(10, 24, 7, 2 * 86400 / 7, false);
        expect_cache_agrees(10, 24, 7, 2 * 86400 / 7, true);
}

Test(syslog_line, clock_cache_agrees_with_mktime_in_a_half_hour_zone) {
        /* Lord Howe Island moves its clocks by 30 minutes, at 02:00 local time. */
        use_tz("Australia/Lord_Howe");
        expect_cache_agrees(10, 3, 7, 2 * 86400 / 7, false);
        expect_cache_agrees(10, 3, 7, 2 * 86400 / 7, true);
}

/* What every prefix of a line parses to. A prefix parses once its tag and ':' (RFC 5424: its
 * STRUCTURED-DATA) are whole, with the line's time, host and tag; its message is the rest of the
 * prefix from where the line's message starts (empty until there), an RFC 5424 BOM dropped once
 * it is whole: so a partial BOM is in the message, and is not a prefix of the line's message.
 * Every shorter prefix does not parse, but for RFC 5424 the one that ends with the first
 * SD-ELEMENT, a STRUCTURED-DATA without MSG. */
static const struct {
        const char *line, *message; /* the whole line, and its message */
        bool bom;                   /* before the message */
        const char *shortest;       /* the shortest prefix that parses */
        const char *sd_alone;       /* RFC 5424: another, shorter one that parses; or NULL */
        uint64_t usec;
        const char *host, *tag;
} prefixes[] = {
        { "<14>Nov  4 10:00:00 host ticky[1234]: INFO Closed ticket [#1] (jo.doe) ",
          "INFO Closed ticket [#1] (jo.doe) ", false, "<14>Nov  4 10:00:00 host ticky[1234]:", NULL,
          (T1000 - 20 * 86400) * USEC /* Nov 4 */, "host", "ticky" },
        { "<14>2026-11-24T10:00:00.123456789+01:00 host ticky: x", "x", false,
          "<14>2026-11-24T10:00:00.123456789+01:00 host ticky:", NULL, (T1000 - 3600) * USEC + 123456, "host",
          "ticky" },
        { "<14>1 2026-11-24T10:00:00.123Z host ticky 1 ID [a@1 x=\"a\\]b\\\\\"][b] \xEF\xBB\xBFm", "m", true,
          "<14>1 2026-11-24T10:00:00.123Z host ticky 1 ID [a@1 x=\"a\\]b\\\\\"][b]",
          "<14>1 2026-11-24T10:00:00.123Z host ticky 1 ID [a@1 x=\"a\\]b\\\\\"]", T1000 *USEC + 123000, "host",
          "ticky" },
};

Test(syslog_line, never_reads_outside_the_buffer) {
        /* Every prefix of a valid line, copied to an exact-size heap buffer, so that ASan sees
         * any read past its end; and what each parses to, as above. */
        struct syslog_clock clock;

        syslog_clock_init(&clock, (time_t) NOW);
        for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
                const char *line = prefixes[i].line;
                size_t len = strlen(line), shortest = strlen(prefixes[i].shortest);
                size_t sd_alone = prefixes[i].sd_alone ? strlen(prefixes[i].sd_alone) : SIZE_MAX;
                /* Where the message, or its BOM, starts. */
                size_t at = len - strlen(prefixes[i].message) - (prefixes[i].bom ? 3 : 0);

                cr_assert(strncmp(line, prefixes[i].shortest, shortest) == 0 && shortest < at &&
                                  (!prefixes[i].sd_alone || strncmp(line, prefixes[i].sd_alone, sd_alone) == 0),
                          "line %zu: not prefixes of the line", i);
                for (size_t n = 0; n <= len; n++) {
                        char *buf = malloc(n ? n : 1);
                        struct syslog_line l = { .host = NULL };
                        cr_assert_not_null(buf);
                        memcpy(buf, line, n);
                        int r = syslog_line_parse(buf, n, &clock, &l);
                        if (n < shortest && n != sd_alone) {
                                cr_expect_eq(r, 0, "line %zu, prefix of %zu bytes: returned %d", i, n, r);
                                cr_expect_null(l.host, "line %zu, prefix of %zu bytes: ret touched", i, n);
                                free(buf);
                                continue;
                        }
                        size_t from = n < at ? n : at;
                        if (prefixes[i].bom && n >= at + 3)
                                from = at + 3;
                        cr_expect_eq(r, 1, "line %zu, prefix of %zu bytes: returned %d", i, n, r);
                        cr_expect_eq(l.realtime_usec, prefixes[i].usec, "line %zu, prefix of %zu bytes: time", i, n);
                        cr_expect(view_is(l.host, l.host_len, prefixes[i].host) &&
                                          view_is(l.tag, l.tag_len, prefixes[i].tag),
                                  "line %zu, prefix of %zu bytes: host '%.*s', tag '%.*s'", i, n, (int) l.host_len,
                                  l.host, (int) l.tag_len, l.tag);
                        cr_expect(l.message == buf + from && l.message_len == n - from,
                                  "line %zu, prefix of %zu bytes: message at %td, %zu bytes; not at %zu", i, n,
                                  l.message ? l.message - buf : -1, l.message_len, from);
                        if (n == len)
                                cr_expect(view_is(l.message, l.message_len, prefixes[i].message),
                                          "line %zu: message '%.*s'", i, (int) l.message_len, l.message);
                        free(buf);
                }
        }
}

Test(syslog_line, keeps_nul_bytes_in_the_message) {
        static const char line[] = "Nov 24 10:00:00 host ticky: a\0b\0";
        struct syslog_clock clock;
        struct syslog_line l;

        syslog_clock_init(&clock, (time_t) NOW);
        cr_assert_eq(syslog_line_parse(line, sizeof(line) - 1, &clock, &l), 1);
        cr_expect(l.message_len == 4 && memcmp(l.message, "a\0b\0", 4) == 0);
}
