/* SPDX-License-Identifier: MIT */
/* CRC-32 as zlib and Python's zlib.crc32() compute it. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Continues crc (0 to start) over data[0..len). */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);
