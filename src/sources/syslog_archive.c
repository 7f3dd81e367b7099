/* SPDX-License-Identifier: MIT */
#include "syslog_archive.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "checksum.h"
#include "line_buffer.h"
#include "macro.h"
#include "syslog_line.h"
#include "syslog_source.h"

struct reading {
        const char *identifier;
        size_t identifier_len;
        struct syslog_clock clock;
        int (*on_entry)(const struct entry *e, void *userdata);
        void *userdata;
        struct syslog_archive *result;
};

static int read_line(struct reading *c, const char *line, size_t len) {
        struct syslog_line l;

        c->result->lines++;
        if (!c->identifier)
                return 0;
        if (syslog_line_parse(line, len, &c->clock, &l) <= 0 ||
            !syslog_line_tag_is(&l, c->identifier, c->identifier_len))
                return 0;
        c->result->events++;
        return c->on_entry(
                &(struct entry){
                        .message = l.message,
                        .message_len = l.message_len,
                        .host = l.host,
                        .host_len = l.host_len,
                        .realtime_usec = l.realtime_usec,
                },
                c->userdata);
}

/* Reads the whole file through zlib, which passes plain text through. */
static int read_stream(gzFile gz, struct reading *c) {
        _cleanup_(line_buffer_done) struct line_buffer lines = { .data = NULL };
        uint64_t fnv = FNV1A64_INIT, size = 0;
        uint32_t crc = 0;
        bool at_end = false;
        int r;

        r = line_buffer_init(&lines);
        if (r < 0)
                return r;
        while (!at_end) {
                const char *line;
                size_t len, room_len;
                char *room;

                r = line_buffer_space(&lines, &room, &room_len);
                if (r < 0)
                        return r;
                int n = gzread(gz, room, room_len > INT_MAX ? INT_MAX : (unsigned) room_len), error;
                /* A truncated gzip file ends as if it were whole, but for
                 * the error it leaves behind. */
                (void) gzerror(gz, &error);
                if (n < 0 || (error != Z_OK && error != Z_STREAM_END))
                        return error == Z_ERRNO ? -errno : -EBADMSG;
                if (c->result->head_len < SYSLOG_HEAD_BYTES) {
                        size_t head = SYSLOG_HEAD_BYTES - c->result->head_len;
                        head = head < (size_t) n ? head : (size_t) n;
                        c->result->head_crc = crc32_update(c->result->head_crc, room, head);
                        c->result->head_len += head;
                }
                crc = crc32_update(crc, room, (size_t) n);
                fnv = fnv1a64_update(fnv, room, (size_t) n);
                size += (uint64_t) n;
                line_buffer_added(&lines, (size_t) n);
                at_end = n == 0;
                while (line_buffer_next(&lines, at_end, &line, &len) > 0) {
                        r = read_line(c, line, len);
                        if (r < 0)
                                return r;
                }
        }
        (void) snprintf(c->result->identity, sizeof(c->result->identity), "%016" PRIx64 "%08" PRIx32 "-%" PRIu64, fnv,
                        crc, size);
        return 0;
}

int syslog_archive_read(const char *path, const char *identifier,
                        int (*on_entry)(const struct entry *e, void *userdata), void *userdata,
                        struct syslog_archive *ret) {
        struct reading c = {
                .identifier = identifier,
                .identifier_len = identifier ? strlen(identifier) : 0,
                .on_entry = on_entry,
                .userdata = userdata,
                .result = ret,
        };
        struct stat st;
        gzFile gz;
        int fd, r;

        *ret = (struct syslog_archive){ .lines = 0 };
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK); /* a FIFO must not block us */
        if (fd < 0)
                return -errno;
        r = fstat(fd, &st) < 0 ? -errno : S_ISDIR(st.st_mode) ? -EISDIR : !S_ISREG(st.st_mode) ? -EINVAL : 0;
        if (r < 0) {
                (void) close(fd);
                return r;
        }
        gz = gzdopen(fd, "rb");
        if (!gz) {
                (void) close(fd);
                return -ENOMEM;
        }
        (void) gzbuffer(gz, 128 * 1024);
        syslog_clock_init(&c.clock, time(NULL));
        r = read_stream(gz, &c);
        (void) gzclose_r(gz);
        return r;
}
