/* SPDX-License-Identifier: MIT */
/* The entries of one SYSLOG_IDENTIFIER in a journal (the local one, a
 * namespace, or a directory such as a collector's), read file by file.
 *
 * The position is kept per journal file, in a table the caller owns and
 * saves with its counts: key the file's 16-byte file_id (from its header,
 * so that a rotated file keeps it), [0] the sequence number of the last
 * entry returned from that file (every entry of the file up to it is
 * done), [1] when the file was last seen (Unix seconds). An entry that
 * arrives late, with a timestamp older than everything read, is in some
 * file after that file's position, so it is read all the same. New files
 * are read from their start. Only one file is open at a time.
 *
 * Directories are watched with inotify: a file that grows, a new file or
 * directory wakes the caller, and nothing is polled. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "counter_table.h"
#include "entry.h"

struct journal_source;

struct journal_source_options {
        const char *identifier; /* SYSLOG_IDENTIFIER to match */
        const char *namespace;  /* NULL: none */
        const char *directory;  /* NULL: the local journal */
        char *const *hosts;     /* NULL-terminated _HOSTNAMEs to match, or NULL: all */
        bool want_hostname;     /* read _HOSTNAME of every entry */
};

/* The position of a file absent for this long is forgotten; until then, a
 * file that comes back (a directory mounted late, a source switched away
 * and back) is not read again. */
#define JOURNAL_POSITION_RETENTION_SECONDS (30 * 24 * 3600)

/* Finds the journal files and starts watching their directories. positions
 * is borrowed: it must outlive js, and changes as entries are read. Returns
 * 0 or -errno (-ENOENT: a directory given by path does not exist). */
int journal_source_open(const struct journal_source_options *o, struct counter_table *positions,
                        struct journal_source **ret);

/* Accepts NULL; returns NULL. */
struct journal_source *journal_source_close(struct journal_source *js);

/* Carries a cursor saved by a reader of the merged journal over to
 * positions: each file is positioned where resuming at that cursor would
 * have resumed in it. Returns 0 or -errno. */
int journal_source_migrate(struct journal_source *js, const char *cursor);

/* Advances to the next entry of any file that has new ones. Returns 1 and
 * the entry in *ret, 0 when every file is read to its end, or -errno. The
 * positions of files left behind are updated on the way. */
int journal_source_next(struct journal_source *js, struct entry *ret);

/* Brings the position of the file being read up to the last entry
 * returned: after this, positions covers every entry returned. Returns 0
 * or -errno. */
int journal_source_commit(struct journal_source *js);

/* A share of the files with new entries, to be read on another thread while
 * this one reads the rest: every other file (copies of one file stay
 * together), each with its position. Until journal_source_unshare(), js
 * does not read them, and must not be given to journal_source_process().
 * Sets *ret to NULL if nothing is shared out: fewer than two files (copies
 * of one counting as one) have new entries.
 * Returns 0 or -ENOMEM. */
struct journal_share;
int journal_source_share(struct journal_source *js, struct journal_share **ret);

/* As journal_source_next(), over the share's files; on one thread at a time. */
int journal_share_next(struct journal_share *sh, struct entry *ret);

/* Takes the share back, once every entry it returned is counted: its
 * positions become js's, files not read to their end have new entries
 * again, its notices are js's. Frees sh. Returns 0 or -errno. */
int journal_source_unshare(struct journal_source *js, struct journal_share *sh);

/* For poll(): the fd to wait on, its events, and the longest wait in
 * milliseconds before journal_source_process() is due anyway (-1: forever;
 * a finite one only while a journal directory and its parent are missing).
 * Returns 0 or -errno. */
int journal_source_wait_params(struct journal_source *js, int *ret_fd, short *ret_events, int *ret_timeout_ms);

/* Handles the directories' changes after a wake-up: files that grew are due
 * to be read, new files and directories are found, positions of files gone
 * long enough are forgotten. Call only when every entry returned is
 * committed. Returns 0 or -errno. */
int journal_source_process(struct journal_source *js);

/* Problems met since the last call (a damaged or unreadable file, once
 * each), as a NULL-terminated list of lines, or NULL if none; the caller
 * frees it with strv_free(). */
char **journal_source_take_notices(struct journal_source *js);

/* How many journal files it reads. */
size_t journal_source_n_files(const struct journal_source *js);
