/* SPDX-License-Identifier: MIT */
/* The floor of the benchmark: the least any sd-journal reader of ticky's
 * events does. Opens a journal directory, matches SYSLOG_IDENTIFIER=ticky
 * and fetches every MESSAGE, nothing else. Prints the number of entries
 * and of messages so that the runner can check it read them all.
 *
 * With --fields it also reads what ticky-reportd needs of a journal
 * directory besides MESSAGE: each entry's time and _HOSTNAME, picked in one
 * pass over the fields with MESSAGE: the floor of that job.
 *
 * With --per-file it reads each *.journal file of DIR alone, one after the
 * other, instead of all of them merged in time order: the floor of a reader
 * that keeps a position per file, whose cost per entry does not grow with
 * the number of files (one sd-journal object over N files steps all N for
 * each entry).
 *
 *     bench_floor [--fields] [--per-file] DIR [IDENTIFIER] */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

/* MESSAGE and _HOSTNAME in one pass, as ticky-reportd reads them. */
static int get_message_and_host(sd_journal *j, const void **ret_message, size_t *ret_len) {
        const void *data;
        size_t len;
        bool host = false;
        int r = 0;

        *ret_message = NULL;
        sd_journal_restart_data(j);
        while ((!*ret_message || !host) && (r = sd_journal_enumerate_available_data(j, &data, &len)) > 0) {
                if (len >= 8 && memcmp(data, "MESSAGE=", 8) == 0) {
                        *ret_message = data;
                        *ret_len = len;
                } else if (len >= 10 && memcmp(data, "_HOSTNAME=", 10) == 0)
                        host = true;
        }
        if (r < 0)
                return r;
        return *ret_message ? 0 : -ENOENT;
}

struct totals {
        uint64_t entries, messages, bytes, newest;
};

/* Reads every entry of j that matches, adding to *t. Returns 0 or -errno. */
static int read_journal(sd_journal *j, const char *match, bool fields, struct totals *t) {
        int r;

        r = sd_journal_set_data_threshold(j, 0);
        if (r >= 0)
                r = sd_journal_add_match(j, match, 0);
        if (r < 0)
                return r;
        while ((r = sd_journal_next(j)) > 0) {
                const void *data;
                size_t len;

                t->entries++;
                if (fields) {
                        uint64_t usec;
                        if (sd_journal_get_realtime_usec(j, &usec) >= 0 && usec > t->newest)
                                t->newest = usec;
                        r = get_message_and_host(j, &data, &len);
                } else
                        r = sd_journal_get_data(j, "MESSAGE", &data, &len);
                if (r >= 0) {
                        t->messages++;
                        t->bytes += len;
                } else if (r != -ENOENT && r != -EBADMSG)
                        return r;
        }
        return r;
}

static bool is_journal_file(const char *name) {
        size_t n = strlen(name);
        return n > 8 && strcmp(name + n - 8, ".journal") == 0;
}

/* Each journal file of dir alone, with an sd-journal object of its own. */
static int read_per_file(const char *dir, const char *match, bool fields, struct totals *t) {
        struct dirent **names;
        int n, r = 0;

        n = scandir(dir, &names, NULL, alphasort);
        if (n < 0)
                return -errno;
        for (int i = 0; i < n; i++) {
                char *path;
                if (r >= 0 && is_journal_file(names[i]->d_name) &&
                    asprintf(&path, "%s/%s", dir, names[i]->d_name) >= 0) {
                        const char *paths[] = { path, NULL };
                        sd_journal *j;
                        r = sd_journal_open_files(&j, paths, 0);
                        if (r >= 0) {
                                r = read_journal(j, match, fields, t);
                                sd_journal_close(j);
                        }
                        free(path);
                }
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char **argv) {
        bool fields = false, per_file = false;
        struct totals t = { .entries = 0 };
        const char *identifier;
        char match[256];
        int r;

        for (; argc > 1 && strncmp(argv[1], "--", 2) == 0; argv++, argc--) {
                if (strcmp(argv[1], "--fields") == 0)
                        fields = true;
                else if (strcmp(argv[1], "--per-file") == 0)
                        per_file = true;
                else
                        argc = 0; /* usage */
        }
        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: bench_floor [--fields] [--per-file] DIR [IDENTIFIER]\n");
                return 2;
        }
        identifier = argc > 2 ? argv[2] : "ticky";
        if ((size_t) snprintf(match, sizeof(match), "SYSLOG_IDENTIFIER=%s", identifier) >= sizeof(match)) {
                fprintf(stderr, "identifier too long\n");
                return 2;
        }

        if (per_file)
                r = read_per_file(argv[1], match, fields, &t);
        else {
                sd_journal *j;
                r = sd_journal_open_directory(&j, argv[1], 0);
                if (r >= 0) {
                        r = read_journal(j, match, fields, &t);
                        sd_journal_close(j);
                }
        }
        if (r < 0) {
                fprintf(stderr, "reading %s: %s\n", argv[1], strerror(-r));
                return 1;
        }
        printf("entries=%" PRIu64 " messages=%" PRIu64 " bytes=%" PRIu64 " newest=%" PRIu64 "\n", t.entries, t.messages,
               t.bytes, t.newest);
        return 0;
}
