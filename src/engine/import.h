/* SPDX-License-Identifier: MIT */
/* History from syslog files, counted once: --import of a rotated file adds
 * its lines unless the ledger already includes them, by an import of the
 * same content or by following the file. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "ledger.h"
#include "source.h"

struct import_outcome {
        bool already;       /* the same content was imported before: nothing counted */
        bool followed;      /* the file is one the syslog source read: nothing counted */
        time_t imported_at; /* when, if already */
        uint64_t lines;     /* of the file */
        uint64_t events;    /* of the identifier: counted now, or then if already */
};

/* Adds identifier's lines of the syslog file at path (plain or gzip) to l,
 * unless l includes them already; src is l's source. The source's position
 * does not move. Returns 0 or -errno: a file that cannot be read changes
 * nothing; one that fails while it is counted poisons l. The caller saves
 * l: the counts and the file's identity go into one snapshot. */
int import_syslog_file(struct ledger *l, struct source *src, const char *path, const char *identifier,
                       struct import_outcome *ret);

/* Records in l the syslog files src has read to their end (rotated away)
 * and the one it reads once its head is whole, so that importing one later
 * counts nothing. Call after every pump. Returns 0 or -ENOMEM, which
 * poisons l. */
int import_remember_followed(struct ledger *l, struct source *src);
