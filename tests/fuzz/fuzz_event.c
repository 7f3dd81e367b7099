/* SPDX-License-Identifier: MIT */
/* event_parse() against a second, deliberately naive reading of SPEC's
 * grammar; count_entry() and utf8_repair() on the same bytes. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "count.h"
#include "event.h"
#include "fuzz_common.h"
#include "stats.h"
#include "utf8.h"

#define CUT_LIMIT 16 /* a small max_message_bytes, so that cutting is exercised */

static bool is_ws(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* SPEC, read literally: LEVEL SP TEXT SP "(" USER ")" [whitespace]. USER holds
 * no parenthesis, so its "(" is the last one in the message. */
static bool reference_parse(const char *m, size_t n, struct event *ret) {
        size_t start, end, open = SIZE_MAX, a, b;
        enum event_level level;

        for (size_t i = 0; i < n; i++)
                if (m[i] == '\0')
                        return false;
        if (n >= 5 && strncmp(m, "INFO ", 5) == 0)
                level = EVENT_INFO, start = 5;
        else if (n >= 6 && strncmp(m, "ERROR ", 6) == 0)
                level = EVENT_ERROR, start = 6;
        else
                return false;
        for (end = n; end > 0 && is_ws(m[end - 1]); end--)
                ;
        if (end == 0 || m[end - 1] != ')')
                return false;
        for (size_t i = 0; i + 1 < end; i++)
                if (m[i] == '(')
                        open = i;
        /* The "(" must follow "LEVEL SP TEXT SP": at least start + 2. */
        if (open == SIZE_MAX || open < start + 2 || m[open - 1] != ' ')
                return false;
        if (open + 1 == end - 1)
                return false; /* empty USER */
        for (size_t i = open + 1; i < end - 1; i++)
                if (is_ws(m[i]) || m[i] == '(' || m[i] == ')')
                        return false;
        for (a = start, b = open - 1; a < b && is_ws(m[a]); a++)
                ;
        for (; b > a && is_ws(m[b - 1]); b--)
                ;
        if (a == b)
                return false;
        *ret = (struct event){
                .level = level,
                .text = m + a,
                .text_len = b - a,
                .user = m + open + 1,
                .user_len = end - 1 - (open + 1),
        };
        return true;
}

static void check_event(const char *buf, size_t size) {
        struct event ev = { .text = NULL }, want = { .text = NULL };
        bool ok = event_parse(buf, size, &ev) == 0;

        FUZZ_CHECK(ok == reference_parse(buf, size, &want));
        if (!ok)
                return;
        FUZZ_CHECK(ev.level == want.level);
        FUZZ_CHECK(ev.text == want.text && ev.text_len == want.text_len);
        FUZZ_CHECK(ev.user == want.user && ev.user_len == want.user_len);

        /* And the properties on their own, without trusting the reference. */
        FUZZ_CHECK(ev.text >= buf && ev.text_len > 0 && ev.text_len <= size &&
                   (size_t) (ev.text - buf) <= size - ev.text_len);
        FUZZ_CHECK(ev.user >= buf && ev.user_len > 0 && ev.user_len <= size &&
                   (size_t) (ev.user - buf) <= size - ev.user_len);
        FUZZ_CHECK(!is_ws(ev.text[0]) && !is_ws(ev.text[ev.text_len - 1]));
        FUZZ_CHECK(ev.text + ev.text_len < ev.user);
        for (size_t i = 0; i < ev.user_len; i++)
                FUZZ_CHECK(!is_ws(ev.user[i]) && ev.user[i] != '(' && ev.user[i] != ')');
        FUZZ_CHECK(!memchr(buf, '\0', size));
}

/* s[0..n) repaired: the key a text becomes before any cut. Caller frees. */
static char *repaired(const char *s, size_t n, size_t *ret_len) {
        char *out = malloc(UTF8_REPAIR_MAX(n) + 1);
        size_t len;

        FUZZ_CHECK(out);
        len = utf8_repair(s, n, out);
        *ret_len = len;
        return out;
}

static void check_stats(const char *buf, size_t size, size_t max_message_bytes) {
        struct stats *s = stats_new();
        struct event ev;
        bool ok = event_parse(buf, size, &ev) == 0;
        size_t it = 0;

        FUZZ_CHECK(s);
        stats_set_limits(s, &(struct stats_limits){ .max_message_bytes = max_message_bytes, .days = 7 });
        FUZZ_CHECK(stats_prune(s, 1764000000) == 0);
        FUZZ_CHECK(count_entry(s, &(struct entry){ .message = buf,
                                                   .message_len = size,
                                                   .realtime_usec = 1764000000ULL * 1000000ULL }) == 0);
        FUZZ_CHECK(stats_totals(s)->unparsed == !ok);
        FUZZ_CHECK(stats_totals(s)->info == (ok && ev.level == EVENT_INFO));
        FUZZ_CHECK(stats_totals(s)->error == (ok && ev.level == EVENT_ERROR));
        FUZZ_CHECK(counter_table_size(stats_table(s, STATS_USERS)) == ok);
        FUZZ_CHECK(counter_table_size(stats_table(s, STATS_ERRORS)) == (ok && ev.level == EVENT_ERROR));
        if (!ok) {
                stats_free(s);
                return;
        }

        /* The user: repaired, never cut. */
        size_t key_len;
        char *key = repaired(ev.user, ev.user_len, &key_len);
        const struct counter_row *row = counter_table_next(stats_table(s, STATS_USERS), &it);
        FUZZ_CHECK(row && row->key_len == key_len && memcmp(row->key, key, key_len) == 0);
        FUZZ_CHECK(row->count[ev.level == EVENT_INFO ? STATS_INFO : STATS_ERROR] == 1);
        FUZZ_CHECK(row->count[ev.level == EVENT_INFO ? STATS_ERROR : STATS_INFO] == 0);
        free(key);

        if (ev.level == EVENT_ERROR) {
                /* The message: repaired, and cut on a character boundary with
                 * "…" when the raw text is longer than the limit. */
                it = 0;
                key = repaired(ev.text, ev.text_len, &key_len);
                row = counter_table_next(stats_table(s, STATS_ERRORS), &it);
                FUZZ_CHECK(row && row->count[0] == 1);
                FUZZ_CHECK(utf8_is_valid(row->key, row->key_len));
                if (max_message_bytes == 0 || ev.text_len <= max_message_bytes)
                        FUZZ_CHECK(row->key_len == key_len && memcmp(row->key, key, key_len) == 0);
                else {
                        size_t kept = row->key_len - 3;
                        FUZZ_CHECK(row->key_len >= 3 && memcmp(row->key + kept, "\xE2\x80\xA6", 3) == 0);
                        FUZZ_CHECK(kept <= max_message_bytes && kept + 3 >= max_message_bytes);
                        FUZZ_CHECK(kept <= key_len && memcmp(row->key, key, kept) == 0);
                }
                free(key);
        }
        stats_free(s);
}

static void check_utf8(const char *buf, size_t size) {
        char *out = malloc(UTF8_REPAIR_MAX(size) + 1), *again;
        size_t n, m, ascii_in = 0, ascii_out = 0;

        FUZZ_CHECK(out);
        n = utf8_repair(buf, size, out);
        FUZZ_CHECK(n <= UTF8_REPAIR_MAX(size));
        FUZZ_CHECK(n >= size);
        FUZZ_CHECK(utf8_is_valid(out, n));
        if (utf8_is_valid(buf, size))
                FUZZ_CHECK(n == size && memcmp(out, buf, size) == 0);

        /* Repair only ever replaces non-ASCII bytes: the ASCII ones survive, in order. */
        for (;; ascii_in++, ascii_out++) {
                while (ascii_in < size && (unsigned char) buf[ascii_in] >= 0x80)
                        ascii_in++;
                while (ascii_out < n && (unsigned char) out[ascii_out] >= 0x80)
                        ascii_out++;
                if (ascii_in == size || ascii_out == n) {
                        FUZZ_CHECK(ascii_in == size && ascii_out == n);
                        break;
                }
                FUZZ_CHECK(buf[ascii_in] == out[ascii_out]);
        }

        /* Idempotent. */
        again = malloc(UTF8_REPAIR_MAX(n) + 1);
        FUZZ_CHECK(again);
        m = utf8_repair(out, n, again);
        FUZZ_CHECK(m == n && memcmp(again, out, n) == 0);
        free(again);
        free(out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        setenv("TZ", "UTC", 1);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* Exactly the input's size, so that ASan sees any read past its end. */
        char *buf = malloc(size);

        FUZZ_CHECK(buf || size == 0);
        memcpy(buf, data, size);
        check_event(buf, size);
        check_stats(buf, size, 0);
        check_stats(buf, size, CUT_LIMIT);
        check_utf8(buf, size);
        free(buf);
        return 0;
}
