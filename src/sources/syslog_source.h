/* SPDX-License-Identifier: MIT */
/* The lines of one program in a syslog text file, followed like `tail -F`. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "entry.h"

struct syslog_source;

/* A file is known by a checksum of its first bytes, this many once it has
 * them. */
#define SYSLOG_HEAD_BYTES 1024

/* How many files moved away from are remembered between two calls of
 * syslog_source_left(). */
#define SYSLOG_LEFT_MAX 8

struct syslog_file_head {
        uint32_t crc;
        size_t len;
};

struct syslog_source_options {
        const char *path;       /* the file, e.g. /var/log/syslog */
        const char *identifier; /* the program tag to match */
};

/* Starts watching the file's directory (which must exist; the file need
 * not yet) and positions the source before the file's first line. Returns
 * 0 or -errno. */
int syslog_source_open(const struct syslog_source_options *o, struct syslog_source **ret);

/* Accepts NULL; returns NULL. */
struct syslog_source *syslog_source_close(struct syslog_source *ss);

/* Positions the source after the line a cursor of syslog_source_cursor()
 * points past. If the file at the path is no longer the one the cursor is
 * from, the rest of that one is read first when it is found as PATH.1 (a
 * rename rotation); else reading starts at the beginning of the file at the
 * path. cursor NULL: from the beginning. Returns 1 if the cursor's file was
 * found, 0 if not, or -errno (-EINVAL: not a syslog cursor). */
int syslog_source_seek(struct syslog_source *ss, const char *cursor);

/* The next line of the program, whole: a last line without its newline is
 * left for later. Returns 1 and the entry in *ret (valid until the next
 * call), 0 when no whole line is left for now, or -errno. Lines of other
 * programs and lines in no syslog format are skipped. */
int syslog_source_next(struct syslog_source *ss, struct entry *ret);

/* A cursor pointing past the last line read (file identity and offset).
 * Returns 0 or -errno; caller frees *ret. */
int syslog_source_cursor(struct syslog_source *ss, char **ret);

/* The checksum of the first bytes (*ret_len of them, up to
 * SYSLOG_HEAD_BYTES) of the file being read; *ret_len 0: none yet. */
void syslog_source_head(const struct syslog_source *ss, uint32_t *ret_crc, size_t *ret_len);

/* The heads of the files read and moved away from (rotated) since the last
 * call, oldest first; returns how many. */
size_t syslog_source_left(struct syslog_source *ss, struct syslog_file_head ret[static SYSLOG_LEFT_MAX]);

/* Whether the file st describes is the one being read or the one at the
 * path. */
bool syslog_source_reads(const struct syslog_source *ss, const struct stat *st);

/* Whether s is a cursor of this source kind rather than a journal's. */
bool syslog_cursor_is(const char *s);

/* For poll(): the inotify fd and its events; no timeout (-1). Returns 0. */
int syslog_source_wait_params(struct syslog_source *ss, int *ret_fd, short *ret_events, int *ret_timeout_ms);

/* Consumes the directory's notifications after a wake-up; the next
 * syslog_source_next() reads what was written, and follows a rotation once
 * the current file is read to its end. Returns 0 or -errno. */
int syslog_source_process(struct syslog_source *ss);
