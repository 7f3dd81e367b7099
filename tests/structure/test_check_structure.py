#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Self-test of check_structure.py on small temporary trees.
Run: python3 -m unittest test_check_structure (from the directory holding both files)."""
import contextlib
import io
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_structure  # noqa: E402


def function(name, lines, signature=None):
    """A clang-format'ed function of exactly `lines` lines (signature and closing brace included)."""
    head = signature or f"int {name}(void) {{\n"
    body = lines - head.count("\n") - 2
    return head + "        x++;\n" * body + "        return 0;\n}\n"


class CheckStructureTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, rel, text):
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def run_check(self, *args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = check_structure.main([str(self.root), *args])
        return rc, out.getvalue()

    def clean_tree(self):
        self.write("src/base/macro.h", "#pragma once\n")
        self.write("src/base/strv.h", '#pragma once\n#include "macro.h"\n#include <stdio.h>\n')
        self.write("src/base/strv.c", '#include "strv.h"\n#include "missing.h"\n' + function("strv_length", 10))
        self.write("src/model/stats.h", '#pragma once\n#include "strv.h"\n')
        self.write("src/model/stats.c", '#include "stats.h"\n#include "macro.h"\n' + function("stats_add", 20))
        self.write("daemon/main.c", '#include "stats.h"\n' + function("main", 30))

    def test_clean_tree_passes(self):
        self.clean_tree()
        rc, out = self.run_check()
        self.assertEqual(rc, 0, out)
        self.assertEqual(out, "structure: 4 modules, no include cycle; 3 functions, longest 30 lines (main)\n")

    def test_cycle_across_layers(self):
        self.clean_tree()
        self.write("src/base/strv.c", '#include "strv.h"\n#include "stats.h"\n')  # base -> model -> base
        rc, out = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("include cycle: stats -> strv -> stats\n", out)

    def test_longer_cycle_is_one_component(self):
        self.write("src/a/a.h", '#include "c.h"\n')
        self.write("src/b/b.c", '#include "a.h"\n#include "d.h"\n')
        self.write("src/c/c.h", '#include "b.h"\n')
        self.write("src/d/d.h", '#include "b.h"\n')
        rc, out = self.run_check()
        self.assertEqual(rc, 1)
        self.assertEqual(out.count("include cycle:"), 1)
        self.assertIn("include cycle: a -> c -> b -> a  (all of: a, b, c, d)\n", out)

    def test_81_lines_fails_80_passes(self):
        self.write("src/f.c", "\n" + function("ok", 80) + "\n" + function("too_long", 81))
        rc, out = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("src/f.c:83: function too_long is 81 lines (max 80)\n", out)
        self.assertNotIn("function ok ", out)
        self.write("src/f.c", function("ok", 80))
        self.assertEqual(self.run_check()[0], 0)

    def test_multi_line_signature_counts_from_first_line(self):
        signature = ("static int parse(const char *s, size_t n, struct stats *st, char **ret_cursor,\n"
                     "                 char **ret_source) {\n")
        self.write("src/p.c", "#include <stddef.h>\n\n" + function(None, 81, signature))
        rc, out = self.run_check("--longest", "1")
        self.assertEqual(rc, 1)
        self.assertIn("81 lines  src/p.c:3 parse\n", out)
        self.assertIn("src/p.c:3: function parse is 81 lines (max 80)\n", out)

    def test_tables_and_types_are_not_functions(self):
        self.write("src/t.c", textwrap.dedent("""\
            #define MAX(a, b) ((a) > (b) ? (a) : (b))
            typedef int (*handler_t)(int x);
            struct handler {
                    const char *name;
                    handler_t fn;
            };
            enum mode {
                    MODE_A,
            };
            static const struct handler handlers[] = {
                    { "a", NULL },
            };
            static const struct {
                    int id;
            } ids[] = {
                    [0] = { 1 },
            };
            static const struct handler *const first = &handlers[(0)];
            static const struct handler one = HANDLER(f(x)) {
            }
            int declared(void);
            """) + function("only", 5))
        rc, out = self.run_check("--longest", "5")
        self.assertEqual(rc, 0, out)
        self.assertIn("5 lines  src/t.c:22 only\n", out)
        self.assertIn("1 functions", out)

    def test_missing_src_is_an_error(self):
        with contextlib.redirect_stderr(io.StringIO()):
            self.assertEqual(self.run_check()[0], 2)


if __name__ == "__main__":
    unittest.main()
