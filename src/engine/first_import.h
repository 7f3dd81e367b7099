/* SPDX-License-Identifier: MIT */
/* A first import (no cursor yet, no caps) of a journal in two halves side by
 * side: the journal is split at the middle of its time span; a thread of its
 * own, with a journal object of its own, counts from the head up to the
 * middle entry while the caller's source reads from there to the end. */
#pragma once

#include "journal_source.h"
#include "ledger.h"

/* Counts the whole of js into l, which must have no cursor and no caps (its
 * counts, if any, are merged with those of both halves), with js at its
 * head and being l's source. The counts are merged; the cursor is
 * that of the last entry. Nothing may be saved until this returns: the
 * counts are no prefix of the journal before. Returns the entries counted,
 * 0 if nothing was done (too little to split, or no thread to be had; js is
 * back at its head), or
 * -errno, which poisons l; -ESTALE: the halves did not meet (the journal's
 * files changed between the two opens), and the journal must be opened
 * again and read in one pass. */
long first_import_split(struct ledger *l, struct source *src, struct journal_source *js);
