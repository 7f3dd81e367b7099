/* SPDX-License-Identifier: MIT */
/* The long-running mode: follow the journal, rewrite the pages on a timer. */
#pragma once

#include <stdbool.h>

#include "config.h"

/* Runs until SIGTERM or SIGINT. config is taken over (freed on return);
 * config_path is re-read on SIGHUP. Returns the process exit status. */
int run_daemon(const char *config_path, bool explicit_config_path, struct config *config);

/* Loads the configuration at path, logging every error. A missing file is
 * fine when !explicit_path: the defaults apply. Returns 0 or -errno. */
int load_config(const char *path, bool explicit_path, struct config *ret);
