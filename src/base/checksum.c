/* SPDX-License-Identifier: MIT */
#include "checksum.h"

#include <zlib.h>

uint32_t crc32_update(uint32_t crc, const void *data, size_t len) {
        /* crc32_z takes a size_t: no chunking for buffers over 4 GiB. */
        return (uint32_t) crc32_z(crc, data, len);
}

uint64_t fnv1a64_update(uint64_t h, const void *data, size_t len) {
        const unsigned char *p = data;

        for (size_t i = 0; i < len; i++)
                h = (h ^ p[i]) * UINT64_C(0x100000001b3);
        return h;
}
