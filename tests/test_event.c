/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "event.h"

#define OK_INFO(m, t, u)                                                                                               \
        { m, sizeof(m) - 1, 0, EVENT_INFO, t, u }
#define OK_ERROR(m, t, u)                                                                                              \
        { m, sizeof(m) - 1, 0, EVENT_ERROR, t, u }
#define BAD(m)                                                                                                         \
        { m, sizeof(m) - 1, -EINVAL, 0, NULL, NULL }

static const struct {
        const char *msg;
        size_t len;
        int ret;
        enum event_level level;
        const char *text, *user;
} cases[] = {
        OK_INFO("INFO Created ticket [#4217] (mdouglas)", "Created ticket [#4217]", "mdouglas"),
        OK_INFO("INFO Closed ticket [#1234] (ahmed.miller)", "Closed ticket [#1234]", "ahmed.miller"),
        OK_ERROR("ERROR Timeout while retrieving information (oren)", "Timeout while retrieving information", "oren"),
        OK_ERROR("ERROR Ticket doesn't exist (flavia)", "Ticket doesn't exist", "flavia"),
        OK_ERROR("ERROR Failed (x) (user)", "Failed (x)", "user"),
        OK_ERROR("ERROR   Spaced out   (u)", "Spaced out", "u"),
        OK_ERROR("ERROR a\tb\nc (u_1-2.x)", "a\tb\nc", "u_1-2.x"),
        OK_ERROR("ERROR x (u) \t\r\n\v\f", "x", "u"),
        OK_ERROR("ERROR x\t (u)", "x", "u"),
        OK_INFO("INFO <b>&\"' (a,b\"c)", "<b>&\"'", "a,b\"c"),
        OK_INFO("INFO x (\xff\xfe)", "x", "\xff\xfe"),
        OK_INFO("INFO ( (u)", "(", "u"),
        OK_INFO("INFO ) (u)", ")", "u"),
        BAD(""),
        BAD("INFO"),
        BAD("INFO "),
        BAD("INFO (u)"),
        BAD("INFO  (u)"),
        BAD("ERROR  (u)"),
        BAD("INFO Foo"),
        BAD("INFO Foo ()"),
        BAD("INFO Foo (a b)"),
        BAD("INFO Foo (a\tb)"),
        BAD("INFO Foo(user)"),
        BAD("INFO Foo\t(user)"),
        BAD("INFO Foo (a)(b)"),
        BAD("INFO Foo (a(b)"),
        BAD("INFO Foo (u) x"),
        BAD("INFO Foo u)"),
        BAD("WARN Foo (u)"),
        BAD("info Created (u)"),
        BAD(" INFO Created (u)"),
        BAD("INFO\tCreated (u)"),
        BAD("INFOS Created (u)"),
        BAD("ERRORS Created (u)"),
        BAD("INFO x (u\0)"),
        BAD("INFO x\0y (u)"),
};

Test(event, parses_the_grammar) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct event ev = { .text = NULL };
                int r = event_parse(cases[i].msg, cases[i].len, &ev);

                cr_expect_eq(r, cases[i].ret, "case %zu '%s': returned %d", i, cases[i].msg, r);
                if (r < 0 || cases[i].ret < 0) {
                        cr_expect_null(ev.text, "case %zu: ret touched on failure", i);
                        continue;
                }
                cr_expect_eq(ev.level, cases[i].level, "case %zu: level", i);
                cr_expect(ev.text_len == strlen(cases[i].text) && memcmp(ev.text, cases[i].text, ev.text_len) == 0,
                          "case %zu: text '%.*s'", i, (int) ev.text_len, ev.text);
                cr_expect(ev.user_len == strlen(cases[i].user) && memcmp(ev.user, cases[i].user, ev.user_len) == 0,
                          "case %zu: user '%.*s'", i, (int) ev.user_len, ev.user);
        }
}

Test(event, rejects_null_message) {
        struct event ev;
        cr_assert_eq(event_parse(NULL, 0, &ev), -EINVAL);
}

Test(event, never_reads_outside_the_buffer) {
        /* Every prefix of a valid message, copied to an exact-size heap
         * buffer, so that ASan sees any read past its end or before it. The
         * prefixes that end after the ')' (the trailing whitespace is
         * optional) parse as the whole message does; every shorter one has no
         * final ')' and does not parse. */
        static const char msg[] = "ERROR Timeout while retrieving information (oren)  ";
        static const char text[] = "Timeout while retrieving information", user[] = "oren";
        const size_t whole = (size_t) (strrchr(msg, ')') - msg) + 1;

        cr_assert_eq(whole, sizeof(msg) - 3);
        for (size_t n = 0; n <= sizeof(msg) - 1; n++) {
                char *buf = malloc(n ? n : 1);
                struct event ev = { .text = NULL };
                cr_assert_not_null(buf);
                memcpy(buf, msg, n);
                int r = event_parse(buf, n, &ev);
                if (n < whole) {
                        cr_expect_eq(r, -EINVAL, "prefix of %zu bytes: returned %d", n, r);
                        cr_expect_null(ev.text, "prefix of %zu bytes: ret touched on failure", n);
                } else {
                        cr_expect_eq(r, 0, "prefix of %zu bytes: returned %d", n, r);
                        cr_expect_eq(ev.level, EVENT_ERROR, "prefix of %zu bytes: level", n);
                        cr_expect(ev.text == buf + strlen("ERROR ") && ev.text_len == strlen(text) &&
                                          memcmp(ev.text, text, ev.text_len) == 0,
                                  "prefix of %zu bytes: text '%.*s'", n, (int) ev.text_len, ev.text);
                        cr_expect(ev.user == buf + whole - 1 - strlen(user) && ev.user_len == strlen(user) &&
                                          memcmp(ev.user, user, ev.user_len) == 0,
                                  "prefix of %zu bytes: user '%.*s'", n, (int) ev.user_len, ev.user);
                }
                free(buf);
        }
}
