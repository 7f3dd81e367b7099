/* SPDX-License-Identifier: MIT */
/* Replace a file so that readers see either the old or the new whole content. */
#pragma once

#include <stdio.h>
#include <sys/types.h>

/* Caller storage: atomic_file_begin(), write to ->f, atomic_file_commit(),
 * and always atomic_file_done(). */
struct atomic_file {
        FILE *f;
        char *path;     /* final path */
        char *tmp_path; /* .NAME.XXXXXX beside it, NULL once renamed */
};

/* Creates a temporary file beside dir/name. Returns 0 or -errno. */
int atomic_file_begin(struct atomic_file *af, const char *dir, const char *name);

/* Flushes, fsyncs, sets mode, renames over the final path and fsyncs the
 * directory. Returns 0 or -errno; on failure the old file is untouched,
 * unless only the directory's fsync failed (the new file is in place then,
 * but a crash might still bring back the old one). */
int atomic_file_commit(struct atomic_file *af, mode_t mode);

/* atomic_file_commit() without the fsync of the directory: for several
 * files in one directory, followed by one atomic_file_fsync_directory(). */
int atomic_file_replace(struct atomic_file *af, mode_t mode);

/* Closes, and removes the temporary file unless committed. Accepts a zeroed struct. */
void atomic_file_done(struct atomic_file *af);

/* Removes the temporary files of dir/name that a killed writer left behind
 * (.NAME.XXXXXX). Only call it while no one else writes there. Returns 0 or
 * -errno. */
int atomic_file_remove_stale(const char *dir, const char *name);

/* fsync() the directory at path, making a rename in it durable. */
int atomic_file_fsync_directory(const char *path);
