/* SPDX-License-Identifier: MIT */
/* Expected outputs are Python's bytes.decode('utf-8', 'replace').encode(). */
#include <criterion/criterion.h>
#include <string.h>

#include "utf8.h"

static const struct {
        const char *in;
        size_t in_len;
        const char *out;
        size_t out_len;
} cases[] = {
        { "", 0, "", 0 },
        { "\x61\x62\x63", 3, "\x61\x62\x63", 3 },
        { "\xff", 1, "\xef\xbf\xbd", 3 },
        { "\xc3", 1, "\xef\xbf\xbd", 3 },
        { "\xc3\xa9", 2, "\xc3\xa9", 2 },
        { "\xe2\x82", 2, "\xef\xbf\xbd", 3 },
        { "\xe2\x82\xac", 3, "\xe2\x82\xac", 3 },
        { "\xe2\x82\x78", 3, "\xef\xbf\xbd\x78", 4 },
        { "\xf0\x9f\x98", 3, "\xef\xbf\xbd", 3 },
        { "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80", 4 },
        { "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd", 6 },
        { "\xe0\x80\xaf", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9 },
        { "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9 },
        { "\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 12 },
        { "\xf5", 1, "\xef\xbf\xbd", 3 },
        { "\x80\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd", 6 },
        { "\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80", 9, "\x61\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\x62\xef\xbf\xbd", 14 },
        { "\xef\xbf\xbd", 3, "\xef\xbf\xbd", 3 },
        { "\xed\x9f\xbf", 3, "\xed\x9f\xbf", 3 },
};

Test(utf8, repairs_like_python) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char out[64];
                size_t n = utf8_repair(cases[i].in, cases[i].in_len, out);
                cr_expect_eq(n, cases[i].out_len, "case %zu: length %zu, expected %zu", i, n, cases[i].out_len);
                cr_expect(n == cases[i].out_len && memcmp(out, cases[i].out, n) == 0, "case %zu: bytes differ", i);
                cr_expect_eq(utf8_is_valid(cases[i].in, cases[i].in_len),
                             cases[i].in_len == cases[i].out_len &&
                                     memcmp(cases[i].in, cases[i].out, cases[i].in_len) == 0,
                             "case %zu: validity", i);
        }
}

Test(utf8, never_reads_past_a_truncated_sequence) {
        /* A lead byte at the very end of a heap buffer: ASan catches an overread. */
        char *in = malloc(2), out[6];
        in[0] = 'a';
        in[1] = '\xf0';
        cr_assert_eq(utf8_repair(in, 2, out), 4);
        cr_assert(!utf8_is_valid(in, 2));
        free(in);
}
