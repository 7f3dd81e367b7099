/* SPDX-License-Identifier: MIT */
/* Where an entry becomes counts: SPEC's grammar stands between what the
 * sources read and what the aggregates hold. */
#pragma once

#include "entry.h"
#include "stats.h"

/* Parses e's message and counts the event, or counts e as unparsed. Returns
 * 0 or -ENOMEM (then s must be discarded, as after stats_add_event()). */
int count_entry(struct stats *s, const struct entry *e);
