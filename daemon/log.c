/* SPDX-License-Identifier: MIT */
/* "<3>" prefixes only when journald reads our stderr (systemd sets
 * JOURNAL_STREAM to its device:inode): a person at a terminal, or a script
 * reading `FILE:LINE: reason`, gets the plain text. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return st.st_dev == dev && st.st_ino == ino;
}

void log_line(int priority, const char *fmt, ...) {
        va_list ap;

        if (stderr_is_journal())
                fprintf(stderr, "<%d>", priority);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}
