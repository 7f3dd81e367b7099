/* SPDX-License-Identifier: MIT */
/* The CSV reports, RFC 4180. */
#pragma once

#include <stdio.h>

#include "report_data.h"

/* "Error,Count" then one row per message, and "(other)" last for the
 * messages beyond the cap. Returns 0 or -EIO. */
int report_csv_write_errors(FILE *f, const struct report_data *d);

/* "Username,INFO,ERROR" then one row per user, and "(other)" last for the
 * users beyond the cap (no user name holds parentheses). Returns 0 or -EIO. */
int report_csv_write_users(FILE *f, const struct report_data *d);

/* Writes one field, quoted if it holds ',', '"', CR or LF. */
void report_csv_write_field(FILE *f, const char *s, size_t n);
