/* SPDX-License-Identifier: MIT */
/* A syslog file of the past (plain or gzip), read whole: its identity, which
 * is that of its content whatever its name or compression, and the lines of
 * one program in it. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "entry.h"

/* Two checksums and the length of the uncompressed bytes, in hex. */
#define SYSLOG_ARCHIVE_IDENTITY_MAX 48

struct syslog_archive {
        char identity[SYSLOG_ARCHIVE_IDENTITY_MAX];
        uint64_t lines;    /* every line of the file */
        uint64_t events;   /* the identifier's lines */
        uint32_t head_crc; /* of the first bytes, as syslog_source_head() */
        size_t head_len;
};

/* Reads the file at path, telling what it is in *ret and handing each line
 * of identifier to on_entry (unless identifier is NULL: then only the
 * identity is read). A last line without a newline counts: the file is
 * history. on_entry returns 0 or -errno, which stops the reading. Returns 0
 * or -errno (-EBADMSG: corrupt or truncated compressed data); after a
 * failure, on_entry may have seen part of the file. */
int syslog_archive_read(const char *path, const char *identifier,
                        int (*on_entry)(const struct entry *e, void *userdata), void *userdata,
                        struct syslog_archive *ret);
