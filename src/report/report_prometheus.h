/* SPDX-License-Identifier: MIT */
/* The counts as Prometheus metrics, for node_exporter's textfile collector. */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "report_data.h"

/*
 * Text exposition format 0.0.4, every family with # HELP and # TYPE, no
 * timestamps (the textfile collector refuses them):
 *
 *   ticky_events_total{level="info",user="NAME"}     counter, two per user
 *   ticky_events_total{level="error",user="NAME"}
 *   ticky_errors_total{message="TEXT"}               counter, one per ERROR message
 *   ticky_unparsed_total                             counter
 *   ticky_last_update_timestamp_seconds              gauge, when the counts were written
 *
 * and only when the caps on distinct users or messages refused keys:
 *
 *   ticky_other_events_total{level="info"|"error"}   counter, the refused users' events
 *   ticky_other_errors_total                         counter, the refused messages' events
 *
 * The overflow has series of its own rather than an "(other)" label value,
 * which a real message could hold. Label values are the repaired UTF-8 keys
 * with \ " and newline escaped as \\ \" \n.
 */

/* Writes the whole file to f. Returns 0 or -EIO. */
int report_prometheus_write(FILE *f, const struct report_data *d);

/* Writes s[0..n) as a label value, quotes included. s must be valid UTF-8. */
void report_prometheus_write_label_value(FILE *f, const char *s, size_t n);
