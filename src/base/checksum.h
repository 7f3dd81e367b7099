/* SPDX-License-Identifier: MIT */
/* The checksums the project persists or shows: CRC-32 (zlib's, the one the
 * state file and the syslog file heads have always used) and FNV-1a 64. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define FNV1A64_INIT UINT64_C(0xcbf29ce484222325)

/* Continues crc (0 to start) over data[0..len): zlib.crc32() in Python. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

/* Continues h (FNV1A64_INIT to start) over data[0..len). */
uint64_t fnv1a64_update(uint64_t h, const void *data, size_t len);
