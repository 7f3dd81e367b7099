/* SPDX-License-Identifier: MIT */
/* The collector calls that --once and the daemon both make, with the log
 * lines that go with them: written once. */
#pragma once

#include <stdbool.h>
#include <time.h>

#include "collector.h"
#include "config.h"

/* collector_open(), logging why it failed, or that the counts carry on from
 * another source. Returns 0 or -errno. */
int pipeline_open(const struct config *c, struct collector **ret);

/* collector_flush() stamped `now`, logging a failure, and once (*warned_caps
 * is set then) that the caps were reached. Returns 0 or -errno. */
int pipeline_flush(struct collector *col, const struct config *c, time_t now, bool *warned_caps);
