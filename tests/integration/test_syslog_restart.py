# SPDX-License-Identifier: MIT
"""Syslog source, rotation by rename while the daemon is stopped.

The rest of the old file is found in PATH.1 and read before the new file:
lines appended to the old file after the last run (before and after its
rename) and the new file's lines all count, exactly once, over several
rotations and --once runs; a partial line left at the end of the old file
is read whole once it is completed in PATH.1.
"""

import os
import sys

import common
from common import check, say


def body(args):
    """--once, rotate while stopped (several ways), --once: exact each time."""
    seed = 1301 if args.seed is None else args.seed
    with common.SyslogWorkspace(args.binary, args.keep) as ws:
        cfg = common.ticky_gen.GenConfig(seed=seed, ticky=12000, other=8000, users=500,
                                         hostile=0.03)
        feed = common.SyslogFeed(cfg, "traditional")
        log, old, older = ws.log, ws.log + ".1", ws.log + ".2"
        parts = []

        def take(name, count=None):
            data, expectation = feed.take_expect(count)
            parts.append((name, expectation))
            return data

        def once_exact(what):
            ws.once()
            try:
                common.check_csvs(ws.www, feed.written)
            except common.TestFailure as failure:
                raise common.TestFailure("%s: %s (%s)" % (what, failure,
                                                          common.explain_counts(ws.www, parts)))
            say("%s: exact, %s" % (what, common.totals_text(feed.written)))

        common.append(log, take("A", 3000))
        once_exact("first --once")

        # 1. Appended, renamed, appended to the renamed file, new file.
        common.append(log, take("B", 1000))
        os.rename(log, old)
        common.append(old, take("C", 500))
        common.append(log, take("D", 1500))
        once_exact("rename while stopped, with lines before and after the rename")
        once_exact("--once again (nothing new)")

        # 2. Nothing new in the old file since the last run; .1 shifted to .2.
        os.rename(old, older)
        os.rename(log, old)
        common.append(log, take("E", 1200))
        once_exact("rename with nothing left in the old file")

        # 3. The old file ends with a partial line when the daemon reads it;
        #    the line is completed after the run, in the renamed file.
        common.append(log, take("F", 2000))
        common.append(log, b"Dec  1 10:00:00 helpdesk01 ticky[4242]: ERROR Partial (first)")
        once_exact("the old file ends with a partial line: not counted yet")
        os.rename(old, older)
        os.rename(log, old)
        common.append(old, b" (second)\n")
        completed = common.ticky_expect.Expectation()
        completed.feed(b"ERROR Partial (first) (second)")
        parts.append(("the completed line", completed))
        feed.written.merge(completed)
        common.append(old, take("G", 300))
        common.append(log, take("H", 700))
        once_exact("the line completed in the renamed file, more there, a new file")

        # 4. The new file is still empty at the run: the old one is read to
        #    its end, and the next run reads the new file from the start.
        common.append(log, take("I", 600))
        os.rename(old, older)
        os.rename(log, old)
        common.append(old, take("J", 400))
        with open(log, "wb"):
            pass
        once_exact("rename with an empty new file")
        common.append(log, take("K"))
        once_exact("then lines in the new file")
        check(feed.left == 0, "fixture problem: %d lines left" % feed.left)
        common.check_reports(ws.www, feed.written)
        named = dict(parts)
        in_files = common.ticky_expect.Expectation()
        for name in ("E", "F", "the completed line", "G", "H", "I", "J", "K"):
            in_files.merge(named[name])
        common.check_syslog_fixture([older, old, log], in_files, "traditional")
        say("every line of every file counted exactly once")


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
