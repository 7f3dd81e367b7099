/* SPDX-License-Identifier: MIT */
/* Small helpers shared by every module: scoped cleanup and array sizing. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline void freep(void *p) {
        free(*(void **) p);
}

static inline void fclosep(FILE **f) {
        if (*f)
                (void) fclose(*f);
}

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved_errno = errno;
                (void) close(*fd);
                errno = saved_errno;
        }
}

#define _cleanup_(f)     __attribute__((cleanup(f)))
#define _cleanup_free_   _cleanup_(freep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_close_  _cleanup_(closep)

/* Hands ownership of a pointer or fd out of a _cleanup_ variable. */
#define TAKE_PTR(p)                                                                                                    \
        __extension__({                                                                                                \
                __typeof__(p) _taken_ = (p);                                                                           \
                (p) = NULL;                                                                                            \
                _taken_;                                                                                               \
        })
#define TAKE_FD(fd)                                                                                                    \
        __extension__({                                                                                                \
                int _taken_ = (fd);                                                                                    \
                (fd) = -1;                                                                                             \
                _taken_;                                                                                               \
        })
