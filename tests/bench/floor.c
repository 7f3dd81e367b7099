/* SPDX-License-Identifier: MIT */
/* The floor of the benchmark: the least any sd-journal reader of ticky's
 * events does. Opens a journal directory, matches SYSLOG_IDENTIFIER=ticky
 * and fetches every MESSAGE, nothing else. Prints the number of entries
 * and of messages so that the runner can check it read them all.
 *
 *     bench_floor DIR [IDENTIFIER] */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-journal.h>

int main(int argc, char **argv) {
        const char *identifier = argc > 2 ? argv[2] : "ticky";
        char match[256];
        sd_journal *j = NULL;
        uint64_t entries = 0, messages = 0, bytes = 0;
        int r;

        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: %s DIR [IDENTIFIER]\n", argv[0]);
                return 2;
        }
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
        printf("entries=%" PRIu64 " messages=%" PRIu64 " bytes=%" PRIu64 "\n", entries, messages, bytes);
        return 0;
}
