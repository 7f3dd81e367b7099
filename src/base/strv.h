/* SPDX-License-Identifier: MIT */
/* NULL-terminated arrays of strings, as config's [journal] hosts. */
#pragma once

/* Frees every string and the array. Accepts NULL; returns NULL. */
char **strv_free(char **v);

/* A deep copy of v (NULL for NULL) into *ret. Returns 0 or -ENOMEM (*ret is
 * then NULL). */
int strv_copy(char *const *v, char ***ret);
