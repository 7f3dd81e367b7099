/* SPDX-License-Identifier: MIT */
/* The syslog follower on real files in a temporary directory: appends,
 * partial lines, both kinds of rotation, and restarts from a cursor. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "line_buffer.h"
#include "syslog_source.h"

TestSuite(syslog_source, .init = test_dir_setup, .fini = test_dir_teardown);

static char *path_of(const char *name) {
        char *path;
        cr_assert_geq(asprintf(&path, "%s/%s", test_dir, name), 0);
        return path;
}

static void append(const char *name, const char *text) {
        char *path = path_of(name);
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
        free(path);
}

/* A ticky line and an sshd line, for event i. */
static void log_event(const char *name, int i) {
        char *text;
        cr_assert_geq(asprintf(&text,
                               "Nov 24 10:00:%02d host ticky[7]: INFO Created ticket [#%d] (user%d)\n"
                               "Nov 24 10:00:%02d host sshd[9]: Accepted key for user%d\n",
                               i % 60, i, i, i % 60, i),
                      0);
        append(name, text);
        free(text);
}

static struct syslog_source *open_source(void) {
        struct syslog_source *ss;
        char *path = path_of("syslog");

        cr_assert_eq(syslog_source_open(&(struct syslog_source_options){ .path = path, .identifier = "ticky" }, &ss),
                     0);
        free(path);
        return ss;
}

/* Reads what is there, after processing notifications; returns the users
 * seen, joined by '|'. */
static char *read_users(struct syslog_source *ss) {
        char *out = NULL;
        size_t out_len;
        FILE *f = open_memstream(&out, &out_len);
        struct entry e;
        int r;

        cr_assert_eq(syslog_source_process(ss), 0);
        while ((r = syslog_source_next(ss, &e)) > 0) {
                const char *open = memchr(e.message, '(', e.message_len);
                cr_assert_not_null(open, "%.*s", (int) e.message_len, e.message);
                fprintf(f, "%.*s|", (int) (e.message + e.message_len - open - 2), open + 1);
        }
        cr_assert_eq(r, 0);
        fclose(f);
        return out;
}

static void expect_users(struct syslog_source *ss, const char *expected) {
        char *users = read_users(ss);
        cr_expect_str_eq(users, expected);
        free(users);
}

static char *cursor_of(struct syslog_source *ss) {
        char *cursor;
        cr_assert_eq(syslog_source_cursor(ss, &cursor), 0);
        return cursor;
}

/* A source opened at cursor (NULL: from the start), which must be found. */
static struct syslog_source *open_at(const char *cursor) {
        struct syslog_source *ss = open_source();
        cr_assert_eq(syslog_source_seek(ss, cursor), 1);
        return ss;
}

/* A run from the start that reads `expected` and stops: its cursor. */
static char *first_run(const char *expected) {
        struct syslog_source *ss = open_at(NULL);
        char *cursor;

        expect_users(ss, expected);
        cursor = cursor_of(ss);
        syslog_source_close(ss);
        return cursor;
}

Test(syslog_source, reads_whole_lines_of_its_program_only) {
        struct syslog_source *ss;

        log_event("syslog", 1);
        append("syslog", "not a syslog line\n"
                         "Nov 24 10:00:02 host tickyd: INFO Created ticket [#2] (other)\n"
                         "Nov 24 10:00:03 host ticky: INFO Created ticket [#3] (user3)\n"
                         "Nov 24 10:00:04 host ticky: INFO Created ticket [#4] (use");
        ss = open_at(NULL);
        expect_users(ss, "user1|user3|");
        /* The line being written is taken once it ends. */
        append("syslog", "r4)\n");
        expect_users(ss, "user4|");
        expect_users(ss, "");
        syslog_source_close(ss);
}

Test(syslog_source, waits_for_a_file_that_does_not_exist_yet) {
        struct syslog_source *ss = open_source();

        cr_assert_eq(syslog_source_seek(ss, NULL), 1);
        expect_users(ss, "");
        log_event("syslog", 1);
        expect_users(ss, "user1|");
        syslog_source_close(ss);
}

Test(syslog_source, follows_a_rename_rotation) {
        struct syslog_source *ss;
        char *path = path_of("syslog"), *rotated = path_of("syslog.1");

        log_event("syslog", 1);
        ss = open_at(NULL);
        expect_users(ss, "user1|");

        cr_assert_eq(rename(path, rotated), 0);
        log_event("syslog.1", 2); /* the writer has not reopened yet */
        append("syslog", "");     /* logrotate's create: empty */
        expect_users(ss, "user2|");
        log_event("syslog.1", 3);
        /* Left unfinished when the writer moved on: taken as it is. */
        append("syslog.1", "Nov 24 10:00:03 host ticky: INFO Created ticket [#3] (cut)");
        log_event("syslog", 4);
        expect_users(ss, "user3|cut|user4|");
        log_event("syslog", 5);
        expect_users(ss, "user5|");
        syslog_source_close(ss);
        free(path);
        free(rotated);
}

Test(syslog_source, follows_a_copytruncate_rotation) {
        struct syslog_source *ss;
        char *path = path_of("syslog"), *cmd;

        log_event("syslog", 1);
        ss = open_at(NULL);
        expect_users(ss, "user1|");

        /* Written after the last read, copied, truncated, and written
         * again past the old position before the follower looks. */
        log_event("syslog", 2);
        cr_assert_geq(asprintf(&cmd, "cp %s %s.1 && truncate -s0 %s", path, path, path), 0);
        cr_assert_eq(system(cmd), 0);
        for (int i = 3; i < 8; i++)
                log_event("syslog", i);
        expect_users(ss, "user2|user3|user4|user5|user6|user7|");
        log_event("syslog", 8);
        expect_users(ss, "user8|");
        syslog_source_close(ss);
        free(cmd);
        free(path);
}

Test(syslog_source, resumes_from_a_cursor_in_the_same_file) {
        struct syslog_source *ss;
        char *cursor;

        log_event("syslog", 1);
        log_event("syslog", 2);
        cursor = first_run("user1|user2|");

        log_event("syslog", 3);
        ss = open_at(cursor);
        expect_users(ss, "user3|");
        syslog_source_close(ss);
        free(cursor);
}

Test(syslog_source, resumes_in_the_rotated_file_after_a_restart) {
        struct syslog_source *ss;
        char *path = path_of("syslog"), *rotated = path_of("syslog.1"), *cursor;

        log_event("syslog", 1);
        cursor = first_run("user1|");

        /* While stopped: more lines, a rotation, lines in the new file. */
        log_event("syslog", 2);
        cr_assert_eq(rename(path, rotated), 0);
        log_event("syslog", 3);
        ss = open_at(cursor);
        expect_users(ss, "user2|user3|");
        syslog_source_close(ss);
        free(cursor);
        free(path);
        free(rotated);
}

Test(syslog_source, starts_over_when_the_cursors_file_is_gone) {
        struct syslog_source *ss;
        char *path = path_of("syslog"), *cursor;

        log_event("syslog", 1);
        cursor = first_run("user1|");

        cr_assert_eq(unlink(path), 0);
        log_event("syslog", 2);
        ss = open_source();
        cr_assert_eq(syslog_source_seek(ss, cursor), 0, "not found, and said so");
        expect_users(ss, "user2|");
        syslog_source_close(ss);
        free(cursor);
        free(path);
}

Test(syslog_source, rejects_a_cursor_that_is_not_its_own) {
        struct syslog_source *ss = open_source();

        cr_expect_eq(syslog_source_seek(ss, "s=0123;i=1;b=2;m=3;t=4;x=5"), -EINVAL);
        cr_expect_eq(syslog_source_seek(ss, "syslog;dev=1;ino=2;offset=x"), -EINVAL);
        cr_expect_eq(syslog_source_seek(ss, "syslog;dev=1;ino=2;offset=3;head=5000:0;skipping=0"), -EINVAL);
        cr_expect(!syslog_cursor_is("s=0123"));
        syslog_source_close(ss);
}

Test(syslog_source, cuts_a_line_too_long_to_hold) {
        size_t long_len = LINE_BUFFER_MAX_LINE + 100;
        char *line = malloc(long_len + 2);
        struct syslog_source *ss;
        char *cursor;

        /* A ticky line whose message never ends within the limit. */
        memset(line, 'x', long_len);
        memcpy(line, "Nov 24 10:00:00 host ticky: ERROR (", 35);
        line[long_len] = '\n';
        line[long_len + 1] = '\0';
        append("syslog", line);
        log_event("syslog", 2);
        ss = open_at(NULL);
        struct entry e;
        cr_assert_eq(syslog_source_next(ss, &e), 1);
        cr_expect_eq(e.message_len, LINE_BUFFER_MAX_LINE - 28, "cut at the limit");
        cursor = cursor_of(ss);
        cr_expect(strstr(cursor, ";skipping=1"), "%s", cursor);
        expect_users(ss, "user2|");
        syslog_source_close(ss);
        free(cursor);
        free(line);
}

Test(syslog_source, an_empty_head_is_told_apart_by_the_files_identity) {
        struct syslog_source *ss;
        char *path = path_of("syslog"), *rotated = path_of("syslog.1"), *cursor;

        /* Stopped at the start of an empty file, whose first bytes, none,
         * any file begins with. */
        append("syslog", "");
        cursor = first_run("");

        log_event("syslog", 1);
        cr_assert_eq(rename(path, rotated), 0);
        log_event("syslog.1", 2);
        log_event("syslog", 3);
        ss = open_at(cursor);
        expect_users(ss, "user1|user2|user3|");
        syslog_source_close(ss);
        free(cursor);
        free(path);
        free(rotated);
}

Test(syslog_source, tells_the_files_it_moved_away_from) {
        struct syslog_file_head left[SYSLOG_LEFT_MAX];
        char *path = path_of("syslog"), *rotated = path_of("syslog.1");
        struct syslog_source *ss;
        struct stat st;

        log_event("syslog", 1);
        ss = open_at(NULL);
        expect_users(ss, "user1|");
        cr_expect_eq(syslog_source_left(ss, left), 0);
        cr_assert_eq(stat(path, &st), 0);
        cr_expect(syslog_source_reads(ss, &st));

        cr_assert_eq(rename(path, rotated), 0);
        log_event("syslog", 2);
        expect_users(ss, "user2|");
        cr_assert_eq(syslog_source_left(ss, left), 1);
        cr_expect_eq(left[0].len, strlen("Nov 24 10:00:01 host ticky[7]: INFO Created ticket [#1] (user1)\n"
                                         "Nov 24 10:00:01 host sshd[9]: Accepted key for user1\n"));
        cr_expect_eq(syslog_source_left(ss, left), 0, "taken");
        cr_assert_eq(stat(rotated, &st), 0);
        cr_expect(!syslog_source_reads(ss, &st));
        syslog_source_close(ss);
        free(path);
        free(rotated);
}
