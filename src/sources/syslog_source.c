/* SPDX-License-Identifier: MIT */
/* A syslog file is followed through its directory, so that a rotation is
 * seen whichever way it is done: by rename (the file we hold open is read
 * to its end, then the new one from its start) or by copytruncate (the rest
 * is read from the copy, PATH.1, then the file from its start again). A file
 * is recognised by a checksum of its first bytes, which a rename keeps and
 * a truncation changes; the position is the offset past the last whole line
 * read. */
#include "syslog_source.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checksum.h"
#include "line_buffer.h"
#include "macro.h"
#include "syslog_line.h"

/* Enough to tell two syslog files apart: their first lines differ in time. */
#define HEAD_BYTES SYSLOG_HEAD_BYTES

#define CURSOR_PREFIX "syslog;"

/* The first bytes of a file, as a checksum. */
struct file_head {
        uint32_t crc;
        size_t len;
};

struct syslog_source {
        char *path;
        char *rotated_path; /* PATH.1 */
        char *directory;
        char *name; /* in the directory */
        char *identifier;
        size_t identifier_len;
        int inotify_fd;

        int fd; /* the file being read; -1: none yet */
        dev_t dev;
        ino_t ino;
        struct file_head head;
        struct line_buffer lines; /* its offsets are the file's */
        bool switching;           /* to the file at the path, once the rest is read */

        /* Heads of the files moved away from, until syslog_source_left()
         * takes them. */
        struct file_head left[SYSLOG_LEFT_MAX];
        size_t n_left;

        struct syslog_clock clock;
};

static uint64_t position(const struct syslog_source *ss) {
        return line_buffer_position(&ss->lines);
}

static void close_file(struct syslog_source *ss) {
        if (ss->fd >= 0)
                (void) close(ss->fd);
        ss->fd = -1;
        ss->head = (struct file_head){ .len = 0 };
        ss->switching = false;
        line_buffer_reset(&ss->lines, 0, false);
}

struct syslog_source *syslog_source_close(struct syslog_source *ss) {
        if (!ss)
                return NULL;
        close_file(ss);
        if (ss->inotify_fd >= 0)
                (void) close(ss->inotify_fd);
        free(ss->path);
        free(ss->rotated_path);
        free(ss->directory);
        free(ss->name);
        free(ss->identifier);
        line_buffer_done(&ss->lines);
        free(ss);
        return NULL;
}

int syslog_source_open(const struct syslog_source_options *o, struct syslog_source **ret) {
        struct syslog_source *ss;
        const char *slash = strrchr(o->path, '/');
        int r;

        if (!slash || !slash[1])
                return -EINVAL;
        ss = calloc(1, sizeof(*ss));
        if (!ss)
                return -ENOMEM;
        ss->fd = ss->inotify_fd = -1;
        ss->path = strdup(o->path);
        ss->directory = slash == o->path ? strdup("/") : strndup(o->path, (size_t) (slash - o->path));
        ss->name = strdup(slash + 1);
        ss->identifier = strdup(o->identifier);
        if (line_buffer_init(&ss->lines) < 0 || !ss->path || !ss->directory || !ss->name || !ss->identifier ||
            asprintf(&ss->rotated_path, "%s.1", o->path) < 0) {
                ss->rotated_path = NULL;
                syslog_source_close(ss);
                return -ENOMEM;
        }
        ss->identifier_len = strlen(ss->identifier);
        syslog_clock_init(&ss->clock, time(NULL));

        ss->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (ss->inotify_fd < 0 || inotify_add_watch(ss->inotify_fd, ss->directory,
                                                    IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                                            IN_CLOSE_WRITE | IN_ATTRIB | IN_ONLYDIR) < 0) {
                r = -errno;
                syslog_source_close(ss);
                return r;
        }
        *ret = ss;
        return 0;
}

/* The first bytes of the file, up to want (at most HEAD_BYTES), and how
 * many there were. Returns 0 or -errno. */
static int read_start(int fd, char bytes[static HEAD_BYTES], size_t want, size_t *ret_len) {
        size_t len = 0;

        while (len < want) {
                ssize_t n = pread(fd, bytes + len, want - len, (off_t) len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        *ret_len = len;
        return 0;
}

static int read_head(int fd, size_t want, struct file_head *ret) {
        char bytes[HEAD_BYTES];
        size_t len;
        int r = read_start(fd, bytes, want, &len);

        if (r < 0)
                return r;
        *ret = (struct file_head){ .crc = crc32_update(0, bytes, len), .len = len };
        return 0;
}

/* Whether the file at fd still begins with head and holds at least
 * min_size bytes. Returns 1, 0, or -errno. */
static int file_matches(int fd, const struct file_head *head, uint64_t min_size) {
        struct file_head now;
        struct stat st;
        int r;

        if (fstat(fd, &st) < 0)
                return -errno;
        if ((uint64_t) st.st_size < min_size || (uint64_t) st.st_size < head->len)
                return 0;
        r = read_head(fd, head->len, &now);
        if (r < 0)
                return r;
        return now.len == head->len && now.crc == head->crc;
}

/* Opens a regular file for reading; -ENOENT also for anything else at the
 * path (a FIFO would block us, a directory has no lines). */
static int open_regular(const char *path, struct stat *ret_st) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, ret_st) < 0 || !S_ISREG(ret_st->st_mode)) {
                (void) close(fd);
                return -ENOENT;
        }
        return fd;
}

/* Makes fd (of file st) the file read, from offset on. */
static void use_file(struct syslog_source *ss, int fd, const struct stat *st, const struct file_head *head,
                     uint64_t offset, bool skipping) {
        if (ss->fd >= 0 && ss->head.len > 0) {
                /* The oldest is dropped: the caller takes them at every pump. */
                if (ss->n_left == SYSLOG_LEFT_MAX)
                        memmove(ss->left, ss->left + 1, (SYSLOG_LEFT_MAX - 1) * sizeof(ss->left[0]));
                else
                        ss->n_left++;
                ss->left[ss->n_left - 1] = ss->head;
        }
        close_file(ss);
        ss->fd = fd;
        ss->dev = st->st_dev;
        ss->ino = st->st_ino;
        ss->head = *head;
        line_buffer_reset(&ss->lines, offset, skipping);
}

/* Switches to the file at the path, from its start. Returns 1, 0 if there
 * is no file there, or -errno. */
static int use_path(struct syslog_source *ss) {
        struct stat st;
        int fd = open_regular(ss->path, &st);

        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return fd;
        use_file(ss, fd, &st, &(struct file_head){ .len = 0 }, 0, false);
        return 1;
}

/* Switches to the file at path if it is the one with head, at least
 * min_size long, from offset. Returns 1, 0 if it is not, or -errno. */
static int use_if_match(struct syslog_source *ss, const char *path, const struct file_head *head, uint64_t offset,
                        bool skipping, const struct stat *identity) {
        struct stat st;
        int fd = open_regular(path, &st), r;

        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return fd;
        /* A few bytes, or none, tell files apart no better than chance:
         * then the file must be the very same one too. */
        if (identity && head->len < HEAD_BYTES && (st.st_dev != identity->st_dev || st.st_ino != identity->st_ino)) {
                (void) close(fd);
                return 0;
        }
        r = file_matches(fd, head, offset);
        if (r <= 0) {
                (void) close(fd);
                return r;
        }
        use_file(ss, fd, &st, head, offset, skipping);
        return 1;
}

/* The head grows with the file until it is HEAD_BYTES long; a file whose
 * known head changed is left for the truncation check to notice. */
static int update_head(struct syslog_source *ss) {
        char bytes[HEAD_BYTES];
        uint32_t prefix;
        size_t len;
        int r = read_start(ss->fd, bytes, HEAD_BYTES, &len);

        if (r < 0)
                return r;
        if (len <= ss->head.len)
                return 0;
        /* CRC-32 goes on from the known head's: one read gives both. */
        prefix = crc32_update(0, bytes, ss->head.len);
        if (prefix != ss->head.crc)
                return 0;
        ss->head = (struct file_head){
                .crc = crc32_update(prefix, bytes + ss->head.len, len - ss->head.len),
                .len = len,
        };
        return 0;
}

/* Reads more of the file into the buffer. Returns 1, 0 at its end, or
 * -errno. */
static int fill(struct syslog_source *ss) {
        char *room;
        size_t room_len;
        ssize_t n;
        int r;

        if (ss->fd < 0)
                return 0;
        r = line_buffer_space(&ss->lines, &room, &room_len);
        if (r < 0)
                return r;
        do
                n = pread(ss->fd, room, room_len, (off_t) (ss->lines.offset + ss->lines.len));
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        line_buffer_added(&ss->lines, (size_t) n);
        if (n > 0 && ss->head.len < HEAD_BYTES) {
                r = update_head(ss);
                if (r < 0)
                        return r;
        }
        return n > 0;
}

/* Whether the file being read was truncated (or truncated and written
 * again) under the position. Returns 1, 0, or -errno. */
static int truncated(struct syslog_source *ss) {
        int r = file_matches(ss->fd, &ss->head, position(ss));
        return r < 0 ? r : !r;
}

/* After a copytruncate, the rest of what was read is in the copy; after
 * that, the file at the path holds what came next. Returns 1 if a file to
 * read was found, 0 if not, or -errno. */
static int follow_truncation(struct syslog_source *ss) {
        struct file_head head = ss->head;
        int r;

        /* A copy is another inode: only the head can tell. */
        r = use_if_match(ss, ss->rotated_path, &head, position(ss), ss->lines.skipping, NULL);
        if (r != 0)
                return r;
        return use_path(ss);
}

/* At the end of the file being read: moves on to the next one if the file
 * was rotated. Returns 1 if there is another file to read, 0 if not, or
 * -errno. */
static int follow(struct syslog_source *ss) {
        struct stat st;
        int r;

        if (ss->fd < 0)
                return use_path(ss);
        r = truncated(ss);
        if (r != 0)
                return r < 0 ? r : follow_truncation(ss);

        if (stat(ss->path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if ((st.st_dev == ss->dev && st.st_ino == ss->ino) || !S_ISREG(st.st_mode))
                return 0;
        /* Renamed away, and another file in its place: until the writer
         * writes to that one, it may still write to this one. */
        if (st.st_size == 0)
                return 0;
        /* The writer has moved on: a line it left unfinished is as whole as
         * it will get, and is read before the switch. */
        if (ss->lines.len > ss->lines.pos) {
                ss->switching = true;
                return 1;
        }
        return use_path(ss);
}

/* Whether a line is the program's; fills *ret if so. */
static bool line_entry(struct syslog_source *ss, const char *line, size_t len, struct entry *ret) {
        struct syslog_line l;

        if (syslog_line_parse(line, len, &ss->clock, &l) <= 0 ||
            !syslog_line_tag_is(&l, ss->identifier, ss->identifier_len))
                return false;
        *ret = (struct entry){
                .message = l.message,
                .message_len = l.message_len,
                .host = l.host,
                .host_len = l.host_len,
                .realtime_usec = l.realtime_usec,
        };
        return true;
}

int syslog_source_next(struct syslog_source *ss, struct entry *ret) {
        const char *line;
        size_t len;
        int r;

        for (;;) {
                /* The last line of a file that is still written may be
                 * incomplete: it is never taken as a line. */
                while (line_buffer_next(&ss->lines, ss->switching, &line, &len) > 0)
                        if (line_entry(ss, line, len, ret))
                                return 1;
                if (ss->switching) {
                        ss->switching = false;
                        r = use_path(ss);
                        if (r <= 0)
                                return r;
                        continue;
                }
                r = fill(ss);
                if (r == 0)
                        r = follow(ss);
                if (r <= 0)
                        return r;
        }
}

int syslog_source_cursor(struct syslog_source *ss, char **ret) {
        if (asprintf(ret,
                     CURSOR_PREFIX "dev=%" PRIx64 ";ino=%" PRIx64 ";offset=%" PRIu64 ";head=%zu:%08" PRIx32
                                   ";skipping=%d",
                     (uint64_t) ss->dev, (uint64_t) ss->ino, position(ss), ss->head.len, ss->head.crc,
                     ss->lines.skipping) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

void syslog_source_head(const struct syslog_source *ss, uint32_t *ret_crc, size_t *ret_len) {
        *ret_crc = ss->head.crc;
        *ret_len = ss->head.len;
}

size_t syslog_source_left(struct syslog_source *ss, struct syslog_file_head ret[static SYSLOG_LEFT_MAX]) {
        size_t n = ss->n_left;

        for (size_t i = 0; i < n; i++)
                ret[i] = (struct syslog_file_head){ .crc = ss->left[i].crc, .len = ss->left[i].len };
        ss->n_left = 0;
        return n;
}

bool syslog_source_reads(const struct syslog_source *ss, const struct stat *st) {
        struct stat at_path;

        if (ss->fd >= 0 && st->st_dev == ss->dev && st->st_ino == ss->ino)
                return true;
        return stat(ss->path, &at_path) == 0 && st->st_dev == at_path.st_dev && st->st_ino == at_path.st_ino;
}

bool syslog_cursor_is(const char *s) {
        return strncmp(s, CURSOR_PREFIX, strlen(CURSOR_PREFIX)) == 0;
}

struct syslog_cursor {
        struct stat identity; /* st_dev and st_ino only */
        uint64_t offset;
        struct file_head head;
        bool skipping;
};

static int parse_cursor(const char *s, struct syslog_cursor *ret) {
        unsigned long long dev, ino, offset;
        unsigned crc;
        size_t head_len;
        int skipping, end = 0;

        if (!syslog_cursor_is(s))
                return -EINVAL;
        if (sscanf(s, CURSOR_PREFIX "dev=%llx;ino=%llx;offset=%llu;head=%zu:%8x;skipping=%d%n", &dev, &ino, &offset,
                   &head_len, &crc, &skipping, &end) != 6 ||
            s[end] != '\0' || head_len > HEAD_BYTES || (skipping != 0 && skipping != 1))
                return -EINVAL;
        *ret = (struct syslog_cursor){
                .identity = { .st_dev = (dev_t) dev, .st_ino = (ino_t) ino },
                .offset = offset,
                .head = { .crc = crc, .len = head_len },
                .skipping = skipping,
        };
        return 0;
}

int syslog_source_seek(struct syslog_source *ss, const char *cursor) {
        struct syslog_cursor c;
        int r;

        close_file(ss);
        if (!cursor) {
                r = use_path(ss);
                return r < 0 ? r : 1;
        }
        r = parse_cursor(cursor, &c);
        if (r < 0)
                return r;
        r = use_if_match(ss, ss->path, &c.head, c.offset, c.skipping, &c.identity);
        if (r == 0) /* rotated while we were not looking */
                r = use_if_match(ss, ss->rotated_path, &c.head, c.offset, c.skipping, &c.identity);
        if (r != 0)
                return r;
        r = use_path(ss);
        return r < 0 ? r : 0;
}

int syslog_source_wait_params(struct syslog_source *ss, int *ret_fd, short *ret_events, int *ret_timeout_ms) {
        *ret_fd = ss->inotify_fd;
        *ret_events = POLLIN;
        *ret_timeout_ms = -1;
        return 0;
}

int syslog_source_process(struct syslog_source *ss) {
        char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        int r;

        /* Which file changed matters not: the checks below are cheap. But
         * a directory removed takes its watch with it, and nothing would
         * ever wake us again: better to stop and say so. */
        for (;;) {
                ssize_t n = read(ss->inotify_fd, events, sizeof(events));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                for (ssize_t i = 0; i < n;) {
                        const struct inotify_event *ev = (const struct inotify_event *) (events + i);
                        if (ev->mask & IN_IGNORED)
                                return -ENOENT;
                        i += (ssize_t) (sizeof(*ev) + ev->len);
                }
        }
        syslog_clock_init(&ss->clock, time(NULL));

        /* A truncation is best noticed before reading on: the file may have
         * grown past the position again by the time its end is reached. */
        if (ss->fd < 0)
                return 0;
        r = truncated(ss);
        if (r > 0) {
                r = follow_truncation(ss);
                return r < 0 ? r : 0;
        }
        return r;
}
