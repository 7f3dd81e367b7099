/* SPDX-License-Identifier: MIT */
/* syslog_line_parse() against a second, deliberately plain reading of the three formats,
 * with timegm() for the dates; and its clock cache against a fresh clock. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_common.h"
#include "syslog_line.h"

/* A fixed zone without DST, so that the reference can do local time by arithmetic; east of
 * UTC by a half hour, so that a wrong sign or a lost half hour shows. */
#define ZONE        "<+0130>-1:30"
#define ZONE_OFFSET (90 * 60)

/* Mid-year; just after New Year (local); the January after a leap year. */
static const int64_t nows[] = { 1795521600, 1798763400, 1863648000 };
static struct syslog_clock kept[3]; /* carried from input to input, so their caches are warm */

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* Pattern: '9' a digit, '_' a space or digit, anything else itself. */
static bool matches(const char *b, size_t n, size_t at, const char *pattern) {
        size_t k = strlen(pattern);

        if (at > n || n - at < k)
                return false;
        for (size_t i = 0; i < k; i++) {
                char c = b[at + i], p = pattern[i];
                if (p == '9' ? !is_digit(c) : p == '_' ? !(c == ' ' || is_digit(c)) : c != p)
                        return false;
        }
        return true;
}

static int number(const char *b, size_t at, size_t k) {
        int v = 0;

        for (size_t i = 0; i < k; i++)
                v = v * 10 + (b[at + i] == ' ' ? 0 : b[at + i] - '0');
        return v;
}

/* UTC seconds of a civil time, if it is one (no Feb 30, no 24:00); INT64_MIN otherwise. */
static int64_t civil(int year, int month, int day, int hour, int min, int sec) {
        struct tm tm = { .tm_year = year - 1900,
                         .tm_mon = month - 1,
                         .tm_mday = day,
                         .tm_hour = hour,
                         .tm_min = min,
                         .tm_sec = sec };
        time_t t = timegm(&tm);

        if (tm.tm_year != year - 1900 || tm.tm_mon != month - 1 || tm.tm_mday != day || tm.tm_hour != hour ||
            tm.tm_min != min || tm.tm_sec != sec)
                return INT64_MIN;
        return (int64_t) t;
}

/* "YYYY-MM-DDTHH:MM:SS[.F{1,9}](Z|±HH:MM)" at *at. */
static bool reference_rfc3339(const char *b, size_t n, size_t *at, uint64_t *ret) {
        size_t i = *at, digits = 0;
        int64_t t, offset = 0, usec = 0;

        if (!matches(b, n, i, "9999-99-99T99:99:99"))
                return false;
        t = civil(number(b, i, 4), number(b, i + 5, 2), number(b, i + 8, 2), number(b, i + 11, 2), number(b, i + 14, 2),
                  number(b, i + 17, 2));
        if (t == INT64_MIN)
                return false;
        i += 19;
        if (i < n && b[i] == '.') {
                for (i++; i < n && is_digit(b[i]); i++, digits++)
                        if (digits < 6)
                                usec = usec * 10 + (b[i] - '0');
                if (digits < 1 || digits > 9)
                        return false;
                for (size_t d = digits; d < 6; d++)
                        usec *= 10;
        }
        if (matches(b, n, i, "Z"))
                i++;
        else if (matches(b, n, i, "+99:99") || matches(b, n, i, "-99:99")) {
                int oh = number(b, i + 1, 2), om = number(b, i + 4, 2);
                if (oh > 23 || om > 59)
                        return false;
                offset = (b[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
                i += 6;
        } else
                return false;
        t -= offset;
        if (t < 0)
                return false;
        *ret = (uint64_t) t * 1000000 + (uint64_t) usec;
        *at = i;
        return true;
}

static bool reference_traditional(const char *b, size_t n, size_t *at, int64_t now, uint64_t *ret) {
        static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        size_t i = *at;
        int month = 0, day, year;
        time_t local_now = (time_t) (now + ZONE_OFFSET);
        struct tm tm;
        int64_t t;

        for (int m = 0; m < 12; m++)
                if (n - i >= 3 && memcmp(b + i, months[m], 3) == 0)
                        month = m + 1;
        if (month == 0 || !matches(b, n, i + 3, " _9 99:99:99"))
                return false;
        day = number(b, i + 4, 2);
        gmtime_r(&local_now, &tm);
        year = tm.tm_year + 1900;
        t = civil(year, month, day, number(b, i + 7, 2), number(b, i + 10, 2), number(b, i + 13, 2));
        if (t == INT64_MIN || t - ZONE_OFFSET > now + 86400)
                t = civil(year - 1, month, day, number(b, i + 7, 2), number(b, i + 10, 2), number(b, i + 13, 2));
        if (t == INT64_MIN || t - ZONE_OFFSET < 0)
                return false;
        *ret = (uint64_t) (t - ZONE_OFFSET) * 1000000;
        *at = i + 15;
        return true;
}

/* Up to the next ' ', which must be there; the run must not be empty. */
static bool reference_field(const char *b, size_t n, size_t *at, const char **ret, size_t *ret_len) {
        size_t i = *at;

        while (i < n && b[i] != ' ')
                i++;
        if (i == n || i == *at)
                return false;
        *ret = b + *at;
        *ret_len = i - *at;
        *at = i + 1;
        return true;
}

/* A state machine over STRUCTURED-DATA, in the shape of RFC 5424's ABNF. */
static bool reference_sd(const char *b, size_t n, size_t *at) {
        enum { START, ID, AFTER_ID_OR_VALUE, NAME, QUOTE, VALUE, ESCAPED, CLOSED } state = START;
        size_t i = *at, run = 0;

        if (i < n && b[i] == '-') {
                *at = i + 1;
                return true;
        }
        for (; i < n; i++) {
                char c = b[i];
                switch (state) {
                case START:
                case CLOSED:
                        if (c != '[') {
                                if (state == START)
                                        return false;
                                *at = i;
                                return true;
                        }
                        state = ID;
                        run = 0;
                        break;
                case ID:
                case NAME:
                        if (c == ' ' || c == ']' || c == '=' || c == '"') {
                                if (run == 0)
                                        return false;
                                if (state == ID)
                                        state = c == ']' ? CLOSED : c == ' ' ? NAME : START;
                                else
                                        state = c == '=' ? QUOTE : START;
                                if (state == START)
                                        return false;
                                run = 0;
                        } else
                                run++;
                        break;
                case QUOTE:
                        if (c != '"')
                                return false;
                        state = VALUE;
                        break;
                case VALUE:
                        state = c == '\\' ? ESCAPED : c == '"' ? AFTER_ID_OR_VALUE : VALUE;
                        break;
                case ESCAPED:
                        state = VALUE;
                        break;
                case AFTER_ID_OR_VALUE:
                        if (c == ']')
                                state = CLOSED;
                        else if (c == ' ')
                                state = NAME, run = 0;
                        else
                                return false;
                        break;
                }
        }
        if (state != CLOSED)
                return false;
        *at = i;
        return true;
}

static bool reference_parse(const char *b, size_t n, int64_t now, struct syslog_line *ret) {
        struct syslog_line l = { .realtime_usec = 0 };
        size_t i = 0;
        bool pri = false;

        if (n > 0 && b[0] == '<') {
                size_t j = 1;
                while (j < n && j < 4 && is_digit(b[j]))
                        j++;
                if (j == 1 || j == n || b[j] != '>' || number(b, 1, j - 1) > 191)
                        return false;
                pri = true;
                i = j + 1;
        }

        if (pri && (matches(b, n, i, "9 ") || matches(b, n, i, "99 ") || matches(b, n, i, "999 "))) {
                const char *unused;
                size_t unused_len;

                if (b[i] == '0')
                        return false;
                while (b[i] != ' ')
                        i++;
                i++;
                if (matches(b, n, i, "- "))
                        i++;
                else if (!reference_rfc3339(b, n, &i, &l.realtime_usec))
                        return false;
                if (!matches(b, n, i, " "))
                        return false;
                i++;
                if (!reference_field(b, n, &i, &l.host, &l.host_len) ||
                    !reference_field(b, n, &i, &l.tag, &l.tag_len) ||
                    !reference_field(b, n, &i, &unused, &unused_len) ||
                    !reference_field(b, n, &i, &unused, &unused_len))
                        return false;
                if (l.host_len == 1 && l.host[0] == '-')
                        l.host_len = 0;
                if (l.tag_len == 1 && l.tag[0] == '-')
                        l.tag_len = 0;
                if (!reference_sd(b, n, &i))
                        return false;
                if (i < n) {
                        if (b[i] != ' ')
                                return false;
                        i++;
                }
                if (matches(b, n, i, "\xEF\xBB\xBF"))
                        i += 3;
                l.message = b + i;
                l.message_len = n - i;
                *ret = l;
                return true;
        }

        if (n - i >= 5 && b[i + 4] == '-') {
                if (!reference_rfc3339(b, n, &i, &l.realtime_usec))
                        return false;
        } else if (!reference_traditional(b, n, &i, now, &l.realtime_usec))
                return false;
        if (!matches(b, n, i, " "))
                return false;
        i++;
        if (!reference_field(b, n, &i, &l.host, &l.host_len))
                return false;
        l.tag = b + i;
        while (i < n && b[i] != ':' && b[i] != '[' && b[i] != ' ')
                i++;
        l.tag_len = (size_t) (b + i - l.tag);
        if (l.tag_len == 0)
                return false;
        if (i < n && b[i] == '[') {
                size_t pid = ++i;
                while (i < n && is_digit(b[i]))
                        i++;
                if (i == pid || !matches(b, n, i, "]"))
                        return false;
                i++;
        }
        if (!matches(b, n, i, ":"))
                return false;
        i++;
        if (matches(b, n, i, " "))
                i++;
        l.message = b + i;
        l.message_len = n - i;
        *ret = l;
        return true;
}

static bool same(const struct syslog_line *a, const struct syslog_line *b) {
        return a->realtime_usec == b->realtime_usec && a->host == b->host && a->host_len == b->host_len &&
               a->tag == b->tag && a->tag_len == b->tag_len && a->message == b->message &&
               a->message_len == b->message_len;
}

static bool inside(const char *buf, size_t size, const char *p, size_t len) {
        return p >= buf && len <= size && (size_t) (p - buf) <= size - len;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        setenv("TZ", ZONE, 1);
        tzset();
        for (size_t i = 0; i < 3; i++)
                syslog_clock_init(&kept[i], (time_t) nows[i]);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* Exactly the input's size, so that ASan sees any read past its end. */
        char *buf = malloc(size ? size : 1);

        FUZZ_CHECK(buf);
        if (size)
                memcpy(buf, data, size);
        for (size_t i = 0; i < 3; i++) {
                struct syslog_clock fresh;
                struct syslog_line got = { .host = NULL }, again = { .host = NULL }, want = { .host = NULL };
                int r;

                syslog_clock_init(&fresh, (time_t) nows[i]);
                r = syslog_line_parse(buf, size, &kept[i], &got);
                FUZZ_CHECK(r == 0 || r == 1);
                FUZZ_CHECK(syslog_line_parse(buf, size, &fresh, &again) == r);
                FUZZ_CHECK(r == reference_parse(buf, size, nows[i], &want));
                if (r == 0) {
                        FUZZ_CHECK(got.host == NULL);
                        continue;
                }
                FUZZ_CHECK(same(&got, &again));
                FUZZ_CHECK(same(&got, &want));
                FUZZ_CHECK(inside(buf, size, got.host, got.host_len));
                FUZZ_CHECK(inside(buf, size, got.tag, got.tag_len));
                FUZZ_CHECK(inside(buf, size, got.message, got.message_len));
                FUZZ_CHECK(got.message + got.message_len == buf + size);
                FUZZ_CHECK(!memchr(got.host, ' ', got.host_len) && !memchr(got.tag, ' ', got.tag_len));
        }
        free(buf);
        return 0;
}
