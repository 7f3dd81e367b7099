/* SPDX-License-Identifier: MIT */
/* One line of a syslog text file, as rsyslog writes it: the traditional format, RFC 3339
 * timestamps (RSYSLOG_FileFormat) or RFC 5424 (RSYSLOG_SyslogProtocol23Format). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Borrowed views into the line; valid as long as the line is. A nil ("-") RFC 5424
 * HOSTNAME or APP-NAME has length 0. */
struct syslog_line {
        uint64_t realtime_usec; /* UTC microseconds since the epoch; 0: unknown (RFC 5424 "-") */
        const char *host;
        size_t host_len;
        const char *tag; /* "ticky" of "ticky:" or "ticky[42]:"; RFC 5424: the APP-NAME */
        size_t tag_len;
        const char *message; /* verbatim to the end of the line */
        size_t message_len;
};

/* One local hour's conversion, for struct syslog_clock. */
struct syslog_clock_hour {
        int64_t key;   /* year, month, day and hour as decimal digits; -1: none yet */
        int64_t start; /* UTC seconds at the start of that local hour */
        bool uniform;  /* the UTC offset is the same for the whole hour */
};

/* Converts the local-time, year-less timestamps of the traditional format to UTC, caching per
 * hour so that a million lines do not cost a million mktime() calls. Caller storage; no cleanup. */
struct syslog_clock {
        int64_t now;
        int year;                         /* of now, in local time */
        struct syslog_clock_hour hour[2]; /* for year and year - 1 */
};

/* Sets up c for lines read at now, in the local time zone (TZ) of this moment: after a
 * change of TZ or a day's reading, initialise again. */
void syslog_clock_init(struct syslog_clock *c, time_t now);

/* Parses line[0..len) (without its '\n'; any bytes). Returns 1 and fills *ret with pointers
 * into line, or 0 if it is not a syslog line in a format we know (*ret untouched). Never reads
 * outside [line, line + len). */
int syslog_line_parse(const char *line, size_t len, struct syslog_clock *clock, struct syslog_line *ret);

/* Whether the line is the program's: its tag is tag[0..tag_len). */
bool syslog_line_tag_is(const struct syslog_line *l, const char *tag, size_t tag_len);
