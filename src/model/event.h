/* SPDX-License-Identifier: MIT */
/* One ticky event, parsed from a journal MESSAGE: "LEVEL TEXT (USER)". */
#pragma once

#include <stddef.h>

enum event_level {
        EVENT_INFO,
        EVENT_ERROR,
};

/* Borrowed views into the parsed message; valid as long as the message is. */
struct event {
        enum event_level level;
        const char *text;
        size_t text_len;
        const char *user;
        size_t user_len;
};

/* Parses msg[0..len) by SPEC's grammar. Never reads outside the buffer.
 * Returns 0 and fills *ret, or -EINVAL if the message does not parse
 * (*ret untouched). */
int event_parse(const char *msg, size_t len, struct event *ret);
