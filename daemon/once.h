/* SPDX-License-Identifier: MIT */
/* The one-shot modes: --once reads everything new, --import adds history
 * from files; both write pages and state, and exit. */
#pragma once

#include "config.h"

/* Returns the process exit status (0 or 1), having logged any failure. */
int run_once(const struct config *c);

/* Imports each of files (NULL-terminated), reporting each on stdout.
 * Returns the exit status: 1 if any could not be imported. */
int run_import(const struct config *c, char *const *files);
