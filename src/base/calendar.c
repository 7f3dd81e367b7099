/* SPDX-License-Identifier: MIT */
#include "calendar.h"

int64_t days_from_civil(int64_t year, int64_t month, int64_t day) {
        int64_t y = year - (month <= 2);
        int64_t era = (y >= 0 ? y : y - 399) / 400; /* floor division */
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

int32_t local_day(time_t t) {
        struct tm tm;

        if (!localtime_r(&t, &tm))
                return 0;
        return (int32_t) days_from_civil((int64_t) tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
