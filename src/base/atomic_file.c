/* SPDX-License-Identifier: MIT */
/* Temp file in the same directory, fsync, rename, fsync the directory: the
 * classic recipe, so that a crash at any instant leaves old or new, whole. */
#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"

int atomic_file_fsync_directory(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        if (fsync(fd) < 0)
                return -errno;
        return 0;
}

int atomic_file_begin(struct atomic_file *af, const char *dir, const char *name) {
        int fd;

        *af = (struct atomic_file){ .f = NULL };
        /* asprintf() leaves its pointer undefined on failure, hence the resets. */
        if (asprintf(&af->path, "%s/%s", dir, name) < 0) {
                af->path = NULL;
                return -ENOMEM;
        }
        if (asprintf(&af->tmp_path, "%s/.%s.XXXXXX", dir, name) < 0) {
                af->tmp_path = NULL;
                atomic_file_done(af);
                return -ENOMEM;
        }
        fd = mkostemp(af->tmp_path, O_CLOEXEC);
        if (fd < 0) {
                int r = -errno;
                free(af->tmp_path);
                af->tmp_path = NULL;
                atomic_file_done(af);
                return r;
        }
        af->f = fdopen(fd, "w");
        if (!af->f) {
                int r = -errno;
                (void) close(fd);
                atomic_file_done(af);
                return r;
        }
        /* Pages of thousands of rows: fewer, larger writes. The file is
         * one writer's alone: no lock per stdio call (which glibc takes
         * once the process has ever had a second thread). */
        (void) setvbuf(af->f, NULL, _IOFBF, 1 << 16);
        (void) __fsetlocking(af->f, FSETLOCKING_BYCALLER);
        return 0;
}

int atomic_file_replace(struct atomic_file *af, mode_t mode) {
        errno = 0;
        if (fflush(af->f) != 0 || ferror(af->f))
                return errno > 0 ? -errno : -EIO; /* ferror() alone leaves errno as it was */
        if (fchmod(fileno(af->f), mode) < 0)
                return -errno;
        if (fsync(fileno(af->f)) < 0)
                return -errno;
        if (rename(af->tmp_path, af->path) < 0)
                return -errno;
        free(af->tmp_path);
        af->tmp_path = NULL;
        return 0;
}

int atomic_file_commit(struct atomic_file *af, mode_t mode) {
        _cleanup_free_ char *dir = NULL;
        char *slash;
        int r;

        r = atomic_file_replace(af, mode);
        if (r < 0)
                return r;
        dir = strdup(af->path);
        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (slash)
                *slash = '\0';
        return atomic_file_fsync_directory(slash ? dir : ".");
}

void atomic_file_done(struct atomic_file *af) {
        if (af->f)
                (void) fclose(af->f);
        if (af->tmp_path)
                (void) unlink(af->tmp_path);
        free(af->tmp_path);
        free(af->path);
        *af = (struct atomic_file){ .f = NULL };
}

int atomic_file_remove_stale(const char *dir, const char *name) {
        DIR *d = opendir(dir);
        struct dirent *e;
        size_t n = strlen(name);
        int r = 0;

        if (!d)
                return -errno;
        while ((e = readdir(d))) {
                const char *f = e->d_name;
                /* Exactly what atomic_file_begin() creates: "." NAME "." + 6 */
                if (f[0] != '.' || strncmp(f + 1, name, n) != 0 || f[1 + n] != '.' || strlen(f + 2 + n) != 6)
                        continue;
                if (unlinkat(dirfd(d), f, 0) < 0 && errno != ENOENT)
                        r = -errno;
        }
        (void) closedir(d);
        return r;
}
