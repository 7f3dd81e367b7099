/* SPDX-License-Identifier: MIT */
/* UTF-8 validation and repair, byte-exact with Python's decode('utf-8', 'replace'). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Worst case output size of utf8_repair(): every byte becomes U+FFFD (3 bytes). */
#define UTF8_REPAIR_MAX(n) ((n) *3)

/* True if s[0..n) is well-formed UTF-8 (no surrogates, no overlongs, <= U+10FFFF). */
bool utf8_is_valid(const char *s, size_t n);

/* Writes s[0..n) to out with every maximal invalid subsequence replaced by U+FFFD
 * (Unicode 15, section 3.9). out must hold UTF8_REPAIR_MAX(n) bytes; returns the
 * number of bytes written. */
size_t utf8_repair(const char *s, size_t n, char *out);

/* Hands the NUL-terminated s to write(f, text, len), repaired first if it is
 * not valid UTF-8 (a lone U+FFFD if memory runs out): for the strings of the
 * configuration, which the aggregation never repaired. */
void utf8_write_repaired(FILE *f, const char *s, void (*write)(FILE *f, const char *text, size_t len));
