/* SPDX-License-Identifier: MIT */
/* Whole lines out of a byte stream read in blocks: what is left of a line
 * without its newline waits for the next block, and a line too long to hold
 * is cut. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A longer line is handed out cut to this many bytes; the rest is skipped. */
#define LINE_BUFFER_MAX_LINE (1024 * 1024)

struct line_buffer {
        char *data;
        size_t size, len, pos; /* data[0..pos) is handed out, data[pos..len) not yet */
        uint64_t offset;       /* of data[0] in the stream */
        bool skipping;         /* inside a line that was cut */
};

int line_buffer_init(struct line_buffer *b);
void line_buffer_done(struct line_buffer *b);

/* Forgets the bytes held: the stream goes on at offset, inside a cut line if
 * skipping. */
void line_buffer_reset(struct line_buffer *b, uint64_t offset, bool skipping);

/* The stream offset past the last line handed out. */
uint64_t line_buffer_position(const struct line_buffer *b);

/* The next line (without its newline), valid until the next call. Returns 1,
 * or 0 if more bytes are needed (at_end: there are no more; the rest,
 * if any, is handed out as the last line). */
int line_buffer_next(struct line_buffer *b, bool at_end, const char **ret, size_t *ret_len);

/* Room for the next block: *ret_room bytes at *ret. Returns 0 or -ENOMEM.
 * line_buffer_added() then says how many were written there. */
int line_buffer_space(struct line_buffer *b, char **ret, size_t *ret_room);
void line_buffer_added(struct line_buffer *b, size_t n);
