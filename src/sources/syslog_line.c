/* SPDX-License-Identifier: MIT */
/* The syslog line formats, by hand: a million lines a second leaves no room for sscanf(),
 * regexes or a mktime() per line. */
#include "syslog_line.h"

#include <assert.h>
#include <string.h>

#include "calendar.h"

#define USEC_PER_SEC INT64_C(1000000)
#define SEC_PER_DAY  INT64_C(86400)
#define SEC_PER_HOUR 3600
#define SEC_PER_MIN  60

/* A plain byte cursor over [p, end). */
struct cursor {
        const char *p, *end;
};

static size_t cursor_left(const struct cursor *c) {
        return (size_t) (c->end - c->p);
}

static bool cursor_take(struct cursor *c, char want) {
        if (c->p == c->end || *c->p != want)
                return false;
        c->p++;
        return true;
}

static unsigned digit_value(char c) {
        /* Wraps for bytes below '0', so one comparison rejects both sides. */
        return (unsigned) (unsigned char) c - '0';
}

/* Exactly n decimal digits; the caller has checked that n bytes are left. */
static bool take_digits(struct cursor *c, size_t n, int *ret) {
        int v = 0;

        for (size_t i = 0; i < n; i++) {
                unsigned d = digit_value(c->p[i]);
                if (d > 9)
                        return false;
                v = v * 10 + (int) d;
        }
        c->p += n;
        *ret = v;
        return true;
}

static bool is_leap(int64_t y) {
        return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int64_t year, int month) {
        static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/* "HH:MM:SS"; no leap second, which rsyslog on Linux never writes. */
static bool take_hms(struct cursor *c, int *ret_h, int *ret_m, int *ret_s) {
        int h, m, s;

        if (cursor_left(c) < 8 || c->p[2] != ':' || c->p[5] != ':')
                return false;
        if (!take_digits(c, 2, &h) || !cursor_take(c, ':') || !take_digits(c, 2, &m) || !cursor_take(c, ':') ||
            !take_digits(c, 2, &s))
                return false;
        if (h > 23 || m > 59 || s > 59)
                return false;
        *ret_h = h;
        *ret_m = m;
        *ret_s = s;
        return true;
}

/* mktime() of a local time; -1 on failure, which no time we accept maps to. */
static int64_t local_to_utc(int year, int month, int day, int hour, int min, int sec) {
        struct tm tm = {
                .tm_year = year - 1900,
                .tm_mon = month - 1,
                .tm_mday = day,
                .tm_hour = hour,
                .tm_min = min,
                .tm_sec = sec,
                .tm_isdst = -1,
        };
        return (int64_t) mktime(&tm);
}

void syslog_clock_init(struct syslog_clock *c, time_t now) {
        struct tm tm;

        assert(c);
        *c = (struct syslog_clock){
                .now = (int64_t) now,
                .year = localtime_r(&now, &tm) ? tm.tm_year + 1900 : 1970,
                .hour = { { .key = -1 }, { .key = -1 } },
        };
}

/* Local time to UTC seconds: mktime() at the start and end of each local hour, the minutes
 * and seconds added. An hour in which the offset changes (rare: most zones switch on the hour)
 * gets a mktime() per line, so that the cache never changes a result. */
static bool clock_to_utc(struct syslog_clock *c, int year, int month, int day, int hour, int min, int sec,
                         int64_t *ret) {
        struct syslog_clock_hour *h = &c->hour[year == c->year ? 0 : 1];
        int64_t key = (((int64_t) year * 100 + month) * 100 + day) * 100 + hour;

        if (h->key != key) {
                int64_t start = local_to_utc(year, month, day, hour, 0, 0);
                int64_t last = local_to_utc(year, month, day, hour, 59, 59);
                if (start == -1 || last == -1)
                        return false;
                *h = (struct syslog_clock_hour){ .key = key, .start = start, .uniform = last - start == 3599 };
        }
        if (h->uniform)
                *ret = h->start + min * SEC_PER_MIN + sec;
        else {
                *ret = local_to_utc(year, month, day, hour, min, sec);
                if (*ret == -1)
                        return false;
        }
        return true;
}

static int parse_month_name(const char *p) {
        static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

        for (int i = 0; i < 12; i++)
                if (memcmp(p, names + 3 * i, 3) == 0)
                        return i + 1;
        return 0;
}

/* "Mmm dd HH:MM:SS", local time without a year: this year, unless that is more than a day
 * ahead of now (a December line read in January), then last year. */
static bool take_traditional_time(struct cursor *c, struct syslog_clock *clock, uint64_t *ret_usec) {
        int month, day, hour, min, sec, year;
        int64_t t;

        if (cursor_left(c) < 15 || c->p[3] != ' ' || c->p[6] != ' ')
                return false;
        month = parse_month_name(c->p);
        if (month == 0)
                return false;
        c->p += 4;
        if (c->p[0] == ' ') {
                /* "Nov  4": space-padded, as rsyslog writes it. */
                c->p++;
                if (!take_digits(c, 1, &day))
                        return false;
        } else if (!take_digits(c, 2, &day))
                return false;
        c->p++; /* the space, checked above */
        if (day < 1 || !take_hms(c, &hour, &min, &sec))
                return false;

        year = clock->year;
        if (day > days_in_month(year, month) || !clock_to_utc(clock, year, month, day, hour, min, sec, &t) ||
            t > clock->now + SEC_PER_DAY) {
                year--;
                if (day > days_in_month(year, month) || !clock_to_utc(clock, year, month, day, hour, min, sec, &t))
                        return false;
        }
        if (t < 0)
                return false;
        *ret_usec = (uint64_t) t * (uint64_t) USEC_PER_SEC;
        return true;
}

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS[.F{1,9}](Z|+HH:MM|-HH:MM)", to UTC by arithmetic. Fractions
 * beyond microseconds are cut; times before 1970 are refused (realtime 0 means "unknown"). */
static bool take_rfc3339_time(struct cursor *c, uint64_t *ret_usec) {
        int year, month, day, hour, min, sec, off_h, off_m;
        int64_t usec = 0, offset = 0, t;

        if (cursor_left(c) < 20 || c->p[4] != '-' || c->p[7] != '-' || c->p[10] != 'T')
                return false;
        if (!take_digits(c, 4, &year) || !cursor_take(c, '-') || !take_digits(c, 2, &month) || !cursor_take(c, '-') ||
            !take_digits(c, 2, &day) || !cursor_take(c, 'T') || !take_hms(c, &hour, &min, &sec))
                return false;
        if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
                return false;

        if (cursor_take(c, '.')) {
                int n = 0;
                while (c->p < c->end && n < 9 && digit_value(*c->p) <= 9) {
                        if (n < 6)
                                usec = usec * 10 + digit_value(*c->p);
                        c->p++;
                        n++;
                }
                if (n == 0)
                        return false;
                for (; n < 6; n++)
                        usec *= 10;
        }

        if (c->p == c->end)
                return false;
        if (*c->p == 'Z')
                c->p++;
        else if (*c->p == '+' || *c->p == '-') {
                bool east = *c->p == '+';
                c->p++;
                if (cursor_left(c) < 5 || c->p[2] != ':' || !take_digits(c, 2, &off_h) || !cursor_take(c, ':') ||
                    !take_digits(c, 2, &off_m) || off_h > 23 || off_m > 59)
                        return false;
                offset = (int64_t) (off_h * SEC_PER_HOUR + off_m * SEC_PER_MIN);
                if (!east)
                        offset = -offset;
        } else
                return false;

        t = days_from_civil(year, month, day) * SEC_PER_DAY + hour * SEC_PER_HOUR + min * SEC_PER_MIN + sec - offset;
        if (t < 0)
                return false;
        *ret_usec = (uint64_t) (t * USEC_PER_SEC + usec);
        return true;
}

/* A non-empty run of bytes other than ' ', followed by one ' '. */
static bool take_field(struct cursor *c, const char **ret, size_t *ret_len) {
        const char *start = c->p, *sp = memchr(c->p, ' ', cursor_left(c));

        if (!sp || sp == start)
                return false;
        c->p = sp + 1;
        *ret = start;
        *ret_len = (size_t) (sp - start);
        return true;
}

/* "<PRI>": 1-3 digits, 0-191. */
static bool take_pri(struct cursor *c) {
        int pri = 0, n = 0;

        if (!cursor_take(c, '<'))
                return false;
        while (c->p < c->end && n < 3 && digit_value(*c->p) <= 9) {
                pri = pri * 10 + (int) digit_value(*c->p);
                c->p++;
                n++;
        }
        return n > 0 && pri <= 191 && cursor_take(c, '>');
}

/* After the host: "TAG: MSG", "TAG[PID]: MSG" or "TAG:MSG"; TAG holds no ' ', ':' or '['. */
static bool take_tag_message(struct cursor *c, struct syslog_line *l) {
        const char *start = c->p;

        while (c->p < c->end && *c->p != ':' && *c->p != '[' && *c->p != ' ')
                c->p++;
        if (c->p == start || c->p == c->end)
                return false;
        l->tag = start;
        l->tag_len = (size_t) (c->p - start);
        if (cursor_take(c, '[')) {
                const char *pid = c->p;
                while (c->p < c->end && digit_value(*c->p) <= 9)
                        c->p++;
                if (c->p == pid || !cursor_take(c, ']'))
                        return false;
        }
        if (!cursor_take(c, ':'))
                return false;
        (void) cursor_take(c, ' ');
        l->message = c->p;
        l->message_len = cursor_left(c);
        return true;
}

/* STRUCTURED-DATA: "-" or one or more "[ID PARAM=\"VALUE\"...]". Inside a quoted value a
 * backslash escapes the next byte, which is all that matters to find the value's end. */
static bool take_structured_data(struct cursor *c) {
        if (cursor_take(c, '-'))
                return true;
        if (c->p == c->end || *c->p != '[')
                return false;
        while (cursor_take(c, '[')) {
                for (bool first = true;; first = false) {
                        const char *name = c->p;
                        while (c->p < c->end && *c->p != ' ' && *c->p != '=' && *c->p != ']' && *c->p != '"')
                                c->p++;
                        if (c->p == name)
                                return false;
                        if (!first) {
                                /* PARAM-NAME "=" %d34 PARAM-VALUE %d34 */
                                if (!cursor_take(c, '=') || !cursor_take(c, '"'))
                                        return false;
                                for (;;) {
                                        if (c->p == c->end)
                                                return false;
                                        if (*c->p == '"')
                                                break;
                                        if (*c->p == '\\' && cursor_left(c) > 1)
                                                c->p++;
                                        c->p++;
                                }
                                c->p++;
                        }
                        if (cursor_take(c, ']'))
                                break;
                        if (!cursor_take(c, ' '))
                                return false;
                }
        }
        return true;
}

/* "VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]",
 * the "<PRI>" already taken. */
static bool take_rfc5424(struct cursor *c, struct syslog_line *l) {
        const char *procid, *msgid;
        size_t procid_len, msgid_len;

        /* VERSION: NONZERO-DIGIT 0*2DIGIT; looks_like_version() has seen the digits and the space. */
        if (*c->p == '0')
                return false;
        c->p = memchr(c->p, ' ', cursor_left(c));
        c->p++;

        if (cursor_left(c) >= 2 && c->p[0] == '-' && c->p[1] == ' ') {
                l->realtime_usec = 0;
                c->p++;
        } else if (!take_rfc3339_time(c, &l->realtime_usec))
                return false;
        if (!cursor_take(c, ' '))
                return false;

        if (!take_field(c, &l->host, &l->host_len) || !take_field(c, &l->tag, &l->tag_len) ||
            !take_field(c, &procid, &procid_len) || !take_field(c, &msgid, &msgid_len))
                return false;
        if (l->host_len == 1 && l->host[0] == '-')
                l->host_len = 0;
        if (l->tag_len == 1 && l->tag[0] == '-')
                l->tag_len = 0;

        if (!take_structured_data(c))
                return false;
        if (c->p != c->end && !cursor_take(c, ' '))
                return false;
        if (cursor_left(c) >= 3 && memcmp(c->p, "\xEF\xBB\xBF", 3) == 0)
                c->p += 3;
        l->message = c->p;
        l->message_len = cursor_left(c);
        return true;
}

/* RFC 5424's "VERSION SP" after the "<PRI>": 1-3 digits and a space, where an RFC 3339
 * timestamp has four digits and a '-'. */
static bool looks_like_version(const struct cursor *c) {
        size_t n = 0;

        while (n < 4 && n < cursor_left(c) && digit_value(c->p[n]) <= 9)
                n++;
        return n >= 1 && n <= 3 && n < cursor_left(c) && c->p[n] == ' ';
}

int syslog_line_parse(const char *line, size_t len, struct syslog_clock *clock, struct syslog_line *ret) {
        struct syslog_line l = { .realtime_usec = 0 };
        struct cursor c;
        bool pri, ok;

        assert(clock);
        assert(ret);
        if (!line)
                return 0;
        c = (struct cursor){ .p = line, .end = line + len };

        pri = c.p < c.end && *c.p == '<';
        if (pri && !take_pri(&c))
                return 0;

        if (pri && looks_like_version(&c))
                ok = take_rfc5424(&c, &l);
        else {
                if (cursor_left(&c) >= 5 && c.p[4] == '-')
                        ok = take_rfc3339_time(&c, &l.realtime_usec);
                else
                        ok = take_traditional_time(&c, clock, &l.realtime_usec);
                ok = ok && cursor_take(&c, ' ') && take_field(&c, &l.host, &l.host_len) && take_tag_message(&c, &l);
        }
        if (!ok)
                return 0;
        *ret = l;
        return 1;
}

bool syslog_line_tag_is(const struct syslog_line *l, const char *tag, size_t tag_len) {
        return l->tag_len == tag_len && memcmp(l->tag, tag, tag_len) == 0;
}
