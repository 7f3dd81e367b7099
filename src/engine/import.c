/* SPDX-License-Identifier: MIT */
#include "import.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "count.h"
#include "syslog_archive.h"

int import_remember_followed(struct ledger *l, struct source *src) {
        struct syslog_source *ss = source_syslog(src);
        struct syslog_file_head left[SYSLOG_LEFT_MAX];
        time_t now = time(NULL);
        uint32_t crc;
        size_t len, n;
        int r;

        if (!ss)
                return 0;
        n = syslog_source_left(ss, left);
        for (size_t i = 0; i < n; i++) {
                r = imported_files_add_followed(l->imports, left[i].crc, left[i].len, now);
                if (r < 0)
                        return ledger_poison(l, r);
        }
        syslog_source_head(ss, &crc, &len);
        if (len < SYSLOG_HEAD_BYTES)
                return 0;
        r = imported_files_add_followed(l->imports, crc, len, now);
        return r < 0 ? ledger_poison(l, r) : 0;
}

/* Whether a file to import is one the source has read, or is reading. */
static bool read_by_following(const struct ledger *l, struct source *src, const struct stat *st,
                              const struct syslog_archive *file) {
        struct syslog_source *ss = source_syslog(src);
        uint32_t crc;
        size_t len;

        if (ss && syslog_source_reads(ss, st))
                return true;
        if (file->head_len == 0)
                return false;
        if (imported_files_followed(l->imports, file->head_crc, file->head_len))
                return true;
        if (!ss)
                return false;
        syslog_source_head(ss, &crc, &len);
        return len == file->head_len && crc == file->head_crc;
}

static int count_archived_entry(const struct entry *e, void *userdata) {
        return count_entry(userdata, e);
}

int import_syslog_file(struct ledger *l, struct source *src, const char *path, const char *identifier,
                       struct import_outcome *ret) {
        struct syslog_archive known, counted;
        struct stat st;
        int r;

        if (l->poisoned)
                return -ENOTRECOVERABLE;
        if (stat(path, &st) < 0)
                return -errno;
        /* First only what the file is: if it was imported before, there is
         * nothing to count. */
        r = syslog_archive_read(path, NULL, NULL, NULL, &known);
        if (r < 0)
                return r;
        *ret = (struct import_outcome){ .lines = known.lines };
        if (read_by_following(l, src, &st, &known)) {
                ret->followed = true;
                return 0;
        }
        if (imported_files_get(l->imports, known.identity, &ret->events, &ret->imported_at)) {
                ret->already = true;
                return 0;
        }

        /* Straight into the counts, so that the caps hold as for any event;
         * a failure now leaves part of the file counted: never saved. */
        r = syslog_archive_read(path, identifier, count_archived_entry, l->stats, &counted);
        if (r >= 0 && strcmp(counted.identity, known.identity) != 0)
                r = -ESTALE; /* written to between the two reads */
        if (r >= 0)
                r = imported_files_add(l->imports, known.identity, counted.events, time(NULL));
        if (r < 0)
                return ledger_poison(l, r);
        ret->events = counted.events;
        return 0;
}
