/* SPDX-License-Identifier: MIT */
#include "helpers.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "count.h"

char *test_dir;

void test_dir_setup(void) {
        test_dir = temp_dir();
}

void test_dir_teardown(void) {
        rm_rf(test_dir);
        free(test_dir);
        test_dir = NULL;
}

char *render_to_string(int (*write)(FILE *f, const struct report_data *d), const struct report_data *d,
                       size_t *ret_len) {
        char *buf = NULL;
        size_t len;
        FILE *f = open_memstream(&buf, &len);

        cr_assert_not_null(f);
        cr_assert_eq(write(f, d), 0);
        cr_assert_eq(fclose(f), 0);
        if (ret_len)
                *ret_len = len;
        return buf;
}

char *escape_to_string(void (*write)(FILE *f, const char *s, size_t n), const char *s, size_t n) {
        char *buf = NULL;
        size_t len;
        FILE *f = open_memstream(&buf, &len);

        cr_assert_not_null(f);
        write(f, s, n);
        cr_assert_eq(fclose(f), 0);
        return buf;
}

char *long_hostile_message(size_t body_len, const char *last, size_t *ret_len) {
        static const char head[] = "ERROR ", tail[] = " (long)";
        size_t n = sizeof(head) - 1 + body_len + sizeof(tail) - 1;
        char *msg = malloc(n), *p = msg;

        cr_assert_not_null(msg);
        cr_assert_geq(body_len, 64);
        memcpy(p, head, sizeof(head) - 1);
        p += sizeof(head) - 1;
        for (size_t i = 0; i < body_len; i++)
                p[i] = (char) ('a' + i % 26);
        memcpy(p, "</script>", 9);
        memcpy(p + body_len / 2, "\n\"\\\t\xe2\x80\xa8", 7);
        memcpy(p + body_len - strlen(last), last, strlen(last));
        memcpy(p + body_len, tail, sizeof(tail) - 1);
        *ret_len = n;
        return msg;
}

char *temp_dir(void) {
        char *p = strdup("/tmp/ticky-test.XXXXXX");
        cr_assert_not_null(p);
        cr_assert_not_null(mkdtemp(p));
        return p;
}

void rm_rf(const char *path) {
        char *cmd;
        cr_assert_geq(asprintf(&cmd, "rm -rf -- '%s'", path), 0);
        cr_assert_eq(system(cmd), 0);
        free(cmd);
}

void make_journal_file(const char *dir, const char *name, const char *const *identifiers, const char *const *messages,
                       size_t n, unsigned long long first_realtime_usec, unsigned long long first_monotonic_usec) {
        char *export_path, *cmd;
        FILE *f;

        cr_assert_geq(asprintf(&export_path, "%s/%s.export", dir, name), 0);
        f = fopen(export_path, "we");
        cr_assert_not_null(f);
        for (size_t i = 0; i < n; i++) {
                fprintf(f,
                        "__REALTIME_TIMESTAMP=%llu\n__MONOTONIC_TIMESTAMP=%llu\n"
                        "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=test\n"
                        "SYSLOG_IDENTIFIER=%s\n",
                        first_realtime_usec + i, first_monotonic_usec + i, identifiers[i]);
                if (messages[i]) {
                        uint64_t len = strlen(messages[i]);
                        fputs("MESSAGE\n", f); /* binary form: any bytes allowed */
                        fwrite(&len, sizeof(len), 1, f);
                        fputs(messages[i], f);
                        fputc('\n', f);
                }
                fputc('\n', f);
        }
        cr_assert_eq(fclose(f), 0);
        cr_assert_geq(asprintf(&cmd, JOURNAL_REMOTE " --output=%s/%s.journal %s 2>/dev/null", dir, name, export_path),
                      0);
        cr_assert_eq(system(cmd), 0, "%s", cmd);
        cr_assert_eq(unlink(export_path), 0);
        free(cmd);
        free(export_path);
}

void write_file(const char *dir, const char *name, const void *data, size_t len) {
        char *path;
        cr_assert_geq(asprintf(&path, "%s/%s", dir, name), 0);
        FILE *f = fopen(path, "we");
        cr_assert_not_null(f, "%s", path);
        cr_assert_eq(fwrite(data, 1, len, f), len);
        cr_assert_eq(fclose(f), 0);
        free(path);
}

char *read_file_or_null(const char *dir, const char *name, size_t *ret_len) {
        char *path, *data = NULL;
        size_t len = 0;
        FILE *f, *out;

        cr_assert_geq(asprintf(&path, "%s/%s", dir, name), 0);
        f = fopen(path, "re");
        free(path);
        if (!f)
                return NULL;
        out = open_memstream(&data, &len);
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                fwrite(buf, 1, n, out);
        fclose(f);
        fclose(out);
        if (ret_len)
                *ret_len = len;
        return data;
}

size_t count_entries(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *e;
        size_t n = 0;

        cr_assert_not_null(d);
        while ((e = readdir(d)))
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

void expect_golden(const char *name, const char *data, size_t len) {
        const char *update = getenv("TICKY_UPDATE_GOLDEN");
        size_t golden_len;
        char *golden;

        if (update && strcmp(update, "1") == 0) {
                write_file(GOLDEN_DIR, name, data, len);
                return;
        }
        golden = read_file_or_null(GOLDEN_DIR, name, &golden_len);
        cr_assert_not_null(golden, "missing golden file %s/%s (TICKY_UPDATE_GOLDEN=1 writes it)", GOLDEN_DIR, name);
        cr_expect(golden_len == len && memcmp(golden, data, len) == 0,
                  "%s differs from the golden file; review with TICKY_UPDATE_GOLDEN=1 and git diff", name);
        free(golden);
}

int count_message(struct stats *s, const char *msg, size_t len, uint64_t realtime_usec) {
        return count_entry(s, &(struct entry){ .message = msg, .message_len = len, .realtime_usec = realtime_usec });
}
