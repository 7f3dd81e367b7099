/* SPDX-License-Identifier: MIT */
/* The HTML pages: self-contained, escaped, readable without JavaScript. */
#pragma once

#include <stdio.h>

#include "report_data.h"

/* Each writes one whole page to f. Returns 0, -EIO or -ENOMEM. Time windows,
 * per-day counts and "(other)" rows are shown when d has them. */
int report_html_write_errors(FILE *f, const struct report_data *d);
int report_html_write_users(FILE *f, const struct report_data *d);
int report_html_write_index(FILE *f, const struct report_data *d);

/* Writes s[0..n) with & < > " ' escaped. s must be valid UTF-8. */
void report_html_write_escaped(FILE *f, const char *s, size_t n);

/* The one inline script of every page (table sorting and filtering), exactly
 * as written between <script> and </script>. The Content-Security-Policy of
 * etc/nginx/ticky-reportd.conf allows it by its SHA-256. */
extern const char report_html_script[];
