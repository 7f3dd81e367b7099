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
 *     bench_floor [--fields] DIR [IDENTIFIER] */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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

int main(int argc, char **argv) {
        bool fields = argc > 1 && strcmp(argv[1], "--fields") == 0;
        const char *identifier;
        char match[256];
        sd_journal *j = NULL;
        uint64_t entries = 0, messages = 0, bytes = 0, newest = 0;
        int r;

        if (fields) {
                argv++;
                argc--;
        }
        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: %s [--fields] DIR [IDENTIFIER]\n", argv[0]);
                return 2;
        }
        identifier = argc > 2 ? argv[2] : "ticky";
        if ((size_t) snprintf(match, sizeof(match), "SYSLOG_IDENTIFIER=%s", identifier) >= sizeof(match)) {
                fprintf(stderr, "identifier too long\n");
                return 2;
        }

        r = sd_journal_open_directory(&j, argv[1], 0);
        if (r < 0) {
                fprintf(stderr, "sd_journal_open_directory(%s): %s\n", argv[1], strerror(-r));
                return 1;
        }
        r = sd_journal_set_data_threshold(j, 0);
        if (r >= 0)
                r = sd_journal_add_match(j, match, 0);
        if (r < 0) {
                fprintf(stderr, "sd-journal setup: %s\n", strerror(-r));
                sd_journal_close(j);
                return 1;
        }

        while ((r = sd_journal_next(j)) > 0) {
                const void *data;
                size_t len;

                entries++;
                if (fields) {
                        uint64_t usec;
                        if (sd_journal_get_realtime_usec(j, &usec) >= 0 && usec > newest)
                                newest = usec;
                        r = get_message_and_host(j, &data, &len);
                } else
                        r = sd_journal_get_data(j, "MESSAGE", &data, &len);
                if (r >= 0) {
                        messages++;
                        bytes += len;
                } else if (r != -ENOENT && r != -EBADMSG) {
                        break;
                }
        }
        sd_journal_close(j);
        if (r < 0) {
                fprintf(stderr, "reading %s: %s\n", argv[1], strerror(-r));
                return 1;
        }
        printf("entries=%" PRIu64 " messages=%" PRIu64 " bytes=%" PRIu64 " newest=%" PRIu64 "\n", entries, messages,
               bytes, newest);
        return 0;
}
