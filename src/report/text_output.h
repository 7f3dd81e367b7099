/* SPDX-License-Identifier: MIT */
/* For the report writers, which emit many small pieces: numbers without
 * printf(), and a small buffer in front of a FILE for escapers (hostile
 * text can need an escape every few bytes). A pages' worth of printf()
 * calls, one per number or escape, cost more than everything else. */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The decimal digits of v, NUL-terminated at the end of buf; returns where
 * they start. */
static inline char *format_u64(char buf[static 21], uint64_t v) {
        char *p = buf + 20;

        *p = '\0';
        do
                *--p = (char) ('0' + v % 10);
        while ((v /= 10) > 0);
        return p;
}

static inline void write_u64(FILE *f, uint64_t v) {
        char buf[21];
        fputs(format_u64(buf, v), f);
}

/* Caller storage: init, put, and flush before anything else writes to f. */
struct write_buffer {
        FILE *f;
        size_t n;
        char data[4096];
};

static inline void write_buffer_init(struct write_buffer *b, FILE *f) {
        b->f = f;
        b->n = 0;
}

/* Hands what is buffered to the FILE (whose errors ferror() reports). */
static inline void write_buffer_flush(struct write_buffer *b) {
        if (b->n > 0)
                fwrite(b->data, 1, b->n, b->f);
        b->n = 0;
}

static inline void write_buffer_put(struct write_buffer *b, const void *p, size_t len) {
        if (len > sizeof(b->data) - b->n) {
                write_buffer_flush(b);
                if (len > sizeof(b->data)) {
                        fwrite(p, 1, len, b->f);
                        return;
                }
        }
        memcpy(b->data + b->n, p, len);
        b->n += len;
}
