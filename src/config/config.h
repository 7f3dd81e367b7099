/* SPDX-License-Identifier: MIT */
/* /etc/ticky.ini: defaults, parsing (inih) and validation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_DEFAULT_PATH "/etc/ticky.ini"

#define CONFIG_DEFAULT_SYSLOG_PATH "/var/log/syslog"

#define CONFIG_DEFAULT_DAYS              90
#define CONFIG_DEFAULT_MAX_USERS         0 /* no limit: SPEC lists every user */
#define CONFIG_DEFAULT_MAX_ERRORS        0 /* and every message */
#define CONFIG_DEFAULT_MAX_MESSAGE_BYTES 65536

enum source_type {
        SOURCE_JOURNAL,
        SOURCE_SYSLOG,
};

struct config {
        enum source_type source_type; /* [source] type */
        char *identifier;             /* [journal] identifier */
        char *namespace;              /* [journal] namespace, NULL: none */
        char *journal_directory;      /* [journal] directory, NULL: none */
        char **hosts;                 /* [journal] hosts, NULL-terminated, or NULL: all */
        char *syslog_path;            /* [syslog] path */
        char *syslog_identifier;      /* [syslog] identifier: the program tag */
        char *output_directory;       /* [output] directory */
        char *title;                  /* [output] title */
        char *prometheus_path;        /* [output] prometheus, NULL: none */
        unsigned interval_sec;        /* [daemon] interval */
        char *state_directory;        /* [daemon] state_directory */
        unsigned days;                /* [report] days */
        char *timezone;               /* [report] timezone, NULL: the host's */
        size_t max_users;             /* [report] max_users */
        size_t max_errors;            /* [report] max_errors */
        size_t max_message_bytes;     /* [report] max_message_bytes */
};

/* Parses path into *ret, after filling in the defaults. Returns 0, -EINVAL
 * when the file has errors (then *ret_errors holds one "FILE:LINE: reason"
 * line per error, caller frees), or another -errno (the file could not be
 * read). *ret is untouched on failure; release it with config_done(). */
int config_load(const char *path, struct config *ret, char **ret_errors);

/* Fills *ret with the defaults. Returns 0 or -ENOMEM. */
int config_init_defaults(struct config *ret);

/* Frees the strings of c and zeroes it. */
void config_done(struct config *c);

/* Describes the source: "local journal", "namespace NAME", "directory PATH"
 * or "syslog file PATH". Returns NULL on OOM; caller frees. */
char *config_source_description(const struct config *c);
