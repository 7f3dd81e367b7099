/* SPDX-License-Identifier: MIT */
#include "line_buffer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define START_BYTES (64 * 1024)

int line_buffer_init(struct line_buffer *b) {
        *b = (struct line_buffer){ .data = malloc(START_BYTES), .size = START_BYTES };
        return b->data ? 0 : -ENOMEM;
}

void line_buffer_done(struct line_buffer *b) {
        free(b->data);
        *b = (struct line_buffer){ .data = NULL };
}

void line_buffer_reset(struct line_buffer *b, uint64_t offset, bool skipping) {
        b->offset = offset;
        b->len = b->pos = 0;
        b->skipping = skipping;
}

uint64_t line_buffer_position(const struct line_buffer *b) {
        return b->offset + b->pos;
}

int line_buffer_next(struct line_buffer *b, bool at_end, const char **ret, size_t *ret_len) {
        for (;;) {
                const char *start = b->data + b->pos;
                size_t available = b->len - b->pos;
                const char *newline = memchr(start, '\n', available);
                bool skipped = b->skipping;
                size_t len;

                if (newline) {
                        len = (size_t) (newline - start);
                        b->pos += len + 1;
                        b->skipping = false;
                } else if (available >= LINE_BUFFER_MAX_LINE || (at_end && available > 0)) {
                        len = available;
                        b->pos = b->len;
                        b->skipping = !at_end;
                } else {
                        if (skipped) /* nothing of a cut line is kept */
                                b->pos = b->len;
                        return 0;
                }
                if (!skipped) {
                        *ret = start;
                        *ret_len = len;
                        return 1;
                }
        }
}

int line_buffer_space(struct line_buffer *b, char **ret, size_t *ret_room) {
        if (b->pos > 0) {
                memmove(b->data, b->data + b->pos, b->len - b->pos);
                b->offset += b->pos;
                b->len -= b->pos;
                b->pos = 0;
        }
        if (b->len == b->size) {
                char *grown = realloc(b->data, b->size * 2);
                if (!grown)
                        return -ENOMEM;
                b->data = grown;
                b->size *= 2;
        }
        *ret = b->data + b->len;
        *ret_room = b->size - b->len;
        return 0;
}

void line_buffer_added(struct line_buffer *b, size_t n) {
        b->len += n;
}
