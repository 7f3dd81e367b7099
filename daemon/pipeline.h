/* SPDX-License-Identifier: MIT */
/* The engine calls that --once, --import and the daemon all make, with the
 * log lines that go with them: written once. */
#pragma once

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "engine.h"

/* A copy of the TZ the process started with, for pipeline_open(): *ret NULL
 * if unset. Call it before the first pipeline_open(). Returns 0 or -ENOMEM;
 * caller frees. */
int pipeline_startup_tz(char **ret);

/* Puts the configured time zone in force, then engine_open(), logging why it
 * failed, or that the counts carry on from another source. initial_tz: the
 * TZ the process started with (NULL: unset), in force again when the
 * configuration names no zone. Returns 0 or -errno. */
int pipeline_open(const struct config *c, const char *initial_tz, struct engine **ret);

/* engine_pump(), logging a failure and the source's notices. Returns as
 * engine_pump(). */
long pipeline_pump(struct engine *e, size_t max);

/* engine_flush() stamped `now`, logging a failure, and once (*warned_caps
 * is set then) that the caps were reached. Returns 0 or -errno. */
int pipeline_flush(struct engine *e, const struct config *c, time_t now, bool *warned_caps);
