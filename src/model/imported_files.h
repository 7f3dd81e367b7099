/* SPDX-License-Identifier: MIT */
/* What the counts already include besides the source's entries: the syslog
 * files added by --import, known by their content's identity, and the heads
 * of the files the syslog source read to their end, so that importing one
 * of those later never counts it twice. Saved in the state with the counts. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "counter_table.h"

struct imported_files;

/* Returns NULL on OOM. */
struct imported_files *imported_files_new(void);

/* Accepts NULL; returns NULL. */
struct imported_files *imported_files_free(struct imported_files *f);

/* Records that the file of identity was imported at `when`, adding `events`.
 * Returns 0 or -ENOMEM. */
int imported_files_add(struct imported_files *f, const char *identity, uint64_t events, time_t when);

/* Whether a file of identity was imported; if so, fills *ret_events and
 * *ret_when (either may be NULL). */
bool imported_files_get(const struct imported_files *f, const char *identity, uint64_t *ret_events, time_t *ret_when);

/* Records, once, that the file whose first head_len bytes have the CRC-32
 * head_crc was read by following it. Returns 0 or -ENOMEM. */
int imported_files_add_followed(struct imported_files *f, uint32_t head_crc, size_t head_len, time_t when);

/* Whether such a file was read by following it. */
bool imported_files_followed(const struct imported_files *f, uint32_t head_crc, size_t head_len);

/* The record as one table, key -> [0] events, [1] when (Unix seconds), for
 * the state file; and a row of it, for loading one. */
const struct counter_table *imported_files_table(const struct imported_files *f);
int imported_files_restore_row(struct imported_files *f, const char *key, size_t len, unsigned column, uint64_t n);
