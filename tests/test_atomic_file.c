/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "helpers.h"

TestSuite(atomic_file, .init = test_dir_setup, .fini = test_dir_teardown);

Test(atomic_file, commit_replaces_whole_file) {
        struct atomic_file af;
        char *data, *path;
        struct stat st;

        write_file(test_dir, "page.html", "old", 3);
        cr_assert_eq(atomic_file_begin(&af, test_dir, "page.html"), 0);
        fputs("new content", af.f);
        data = read_file_or_null(test_dir, "page.html", NULL);
        cr_expect_str_eq(data, "old", "replaced before commit");
        free(data);
        cr_assert_eq(atomic_file_commit(&af, 0644), 0);
        atomic_file_done(&af);

        data = read_file_or_null(test_dir, "page.html", NULL);
        cr_expect_str_eq(data, "new content");
        free(data);
        cr_expect_eq(count_entries(test_dir), 1);
        cr_assert_geq(asprintf(&path, "%s/page.html", test_dir), 0);
        cr_assert_eq(stat(path, &st), 0);
        cr_expect_eq(st.st_mode & 0777, 0644);
        free(path);
}

Test(atomic_file, abandoned_write_leaves_old_file_and_no_temp) {
        struct atomic_file af;
        char *data;

        write_file(test_dir, "page.html", "old", 3);
        cr_assert_eq(atomic_file_begin(&af, test_dir, "page.html"), 0);
        fputs("half", af.f);
        atomic_file_done(&af);
        data = read_file_or_null(test_dir, "page.html", NULL);
        cr_expect_str_eq(data, "old");
        free(data);
        cr_expect_eq(count_entries(test_dir), 1);
}

Test(atomic_file, missing_directory_fails_cleanly) {
        struct atomic_file af;
        char *missing;

        cr_assert_geq(asprintf(&missing, "%s/nope", test_dir), 0);
        cr_expect_lt(atomic_file_begin(&af, missing, "x"), 0);
        atomic_file_done(&af);
        free(missing);
}

Test(atomic_file, removes_only_its_own_stale_temporaries) {
        write_file(test_dir, "page.html", "live", 4);
        write_file(test_dir, ".page.html.AbC123", "stale", 5);
        write_file(test_dir, ".page.html.toolong7", "other", 5);
        write_file(test_dir, ".other.html.AbC123", "other", 5);
        write_file(test_dir, ".page.html", "other", 5);
        cr_assert_eq(atomic_file_remove_stale(test_dir, "page.html"), 0);
        cr_expect_null(read_file_or_null(test_dir, ".page.html.AbC123", NULL));
        cr_expect_eq(count_entries(test_dir), 4);
}
