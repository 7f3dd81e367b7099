/* SPDX-License-Identifier: MIT */
/* One journal file, read alone: its entries of one SYSLOG_IDENTIFIER in the
 * order they were appended, from a position given by sequence number.
 *
 * Within one file, sequence numbers only ever grow, whatever the entries'
 * timestamps, so "every entry after seqnum N" is exact; across files no such
 * order exists, which is why positions are kept per file. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "entry.h"

#define JOURNAL_ID_BYTES 16

/* What a journal file's header says about it. file_id is fixed when the
 * file is created and survives renames (rotation); seqnum_id names the
 * sequence its entries are numbered in, which several files may share. */
struct journal_file_ids {
        uint8_t file_id[JOURNAL_ID_BYTES];
        uint8_t seqnum_id[JOURNAL_ID_BYTES];
};

/* Reads the ids from the header of the journal file name in dir_fd.
 * Returns 0, -EBADMSG if it is not (or not yet) a journal file, or -errno. */
int journal_file_read_ids(int dir_fd, const char *name, struct journal_file_ids *ret);

/* What to match, as the journal source's options say. */
struct journal_match {
        const char *identifier; /* SYSLOG_IDENTIFIER */
        char *const *hosts;     /* NULL-terminated _HOSTNAMEs, or NULL: all */
        bool want_hostname;     /* read _HOSTNAME of every entry */
};

struct journal_file;

/* Opens path alone with the matches, positioned before its first entry.
 * Returns 0 or -errno (a file that sd-journal refuses: truncated, say). */
int journal_file_open(const char *path, const struct journal_match *m, struct journal_file **ret);

/* Accepts NULL; returns NULL. */
struct journal_file *journal_file_close(struct journal_file *f);

static inline void journal_file_closep(struct journal_file **f) {
        journal_file_close(*f);
}

/* Positions f so that the next entry is the first one with a sequence
 * number above seqnum (0: from the first entry). ids are the file's own.
 * Returns 0 or -errno. */
int journal_file_seek_after(struct journal_file *f, const struct journal_file_ids *ids, uint64_t seqnum);

/* Positions f after the entry of cursor the way a single cursor in the
 * journal's merged order used to resume in this file: by sequence number if
 * the cursor is from this file's sequence, else by time. For carrying a
 * saved cursor over to positions per file. Returns 0 or -errno. */
int journal_file_seek_cursor(struct journal_file *f, const char *cursor);

/* Advances to the next entry. Returns 1 and the entry in *ret, or 0 at the
 * end of what can be read: journal_file_damaged() tells whether that is the
 * end of the file or damage. -ENOMEM only on running out of memory. */
int journal_file_next(struct journal_file *f, struct entry *ret);

/* True once the file was found unreadable past the last entry returned
 * (sd-journal then drops it: nothing more is returned). */
bool journal_file_damaged(const struct journal_file *f);

/* The sequence number of the last entry returned. Returns 0 or -errno
 * (-EADDRNOTAVAIL: none, or the file was dropped as damaged). */
int journal_file_seqnum(struct journal_file *f, uint64_t *ret);

/* The sequence number of the last entry, or 0 if it has none. Moves the
 * position. Returns 0 or -errno. */
int journal_file_last_seqnum(struct journal_file *f, uint64_t *ret);
