/* SPDX-License-Identifier: MIT */
/* Test helpers: real temporary directories and files, no mocks. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A fresh mkdtemp() directory; caller frees the path, rm_rf() removes it. */
char *temp_dir(void);
void rm_rf(const char *path);

/* A fresh temporary directory per test, for suites declared as
 *   TestSuite(name, .init = test_dir_setup, .fini = test_dir_teardown); */
extern char *test_dir;
void test_dir_setup(void);
void test_dir_teardown(void);

/* What write() puts out for d, as a string (also *ret_len, if not NULL). */
struct report_data;
char *render_to_string(int (*write)(FILE *f, const struct report_data *d), const struct report_data *d,
                       size_t *ret_len);

/* What write() puts out for s[0..n): for the field and string escapers. */
char *escape_to_string(void (*write)(FILE *f, const char *s, size_t n), const char *s, size_t n);

/* "ERROR <body> (long)" with a body of body_len bytes: letters, "</script>"
 * at its start, a newline, quote, backslash, tab and U+2028 in its middle,
 * and `last` at its end. Caller frees; *ret_len is the message's length. */
char *long_hostile_message(size_t body_len, const char *last, size_t *ret_len);

/* The path of systemd-journal-remote, which makes journal files for tests. */
#define JOURNAL_REMOTE "/lib/systemd/systemd-journal-remote"

/* Writes DIR/NAME.journal (through Journal Export Format and
 * systemd-journal-remote) holding n entries of one boot, each with
 * SYSLOG_IDENTIFIER identifiers[i], MESSAGE messages[i] (none if NULL) and
 * _HOSTNAME "test", whose clocks start at the given stamps and tick 1 us per
 * entry. */
void make_journal_file(const char *dir, const char *name, const char *const *identifiers, const char *const *messages,
                       size_t n, unsigned long long first_realtime_usec, unsigned long long first_monotonic_usec);

/* Writes or reads a whole file; abort the test on failure. */
void write_file(const char *dir, const char *name, const void *data, size_t len);
char *read_file_or_null(const char *dir, const char *name, size_t *ret_len);

/* Number of entries in dir other than . and .. */
size_t count_entries(const char *dir);

/* Compares data with tests/golden/NAME; with TICKY_UPDATE_GOLDEN=1 in the
 * environment, rewrites the golden file instead. */
void expect_golden(const char *name, const char *data, size_t len);

/* count_entry() of a message alone, at realtime_usec (0: unknown). */
struct stats;
int count_message(struct stats *s, const char *msg, size_t len, uint64_t realtime_usec);
