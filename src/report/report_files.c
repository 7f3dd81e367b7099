/* SPDX-License-Identifier: MIT */
/* The report files on disk, each written by its writer from one report_data
 * and replaced atomically. */
#include "report_files.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "macro.h"
#include "report_csv.h"
#include "report_html.h"
#include "report_json.h"
#include "report_prometheus.h"

/* The files in three groups: the first two are written side by side, of
 * about the same cost each (the user pages against the JSON and the error
 * pages); the index, which links to the rest, comes last. */
static const struct report_file {
        const char *name;
        int (*write)(FILE *f, const struct report_data *d);
        unsigned group;
} files[] = {
        /* clang-format off */
        { "error_message.csv", report_csv_write_errors, 0 },
        { "report.json", report_json_write, 0 },
        { "error_message.html", report_html_write_errors, 0 },
        { "user_statistics.csv", report_csv_write_users, 1 },
        { "user_statistics.html", report_html_write_users, 1 },
        { "index.html", report_html_write_index, 2 },
        /* clang-format on */
};

struct write_group {
        const char *dir;
        const struct report_data *d;
        unsigned group;
        int result;
};

/* write() into af. A writer says -EIO when its stream failed: the write(2)
 * that failed left the reason in errno (ENOSPC, say), which nothing a
 * writer calls after it sets, so that is what is returned. */
static int write_into(struct atomic_file *af, int (*write)(FILE *f, const struct report_data *d),
                      const struct report_data *d) {
        int r;

        errno = 0;
        r = write(af->f, d);
        return r == -EIO && errno > 0 ? -errno : r;
}

static int write_file(const char *dir, const struct report_data *d, const struct report_file *file) {
        struct atomic_file af;
        int r;

        r = atomic_file_begin(&af, dir, file->name);
        if (r < 0)
                return r;
        r = write_into(&af, file->write, d);
        if (r >= 0)
                r = atomic_file_replace(&af, 0644);
        atomic_file_done(&af);
        return r;
}

static void *write_group(void *userdata) {
        struct write_group *g = userdata;

        g->result = 0;
        for (size_t i = 0; i < ELEMENTSOF(files) && g->result >= 0; i++)
                if (files[i].group == g->group)
                        g->result = write_file(g->dir, g->d, &files[i]);
        return NULL;
}

int report_files_write(const char *dir, const struct report_data *d) {
        struct write_group first = { .dir = dir, .d = d, .group = 0 }, second = { .dir = dir, .d = d, .group = 1 },
                           last = { .dir = dir, .d = d, .group = 2 };
        pthread_t thread;
        bool threaded;

        /* The data is only read: the writers share it. Without a thread,
         * the same in turn. */
        threaded = pthread_create(&thread, NULL, write_group, &second) == 0;
        write_group(&first);
        if (threaded)
                (void) pthread_join(thread, NULL);
        else
                write_group(&second);
        if (first.result < 0)
                return first.result;
        if (second.result < 0)
                return second.result;
        write_group(&last);
        if (last.result < 0)
                return last.result;
        /* Each file was replaced whole; one fsync makes all the renames last. */
        return atomic_file_fsync_directory(dir);
}

/* Splits the file path into a copy of its directory (*ret_dir, "/" for a
 * file in the root; caller frees) and its name (*ret_name, in the same
 * allocation). Returns 0, -EINVAL (no directory or no file name) or
 * -ENOMEM. */
static int split_path(const char *path, char **ret_dir, const char **ret_name) {
        const char *slash = strrchr(path, '/');
        size_t len = strlen(path), at;
        char *dir;

        if (!slash || !slash[1])
                return -EINVAL;
        /* One byte more, for the root's "/" to keep its slash. */
        dir = malloc(len + 2);
        if (!dir)
                return -ENOMEM;
        at = (size_t) (slash - path) + (slash == path);
        memcpy(dir, path, at);
        dir[at] = '\0';
        memcpy(dir + at + 1, slash + 1, len - (size_t) (slash - path));
        *ret_dir = dir;
        *ret_name = dir + at + 1;
        return 0;
}

int report_files_write_prometheus(const char *path, const struct report_data *d) {
        _cleanup_free_ char *dir = NULL;
        const char *name;
        struct atomic_file af;
        int r;

        r = split_path(path, &dir, &name);
        if (r < 0)
                return r;
        /* The temporary ".NAME.XXXXXX" does not end in .prom: node_exporter
         * never reads a half-written file. */
        r = atomic_file_begin(&af, dir, name);
        if (r < 0)
                return r;
        r = write_into(&af, report_prometheus_write, d);
        if (r >= 0)
                r = atomic_file_commit(&af, 0644);
        atomic_file_done(&af);
        return r;
}

int report_files_remove_stale_prometheus(const char *path) {
        _cleanup_free_ char *dir = NULL;
        const char *name;
        int r;

        r = split_path(path, &dir, &name);
        if (r >= 0)
                r = atomic_file_remove_stale(dir, name);
        /* A directory that does not exist yet holds no leftovers. */
        return r == -ENOENT ? 0 : r;
}

int report_files_remove_stale(const char *dir) {
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                int q = atomic_file_remove_stale(dir, files[i].name);
                if (q < 0)
                        r = q;
        }
        return r;
}
