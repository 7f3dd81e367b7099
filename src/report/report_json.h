/* SPDX-License-Identifier: MIT */
/* report.json: every count of the reports in one JSON document, for programs. */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "report_data.h"

/*
 * Schema "ticky-reportd/report/1": one object, keys in this order, one table
 * row per line (values here are an example):
 *
 *   {
 *     "schema": "ticky-reportd/report/1",
 *     "generated": "2025-11-24T16:00:00Z",
 *     "generated_unix": 1764000000,
 *     "title": "ticky",
 *     "source": "local journal",
 *     "totals": {"events": 8, "info": 2, "error": 6, "unparsed": 1, "users": 7, "distinct_errors": 5},
 *     "days": [
 *       {"date": "2025-11-24", "info": 2, "error": 6}
 *     ],
 *     "hosts": [
 *       {"name": "web1", "info": 2, "error": 6}
 *     ],
 *     "errors": [
 *       {"message": "Timeout", "count": 2, "last_24h": 1, "last_7d": 2, "daily": [1]}
 *     ],
 *     "other_errors": {"count": 7},
 *     "users": [
 *       {"name": "oren", "info": 1, "error": 1, "last_24h": {"info": 0, "error": 1},
 *        "last_7d": {"info": 1, "error": 1}}
 *     ],
 *     "other_users": {"info": 5, "error": 1}
 *   }
 *
 * - generated: when the counts were written, RFC 3339 in UTC (null if the
 *   time is outside years 0-9999); generated_unix: the same in seconds since
 *   the epoch. title: [output] title; source: the journal read.
 * - totals: events = info + error, other rows included; unparsed: entries
 *   not in the grammar; users and distinct_errors: the rows of the arrays
 *   (the keys of the other rows are not tracked, only their events).
 * - errors: count descending, then message; users: by name (both byte order
 *   of the UTF-8 text).
 * - Present only when per-day counts are kept: "days" (ascending local
 *   dates), and in every row "last_24h" and "last_7d" (for errors a number,
 *   for users an object), and for errors "daily", parallel to "days".
 * - Present only when hosts are counted (a journal directory source, or
 *   [journal] hosts): "hosts", by name, and in every error and user row
 *   "hosts": the names of the hosts it occurred on.
 * - other_errors, other_users: present only when the caps on distinct
 *   messages or users refused keys: the events of those keys, together.
 * - Numbers are non-negative integers below 2^64, written exactly; JavaScript's
 *   JSON.parse rounds those above 2^53 (9007199254740992).
 * - Strings are valid UTF-8 (invalid bytes from the journal became U+FFFD),
 *   escaped as RFC 8259 requires, and also < > & U+2028 U+2029 as \u003c
 *   \u003e \u0026 \u2028 \u2029: the file can be pasted into a <script>
 *   element or JavaScript source as it is.
 * - Keys may be added within version 1, so readers ignore unknown keys;
 *   removing or renaming a key or changing its meaning makes version 2.
 */
#define REPORT_JSON_SCHEMA "ticky-reportd/report/1"

/* Writes the whole document to f. Returns 0 or -EIO. */
int report_json_write(FILE *f, const struct report_data *d);

/* Writes s[0..n) as a JSON string, quotes included, escaped as above. s must
 * be valid UTF-8 (it may hold NUL). */
void report_json_write_string(FILE *f, const char *s, size_t n);
