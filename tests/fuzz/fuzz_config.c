/* SPDX-License-Identifier: MIT */
/* config_load() on arbitrary files: no crash or leak, every error reported as
 * "FILE:LINE: reason" with a line of the file, and a loaded config valid. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_common.h"

static char *dir, *path;

static void cleanup(void) {
        fuzz_remove_dir(dir);
        free(dir);
        free(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        dir = fuzz_make_temp_dir("fuzz_config");
        if (asprintf(&path, "%s/ticky.ini", dir) < 0)
                abort();
        atexit(cleanup);
        return 0;
}

static bool is_ws_or_ctrl(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s <= 0x20 || *s == 0x7f)
                        return true;
        return false;
}

static void check_errors(const char *errors, size_t n_lines) {
        size_t path_len = strlen(path);
        const char *line = errors;

        FUZZ_CHECK(errors && *errors);
        FUZZ_CHECK(errors[strlen(errors) - 1] == '\n');
        while (*line) {
                const char *end = strchr(line, '\n');
                unsigned long number;
                char *after;

                FUZZ_CHECK(end);
                FUZZ_CHECK(strncmp(line, path, path_len) == 0 && line[path_len] == ':');
                FUZZ_CHECK(line[path_len + 1] >= '1' && line[path_len + 1] <= '9');
                number = strtoul(line + path_len + 1, &after, 10);
                FUZZ_CHECK(number >= 1 && number <= n_lines);
                FUZZ_CHECK(after[0] == ':' && after[1] == ' ' && after + 2 < end);
                line = end + 1;
        }
}

static void check_config(const struct config *c) {
        FUZZ_CHECK(c->identifier && *c->identifier && !is_ws_or_ctrl(c->identifier));
        FUZZ_CHECK(c->output_directory && c->output_directory[0] == '/');
        FUZZ_CHECK(c->state_directory && c->state_directory[0] == '/');
        FUZZ_CHECK(c->title && *c->title);
        FUZZ_CHECK(!c->journal_directory || c->journal_directory[0] == '/');
        FUZZ_CHECK(!c->prometheus_path || c->prometheus_path[0] == '/');
        FUZZ_CHECK(!(c->namespace && c->journal_directory));
        FUZZ_CHECK(!c->namespace || *c->namespace);
        FUZZ_CHECK(c->interval_sec >= 1 && c->interval_sec <= 86400);
        FUZZ_CHECK(c->days <= 3660);
        /* max_users and max_errors: 0 is no limit, any size_t is valid */
        FUZZ_CHECK(c->max_message_bytes >= 16 && c->max_message_bytes <= (1 << 24));
        for (char **h = c->hosts; h && *h; h++)
                FUZZ_CHECK(**h && strlen(*h) <= 255 && !is_ws_or_ctrl(*h) && !strchr(*h, ','));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct config c = { .identifier = NULL };
        char *errors = NULL;
        size_t n_lines = 0;
        int r;

        fuzz_write_file(path, data, size);
        for (size_t i = 0; i < size; i++)
                n_lines += data[i] == '\n';
        if (size > 0 && data[size - 1] != '\n')
                n_lines++;

        r = config_load(path, &c, &errors);
        if (r == -EINVAL) {
                check_errors(errors, n_lines);
                FUZZ_CHECK(!c.identifier); /* untouched on failure */
        } else {
                FUZZ_CHECK(r == 0);
                FUZZ_CHECK(!errors);
                check_config(&c);
                config_done(&c);
        }
        free(errors);
        return 0;
}
