# SPDX-License-Identifier: MIT
"""Entries that arrive late on a collector: each counted exactly once.

A systemd-journal-remote collector keeps one file per host. Entries older
than what was already read still arrive: a new host's backlog, a host's
delayed upload appended to its file, a host that rebooted (new boot ID,
monotonic clock starting over). Files are rotated (renamed, a new one
started) and vacuumed. After every change, ``--once`` must have counted
every entry of every file exactly once, whatever its timestamp (SPEC.md,
"Durability"): the position read is kept per journal file, not as one
point in the merged time order.
"""

import os
import sys

import collector
import common
from collector import SECOND, T0, Upload
from common import check, say


def step(ws, files, total, title, parts):
    """Prove the files hold what was uploaded, then one --once and the reports."""
    present = common.ticky_expect.Expectation()
    for expectation in files.values():
        present.merge(expectation)
    check(common.same_counts(common.journal_expectation(ws.journal), present),
          "fixture problem: the journal files do not hold exactly what was uploaded")
    collector.step(ws, total, title, parts)


def body(args):
    """Hosts h1, h2, then a new host, a delayed upload, a reboot, a rotation, a vacuum."""
    seed = 606 if args.seed is None else args.seed
    content = dict(users=400, hostile=0.02)
    with common.Workspace(args.binary, args.keep) as ws:
        total = common.ticky_expect.Expectation()
        parts = []
        files = {}      # journal file -> the expectation of what it holds

        def add(name, batch, path=None):
            """Upload ``batch`` (to its host's file or ``path``) and expect it."""
            collector.upload(ws.journal, batch, path)
            total.merge(batch.expectation)
            parts.append((name, batch.expectation))
            files.setdefault(batch.path, common.ticky_expect.Expectation()).merge(batch.expectation)
            say("%s: %d entries into %s, %s" % (name, batch.count, os.path.basename(batch.path),
                                                common.totals_text(batch.expectation)))
            return batch

        h1 = add("h1", Upload(b"h1", T0 + 100_003, seed=seed, ticky=1400, other=800, **content))
        h2 = add("h2", Upload(b"h2", T0 + 200_007, seed=seed + 1, ticky=2000, other=1000, **content))
        check(h1.last_usec < h2.last_usec, "fixture: h2's newest entry must be the newest")
        step(ws, files, total, "h1 and h2 read:", parts)

        # a. A new host whose entries are all older than everything read.
        h3 = add("h3 backlog", Upload(b"h3", T0 - 8000 * SECOND, step_usec=2 * SECOND,
                                      seed=seed + 2, ticky=1500, other=500, **content))
        check(h3.last_usec < T0, "fixture: h3's backlog must be older than h1 and h2")
        step(ws, files, total, "new host h3, all older than what was read: counted once", parts)

        # b. A delayed upload of h1, older than h2's newest entry already read.
        late = add("h1 delayed", Upload(b"h1", h1.end_usec + 500_011, step_usec=800_000,
                                        seed=seed + 3, ticky=600, other=300, **content))
        check(late.last_usec < h2.last_usec, "fixture: h1's delayed upload must end before h2's newest")
        step(ws, files, total, "h1's delayed upload appended to its file: counted once", parts)

        # c. h1 rebooted: a new boot ID, the monotonic clock starts over.
        reboot = add("h1 rebooted", Upload(b"h1", late.end_usec + 30 * SECOND, step_usec=500_000,
                                           boot=1, monotonic_usec=3 * SECOND, seed=seed + 4,
                                           ticky=500, other=250, **content))
        step(ws, files, total, "h1 rebooted (new boot ID, monotonic from 3 s): counted once", parts)

        # d. h2's file rotated: renamed as journald archives it, a new file started.
        h2_path = collector.host_file(ws.journal, b"h2")
        archived = os.path.join(ws.journal, collector.Header(h2_path).archived_name(b"h2"))
        os.rename(h2_path, archived)
        files[archived] = files.pop(h2_path)
        say("rotated: remote-h2.journal renamed %s" % os.path.basename(archived))
        newer = max(reboot.end_usec, h2.end_usec) + 60 * SECOND
        add("h2 after rotation", Upload(b"h2", newer + 700_001, seed=seed + 5, ticky=800, other=400,
                                        **content))
        step(ws, files, total, "rotation: nothing recounted, the new file counted", parts)

        # e. Vacuum: h3's file and h2's archived file deleted, h1 and h2 go on.
        for path in (collector.host_file(ws.journal, b"h3"), archived):
            os.unlink(path)
            del files[path]
        say("vacuumed: remote-h3.journal and %s deleted" % os.path.basename(archived))
        start = newer + 2000 * SECOND
        add("h1 after vacuum", Upload(b"h1", start + 300_017, boot=1,
                                      monotonic_usec=reboot.monotonic_usec + start - reboot.start_usec,
                                      seed=seed + 6, ticky=600, other=300, **content))
        add("h2 after vacuum", Upload(b"h2", start + 100_019, seed=seed + 7, ticky=600, other=300,
                                      **content))
        step(ws, files, total, "after the vacuum: nothing lost, nothing recounted", parts)

        before = common.snapshot(ws.www)
        step(ws, files, total, "a last --once with nothing new:", parts)
        after = common.snapshot(ws.www)
        for name in ("error_message.csv", "user_statistics.csv"):
            check(before[name][0] == after[name][0],
                  "%s changed on a --once with nothing new" % name)
        say("a --once with nothing new leaves the CSVs identical")


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
