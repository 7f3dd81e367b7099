/* SPDX-License-Identifier: MIT */
/* Counting on a second thread while the first one reads the journal: an
 * sd_journal object must stay on the thread that opened it, so the reading
 * stays where it is and the counting moves. Entries travel in batches that
 * own a copy of their bytes. */
#pragma once

#include <stddef.h>

#include "entry.h"
#include "stats.h"

struct counting_thread;
struct entry_batch;

/* Starts a thread that counts submitted batches into s. Until
 * counting_thread_stop() returns, s belongs to that thread: the caller must
 * not touch it. Returns 0 or -errno. */
int counting_thread_start(struct stats *s, struct counting_thread **ret);

/* An empty batch to fill, waiting for one to be counted if all are queued.
 * NULL once counting has failed: stop, and see why. */
struct entry_batch *counting_thread_batch(struct counting_thread *t);

/* Copies e into b. Returns 0 or -ENOMEM. */
int entry_batch_add(struct entry_batch *b, const struct entry *e);

/* Whether b should be submitted before another entry is added. */
bool entry_batch_full(const struct entry_batch *b);

/* Hands b, from counting_thread_batch(), to the thread to count. */
void counting_thread_submit(struct counting_thread *t, struct entry_batch *b);

/* Waits until every submitted batch is counted, ends the thread and frees t.
 * Returns 0, or the error of the first count_entry() that failed (batches after
 * it are not counted: s must then be discarded, as after any failed
 * count_entry()). */
int counting_thread_stop(struct counting_thread *t);
