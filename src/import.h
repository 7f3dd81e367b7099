/* SPDX-License-Identifier: MIT */
/* History from syslog files (plain or gzip), counted once: a file is known
 * by its content, whatever its name or compression. */
#pragma once

#include <stdint.h>

#include "stats.h"

/* Two checksums and the length of the uncompressed bytes, in hex. */
#define IMPORT_IDENTITY_MAX 48

struct import_result {
        char identity[IMPORT_IDENTITY_MAX];
        uint64_t lines;    /* every line of the file */
        uint64_t events;   /* the identifier's lines, counted */
        uint32_t head_crc; /* of the first bytes, as syslog_source_head() */
        size_t head_len;
};

/* Reads the file at path, telling its identity and, unless counts is NULL,
 * counting the identifier's lines into counts. A last line without a
 * newline is counted: the file is history. Returns 0 or -errno (-EBADMSG:
 * corrupt or truncated compressed data); after a failure, counts may hold
 * part of the file. */
int import_read(const char *path, const char *identifier, struct stats *counts, struct import_result *ret);
