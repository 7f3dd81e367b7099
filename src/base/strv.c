/* SPDX-License-Identifier: MIT */
/* NULL-terminated arrays of strings. */
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char **strv_free(char **v) {
        for (char **i = v; i && *i; i++)
                free(*i);
        free(v);
        return NULL;
}

int strv_copy(char *const *v, char ***ret) {
        size_t n = 0;
        char **c;

        *ret = NULL;
        if (!v)
                return 0;
        while (v[n])
                n++;
        c = calloc(n + 1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (!(c[i] = strdup(v[i]))) {
                        strv_free(c);
                        return -ENOMEM;
                }
        *ret = c;
        return 0;
}
