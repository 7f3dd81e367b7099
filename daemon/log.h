/* SPDX-License-Identifier: MIT */
/* Logging to stderr, with sd-daemon priority prefixes when stderr is the journal. */
#pragma once

#include <syslog.h>

/* Writes one line at priority (LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG). */
__attribute__((format(printf, 2, 3))) void log_line(int priority, const char *fmt, ...);

#define log_error(...)   log_line(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_line(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)  log_line(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)    log_line(LOG_INFO, __VA_ARGS__)
