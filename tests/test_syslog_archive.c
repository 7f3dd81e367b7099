/* SPDX-License-Identifier: MIT */
/* History files, plain and gzip'd by the real gzip. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "count.h"
#include "helpers.h"
#include "stats.h"
#include "syslog_archive.h"

TestSuite(syslog_archive, .init = test_dir_setup, .fini = test_dir_teardown);

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

static int count_into(const struct entry *e, void *userdata) {
        return count_entry(userdata, e);
}

static void expect_read(const char *name, struct stats *s, struct syslog_archive *ret) {
        char *path = path_of(name);
        cr_assert_eq(syslog_archive_read(path, s ? "ticky" : NULL, count_into, s, ret), 0, "%s", name);
        free(path);
}

Test(syslog_archive, counts_the_programs_lines_the_last_one_too) {
        struct stats *s = stats_new();
        struct syslog_archive result;

        write_file(test_dir, "syslog.1", lines, strlen(lines));
        expect_read("syslog.1", s, &result);
        cr_expect_eq(result.lines, 5);
        cr_expect_eq(result.events, 4);
        cr_expect_eq(stats_totals(s)->info, 2);
        cr_expect_eq(stats_totals(s)->error, 1);
        cr_expect_eq(stats_totals(s)->unparsed, 1);
        cr_expect_not_null(counter_table_get(stats_table(s, STATS_USERS), "jo.doe", 6));
        stats_free(s);
}

Test(syslog_archive, the_same_content_is_the_same_file_compressed_or_not) {
        struct syslog_archive plain, compressed, other;
        struct stats *s = stats_new();

        write_file(test_dir, "syslog.1", lines, strlen(lines));
        gzip_file("syslog.1");
        write_file(test_dir, "syslog.2", lines, strlen(lines) - 1);
        expect_read("syslog.1", NULL, &plain);
        expect_read("syslog.1.gz", s, &compressed);
        expect_read("syslog.2", NULL, &other);
        cr_expect_str_eq(plain.identity, compressed.identity);
        cr_expect_str_neq(plain.identity, other.identity);
        cr_expect_eq(stats_totals(s)->info, 2, "counted through gzip");
        stats_free(s);
}

Test(syslog_archive, truncated_compressed_data_is_an_error) {
        struct syslog_archive result;
        char *gz, *path = path_of("cut.gz");
        size_t len;

        write_file(test_dir, "syslog.1", lines, strlen(lines));
        gzip_file("syslog.1");
        gz = read_file_or_null(test_dir, "syslog.1.gz", &len);
        write_file(test_dir, "cut.gz", gz, len - 12);
        cr_expect_eq(syslog_archive_read(path, NULL, NULL, NULL, &result), -EBADMSG);
        free(gz);
        free(path);
}

Test(syslog_archive, a_missing_file_or_a_directory_is_an_error) {
        struct syslog_archive result;
        char *missing = path_of("nothing");

        cr_expect_eq(syslog_archive_read(missing, NULL, NULL, NULL, &result), -ENOENT);
        cr_expect_eq(syslog_archive_read(test_dir, NULL, NULL, NULL, &result), -EISDIR);
        free(missing);
}
