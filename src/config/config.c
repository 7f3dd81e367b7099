/* SPDX-License-Identifier: MIT */
/* inih calls our reader for every physical line, so the reader counts lines and
 * the handler can report "FILE:LINE: reason" for each bad key, not just the
 * first error line that ini_parse() returns. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "strv.h"

/* A configuration is a few hundred bytes: a file far larger is not one
 * (nor is a device that never ends, like /dev/zero). */
#define CONFIG_MAX_BYTES 1048576

struct parser {
        const char *path;
        FILE *f;
        size_t bytes_read;
        char *line;
        size_t line_cap;
        unsigned line_number;
        unsigned first_error_line; /* 0: none yet */
        unsigned namespace_line, directory_line, output_line, state_line;
        bool after_key;    /* the last line that was neither blank nor a comment set a key */
        bool continuation; /* the line inih has now is an indented continuation of that key */
        struct seen_key {
                char *key; /* "section.name" */
                unsigned line;
        } * seen;
        size_t n_seen;
        struct config config;
        FILE *errors; /* memstream collecting "FILE:LINE: reason\n" */
        char *errors_buf;
        size_t errors_len;
        unsigned n_errors;
};

__attribute__((format(printf, 3, 4))) static void add_error(struct parser *p, unsigned line, const char *fmt, ...) {
        va_list ap;

        fprintf(p->errors, "%s:%u: ", p->path, line);
        va_start(ap, fmt);
        vfprintf(p->errors, fmt, ap);
        va_end(ap);
        fputc('\n', p->errors);
        if (p->first_error_line == 0 || line < p->first_error_line)
                p->first_error_line = line;
        p->n_errors++;
}

static bool section_known(const char *name, size_t n) {
        static const char *const known[] = { "source", "journal", "syslog", "output", "daemon", "report" };
        for (size_t i = 0; i < ELEMENTSOF(known); i++)
                if (strlen(known[i]) == n && memcmp(known[i], name, n) == 0)
                        return true;
        return false;
}

/* The end of a header or of a line: nothing, or a comment. */
static bool only_comment_left(const char *s) {
        s += strspn(s, " \t\r\n");
        return *s == '\0' || *s == ';' || *s == '#';
}

/* inih is lenient where a typo should be an error: it reports a section only
 * through the keys in it (a misspelt, empty section would pass), ignores text
 * after "]", and takes an indented line as the continuation of the previous
 * value. And it reports only the first malformed line. So each line is
 * checked here first. Returns false if the line must not reach inih. */
static bool check_line(struct parser *p, const char *line) {
        const char *start, *end;

        if (p->line_number == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
                line += 3; /* a UTF-8 byte order mark, which inih skips too */
        start = line + strspn(line, " \t");
        p->continuation = false;
        if (only_comment_left(start))
                return true; /* blank or comment */
        if (start != line) {
                /* inih continues the previous key's value: only a hosts
                 * list may (see handler()). */
                if (!p->after_key) {
                        add_error(p, p->line_number, "line starts with whitespace (and continues no key)");
                        return false;
                }
                p->continuation = true;
                return true;
        }
        p->after_key = false;
        if (*start == '[') {
                end = strchr(start + 1, ']');
                if (!end) {
                        add_error(p, p->line_number, "syntax error (missing ']')");
                        return false;
                }
                if (!section_known(start + 1, (size_t) (end - start - 1)))
                        add_error(p, p->line_number, "unknown section [%.*s]", (int) (end - start - 1), start + 1);
                else if (!only_comment_left(end + 1))
                        add_error(p, p->line_number, "unexpected text after [%.*s]", (int) (end - start - 1),
                                  start + 1);
                return true; /* inih still switches section, so keys are judged in the right one */
        }
        if (!strpbrk(start, "=:")) {
                add_error(p, p->line_number, "syntax error (expected '[section]' or 'key = value')");
                return false;
        }
        p->after_key = true;
        return true;
}

static char *reader(char *str, int num, void *stream) {
        struct parser *p = stream;
        ssize_t n = getline(&p->line, &p->line_cap, p->f);

        if (n < 0) {
                /* Out of memory, say, is not the end of the file: a
                 * configuration cut short would be taken as a whole. */
                if (!feof(p->f))
                        add_error(p, p->line_number + 1, "cannot read: %s", strerror(errno));
                return NULL;
        }
        p->bytes_read += (size_t) n;
        if (p->bytes_read > CONFIG_MAX_BYTES) {
                add_error(p, p->line_number + 1, "file larger than %d bytes", CONFIG_MAX_BYTES);
                return NULL;
        }
        p->line_number++;
        if (n >= num) {
                /* inih would silently split it; better to say so. */
                add_error(p, p->line_number, "line too long (at most %d bytes)", num - 2);
                str[0] = '\0';
                return str;
        }
        if (memchr(p->line, '\0', (size_t) n)) {
                add_error(p, p->line_number, "NUL byte in line");
                str[0] = '\0';
                return str;
        }
        if (!check_line(p, p->line)) {
                str[0] = '\0';
                return str;
        }
        memcpy(str, p->line, (size_t) n + 1);
        return str;
}

static int set_string(char **field, const char *value) {
        char *copy = NULL;

        if (*value) { /* an empty value means unset: keep the default */
                copy = strdup(value);
                if (!copy)
                        return -ENOMEM;
        }
        free(*field);
        *field = copy;
        return 0;
}

static bool has_control_chars(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

static bool namespace_valid(const char *s) {
        size_t n = strlen(s);

        /* journald's rules for namespace names, conservatively. */
        if (n == 0 || n > 64 || s[0] == '.')
                return false;
        for (; *s; s++)
                if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') && !(*s >= '0' && *s <= '9') &&
                    !strchr("_-.", *s))
                        return false;
        return true;
}

/* A whole number in [min, max], digits only. */
static int parse_number(const char *value, unsigned long long min, unsigned long long max, unsigned long long *ret) {
        unsigned long long v;
        char *end;

        if (value[0] < '0' || value[0] > '9') /* strtoull accepts "-1" and " 1" */
                return -EINVAL;
        errno = 0;
        v = strtoull(value, &end, 10);
        if (errno != 0 || *end != '\0' || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* An IANA time zone name that exists on this host, as TZ would take it. */
static bool timezone_valid(const char *name) {
        char path[PATH_MAX];

        if (!*name || name[0] == '/' || strstr(name, "..") ||
            strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != strlen(name))
                return false;
        if (snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name) >= (int) sizeof(path))
                return false;
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int set_path(struct parser *p, char **field, const char *key, const char *value) {
        if (*value && value[0] != '/') {
                add_error(p, p->line_number, "%s must be an absolute path: %s", key, value);
                return 0;
        }
        if (*value && has_control_chars(value)) {
                add_error(p, p->line_number, "%s contains control characters", key);
                return 0;
        }
        return set_string(field, value);
}

/* Appends to *field the host names of value, separated by spaces or
 * commas. Returns 0 (an invalid name is reported) or -ENOMEM. */
static int add_hosts(struct parser *p, char ***field, const char *value) {
        char **hosts = TAKE_PTR(*field);
        size_t n = 0;

        while (hosts && hosts[n])
                n++;
        for (const char *v = value;;) {
                v += strspn(v, " \t,");
                if (!*v)
                        break;
                size_t len = strcspn(v, " \t,");
                char **grown = realloc(hosts, (n + 2) * sizeof(*hosts));
                if (!grown) {
                        strv_free(hosts);
                        return -ENOMEM;
                }
                hosts = grown;
                hosts[n] = strndup(v, len);
                hosts[n + 1] = NULL;
                if (!hosts[n]) {
                        strv_free(hosts);
                        return -ENOMEM;
                }
                if (len > 255 || has_control_chars(hosts[n])) {
                        add_error(p, p->line_number, "invalid host name '%s'", hosts[n]);
                        free(hosts[n]);
                        hosts[n] = NULL;
                        break;
                }
                n++;
                v += len;
        }
        *field = hosts;
        return 0;
}

/* A list of host names separated by spaces or commas, which may go on over
 * indented lines. */
static int set_hosts(struct parser *p, char ***field, const char *value) {
        *field = strv_free(*field);
        return add_hosts(p, field, value);
}

/* A program name to match: SYSLOG_IDENTIFIER, or the tag of a syslog line. */
static int set_identifier(struct parser *p, char **field, const char *value, bool syslog_tag) {
        if (has_control_chars(value) || strchr(value, ' ')) {
                add_error(p, p->line_number, "identifier must not contain spaces or control characters");
                return 0;
        }
        /* A tag ends at the first of them. */
        if (syslog_tag && strpbrk(value, "[:")) {
                add_error(p, p->line_number, "identifier must not contain '[' or ':'");
                return 0;
        }
        return set_string(field, *value ? value : "ticky");
}

static int handle_source(struct parser *p, const char *name, const char *value) {
        struct config *c = &p->config;

        if (strcmp(name, "type") == 0) {
                if (!*value || strcmp(value, "journal") == 0)
                        c->source_type = SOURCE_JOURNAL;
                else if (strcmp(value, "syslog") == 0)
                        c->source_type = SOURCE_SYSLOG;
                else
                        add_error(p, p->line_number, "invalid source type '%s' (journal or syslog)", value);
                return 0;
        }
        add_error(p, p->line_number, "unknown key '%s' in section [source]", name);
        return 0;
}

static int handle_journal(struct parser *p, const char *name, const char *value) {
        struct config *c = &p->config;

        if (strcmp(name, "identifier") == 0)
                return set_identifier(p, &c->identifier, value, false);
        if (strcmp(name, "namespace") == 0) {
                if (*value && !namespace_valid(value)) {
                        add_error(p, p->line_number, "invalid namespace name '%s' (letters, digits, '_', '-', '.')",
                                  value);
                        return 0;
                }
                p->namespace_line = *value ? p->line_number : 0;
                return set_string(&c->namespace, value);
        }
        if (strcmp(name, "directory") == 0) {
                p->directory_line = *value ? p->line_number : 0;
                return set_path(p, &c->journal_directory, "directory", value);
        }
        if (strcmp(name, "hosts") == 0)
                return set_hosts(p, &c->hosts, value);
        add_error(p, p->line_number, "unknown key '%s' in section [journal]", name);
        return 0;
}

static int handle_syslog(struct parser *p, const char *name, const char *value) {
        struct config *c = &p->config;

        if (strcmp(name, "identifier") == 0)
                return set_identifier(p, &c->syslog_identifier, value, true);
        if (strcmp(name, "path") == 0) {
                /* The file is followed through its directory: it needs one. */
                if (*value && (value[strlen(value) - 1] == '/' || strcmp(value, "/") == 0)) {
                        add_error(p, p->line_number, "path must name a file: %s", value);
                        return 0;
                }
                return set_path(p, &c->syslog_path, "path", *value ? value : CONFIG_DEFAULT_SYSLOG_PATH);
        }
        add_error(p, p->line_number, "unknown key '%s' in section [syslog]", name);
        return 0;
}

static int handle_output(struct parser *p, const char *name, const char *value) {
        struct config *c = &p->config;

        if (strcmp(name, "directory") == 0) {
                p->output_line = p->line_number;
                return set_path(p, &c->output_directory, "directory", *value ? value : "/var/www/html");
        }
        if (strcmp(name, "title") == 0)
                return set_string(&c->title, *value ? value : "ticky");
        if (strcmp(name, "prometheus") == 0) {
                const char *slash = strrchr(value, '/');
                if (*value && (!slash || !slash[1])) {
                        add_error(p, p->line_number, "prometheus must be the absolute path of a file: %s", value);
                        return 0;
                }
                return set_path(p, &c->prometheus_path, "prometheus", value);
        }
        add_error(p, p->line_number, "unknown key '%s' in section [output]", name);
        return 0;
}

static int handle_daemon(struct parser *p, const char *name, const char *value) {
        struct config *c = &p->config;

        if (strcmp(name, "interval") == 0) {
                unsigned long long v = 60;
                if (*value && parse_number(value, 1, 86400, &v) < 0)
                        add_error(p, p->line_number, "interval must be a whole number of seconds from 1 to 86400: %s",
                                  value);
                else
                        c->interval_sec = (unsigned) v;
                return 0;
        }
        if (strcmp(name, "state_directory") == 0) {
                p->state_line = p->line_number;
                return set_path(p, &c->state_directory, "state_directory", *value ? value : "/var/lib/ticky-reportd");
        }
        add_error(p, p->line_number, "unknown key '%s' in section [daemon]", name);
        return 0;
}

static void set_count(struct parser *p, const char *name, const char *value, unsigned long long min,
                      unsigned long long max, unsigned long long fallback, size_t *field) {
        unsigned long long v = fallback;

        if (*value && parse_number(value, min, max, &v) < 0)
                add_error(p, p->line_number, "%s must be a whole number from %llu to %llu: %s", name, min, max, value);
        else
                *field = (size_t) v;
}

static int handle_report(struct parser *p, const char *name, const char *value) {
        struct config *c = &p->config;

        if (strcmp(name, "days") == 0) {
                size_t days = 0;
                set_count(p, name, value, 0, 3660, CONFIG_DEFAULT_DAYS, &days);
                c->days = (unsigned) days;
                return 0;
        }
        if (strcmp(name, "timezone") == 0) {
                if (*value && !timezone_valid(value)) {
                        add_error(p, p->line_number, "unknown time zone '%s' (see /usr/share/zoneinfo)", value);
                        return 0;
                }
                return set_string(&c->timezone, value);
        }
        if (strcmp(name, "max_users") == 0)
                set_count(p, name, value, 0, SIZE_MAX / 2, CONFIG_DEFAULT_MAX_USERS, &c->max_users);
        else if (strcmp(name, "max_errors") == 0)
                set_count(p, name, value, 0, SIZE_MAX / 2, CONFIG_DEFAULT_MAX_ERRORS, &c->max_errors);
        else if (strcmp(name, "max_message_bytes") == 0)
                set_count(p, name, value, 16, 1 << 24, CONFIG_DEFAULT_MAX_MESSAGE_BYTES, &c->max_message_bytes);
        else
                add_error(p, p->line_number, "unknown key '%s' in section [report]", name);
        return 0;
}

/* Whether section.name was set before (reported); else remembers it.
 * Returns 1, 0, or -ENOMEM. */
static int seen_before(struct parser *p, const char *section, const char *name) {
        _cleanup_free_ char *key = NULL;
        struct seen_key *grown;

        if (asprintf(&key, "%s.%s", section, name) < 0) {
                key = NULL;
                return -ENOMEM;
        }
        for (size_t i = 0; i < p->n_seen; i++)
                if (strcmp(p->seen[i].key, key) == 0) {
                        /* Which one would win is no one's guess to make. */
                        add_error(p, p->line_number, "'%s' in [%s] is set twice (first on line %u)", name, section,
                                  p->seen[i].line);
                        return 1;
                }
        grown = realloc(p->seen, (p->n_seen + 1) * sizeof(*grown));
        if (!grown)
                return -ENOMEM;
        p->seen = grown;
        p->seen[p->n_seen++] = (struct seen_key){ .key = TAKE_PTR(key), .line = p->line_number };
        return 0;
}

/* An indented line goes on with the previous key: a hosts list only. */
static int handle_continuation(struct parser *p, const char *section, const char *name, const char *value) {
        if (strcmp(section, "journal") == 0 && strcmp(name, "hosts") == 0)
                return add_hosts(p, &p->config.hosts, value);
        add_error(p, p->line_number, "line starts with whitespace (only a hosts list may go on over indented lines)");
        return 0;
}

/* Returns nonzero to inih unless out of memory: each error is already recorded
 * with its line, and parsing goes on to find the others. */
static int handler(void *user, const char *section, const char *name, const char *value) {
        struct parser *p = user;
        int r;

        if (p->continuation)
                r = handle_continuation(p, section, name, value);
        else if ((r = seen_before(p, section, name)) != 0)
                r = r < 0 ? r : 0;
        else if (strcmp(section, "source") == 0)
                r = handle_source(p, name, value);
        else if (strcmp(section, "journal") == 0)
                r = handle_journal(p, name, value);
        else if (strcmp(section, "syslog") == 0)
                r = handle_syslog(p, name, value);
        else if (strcmp(section, "output") == 0)
                r = handle_output(p, name, value);
        else if (strcmp(section, "daemon") == 0)
                r = handle_daemon(p, name, value);
        else if (strcmp(section, "report") == 0)
                r = handle_report(p, name, value);
        else {
                /* An unknown section was reported at its header. */
                if (!section[0])
                        add_error(p, p->line_number, "key '%s' outside of any section", name);
                r = 0;
        }
        if (r < 0) {
                add_error(p, p->line_number, "out of memory");
                return 0;
        }
        return 1;
}

int config_init_defaults(struct config *c) {
        *c = (struct config){
                .identifier = strdup("ticky"),
                .syslog_path = strdup(CONFIG_DEFAULT_SYSLOG_PATH),
                .syslog_identifier = strdup("ticky"),
                .output_directory = strdup("/var/www/html"),
                .title = strdup("ticky"),
                .interval_sec = 60,
                .state_directory = strdup("/var/lib/ticky-reportd"),
                .days = CONFIG_DEFAULT_DAYS,
                .max_users = CONFIG_DEFAULT_MAX_USERS,
                .max_errors = CONFIG_DEFAULT_MAX_ERRORS,
                .max_message_bytes = CONFIG_DEFAULT_MAX_MESSAGE_BYTES,
        };
        if (!c->identifier || !c->syslog_path || !c->syslog_identifier || !c->output_directory || !c->title ||
            !c->state_directory) {
                config_done(c);
                return -ENOMEM;
        }
        return 0;
}

/* Whether path is dir or inside it (both absolute, compared as written). */
static bool path_within(const char *path, const char *dir) {
        size_t n = strlen(dir);

        while (n > 1 && dir[n - 1] == '/')
                n--;
        return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/' || (n == 1 && dir[0] == '/'));
}

/* The web server serves the output directory: the root as web root would
 * have the pages' temporary files and the stale-file sweep there, and a
 * state inside it would be served to anyone. */
static void check_directories(struct parser *p) {
        const struct config *c = &p->config;
        const char *out = c->output_directory;

        if (out && out[strspn(out, "/")] == '\0')
                add_error(p, p->output_line, "[output] directory must not be /");
        else if (out && c->state_directory && path_within(c->state_directory, out))
                add_error(p, p->state_line ? p->state_line : p->output_line,
                          "[daemon] state_directory must not be the output directory or inside it: %s",
                          c->state_directory);
}

/* Opens path, a regular file of at most CONFIG_MAX_BYTES. Never blocks: a
 * FIFO is refused, not waited on (a reload waiting for a writer would
 * stop the daemon from answering signals). Returns 0, -EINVAL with
 * *ret_errors ("FILE: reason"), or another -errno. */
static int open_config(const char *path, FILE **ret, char **ret_errors) {
        struct stat st;
        const char *reason = NULL;
        bool too_large = false;
        int fd, r = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                r = -errno;
        else if (S_ISDIR(st.st_mode))
                r = -EISDIR;
        else if (!S_ISREG(st.st_mode))
                reason = "not a regular file";
        else
                too_large = st.st_size > CONFIG_MAX_BYTES;
        if (reason || too_large) {
                r = reason ? asprintf(ret_errors, "%s: %s\n", path, reason)
                           : asprintf(ret_errors, "%s: file larger than %d bytes\n", path, CONFIG_MAX_BYTES);
                if (r < 0)
                        *ret_errors = NULL;
                r = r < 0 ? -ENOMEM : -EINVAL;
        }
        if (r >= 0 && !(*ret = fdopen(fd, "re")))
                r = -errno;
        if (r < 0)
                (void) close(fd);
        return r;
}

int config_load(const char *path, struct config *ret, char **ret_errors) {
        _cleanup_fclose_ FILE *f = NULL;
        struct parser p = { .path = path };
        int r;

        r = open_config(path, &f, ret_errors);
        if (r < 0)
                return r;
        r = config_init_defaults(&p.config);
        if (r < 0)
                return r;
        p.f = f;
        p.errors = open_memstream(&p.errors_buf, &p.errors_len);
        if (!p.errors) {
                config_done(&p.config);
                return -ENOMEM;
        }

        r = ini_parse_stream(reader, &p, handler, &p);
        if (r < 0)
                add_error(&p, p.line_number, "cannot parse file");
        else if (r > 0 && (p.first_error_line == 0 || (unsigned) r < p.first_error_line))
                /* A line inih rejected that check_line() let through. */
                add_error(&p, (unsigned) r, "syntax error");

        if (p.config.namespace && p.config.journal_directory)
                add_error(&p, p.namespace_line > p.directory_line ? p.namespace_line : p.directory_line,
                          "[journal] namespace and directory are exclusive");
        check_directories(&p);

        free(p.line);
        for (size_t i = 0; i < p.n_seen; i++)
                free(p.seen[i].key);
        free(p.seen);
        if (fclose(p.errors) != 0) {
                free(p.errors_buf);
                config_done(&p.config);
                return -ENOMEM;
        }
        if (p.n_errors > 0) {
                config_done(&p.config);
                *ret_errors = p.errors_buf;
                return -EINVAL;
        }
        free(p.errors_buf);
        *ret = p.config;
        return 0;
}

void config_done(struct config *c) {
        free(c->identifier);
        free(c->namespace);
        free(c->journal_directory);
        free(c->syslog_path);
        free(c->syslog_identifier);
        free(c->output_directory);
        free(c->title);
        free(c->state_directory);
        free(c->prometheus_path);
        free(c->timezone);
        strv_free(c->hosts);
        *c = (struct config){ .identifier = NULL };
}

char *config_source_description(const struct config *c) {
        char *s;

        if (c->source_type == SOURCE_SYSLOG)
                return asprintf(&s, "syslog file %s", c->syslog_path) < 0 ? NULL : s;
        if (c->namespace)
                return asprintf(&s, "namespace %s", c->namespace) < 0 ? NULL : s;
        if (c->journal_directory)
                return asprintf(&s, "directory %s", c->journal_directory) < 0 ? NULL : s;
        return strdup("local journal");
}
