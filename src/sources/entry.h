/* SPDX-License-Identifier: MIT */
/* One entry of the followed program, as every source hands it out: bytes,
 * a host and a time, whatever it was read from. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The bytes are borrowed: valid until the next call on whatever produced
 * the entry. */
struct entry {
        const char *message; /* NULL: the entry has none, or it cannot be read */
        size_t message_len;
        const char *host; /* NULL: not wanted, or the entry has none */
        size_t host_len;
        uint64_t realtime_usec; /* UTC microseconds since the epoch; 0: unknown */
};
