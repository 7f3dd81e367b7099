/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "helpers.h"

TestSuite(config, .init = test_dir_setup, .fini = test_dir_teardown);

/* Loads text as DIR/ticky.ini; returns config_load()'s result. */
static int load(const char *text, struct config *ret, char **ret_errors) {
        char *path;
        int r;

        write_file(test_dir, "ticky.ini", text, strlen(text));
        cr_assert_geq(asprintf(&path, "%s/ticky.ini", test_dir), 0);
        *ret_errors = NULL;
        r = config_load(path, ret, ret_errors);
        free(path);
        return r;
}

/* Asserts that text is rejected with exactly the error lines given as
 * ":LINE: reason" suffixes after the file name, in order. */
static void expect_errors(const char *text, const char *expected) {
        struct config c;
        char *errors, *want = NULL, *path;
        size_t want_len = 0;
        FILE *f = open_memstream(&want, &want_len);

        cr_assert_eq(load(text, &c, &errors), -EINVAL, "accepted: %s", text);
        cr_assert_geq(asprintf(&path, "%s/ticky.ini", test_dir), 0);
        /* expected holds lines like "3: reason"; prefix each with the path. */
        for (const char *p = expected; *p;) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t) (nl - p) : strlen(p);
                fprintf(f, "%s:%.*s\n", path, (int) n, p);
                p += n + (nl ? 1 : 0);
        }
        fclose(f);
        cr_expect_str_eq(errors, want);
        free(errors);
        free(want);
        free(path);
}

Test(config, defaults_from_an_empty_file) {
        struct config c;
        char *errors;

        cr_assert_eq(load("", &c, &errors), 0);
        cr_expect_str_eq(c.identifier, "ticky");
        cr_expect_null(c.namespace);
        cr_expect_null(c.journal_directory);
        cr_expect_str_eq(c.output_directory, "/var/www/html");
        cr_expect_str_eq(c.title, "ticky");
        cr_expect_eq(c.interval_sec, 60);
        cr_expect_str_eq(c.state_directory, "/var/lib/ticky-reportd");
        config_done(&c);
}

Test(config, reads_every_key_with_inline_comments) {
        struct config c;
        char *errors;

        cr_assert_eq(load("[journal]\n"
                          "identifier = ticky2   ; what to follow\n"
                          "namespace =\n"
                          "directory = /var/log/journal/remote\n"
                          "[output]\n"
                          "directory = /srv/www\n"
                          "title = Ticky & co\n"
                          "[daemon]\n"
                          "interval = 5\n"
                          "state_directory = /srv/state\n",
                          &c, &errors),
                     0, "%s", errors);
        cr_expect_str_eq(c.identifier, "ticky2");
        cr_expect_null(c.namespace);
        cr_expect_str_eq(c.journal_directory, "/var/log/journal/remote");
        cr_expect_str_eq(c.output_directory, "/srv/www");
        cr_expect_str_eq(c.title, "Ticky & co");
        cr_expect_eq(c.interval_sec, 5);
        cr_expect_str_eq(c.state_directory, "/srv/state");
        config_done(&c);
}

Test(config, empty_value_means_default) {
        struct config c;
        char *errors;

        cr_assert_eq(
                load("[journal]\nidentifier =\n[output]\ndirectory =\ntitle=\n[daemon]\ninterval =\n", &c, &errors), 0);
        cr_expect_str_eq(c.identifier, "ticky");
        cr_expect_str_eq(c.output_directory, "/var/www/html");
        cr_expect_str_eq(c.title, "ticky");
        cr_expect_eq(c.interval_sec, 60);
        config_done(&c);
}

Test(config, rejects_unknown_key) {
        expect_errors("[journal]\n\nfoo = 1\n", "3: unknown key 'foo' in section [journal]");
}

Test(config, rejects_unknown_section) {
        expect_errors("[journal]\nidentifier = x\n[extra]\nkey = v\n[daemon]\n[Output]\n",
                      "3: unknown section [extra]\n6: unknown section [Output]");
}

Test(config, rejects_key_outside_section) {
        expect_errors("title = x\n", "1: key 'title' outside of any section");
}

Test(config, rejects_malformed_line) {
        expect_errors("[daemon]\ninterval = 5\nthis is not ini\n",
                      "3: syntax error (expected '[section]' or 'key = value')");
}

Test(config, rejects_bad_intervals) {
        static const char *bad[] = { "0", "-1", "86401", "5s", " 5x", "1e3", "abc", "99999999999999999999999" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *text, *want;
                cr_assert_geq(asprintf(&text, "[daemon]\ninterval = %s\n", bad[i]), 0);
                cr_assert_geq(asprintf(&want, "2: interval must be a whole number of seconds from 1 to 86400: %s",
                                       bad[i][0] == ' ' ? bad[i] + 1 : bad[i]),
                              0);
                expect_errors(text, want);
                free(text);
                free(want);
        }
}

Test(config, accepts_interval_bounds) {
        struct config c;
        char *errors;
        cr_assert_eq(load("[daemon]\ninterval = 1\n", &c, &errors), 0);
        cr_expect_eq(c.interval_sec, 1);
        config_done(&c);
        cr_assert_eq(load("[daemon]\ninterval = 86400\n", &c, &errors), 0);
        cr_expect_eq(c.interval_sec, 86400);
        config_done(&c);
}

Test(config, rejects_relative_paths) {
        expect_errors("[output]\ndirectory = www\n[daemon]\nstate_directory = state\n",
                      "2: directory must be an absolute path: www\n"
                      "4: state_directory must be an absolute path: state");
}

Test(config, namespace_and_directory_are_exclusive) {
        expect_errors("[journal]\nnamespace = foo\ndirectory = /var/log/journal/remote\n",
                      "3: [journal] namespace and directory are exclusive");
}

Test(config, rejects_bad_namespace) {
        expect_errors("[journal]\nnamespace = ../etc\n",
                      "2: invalid namespace name '../etc' (letters, digits, '_', '-', '.')");
}

Test(config, reports_every_error_with_its_line) {
        expect_errors("[journal]\n"
                      "colour = blue\n"
                      "identifier = ticky\n"
                      "[daemon]\n"
                      "interval = soon\n"
                      "[output]\n"
                      "nope = 1\n",
                      "2: unknown key 'colour' in section [journal]\n"
                      "5: interval must be a whole number of seconds from 1 to 86400: soon\n"
                      "7: unknown key 'nope' in section [output]");
}

Test(config, rejects_overlong_line) {
        char text[400];
        memset(text, 'x', sizeof(text));
        memcpy(text, "[output]\ntitle = ", 17);
        strcpy(text + 300, "\n");
        expect_errors(text, "2: line too long (at most 198 bytes)");
}

Test(config, missing_file_is_an_errno) {
        struct config c;
        char *errors = NULL;
        cr_assert_eq(config_load("/nonexistent/ticky.ini", &c, &errors), -ENOENT);
        cr_assert_null(errors);
}

Test(config, describes_the_source) {
        struct config c;
        char *errors, *d;

        cr_assert_eq(load("[journal]\nnamespace = ns1\n", &c, &errors), 0);
        d = config_source_description(&c);
        cr_expect_str_eq(d, "namespace ns1");
        free(d);
        config_done(&c);
}

Test(config, rejects_continuation_lines) {
        expect_errors("[output]\ntitle = Real\n  oops stray line\n",
                      "3: line starts with whitespace (only a hosts list may go on over indented lines)");
        expect_errors("[output]\n  title = Real\n", "2: line starts with whitespace (and continues no key)");
}

Test(config, a_hosts_list_goes_on_over_indented_lines) {
        struct config c;
        char *errors;

        cr_assert_eq(load("[journal]\nhosts = web1.example.org web2.example.org\n"
                          "  ; a comment between\n"
                          "  web3.example.org,web4.example.org\n"
                          "\tweb5.example.org\n"
                          "[output]\ntitle = t\n",
                          &c, &errors),
                     0, "%s", errors);
        cr_assert_not_null(c.hosts);
        const char *const want[] = { "web1.example.org", "web2.example.org", "web3.example.org", "web4.example.org",
                                     "web5.example.org" };
        for (size_t i = 0; i < 5; i++)
                cr_expect_str_eq(c.hosts[i], want[i]);
        cr_expect_null(c.hosts[5]);
        config_done(&c);
}

Test(config, rejects_a_key_set_twice) {
        expect_errors("[journal]\nhosts = h1\n[output]\ntitle = a\n[journal]\nhosts = h2\n",
                      "6: 'hosts' in [journal] is set twice (first on line 2)");
}

Test(config, rejects_a_web_root_of_slash_or_holding_the_state) {
        expect_errors("[output]\ndirectory = /\n", "2: [output] directory must not be /");
        expect_errors("[output]\ndirectory = /srv/www/\n[daemon]\nstate_directory = /srv/www\n",
                      "4: [daemon] state_directory must not be the output directory or inside it: /srv/www");
        expect_errors("[daemon]\nstate_directory = /var/www/html/state\n",
                      "2: [daemon] state_directory must not be the output directory or inside it: "
                      "/var/www/html/state");
        struct config c;
        char *errors;
        cr_assert_eq(load("[output]\ndirectory = /srv/www\n[daemon]\nstate_directory = /srv/www-state\n", &c, &errors),
                     0, "%s", errors);
        config_done(&c);
}

Test(config, accepts_indented_comments_and_bom) {
        struct config c;
        char *errors;
        cr_assert_eq(
                load("\xEF\xBB\xBF[output] ; the pages\ntitle = x   ; inline\n   ; aligned comment\n\r\n", &c, &errors),
                0, "%s", errors);
        cr_expect_str_eq(c.title, "x");
        config_done(&c);
}

Test(config, rejects_text_after_section) {
        expect_errors("[output] junk\n", "1: unexpected text after [output]");
}

Test(config, reports_every_syntax_error) {
        expect_errors("garbage\n[daemon]\nfoo bar\n[output\n",
                      "1: syntax error (expected '[section]' or 'key = value')\n"
                      "3: syntax error (expected '[section]' or 'key = value')\n"
                      "4: syntax error (missing ']')");
}

Test(config, rejects_a_directory) {
        struct config c;
        char *errors = NULL;
        cr_assert_eq(config_load(test_dir, &c, &errors), -EISDIR);
}

Test(config, reads_the_report_section) {
        struct config c;
        char *errors;

        cr_assert_eq(load("[report]\ndays = 7\ntimezone = Europe/Paris\nmax_users = 10\nmax_errors = 5\n"
                          "max_message_bytes = 100\n[output]\nprometheus = /var/lib/node/ticky.prom\n",
                          &c, &errors),
                     0, "%s", errors);
        cr_expect_eq(c.days, 7);
        cr_expect_str_eq(c.timezone, "Europe/Paris");
        cr_expect_eq(c.max_users, 10);
        cr_expect_eq(c.max_errors, 5);
        cr_expect_eq(c.max_message_bytes, 100);
        cr_expect_str_eq(c.prometheus_path, "/var/lib/node/ticky.prom");
        config_done(&c);

        cr_assert_eq(load("", &c, &errors), 0);
        cr_expect_eq(c.days, 90);
        cr_expect_null(c.timezone);
        cr_expect_null(c.prometheus_path);
        config_done(&c);
}

Test(config, rejects_bad_report_values) {
        expect_errors("[report]\ndays = 5000\ntimezone = Mars/Olympus\nmax_users = -1\nbogus = 1\n",
                      "2: days must be a whole number from 0 to 3660: 5000\n"
                      "3: unknown time zone 'Mars/Olympus' (see /usr/share/zoneinfo)\n"
                      "4: max_users must be a whole number from 0 to 9223372036854775807: -1\n"
                      "5: unknown key 'bogus' in section [report]");
        expect_errors("[report]\ntimezone = ../../etc/passwd\n",
                      "2: unknown time zone '../../etc/passwd' (see /usr/share/zoneinfo)");
}

Test(config, reads_the_source_and_syslog_sections) {
        struct config c;
        char *errors, *d;

        cr_assert_eq(load("", &c, &errors), 0);
        cr_expect_eq(c.source_type, SOURCE_JOURNAL);
        cr_expect_str_eq(c.syslog_path, "/var/log/syslog");
        cr_expect_str_eq(c.syslog_identifier, "ticky");
        config_done(&c);

        cr_assert_eq(load("[source]\ntype = syslog\n[syslog]\npath = /srv/log/messages\nidentifier = ticky-web\n", &c,
                          &errors),
                     0, "%s", errors);
        cr_expect_eq(c.source_type, SOURCE_SYSLOG);
        cr_expect_str_eq(c.syslog_path, "/srv/log/messages");
        cr_expect_str_eq(c.syslog_identifier, "ticky-web");
        cr_expect_str_eq(c.identifier, "ticky", "the journal's identifier is its own");
        d = config_source_description(&c);
        cr_expect_str_eq(d, "syslog file /srv/log/messages");
        free(d);
        config_done(&c);

        cr_assert_eq(load("[source]\ntype =\n[syslog]\npath =\nidentifier =\n", &c, &errors), 0);
        cr_expect_eq(c.source_type, SOURCE_JOURNAL);
        cr_expect_str_eq(c.syslog_path, "/var/log/syslog");
        cr_expect_str_eq(c.syslog_identifier, "ticky");
        config_done(&c);
}

Test(config, rejects_bad_source_and_syslog_values) {
        expect_errors("[source]\ntype = file\nkind = x\n[syslog]\npath = log/syslog\n"
                      "identifier = a:b\nfollow = yes\n",
                      "2: invalid source type 'file' (journal or syslog)\n"
                      "3: unknown key 'kind' in section [source]\n"
                      "5: path must be an absolute path: log/syslog\n"
                      "6: identifier must not contain '[' or ':'\n"
                      "7: unknown key 'follow' in section [syslog]");
        expect_errors("[syslog]\npath = /var/log/\nidentifier = x[1]\n", "2: path must name a file: /var/log/\n"
                                                                         "3: identifier must not contain '[' or ':'");
}
