/* SPDX-License-Identifier: MIT */
/* History files, plain and gzip'd by the real gzip. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "import.h"
#include "stats.h"

TestSuite(import, .init = test_dir_setup, .fini = test_dir_teardown);

static const char lines[] = "Nov 24 10:00:01 host ticky: INFO Created ticket [#1] (ann)\n"
                            "Nov 24 10:00:02 host sshd[3]: Accepted key\n"
                            "Nov 24 10:00:03 host ticky[5]: ERROR Timeout while retrieving information (bob)\n"
                            "Nov 24 10:00:04 host ticky: what is this\n"
                            "Nov 24 10:00:05 host ticky: INFO Closed ticket [#1] (jo.doe)";

static char *path_of(const char *name) {
        char *path;
        cr_assert_geq(asprintf(&path, "%s/%s", test_dir, name), 0);
        return path;
}

static void gzip_file(const char *name) {
        char *cmd;
        cr_assert_geq(asprintf(&cmd, "gzip -k %s/%s", test_dir, name), 0);
        cr_assert_eq(system(cmd), 0);
        free(cmd);
}

static void expect_read(const char *name, struct stats *s, struct import_result *ret) {
        char *path = path_of(name);
        cr_assert_eq(import_read(path, "ticky", s, ret), 0, "%s", name);
        free(path);
}

Test(import, counts_the_programs_lines_the_last_one_too) {
        struct stats *s = stats_new();
        struct import_result result;

        write_file(test_dir, "syslog.1", lines, strlen(lines));
        expect_read("syslog.1", s, &result);
        cr_expect_eq(result.lines, 5);
        cr_expect_eq(result.events, 4);
        cr_expect_eq(s->info, 2);
        cr_expect_eq(s->error, 1);
        cr_expect_eq(s->unparsed, 1);
        cr_expect_not_null(counter_table_get(s->users, "jo.doe", 6));
        stats_free(s);
}

Test(import, the_same_content_is_the_same_file_compressed_or_not) {
        struct import_result plain, compressed, other;
        struct stats *s = stats_new();

        write_file(test_dir, "syslog.1", lines, strlen(lines));
        gzip_file("syslog.1");
        write_file(test_dir, "syslog.2", lines, strlen(lines) - 1);
        expect_read("syslog.1", NULL, &plain);
        expect_read("syslog.1.gz", s, &compressed);
        expect_read("syslog.2", NULL, &other);
        cr_expect_str_eq(plain.identity, compressed.identity);
        cr_expect_str_neq(plain.identity, other.identity);
        cr_expect_eq(s->info, 2, "counted through gzip");
        stats_free(s);
}

Test(import, truncated_compressed_data_is_an_error) {
        struct import_result result;
        char *gz, *path = path_of("cut.gz");
        size_t len;

        write_file(test_dir, "syslog.1", lines, strlen(lines));
        gzip_file("syslog.1");
        gz = read_file_or_null(test_dir, "syslog.1.gz", &len);
        write_file(test_dir, "cut.gz", gz, len - 12);
        cr_expect_eq(import_read(path, "ticky", NULL, &result), -EBADMSG);
        free(gz);
        free(path);
}

Test(import, a_missing_file_or_a_directory_is_an_error) {
        struct import_result result;
        char *missing = path_of("nothing");

        cr_expect_eq(import_read(missing, "ticky", NULL, &result), -ENOENT);
        cr_expect_eq(import_read(test_dir, "ticky", NULL, &result), -EISDIR);
        free(missing);
}
