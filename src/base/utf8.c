/* SPDX-License-Identifier: MIT */
/* UTF-8 repair following the "maximal subpart" practice of Unicode section 3.9,
 * which is also what CPython's 'replace' error handler does. */
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the well-formed sequence starting at s[0], or, if it is ill-formed,
 * minus the length of its maximal subpart (at least 1). */
static long sequence_length(const unsigned char *s, size_t n) {
        unsigned char c = s[0], lo = 0x80, hi = 0xBF;
        size_t need, i;

        if (c < 0x80)
                return 1;
        if (c >= 0xC2 && c <= 0xDF)
                need = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                if (c == 0xE0)
                        lo = 0xA0; /* overlong */
                else if (c == 0xED)
                        hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                if (c == 0xF0)
                        lo = 0x90; /* overlong */
                else if (c == 0xF4)
                        hi = 0x8F; /* above U+10FFFF */
        } else
                return -1;

        for (i = 1; i <= need; i++) {
                if (i >= n)
                        return -(long) i;
                if (i == 1 ? (s[i] < lo || s[i] > hi) : (s[i] < 0x80 || s[i] > 0xBF))
                        return -(long) i;
        }
        return (long) need + 1;
}

bool utf8_is_valid(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s;
        size_t i = 0;

        while (i < n) {
                /* ASCII, the common case, eight bytes at a time. */
                uint64_t word;
                if (n - i >= 8 && (memcpy(&word, p + i, 8), (word & UINT64_C(0x8080808080808080)) == 0)) {
                        i += 8;
                        continue;
                }
                if (p[i] < 0x80) {
                        i++;
                        continue;
                }
                long l = sequence_length(p + i, n - i);
                if (l < 0)
                        return false;
                i += (size_t) l;
        }
        return true;
}

size_t utf8_repair(const char *s, size_t n, char *out) {
        static const char replacement[3] = { '\xEF', '\xBF', '\xBD' };
        const unsigned char *p = (const unsigned char *) s;
        size_t i = 0, o = 0;

        while (i < n) {
                long l = sequence_length(p + i, n - i);
                if (l > 0) {
                        memcpy(out + o, s + i, (size_t) l);
                        o += (size_t) l;
                        i += (size_t) l;
                } else {
                        memcpy(out + o, replacement, sizeof(replacement));
                        o += sizeof(replacement);
                        i += (size_t) -l;
                }
        }
        return o;
}

void utf8_write_repaired(FILE *f, const char *s, void (*write)(FILE *f, const char *text, size_t len)) {
        size_t n = strlen(s);
        char *repaired;

        if (utf8_is_valid(s, n)) {
                write(f, s, n);
                return;
        }
        repaired = malloc(UTF8_REPAIR_MAX(n));
        if (!repaired) {
                write(f, "\xEF\xBF\xBD", 3);
                return;
        }
        write(f, repaired, utf8_repair(s, n, repaired));
        free(repaired);
}
