/* SPDX-License-Identifier: MIT */
/* Shared by the fuzz targets: a failed property aborts with a message, so
 * libFuzzer records the input as a crash. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)                                                                                               \
        do {                                                                                                           \
                if (!(cond)) {                                                                                         \
                        fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);                    \
                        abort();                                                                                       \
                }                                                                                                      \
        } while (0)

/* A private directory for the files a target writes, in RAM when possible;
 * removed by fuzz_remove_tree() (the targets call it at exit). */
static inline char *fuzz_make_temp_dir(const char *name) {
        char *dir;

        if (asprintf(&dir, "%s/%s.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", name) < 0)
                abort();
        if (!mkdtemp(dir)) {
                perror("mkdtemp");
                abort();
        }
        return dir;
}

/* Replaces path with data[0..size). */
static inline void fuzz_write_file(const char *path, const void *data, size_t size) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        const char *p = data;

        if (fd < 0) {
                perror(path);
                abort();
        }
        while (size > 0) {
                ssize_t n = write(fd, p, size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        perror(path);
                        abort();
                }
                p += n;
                size -= (size_t) n;
        }
        if (close(fd) < 0)
                abort();
}

/* Removes the files in dir (no subdirectories) and dir itself. */
static inline void fuzz_remove_dir(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *e;

        if (!d)
                return;
        while ((e = readdir(d)))
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        (void) unlinkat(dirfd(d), e->d_name, 0);
        (void) closedir(d);
        (void) rmdir(dir);
}
