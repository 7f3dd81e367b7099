/* SPDX-License-Identifier: MIT */
/* --once: read everything new, write pages and state, exit. */
#pragma once

#include "config.h"

/* Returns the process exit status (0 or 1), having logged any failure. */
int run_once(const struct config *c);
