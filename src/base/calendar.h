/* SPDX-License-Identifier: MIT */
/* Calendar dates: the one civil-date formula of the project. */
#pragma once

#include <stdint.h>
#include <time.h>

/* Days since 1970-01-01 of a proleptic Gregorian date, month 1-12 (Howard
 * Hinnant's days_from_civil); exact for every year an int64_t day count
 * holds. */
int64_t days_from_civil(int64_t year, int64_t month, int64_t day);

/* The local day (days since 1970-01-01 in the TZ in force) of t; 0 if the
 * C library cannot break t down. */
int32_t local_day(time_t t);
