/* SPDX-License-Identifier: MIT */
/* Aggregates built from arbitrary messages, rendered by every writer into
 * memory and read back:
 *  - CSV: an RFC 4180 reader gives back exactly the rows of report_data;
 *  - Prometheus: the label values unescape back to the keys;
 *  - JSON: well-formed, valid UTF-8, no < > & anywhere;
 *  - HTML: valid UTF-8, and the markup (< > " ' and bare &) is the same as
 *    that of the same data with those characters taken out of every value:
 *    no value adds markup;
 *  - report_html_write_escaped() alone: no < > " ', no control or
 *    bidirectional control left raw, every & an entity or a shown
 *    character ("&#8249;U+XXXX&#8250;"), and unescaping gives the input back.
 *
 * Input: one flags byte, then records until the end of the input:
 *   length (1 byte below 0x80, else 2 bytes: 15 bits big-endian), the
 *   MESSAGE (length 0: an entry without one), then, per the flags, a time
 *   byte and a host (length byte, 0: none, then the bytes).
 * Any byte may occur in a message, NUL and newlines included. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "count.h"
#include "fuzz_common.h"
#include "report_csv.h"
#include "report_data.h"
#include "report_html.h"
#include "report_json.h"
#include "report_prometheus.h"
#include "stats.h"
#include "utf8.h"

#define NOW ((time_t) 1764000000) /* 2025-11-24T16:00:00Z, a whole hour */

#define FLAG_CAPS_MASK 0x03 /* max_users = max_errors = this (0: no caps) */
#define FLAG_DAYS      0x04 /* keep 7 days of windows; records carry a time byte */
#define FLAG_HOSTS     0x08 /* records carry a host */
#define FLAG_CUT_SHIFT 4    /* 2 bits: max_message_bytes 0, 16, 64, 65536 */
#define FLAG_TITLE     0x40 /* the first record is the page title, not a message */

static const char hostile_source[] = "directory /var/log/<script>\"x\"&'y'</script>\xff\xc0";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        setenv("TZ", "UTC", 1);
        tzset();
        return 0;
}

/* ---------------------------------------------------------------- input */

struct input {
        const uint8_t *p;
        size_t left;
};

static bool take(struct input *in, size_t n, const uint8_t **ret) {
        if (in->left < n)
                return false;
        *ret = in->p;
        in->p += n;
        in->left -= n;
        return true;
}

static bool take_byte(struct input *in, uint8_t *ret) {
        const uint8_t *p;
        if (!take(in, 1, &p))
                return false;
        *ret = *p;
        return true;
}

/* A record's bytes, clamped to what is left; NULL for length 0. */
static const char *take_record(struct input *in, size_t *ret_len) {
        uint8_t b, lo;
        const uint8_t *p;
        size_t n;

        if (!take_byte(in, &b))
                return NULL;
        n = b;
        if (b & 0x80)
                n = take_byte(in, &lo) ? ((size_t) (b & 0x7f) << 8 | lo) : 0;
        if (n > in->left)
                n = in->left;
        if (n == 0 || !take(in, n, &p)) {
                *ret_len = 0;
                return NULL;
        }
        *ret_len = n;
        return (const char *) p;
}

static uint64_t time_of(uint8_t t) {
        const uint64_t now = (uint64_t) NOW * 1000000;

        switch (t) {
        case 0xFF:
                return 0; /* unknown */
        case 0xFE:
                return UINT64_MAX;
        case 0xFD:
                return (uint64_t) INT64_MAX + 1;
        case 0xFC:
                return 1;
        default:
                if (t >= 0xF0) /* the future: a clock that jumped */
                        return now + (uint64_t) (t - 0xEF) * 3600 * 1000000 + 1;
                return now - (uint64_t) t * 3600 * 1000000 + 1;
        }
}

/* Copies s[0..n) to exactly-sized heap memory, so that ASan catches any read
 * past a message. */
static char *dup_exact(const char *s, size_t n) {
        char *d = malloc(n);
        FUZZ_CHECK(d || n == 0);
        if (n)
                memcpy(d, s, n);
        return d;
}

static struct stats *build_stats(const uint8_t *data, size_t size, char **ret_title) {
        struct input in = { .p = data, .left = size };
        struct stats *s = stats_new();
        uint8_t flags = 0;
        static const size_t cuts[4] = { 0, 16, 64, 65536 };

        FUZZ_CHECK(s);
        (void) take_byte(&in, &flags);
        stats_set_limits(s, &(struct stats_limits){
                                    .max_users = flags & FLAG_CAPS_MASK,
                                    .max_errors = flags & FLAG_CAPS_MASK,
                                    .max_message_bytes = cuts[(flags >> FLAG_CUT_SHIFT) & 3],
                                    .days = flags & FLAG_DAYS ? 7 : 0,
                            });
        FUZZ_CHECK(stats_prune(s, NOW) == 0);

        *ret_title = NULL;
        if (flags & FLAG_TITLE) {
                size_t n;
                const char *t = take_record(&in, &n);
                *ret_title = t ? strndup(t, n) : NULL;
        }
        if (!*ret_title || !**ret_title) {
                free(*ret_title);
                *ret_title = strdup("t<i>tle \"&amp;' \xe2\x80\xa8 \xed\xa0\x80");
        }
        FUZZ_CHECK(*ret_title);

        while (in.left > 0) {
                struct entry e = { .message = NULL };
                char *msg, *host = NULL;
                size_t len;
                uint8_t t = 0xFF, host_len = 0;
                const uint8_t *h;

                const char *m = take_record(&in, &len);
                if (flags & FLAG_DAYS)
                        (void) take_byte(&in, &t);
                if ((flags & FLAG_HOSTS) && take_byte(&in, &host_len) && host_len > 0) {
                        if (host_len > in.left)
                                host_len = (uint8_t) in.left;
                        if (take(&in, host_len, &h))
                                host = dup_exact((const char *) h, host_len);
                }
                msg = m ? dup_exact(m, len) : NULL;
                e = (struct entry){
                        .message = msg,
                        .message_len = msg ? len : 0,
                        .host = host,
                        .host_len = host ? host_len : 0,
                        .realtime_usec = time_of(t),
                };
                FUZZ_CHECK(count_entry(s, &e) == 0);
                free(msg);
                free(host);
        }
        FUZZ_CHECK(stats_prune(s, NOW) == 0);
        return s;
}

/* ---------------------------------------------------------------- memory streams */

struct mem {
        FILE *f;
        char *buf;
        size_t len;
};

static void mem_open(struct mem *m) {
        *m = (struct mem){ .f = NULL };
        m->f = open_memstream(&m->buf, &m->len);
        FUZZ_CHECK(m->f);
}

static void mem_close(struct mem *m) {
        FUZZ_CHECK(fclose(m->f) == 0);
        m->f = NULL;
}

static void mem_free(struct mem *m) {
        free(m->buf);
        *m = (struct mem){ .f = NULL };
}

/* ---------------------------------------------------------------- the aggregates themselves */

static bool is_ws(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static void check_data(const struct report_data *d, const struct stats *s) {
        uint64_t errors = 0, users[2] = { 0, 0 };

        for (size_t i = 0; i < d->n_errors; i++) {
                const struct counter_row *r = d->errors[i];
                FUZZ_CHECK(r->key_len > 0 && utf8_is_valid(r->key, r->key_len));
                FUZZ_CHECK(!is_ws(r->key[0]) && !is_ws(r->key[r->key_len - 1]));
                FUZZ_CHECK(r->count[0] > 0);
                if (i > 0) {
                        const struct counter_row *p = d->errors[i - 1];
                        FUZZ_CHECK(p->count[0] > r->count[0] ||
                                   (p->count[0] == r->count[0] && counter_row_compare_keys(p, r) < 0));
                }
                /* The limit is on the raw text: one that fits is kept whole,
                 * and its repair may triple it; a longer one is cut to the
                 * limit plus "…". */
                if (stats_limits(s)->max_message_bytes > 0)
                        FUZZ_CHECK(r->key_len <= UTF8_REPAIR_MAX(stats_limits(s)->max_message_bytes));
                errors += r->count[0];
        }
        for (size_t i = 0; i < d->n_users; i++) {
                const struct counter_row *r = d->users[i];
                FUZZ_CHECK(r->key_len > 0 && utf8_is_valid(r->key, r->key_len));
                for (size_t k = 0; k < r->key_len; k++)
                        FUZZ_CHECK(!is_ws(r->key[k]) && r->key[k] != '(' && r->key[k] != ')');
                FUZZ_CHECK(r->count[0] + r->count[1] > 0);
                if (i > 0)
                        FUZZ_CHECK(counter_row_compare_keys(d->users[i - 1], r) < 0);
                users[0] += r->count[0];
                users[1] += r->count[1];
        }
        if (stats_limits(s)->max_errors > 0)
                FUZZ_CHECK(d->n_errors <= stats_limits(s)->max_errors);
        if (stats_limits(s)->max_users > 0)
                FUZZ_CHECK(d->n_users <= stats_limits(s)->max_users);

        /* Every event is in exactly one row: its own, or "(other)". */
        FUZZ_CHECK(errors + stats_totals(s)->other_errors == stats_totals(s)->error);
        FUZZ_CHECK(users[0] + stats_totals(s)->other_users[0] == stats_totals(s)->info);
        FUZZ_CHECK(users[1] + stats_totals(s)->other_users[1] == stats_totals(s)->error);
        FUZZ_CHECK(report_other_present(&d->other_errors) == (stats_totals(s)->other_errors > 0));
        FUZZ_CHECK(report_other_present(&d->other_users) ==
                   (stats_totals(s)->other_users[0] + stats_totals(s)->other_users[1] > 0));

        /* The windows are nested: last 24 h within last 7 days within all time. */
        for (size_t i = 0; d->error_windows && i < d->n_errors; i++) {
                const struct report_window *w = &d->error_windows[i];
                FUZZ_CHECK(w->last_24h[0] <= w->last_7d[0] && w->last_7d[0] <= d->errors[i]->count[0]);
        }
        for (size_t i = 0; d->user_windows && i < d->n_users; i++)
                for (unsigned c = 0; c < 2; c++) {
                        const struct report_window *w = &d->user_windows[i];
                        FUZZ_CHECK(w->last_24h[c] <= w->last_7d[c] && w->last_7d[c] <= d->users[i]->count[c]);
                }
        for (size_t i = 1; i < d->n_days; i++)
                FUZZ_CHECK(d->days[i - 1] < d->days[i]);
}

/* ---------------------------------------------------------------- CSV */

/* One RFC 4180 record: fields as (pointer into the unquoted copy, length). */
struct csv_record {
        char *fields[3];
        size_t lens[3];
        size_t n;
        char *storage;
};

/* Reads one record at *p (strict: CRLF line ends, quotes only around whole
 * fields, no bare quote in an unquoted field). Returns false at the end. */
static bool csv_read_record(const char **p, const char *end, struct csv_record *ret) {
        const char *s = *p;
        char *out;

        if (s == end)
                return false;
        *ret = (struct csv_record){ .n = 0 };
        ret->storage = out = malloc((size_t) (end - s) + 1);
        FUZZ_CHECK(out);
        for (;;) {
                FUZZ_CHECK(ret->n < 3);
                ret->fields[ret->n] = out;
                if (s < end && *s == '"') {
                        s++;
                        for (;;) {
                                FUZZ_CHECK(s < end); /* an unterminated quote */
                                if (*s == '"') {
                                        if (s + 1 < end && s[1] == '"') {
                                                *out++ = '"';
                                                s += 2;
                                                continue;
                                        }
                                        s++;
                                        break;
                                }
                                *out++ = *s++;
                        }
                } else
                        while (s < end && *s != ',' && *s != '\r') {
                                FUZZ_CHECK(*s != '"' && *s != '\n');
                                *out++ = *s++;
                        }
                ret->lens[ret->n] = (size_t) (out - ret->fields[ret->n]);
                ret->n++;
                FUZZ_CHECK(s < end); /* every record ends with CRLF */
                if (*s == ',') {
                        s++;
                        continue;
                }
                FUZZ_CHECK(end - s >= 2 && s[0] == '\r' && s[1] == '\n');
                s += 2;
                break;
        }
        *p = s;
        return true;
}

static void csv_expect_field(const struct csv_record *r, size_t i, const char *s, size_t n) {
        FUZZ_CHECK(i < r->n && r->lens[i] == n && memcmp(r->fields[i], s, n) == 0);
}

static void csv_expect_count(const struct csv_record *r, size_t i, uint64_t v) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
        csv_expect_field(r, i, buf, (size_t) n);
}

static void check_csv(const struct report_data *d) {
        struct csv_record rec;
        struct mem m;
        const char *p, *end;

        mem_open(&m);
        FUZZ_CHECK(report_csv_write_errors(m.f, d) == 0);
        mem_close(&m);
        FUZZ_CHECK(utf8_is_valid(m.buf, m.len));
        p = m.buf, end = m.buf + m.len;
        FUZZ_CHECK(csv_read_record(&p, end, &rec) && rec.n == 2);
        csv_expect_field(&rec, 0, "Error", 5);
        csv_expect_field(&rec, 1, "Count", 5);
        free(rec.storage);
        for (size_t i = 0; i < d->n_errors; i++) {
                FUZZ_CHECK(csv_read_record(&p, end, &rec) && rec.n == 2);
                csv_expect_field(&rec, 0, d->errors[i]->key, d->errors[i]->key_len);
                csv_expect_count(&rec, 1, d->errors[i]->count[0]);
                free(rec.storage);
        }
        if (report_other_present(&d->other_errors)) {
                FUZZ_CHECK(csv_read_record(&p, end, &rec) && rec.n == 2);
                csv_expect_field(&rec, 0, "(other)", 7);
                csv_expect_count(&rec, 1, d->other_errors.count[0]);
                free(rec.storage);
        }
        FUZZ_CHECK(!csv_read_record(&p, end, &rec));
        mem_free(&m);

        mem_open(&m);
        FUZZ_CHECK(report_csv_write_users(m.f, d) == 0);
        mem_close(&m);
        FUZZ_CHECK(utf8_is_valid(m.buf, m.len));
        p = m.buf, end = m.buf + m.len;
        FUZZ_CHECK(csv_read_record(&p, end, &rec) && rec.n == 3);
        csv_expect_field(&rec, 0, "Username", 8);
        csv_expect_field(&rec, 1, "INFO", 4);
        csv_expect_field(&rec, 2, "ERROR", 5);
        free(rec.storage);
        for (size_t i = 0; i < d->n_users; i++) {
                FUZZ_CHECK(csv_read_record(&p, end, &rec) && rec.n == 3);
                csv_expect_field(&rec, 0, d->users[i]->key, d->users[i]->key_len);
                csv_expect_count(&rec, 1, d->users[i]->count[STATS_INFO]);
                csv_expect_count(&rec, 2, d->users[i]->count[STATS_ERROR]);
                free(rec.storage);
        }
        if (report_other_present(&d->other_users)) {
                FUZZ_CHECK(csv_read_record(&p, end, &rec) && rec.n == 3);
                csv_expect_field(&rec, 0, "(other)", 7);
                csv_expect_count(&rec, 1, d->other_users.count[STATS_INFO]);
                csv_expect_count(&rec, 2, d->other_users.count[STATS_ERROR]);
                free(rec.storage);
        }
        FUZZ_CHECK(!csv_read_record(&p, end, &rec));
        mem_free(&m);
}

/* ---------------------------------------------------------------- JSON */

struct json {
        const char *p, *end;
        unsigned depth;
};

static void json_ws(struct json *j) {
        while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
                j->p++;
}

static bool json_lit(struct json *j, const char *lit) {
        size_t n = strlen(lit);
        if ((size_t) (j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
                return false;
        j->p += n;
        return true;
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_hex(char c) {
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool json_string(struct json *j) {
        if (j->p >= j->end || *j->p != '"')
                return false;
        j->p++;
        while (j->p < j->end) {
                unsigned char c = (unsigned char) *j->p++;
                if (c == '"')
                        return true;
                if (c < 0x20)
                        return false;
                if (c != '\\')
                        continue;
                if (j->p >= j->end)
                        return false;
                c = (unsigned char) *j->p++;
                if (c == 'u') {
                        if (j->end - j->p < 4)
                                return false;
                        for (int i = 0; i < 4; i++)
                                if (!is_hex(*j->p++))
                                        return false;
                } else if (!strchr("\"\\/bfnrt", c) || c == '\0')
                        return false;
        }
        return false;
}

static bool json_number(struct json *j) {
        const char *start = j->p;

        if (j->p < j->end && *j->p == '-')
                j->p++;
        if (j->p < j->end && *j->p == '0')
                j->p++;
        else if (j->p < j->end && is_digit(*j->p))
                while (j->p < j->end && is_digit(*j->p))
                        j->p++;
        else
                return false;
        if (j->p < j->end && *j->p == '.') {
                j->p++;
                if (j->p >= j->end || !is_digit(*j->p))
                        return false;
                while (j->p < j->end && is_digit(*j->p))
                        j->p++;
        }
        if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
                j->p++;
                if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
                        j->p++;
                if (j->p >= j->end || !is_digit(*j->p))
                        return false;
                while (j->p < j->end && is_digit(*j->p))
                        j->p++;
        }
        return j->p > start;
}

static bool json_value(struct json *j);

static bool json_container(struct json *j, char close, bool object) {
        j->p++;
        if (++j->depth > 64)
                return false;
        json_ws(j);
        if (j->p < j->end && *j->p == close) {
                j->p++;
                j->depth--;
                return true;
        }
        for (;;) {
                json_ws(j);
                if (object) {
                        if (!json_string(j))
                                return false;
                        json_ws(j);
                        if (j->p >= j->end || *j->p++ != ':')
                                return false;
                }
                if (!json_value(j))
                        return false;
                json_ws(j);
                if (j->p >= j->end)
                        return false;
                if (*j->p == ',') {
                        j->p++;
                        continue;
                }
                if (*j->p++ != close)
                        return false;
                j->depth--;
                return true;
        }
}

static bool json_value(struct json *j) {
        json_ws(j);
        if (j->p >= j->end)
                return false;
        switch (*j->p) {
        case '{':
                return json_container(j, '}', true);
        case '[':
                return json_container(j, ']', false);
        case '"':
                return json_string(j);
        case 't':
                return json_lit(j, "true");
        case 'f':
                return json_lit(j, "false");
        case 'n':
                return json_lit(j, "null");
        default:
                return json_number(j);
        }
}

static void check_json(const struct report_data *d) {
        struct mem m;
        struct json j;

        mem_open(&m);
        FUZZ_CHECK(report_json_write(m.f, d) == 0);
        mem_close(&m);
        FUZZ_CHECK(utf8_is_valid(m.buf, m.len));
        FUZZ_CHECK(!memchr(m.buf, '<', m.len) && !memchr(m.buf, '>', m.len) && !memchr(m.buf, '&', m.len));
        FUZZ_CHECK(!memmem(m.buf, m.len, "\xe2\x80\xa8", 3) && !memmem(m.buf, m.len, "\xe2\x80\xa9", 3));
        j = (struct json){ .p = m.buf, .end = m.buf + m.len };
        FUZZ_CHECK(json_value(&j));
        json_ws(&j);
        FUZZ_CHECK(j.p == j.end);
        mem_free(&m);
}

/* ---------------------------------------------------------------- Prometheus */

/* Reads a quoted label value at *p, unescaped into out (room for the input). */
static size_t prom_label_value(const char **p, const char *end, char *out) {
        const char *s = *p;
        size_t n = 0;

        FUZZ_CHECK(s < end && *s == '"');
        for (s++;; s++) {
                FUZZ_CHECK(s < end && *s != '\n');
                if (*s == '"')
                        break;
                if (*s == '\\') {
                        s++;
                        FUZZ_CHECK(s < end && (*s == '\\' || *s == '"' || *s == 'n'));
                        out[n++] = *s == 'n' ? '\n' : *s;
                } else
                        out[n++] = *s;
        }
        *p = s + 1;
        return n;
}

static void check_prometheus(const struct report_data *d) {
        struct mem m;
        const char *p, *end;
        size_t n_events = 0, n_errors = 0;
        char *value;

        mem_open(&m);
        FUZZ_CHECK(report_prometheus_write(m.f, d) == 0);
        mem_close(&m);
        FUZZ_CHECK(utf8_is_valid(m.buf, m.len));
        FUZZ_CHECK(m.len > 0 && m.buf[m.len - 1] == '\n');
        value = malloc(m.len);
        FUZZ_CHECK(value);
        for (p = m.buf, end = m.buf + m.len; p < end;) {
                const char *eol = memchr(p, '\n', (size_t) (end - p));
                if (*p == '#') {
                        FUZZ_CHECK(strncmp(p, "# HELP ", 7) == 0 || strncmp(p, "# TYPE ", 7) == 0);
                        p = eol + 1;
                        continue;
                }
                const char *name = p;
                for (; p < eol && *p != '{' && *p != ' '; p++)
                        FUZZ_CHECK((*p >= 'a' && *p <= 'z') || *p == '_');
                size_t name_len = (size_t) (p - name);
                bool events = name_len == 18 && memcmp(name, "ticky_events_total", 18) == 0;
                bool errors = name_len == 18 && memcmp(name, "ticky_errors_total", 18) == 0;
                if (*p == '{') {
                        p++;
                        for (;;) {
                                const char *label = p;
                                for (; p < eol && *p != '='; p++)
                                        FUZZ_CHECK(*p >= 'a' && *p <= 'z');
                                size_t label_len = (size_t) (p - label);
                                FUZZ_CHECK(p < eol);
                                p++;
                                size_t n = prom_label_value(&p, end, value);
                                if (events && label_len == 4 && memcmp(label, "user", 4) == 0) {
                                        FUZZ_CHECK(n_events / 2 < d->n_users);
                                        const struct counter_row *u = d->users[n_events / 2];
                                        FUZZ_CHECK(n == u->key_len && memcmp(value, u->key, n) == 0);
                                }
                                if (errors && label_len == 7 && memcmp(label, "message", 7) == 0) {
                                        FUZZ_CHECK(n_errors < d->n_errors);
                                        const struct counter_row *e = d->errors[n_errors];
                                        FUZZ_CHECK(n == e->key_len && memcmp(value, e->key, n) == 0);
                                }
                                FUZZ_CHECK(p < eol);
                                if (*p == '}') {
                                        p++;
                                        break;
                                }
                                FUZZ_CHECK(*p == ',');
                                p++;
                        }
                }
                FUZZ_CHECK(p < eol && *p == ' ');
                for (p++; p < eol; p++)
                        FUZZ_CHECK(is_digit(*p) || *p == '-');
                n_events += events;
                n_errors += errors;
                p = eol + 1;
        }
        FUZZ_CHECK(n_events == 2 * d->n_users && n_errors == d->n_errors);
        free(value);
        mem_free(&m);
}

/* ---------------------------------------------------------------- HTML */

/* The characters that make markup, taken out of a value: same length, so
 * that nothing that depends on lengths changes. */
static void neutralize(char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] == '<' || s[i] == '>' || s[i] == '"' || s[i] == '\'' || s[i] == '&')
                        s[i] = '_';
}

static char *neutral_string(const char *s) {
        char *d = s ? strdup(s) : NULL;
        FUZZ_CHECK(d || !s);
        if (d)
                neutralize(d, strlen(d));
        return d;
}

static const struct counter_row **neutral_rows(const struct counter_row **rows, size_t n) {
        const struct counter_row **copy = calloc(n + 1, sizeof(*copy));

        FUZZ_CHECK(copy);
        for (size_t i = 0; i < n; i++) {
                struct counter_row *r = malloc(sizeof(*r) + rows[i]->key_len);
                FUZZ_CHECK(r);
                memcpy(r, rows[i], sizeof(*r) + rows[i]->key_len);
                neutralize(r->key, r->key_len);
                copy[i] = r;
        }
        return copy;
}

static char **neutral_lists(char **lists, size_t n) {
        char **copy;

        if (!lists)
                return NULL;
        copy = calloc(n + 1, sizeof(*copy));
        FUZZ_CHECK(copy);
        for (size_t i = 0; i < n; i++)
                copy[i] = neutral_string(lists[i]);
        return copy;
}

static void free_neutral(struct report_data *n, size_t n_errors, size_t n_users, size_t n_hosts) {
        for (size_t i = 0; i < n_errors; i++)
                free((void *) n->errors[i]);
        for (size_t i = 0; i < n_users; i++)
                free((void *) n->users[i]);
        for (size_t i = 0; n->hosts && i < n_hosts; i++)
                free((void *) n->hosts[i]);
        for (size_t i = 0; n->error_hosts && i < n_errors; i++)
                free(n->error_hosts[i]);
        for (size_t i = 0; n->user_hosts && i < n_users; i++)
                free(n->user_hosts[i]);
        free(n->errors);
        free(n->users);
        free(n->hosts);
        free(n->error_hosts);
        free(n->user_hosts);
        free((void *) n->title);
        free((void *) n->source);
}

/* An '&' that does not start a character reference. */
static bool bare_ampersand(const char *s, const char *end) {
        const char *p = s + 1;

        if (p < end && *p == '#') {
                p++;
                if (p < end && (*p == 'x' || *p == 'X')) {
                        p++;
                        if (p >= end || !is_hex(*p))
                                return true;
                        while (p < end && is_hex(*p))
                                p++;
                } else {
                        if (p >= end || !is_digit(*p))
                                return true;
                        while (p < end && is_digit(*p))
                                p++;
                }
        } else {
                if (p >= end || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
                        return true;
                while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || is_digit(*p)))
                        p++;
        }
        return p >= end || *p != ';';
}

struct markup {
        size_t lt, gt, quot, apos, amp;
};

static struct markup markup_of(const char *s, size_t n) {
        struct markup m = { 0 };

        for (const char *p = s; p < s + n; p++)
                switch (*p) {
                case '<':
                        m.lt++;
                        break;
                case '>':
                        m.gt++;
                        break;
                case '"':
                        m.quot++;
                        break;
                case '\'':
                        m.apos++;
                        break;
                case '&':
                        m.amp += bare_ampersand(p, s + n);
                        break;
                default:
                        break;
                }
        return m;
}

typedef int (*html_writer)(FILE *f, const struct report_data *d);

static void check_html_page(html_writer write, const struct report_data *d, const struct report_data *neutral) {
        struct mem a, b;
        struct markup ma, mb;

        mem_open(&a);
        FUZZ_CHECK(write(a.f, d) == 0);
        mem_close(&a);
        mem_open(&b);
        FUZZ_CHECK(write(b.f, neutral) == 0);
        mem_close(&b);
        FUZZ_CHECK(utf8_is_valid(a.buf, a.len));
        FUZZ_CHECK(utf8_is_valid(b.buf, b.len));
        ma = markup_of(a.buf, a.len);
        mb = markup_of(b.buf, b.len);
        if (memcmp(&ma, &mb, sizeof(ma)) != 0)
                fprintf(stderr, "markup < %zu/%zu > %zu/%zu \" %zu/%zu ' %zu/%zu & %zu/%zu\n", ma.lt, mb.lt, ma.gt,
                        mb.gt, ma.quot, mb.quot, ma.apos, mb.apos, ma.amp, mb.amp);
        FUZZ_CHECK(memcmp(&ma, &mb, sizeof(ma)) == 0);
        mem_free(&a);
        mem_free(&b);
}

static void check_html(const struct report_data *d) {
        struct report_data n = *d;

        n.errors = neutral_rows(d->errors, d->n_errors);
        n.users = neutral_rows(d->users, d->n_users);
        n.hosts = d->hosts ? neutral_rows(d->hosts, d->n_hosts) : NULL;
        n.error_hosts = neutral_lists(d->error_hosts, d->n_errors);
        n.user_hosts = neutral_lists(d->user_hosts, d->n_users);
        n.title = neutral_string(d->title);
        n.source = neutral_string(d->source);

        check_html_page(report_html_write_errors, d, &n);
        check_html_page(report_html_write_users, d, &n);
        check_html_page(report_html_write_index, d, &n);

        free_neutral(&n, d->n_errors, d->n_users, d->n_hosts);
}

/* The escaper alone, on the input made valid UTF-8. */
static void check_escaper(const uint8_t *data, size_t size) {
        char *valid = malloc(UTF8_REPAIR_MAX(size) + 1), *back;
        size_t n = utf8_repair((const char *) data, size, valid), k = 0;
        struct mem m;
        static const struct {
                const char *entity;
                char c;
        } entities[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&#39;", '\'' } };

        mem_open(&m);
        report_html_write_escaped(m.f, valid, n);
        mem_close(&m);
        back = malloc(m.len + 1);
        FUZZ_CHECK(back);
        for (size_t i = 0; i < m.len;) {
                char c = m.buf[i];
                FUZZ_CHECK(c != '<' && c != '>' && c != '"' && c != '\'');
                /* No control left raw, nor a bidirectional one (U+202A..E, U+2066..9). */
                FUZZ_CHECK(((unsigned char) c >= 0x20 || c == '\t' || c == '\n') && c != 0x7F);
                FUZZ_CHECK(!(i + 2 < m.len && (unsigned char) c == 0xE2 &&
                             (((unsigned char) m.buf[i + 1] == 0x80 && (unsigned char) m.buf[i + 2] >= 0xAA &&
                               (unsigned char) m.buf[i + 2] <= 0xAE) ||
                              ((unsigned char) m.buf[i + 1] == 0x81 && (unsigned char) m.buf[i + 2] >= 0xA6 &&
                               (unsigned char) m.buf[i + 2] <= 0xA9))));
                if (c != '&') {
                        back[k++] = c;
                        i++;
                        continue;
                }
                unsigned cp;
                int used = 0;
                /* A hidden character, shown: back to its UTF-8. */
                if (sscanf(m.buf + i, "&#8249;U+%4X&#8250;%n", &cp, &used) == 1 && used > 0) {
                        if (cp < 0x80)
                                back[k++] = (char) cp;
                        else if (cp < 0x800) {
                                back[k++] = (char) (0xC0 | cp >> 6);
                                back[k++] = (char) (0x80 | (cp & 0x3F));
                        } else {
                                back[k++] = (char) (0xE0 | cp >> 12);
                                back[k++] = (char) (0x80 | (cp >> 6 & 0x3F));
                                back[k++] = (char) (0x80 | (cp & 0x3F));
                        }
                        i += (size_t) used;
                        continue;
                }
                size_t e = 0;
                while (e < sizeof(entities) / sizeof(entities[0]) &&
                       strncmp(m.buf + i, entities[e].entity, strlen(entities[e].entity)))
                        e++;
                FUZZ_CHECK(e < sizeof(entities) / sizeof(entities[0]));
                back[k++] = entities[e].c;
                i += strlen(entities[e].entity);
        }
        FUZZ_CHECK(k == n && memcmp(back, valid, n) == 0);
        free(back);
        free(valid);
        mem_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct report_data d;
        char *title;
        struct stats *s = build_stats(data, size, &title);

        FUZZ_CHECK(report_data_init(&d, s, title, hostile_source, NOW) == 0);
        check_data(&d, s);
        check_csv(&d);
        check_json(&d);
        check_prometheus(&d);
        check_html(&d);
        report_data_done(&d);
        stats_free(s);
        free(title);
        check_escaper(data, size);
        return 0;
}
