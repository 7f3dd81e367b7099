/* SPDX-License-Identifier: MIT */
/* A small buffer in front of a FILE, for escapers: hostile text can need an
 * escape every few bytes, and a stdio call each (which locks the FILE once
 * the process has a second thread) cost more than the escaping. */
#pragma once

#include <stdio.h>
#include <string.h>

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
