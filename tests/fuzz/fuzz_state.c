/* SPDX-License-Identifier: MIT */
/* state_load() on arbitrary files: each one loads or is refused with
 * -EBADMSG and a reason, and whatever loads survives a save and a load.
 *
 * Every input is tried twice: as it is (header, size and checksum checks),
 * and with its header and CRC-32 made consistent, so that mutations reach the
 * payload parser instead of failing the checksum. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "count.h"
#include "fuzz_common.h"
#include "report_csv.h"
#include "report_data.h"
#include "report_html.h"
#include "report_json.h"
#include "report_prometheus.h"
#include "state.h"
#include "stats.h"

#define HEADER_SIZE 24 /* magic, version, zero, payload size */
#define NOW         ((time_t) 1764000000)

static char *dir_in, *dir_out, *path_in;
static FILE *null_output;

static void cleanup(void) {
        fuzz_remove_dir(dir_in);
        fuzz_remove_dir(dir_out);
        free(dir_in);
        free(dir_out);
        free(path_in);
        if (null_output)
                (void) fclose(null_output);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        dir_in = fuzz_make_temp_dir("fuzz_state");
        dir_out = fuzz_make_temp_dir("fuzz_state");
        if (asprintf(&path_in, "%s/%s", dir_in, STATE_FILE_NAME) < 0)
                abort();
        null_output = fopen("/dev/null", "we");
        if (!null_output)
                abort();
        setenv("TZ", "UTC", 1);
        tzset();
        atexit(cleanup);
        return 0;
}

static void check_same_table(const struct counter_table *a, const struct counter_table *b) {
        const struct counter_row **ra = NULL, **rb = NULL;
        size_t n = counter_table_size(a);

        FUZZ_CHECK(n == counter_table_size(b));
        FUZZ_CHECK(counter_table_sorted(a, COUNTER_ORDER_KEY, &ra) == 0);
        FUZZ_CHECK(counter_table_sorted(b, COUNTER_ORDER_KEY, &rb) == 0);
        for (size_t i = 0; i < n; i++) {
                FUZZ_CHECK(ra[i]->key_len == rb[i]->key_len && memcmp(ra[i]->key, rb[i]->key, ra[i]->key_len) == 0);
                FUZZ_CHECK(ra[i]->count[0] == rb[i]->count[0] && ra[i]->count[1] == rb[i]->count[1]);
        }
        free(ra);
        free(rb);
}

static void check_same_stats(const struct stats *a, const struct stats *b) {
        const struct stats_totals *x = stats_totals(a), *y = stats_totals(b);

        FUZZ_CHECK(x->info == y->info && x->error == y->error && x->unparsed == y->unparsed);
        FUZZ_CHECK(x->other_users[0] == y->other_users[0] && x->other_users[1] == y->other_users[1]);
        FUZZ_CHECK(x->other_errors == y->other_errors);
        for (enum stats_table t = 0; t < _STATS_TABLE_MAX; t++)
                check_same_table(stats_table(a, t), stats_table(b, t));
}

/* What the daemon does next with a loaded snapshot: prune the windows to
 * now, count on, and write every report. Only crashes and UB count here:
 * the numbers of a forged snapshot need not add up. */
static void use_loaded(struct stats *s) {
        struct report_data d;

        stats_set_limits(s, &(struct stats_limits){
                                    .max_users = 1000000,
                                    .max_errors = 100000,
                                    .max_message_bytes = 65536,
                                    .days = 90,
                            });
        FUZZ_CHECK(stats_prune(s, NOW) == 0);
        static const char msg[] = "ERROR Timeout while retrieving information (oren)";
        FUZZ_CHECK(count_entry(s, &(struct entry){ .message = msg,
                                                   .message_len = sizeof(msg) - 1,
                                                   .host = "web1",
                                                   .host_len = 4,
                                                   .realtime_usec = (uint64_t) NOW * 1000000 - 1 }) == 0);
        FUZZ_CHECK(stats_prune(s, NOW) == 0);
        FUZZ_CHECK(report_data_init(&d, s, "ticky", "local journal", NOW) == 0);
        FUZZ_CHECK(report_csv_write_errors(null_output, &d) == 0);
        FUZZ_CHECK(report_csv_write_users(null_output, &d) == 0);
        FUZZ_CHECK(report_html_write_errors(null_output, &d) == 0);
        FUZZ_CHECK(report_html_write_users(null_output, &d) == 0);
        FUZZ_CHECK(report_html_write_index(null_output, &d) == 0);
        FUZZ_CHECK(report_json_write(null_output, &d) == 0);
        FUZZ_CHECK(report_prometheus_write(null_output, &d) == 0);
        report_data_done(&d);
}

static bool same_string(const char *a, const char *b) {
        return strcmp(a ? a : "", b ? b : "") == 0;
}

static void load_and_round_trip(const void *data, size_t size) {
        struct stats *s = stats_new(), *again = stats_new();
        struct imported_files *imports = imported_files_new(), *imports_again = imported_files_new();
        struct counter_table *positions = counter_table_new(), *positions_again = counter_table_new();
        char *cursor = NULL, *source = NULL, *cursor2 = NULL, *source2 = NULL;
        const char *reason = "unset";
        int r;

        FUZZ_CHECK(s && again && imports && imports_again && positions && positions_again);
        fuzz_write_file(path_in, data, size);
        r = state_load(dir_in, &(struct state_tables){ .stats = s, .imports = imports, .journal_positions = positions },
                       &cursor, &source, &reason);
        if (r < 0) {
                FUZZ_CHECK(r == -EBADMSG);
                FUZZ_CHECK(reason && *reason);
                FUZZ_CHECK(!cursor && !source);
                goto done;
        }
        FUZZ_CHECK(r == 0);

        FUZZ_CHECK(state_save(dir_out, &(struct state_snapshot){ .cursor = cursor,
                                                                 .source = source,
                                                                 .stats = s,
                                                                 .imports = imports,
                                                                 .journal_positions = positions }) == 0);
        r = state_load(dir_out,
                       &(struct state_tables){
                               .stats = again, .imports = imports_again, .journal_positions = positions_again },
                       &cursor2, &source2, &reason);
        if (r < 0)
                fprintf(stderr, "reload failed: %d %s\n", r, reason ? reason : "(no reason)");
        FUZZ_CHECK(r == 0);
        check_same_stats(s, again);
        check_same_table(imported_files_table(imports), imported_files_table(imports_again));
        check_same_table(positions, positions_again);
        FUZZ_CHECK(same_string(cursor, cursor2));
        FUZZ_CHECK(same_string(source, source2));
        use_loaded(s);
done:
        free(cursor);
        free(source);
        free(cursor2);
        free(source2);
        stats_free(s);
        stats_free(again);
        imported_files_free(imports);
        imported_files_free(imports_again);
        counter_table_free(positions);
        counter_table_free(positions_again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char magic[8] = { 'T', 'I', 'C', 'K', 'Y', 'R', 'D', '\n' };

        load_and_round_trip(data, size);

        /* The same with magic, payload size and checksum repaired: the last
         * four bytes of the input stand for its CRC and are replaced. */
        if (size < HEADER_SIZE + 4)
                return 0;
        unsigned char *fixed = malloc(size);
        FUZZ_CHECK(fixed);
        memcpy(fixed, data, size);
        memcpy(fixed, magic, sizeof(magic));
        uint64_t payload = size - HEADER_SIZE - 4;
        for (size_t i = 0; i < 8; i++)
                fixed[16 + i] = (unsigned char) (payload >> (8 * i));
        uint32_t crc = crc32_update(0, fixed, size - 4);
        for (size_t i = 0; i < 4; i++)
                fixed[size - 4 + i] = (unsigned char) (crc >> (8 * i));
        if (memcmp(fixed, data, size) != 0)
                load_and_round_trip(fixed, size);
        free(fixed);
        return 0;
}
