/* SPDX-License-Identifier: MIT */
/* Test helpers: real temporary directories and files, no mocks. */
#pragma once

#include <stddef.h>

/* A fresh mkdtemp() directory; caller frees the path, rm_rf() removes it. */
char *temp_dir(void);
void rm_rf(const char *path);

/* Writes or reads a whole file; abort the test on failure. */
void write_file(const char *dir, const char *name, const void *data, size_t len);
char *read_file_or_null(const char *dir, const char *name, size_t *ret_len);

/* Number of entries in dir other than . and .. */
size_t count_entries(const char *dir);

/* Compares data with tests/golden/NAME; with TICKY_UPDATE_GOLDEN=1 in the
 * environment, rewrites the golden file instead. */
void expect_golden(const char *name, const char *data, size_t len);
