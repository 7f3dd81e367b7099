/* SPDX-License-Identifier: MIT */
/* sd-journal over a single file (sd_journal_open_files()) does the
 * matching; we only pick MESSAGE (and _HOSTNAME, when hosts are counted) out
 * of each entry, and keep track of sequence numbers. */
#include "journal_file.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "macro.h"

struct journal_file {
        sd_journal *journal;
        char hostname[255]; /* the current entry's, copied */
        bool want_hostname;
        bool pending;  /* a seek stopped on an entry not yet returned */
        bool returned; /* an entry was returned since the last seek */
        bool damaged;
};

/* The header's layout (systemd's JOURNAL_FILE_FORMAT): signature, flags and
 * state take 24 bytes, then file_id, machine_id, tail_entry_boot_id and
 * seqnum_id, 16 bytes each. */
#define HEADER_FILE_ID_OFFSET   24
#define HEADER_SEQNUM_ID_OFFSET 72
#define HEADER_IDS_END          (HEADER_SEQNUM_ID_OFFSET + JOURNAL_ID_BYTES)

int journal_file_read_ids(int dir_fd, const char *name, struct journal_file_ids *ret) {
        static const uint8_t zero[JOURNAL_ID_BYTES];
        uint8_t header[HEADER_IDS_END];
        ssize_t n;
        int fd;

        fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        n = pread(fd, header, sizeof(header), 0);
        if (n < 0)
                n = -errno;
        (void) close(fd);
        if (n < 0)
                return (int) n;
        /* A file just created has no header yet: it is not a journal file
         * until its writer has written one. */
        if ((size_t) n < sizeof(header) || memcmp(header, "LPKSHHRH", 8) != 0 ||
            memcmp(header + HEADER_FILE_ID_OFFSET, zero, sizeof(zero)) == 0)
                return -EBADMSG;
        memcpy(ret->file_id, header + HEADER_FILE_ID_OFFSET, JOURNAL_ID_BYTES);
        memcpy(ret->seqnum_id, header + HEADER_SEQNUM_ID_OFFSET, JOURNAL_ID_BYTES);
        return 0;
}

static int add_match(sd_journal *j, const char *field, const char *value) {
        _cleanup_free_ char *match = NULL;

        if (asprintf(&match, "%s=%s", field, value) < 0) {
                match = NULL;
                return -ENOMEM;
        }
        return sd_journal_add_match(j, match, 0);
}

static int add_matches(sd_journal *j, const struct journal_match *m) {
        int r;

        r = add_match(j, "SYSLOG_IDENTIFIER", m->identifier);
        /* Matches of one field are ORed, of different fields ANDed: the
         * identifier and any of the hosts, filtered inside sd-journal. */
        for (char *const *h = m->hosts; r >= 0 && h && *h; h++)
                r = add_match(j, "_HOSTNAME", *h);
        return r;
}

int journal_file_open(const char *path, const struct journal_match *m, struct journal_file **ret) {
        const char *paths[] = { path, NULL };
        struct journal_file *f;
        int r;

        f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        f->want_hostname = m->want_hostname;
        r = sd_journal_open_files(&f->journal, paths, 0);
        if (r < 0) {
                free(f);
                return r;
        }
        /* MESSAGE must reach us whole, however large (SPEC shows 64 KiB
         * messages whole); the default threshold cuts compressed fields. */
        r = sd_journal_set_data_threshold(f->journal, 0);
        if (r >= 0)
                r = add_matches(f->journal, m);
        if (r >= 0)
                r = sd_journal_seek_head(f->journal);
        if (r < 0) {
                journal_file_close(f);
                return r;
        }
        *ret = f;
        return 0;
}

struct journal_file *journal_file_close(struct journal_file *f) {
        if (!f)
                return NULL;
        sd_journal_close(f->journal);
        free(f);
        return NULL;
}

/* The "s=" (sequence number id) and "i=" (sequence number) fields of a cursor. */
static bool cursor_seqnum(const char *cursor, char seqnum_id[static 33], uint64_t *ret_seqnum) {
        const char *i = strstr(cursor, ";i=");
        char *end;

        if (strncmp(cursor, "s=", 2) != 0 || !i || i - (cursor + 2) != 32)
                return false;
        memcpy(seqnum_id, cursor + 2, 32);
        seqnum_id[32] = '\0';
        errno = 0;
        unsigned long long n = strtoull(i + 3, &end, 16);
        *ret_seqnum = n;
        return errno == 0 && end != i + 3;
}

static int current_seqnum(sd_journal *j, char seqnum_id[static 33], uint64_t *ret) {
        _cleanup_free_ char *cursor = NULL;
        int r;

        r = sd_journal_get_cursor(j, &cursor);
        if (r < 0)
                return r;
        return cursor_seqnum(cursor, seqnum_id, ret) ? 0 : -EBADMSG;
}

int journal_file_seqnum(struct journal_file *f, uint64_t *ret) {
        char seqnum_id[33];

        if (!f->returned || f->damaged)
                return -EADDRNOTAVAIL;
        return current_seqnum(f->journal, seqnum_id, ret);
}

/* Whether sd-journal dropped the file: it does so, silently, when it cannot
 * step on through it; the file's blocks then no longer count. */
static bool file_dropped(sd_journal *j) {
        uint64_t bytes = 0;

        return sd_journal_get_usage(j, &bytes) >= 0 && bytes == 0;
}

/* Steps to the next entry. Returns 1, 0 at the end (or on damage), or -errno. */
static int step(struct journal_file *f) {
        int r;

        if (f->damaged)
                return 0;
        r = sd_journal_next(f->journal);
        if (r == 0 && file_dropped(f->journal))
                f->damaged = true;
        if (r < 0 && r != -ENOMEM) {
                f->damaged = true;
                return 0;
        }
        return r;
}

/* Leaves the first entry that keep() accepts pending, to be returned next. */
static int skip_until(struct journal_file *f, int (*keep)(sd_journal *j, const void *userdata), const void *userdata) {
        int r;

        for (;;) {
                r = step(f);
                if (r <= 0)
                        return r;
                r = keep(f->journal, userdata);
                if (r < 0)
                        return r;
                if (r > 0)
                        break;
        }
        /* Stepping back with sd_journal_previous() would misbehave when this
         * is the first entry left; let journal_file_next() return it. */
        f->pending = true;
        return 0;
}

struct after_seqnum {
        const char *seqnum_id;
        uint64_t seqnum;
};

static int is_after_seqnum(sd_journal *j, const void *userdata) {
        const struct after_seqnum *a = userdata;
        char seqnum_id[33];
        uint64_t seqnum;
        int r;

        r = current_seqnum(j, seqnum_id, &seqnum);
        if (r < 0)
                return r;
        return strcmp(seqnum_id, a->seqnum_id) != 0 || seqnum > a->seqnum;
}

static void id_to_hex(const uint8_t id[static JOURNAL_ID_BYTES], char ret[static 33]) {
        for (size_t i = 0; i < JOURNAL_ID_BYTES; i++)
                snprintf(ret + 2 * i, 3, "%02x", id[i]);
}

int journal_file_seek_after(struct journal_file *f, const struct journal_file_ids *ids, uint64_t seqnum) {
        char seqnum_id[33], cursor[64];
        int r;

        f->pending = f->returned = f->damaged = false;
        if (seqnum == 0)
                return sd_journal_seek_head(f->journal);
        id_to_hex(ids->seqnum_id, seqnum_id);
        /* A cursor of sequence number id and number only: sd-journal finds
         * the first entry at or above it by bisection. */
        snprintf(cursor, sizeof(cursor), "s=%s;i=%llx", seqnum_id, (unsigned long long) seqnum + 1);
        r = sd_journal_seek_cursor(f->journal, cursor);
        if (r < 0)
                return r;
        /* Checked, not assumed: an entry at or before the position would be
         * counted twice. */
        return skip_until(f, is_after_seqnum, &(struct after_seqnum){ .seqnum_id = seqnum_id, .seqnum = seqnum });
}

/* Whether the current entry is neither the one at cursor nor provably
 * before it: what a restart from a single saved cursor skipped. */
static int is_after_cursor(sd_journal *j, const void *userdata) {
        const char *cursor = userdata;
        char saved_id[33], current_id[33];
        uint64_t saved_seqnum, current_seqnum_value;
        int r;

        r = sd_journal_test_cursor(j, cursor);
        if (r != 0)
                return r < 0 ? r : 0;
        if (!cursor_seqnum(cursor, saved_id, &saved_seqnum))
                return 1;
        r = current_seqnum(j, current_id, &current_seqnum_value);
        if (r < 0)
                return r;
        return strcmp(saved_id, current_id) != 0 || current_seqnum_value > saved_seqnum;
}

int journal_file_seek_cursor(struct journal_file *f, const char *cursor) {
        int r;

        f->pending = f->returned = f->damaged = false;
        r = sd_journal_seek_cursor(f->journal, cursor);
        if (r < 0)
                return r;
        return skip_until(f, is_after_cursor, cursor);
}

/* Whether field data "NAME=value" is the field name; sets *ret to the value. */
static bool field_is(const void *data, size_t len, const char *name, size_t name_len, const char **ret_value,
                     size_t *ret_len) {
        const char *field = data;

        /* The first byte rules out most fields before memcmp() is called. */
        if (len <= name_len || field[0] != name[0] || memcmp(field, name, name_len) != 0 || field[name_len] != '=')
                return false;
        *ret_value = field + name_len + 1;
        *ret_len = len - name_len - 1;
        return true;
}

/* MESSAGE and _HOSTNAME in one pass over the entry's fields: cheaper than
 * two sd_journal_get_data() calls, each of which walks them. The data of a
 * field is valid only until the next enumeration (a compressed one is
 * unpacked into a buffer that is reused), so the host is copied, and if
 * anything was enumerated after MESSAGE, MESSAGE is fetched again, last. */
static int read_fields(struct journal_file *f, struct entry *e) {
        sd_journal *j = f->journal;
        const void *data;
        const char *value;
        size_t len, value_len;
        bool message_stale = false;
        int r = 0;

        sd_journal_restart_data(j);
        while ((!e->message || !e->host) && (r = sd_journal_enumerate_available_data(j, &data, &len)) > 0) {
                if (e->message)
                        message_stale = true;
                if (!e->message && field_is(data, len, "MESSAGE", 7, &e->message, &e->message_len))
                        continue;
                if (!e->host && field_is(data, len, "_HOSTNAME", 9, &value, &value_len)) {
                        value_len = value_len < sizeof(f->hostname) ? value_len : sizeof(f->hostname);
                        memcpy(f->hostname, value, value_len);
                        e->host = f->hostname;
                        e->host_len = value_len;
                }
        }
        if (r < 0)
                return r;
        if (e->message && message_stale) {
                e->message = NULL;
                r = sd_journal_get_data(j, "MESSAGE", &data, &len);
                if (r < 0)
                        return r;
                (void) field_is(data, len, "MESSAGE", 7, &e->message, &e->message_len);
        }
        return 0;
}

int journal_file_next(struct journal_file *f, struct entry *ret) {
        struct entry e = { .message = NULL };
        const void *data;
        size_t len;
        int r;

        if (f->pending)
                f->pending = false;
        else {
                r = step(f);
                if (r <= 0)
                        return r;
        }
        f->returned = true;

        if (sd_journal_get_realtime_usec(f->journal, &e.realtime_usec) < 0)
                e.realtime_usec = 0;
        if (f->want_hostname)
                r = read_fields(f, &e);
        else {
                r = sd_journal_get_data(f->journal, "MESSAGE", &data, &len);
                if (r >= 0)
                        (void) field_is(data, len, "MESSAGE", 7, &e.message, &e.message_len);
        }
        /* A MESSAGE that cannot be read (a compression this libsystemd
         * lacks, corruption) leaves the entry unparsed, never read again;
         * only running out of memory is an error. */
        if (r == -ENOMEM)
                return r;
        *ret = e;
        return 1;
}

bool journal_file_damaged(const struct journal_file *f) {
        return f->damaged;
}

int journal_file_last_seqnum(struct journal_file *f, uint64_t *ret) {
        char seqnum_id[33];
        int r;

        f->pending = f->returned = f->damaged = false;
        r = sd_journal_seek_tail(f->journal);
        if (r >= 0)
                r = sd_journal_previous(f->journal);
        if (r <= 0) {
                *ret = 0;
                return r;
        }
        return current_seqnum(f->journal, seqnum_id, ret);
}
