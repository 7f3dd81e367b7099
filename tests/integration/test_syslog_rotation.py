# SPDX-License-Identifier: MIT
"""Syslog source, live daemon: rotation by rename and by copytruncate.

The daemon (interval 1) follows the file like tail -F. Lines are written
before, across and after each rotation, some in pieces; the pages must
reach exactly the expected totals within a few seconds, nothing lost and
nothing counted twice; SIGTERM then exits 0 and a --once finds nothing new.
"""

import contextlib
import os
import random
import shutil
import signal
import sys
import time

import common
from common import check, say

SETTLE = 15         # seconds for the pages to show what was written


def trickle(path, data, rng, pieces=8, pause=0.05, handle=None):
    """Append ``data`` in ``pieces`` random cuts (mid-line too), pausing between."""
    cuts = sorted(rng.randrange(1, len(data)) for _ in range(pieces - 1)) if len(data) > 1 else []
    bounds = [0] + cuts + [len(data)]
    for start, end in zip(bounds, bounds[1:]):
        if handle is not None:
            handle.write(data[start:end])
            handle.flush()
        else:
            common.append(path, data[start:end])
        time.sleep(pause)


def copytruncate(log, old):
    """logrotate's copytruncate: the older copy moves to .2, the file is
    copied to .1 and truncated in place."""
    os.rename(old, log + ".2")
    shutil.copyfile(log, old)
    os.truncate(log, 0)


@contextlib.contextmanager
def stopped(daemon):
    """The daemon held by SIGSTOP (seen stopped in /proc) until SIGCONT on
    leaving: what is written meanwhile is there in full when it reads next."""
    daemon.send_signal(signal.SIGSTOP)
    try:
        deadline = time.monotonic() + 5
        while True:
            with open("/proc/%d/stat" % daemon.pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state == "T":
                break
            check(time.monotonic() < deadline,
                  "the daemon did not stop on SIGSTOP (state %s)" % state)
            time.sleep(0.01)
        yield
    finally:
        daemon.proc.send_signal(signal.SIGCONT)


def wait_user(www, user, timeout, daemon):
    """Wait until user_statistics.csv has a row for ``user``; the seconds it took."""
    path = os.path.join(www, "user_statistics.csv")
    started = time.monotonic()
    while not any(row[:1] == [user] for row in common.read_csv(path)):
        daemon.check_running("while waiting for the user %s" % user)
        check(time.monotonic() < started + timeout, "the user %s is not on the pages after %.0f s"
              % (user, timeout))
        time.sleep(0.1)
    return time.monotonic() - started


def missing_at_start(args, seed):
    """Like tail -F: a file that does not exist yet is read once it appears."""
    with common.SyslogWorkspace(args.binary, args.keep, interval=1) as ws:
        cfg = common.ticky_gen.GenConfig(seed=seed, ticky=1000, other=500, users=100)
        feed = common.SyslogFeed(cfg, "traditional")
        daemon = ws.daemon()
        time.sleep(0.5)
        common.append(ws.log, feed.take())
        say("file created after the start: pages exact in %.1f s"
            % common.wait_csvs(ws.www, feed.written, SETTLE, daemon))
        daemon.stop(signal.SIGTERM)


def body(args):
    """Rename rotation, then copytruncate rotation, on one running daemon."""
    seed = 1201 if args.seed is None else args.seed
    rotations(args, seed)
    missing_at_start(args, seed + 1)


def rotations(args, seed):
    """Rename rotation, then copytruncate rotation, on one running daemon."""
    rng = random.Random(seed)
    with common.SyslogWorkspace(args.binary, args.keep, interval=1) as ws:
        cfg = common.ticky_gen.GenConfig(seed=seed, ticky=14000, other=7000, users=300,
                                         hostile=0.03)
        feed = common.SyslogFeed(cfg, "rfc3339")
        log, old = ws.log, ws.log + ".1"
        parts = []

        def part(name, data, expectation):
            parts.append((name, expectation))
            return data

        common.append(ws.log, part("A", *feed.take_expect(3000)))
        daemon = ws.daemon()
        say("daemon started on a file of 3000 lines, pages in %.1f s"
            % common.wait_csvs(ws.www, feed.written, SETTLE, daemon, parts))

        # Rename rotation. B: written live before, its last line cut: the
        # rename comes while the old file ends with half a line; C: the
        # rest of that line and more, to the old file (open handle) after
        # the rename; D1: the new file's first lines, right away; D2: in
        # pieces, later.
        with open(log, "ab") as handle:
            data = part("B", *feed.take_expect(1500))
            trickle(log, data[:-20], rng, handle=handle)
            os.rename(log, old)
            handle.write(data[-20:] + part("C", *feed.take_expect(700)))
            handle.flush()
        common.append(log, part("D1", *feed.take_expect(400)))
        trickle(log, part("D2", *feed.take_expect(1400)), rng)
        say("rename rotation: B before (ending in half a line), C to the renamed file, "
            "D1 and D2 to the new one; pages exact in %.1f s"
            % common.wait_csvs(ws.www, feed.written, SETTLE, daemon, parts))

        # Rename, and the new file stays empty for a while: the daemon keeps
        # reading the old one, where lines still arrive (an old handle).
        with open(log, "ab") as handle:
            os.rename(old, ws.log + ".2")
            os.rename(log, old)
            with open(log, "wb"):
                pass
            time.sleep(0.5)
            trickle(log, part("C2", *feed.take_expect(600)), rng, pieces=4, pause=0.2,
                    handle=handle)
        common.append(log, part("D3", *feed.take_expect(300)))
        say("rename with the new file empty for a while, lines still going to the old "
            "one: pages exact in %.1f s"
            % common.wait_csvs(ws.www, feed.written, SETTLE, daemon, parts))

        # Rename again onto an existing .1 (logrotate shifts it to .2 first),
        # with no pause at all between the writes and the renames.
        common.append(log, part("E", *feed.take_expect(900)))
        os.rename(old, ws.log + ".2")
        os.rename(log, old)
        common.append(log, part("F", *feed.take_expect(900)))
        say("second rename rotation without pauses: pages exact in %.1f s"
            % common.wait_csvs(ws.www, feed.written, SETTLE, daemon, parts))

        # copytruncate, settled first: G is counted before the copy. As
        # logrotate does, .1 is shifted to .2 and the copy is a new .1.
        common.append(log, part("G", *feed.take_expect(1200)))
        common.wait_csvs(ws.www, feed.written, SETTLE, daemon, parts)
        copytruncate(log, old)
        trickle(log, part("H", *feed.take_expect(800)), rng)
        say("copytruncate after the pages caught up: pages exact in %.1f s"
            % common.wait_csvs(ws.www, feed.written, SETTLE, daemon, parts))

        # copytruncate across: I written, copied and truncated at once, J a
        # short write after (less than what was there), then K a long one.
        common.append(log, part("I", *feed.take_expect(1500)))
        copytruncate(log, old)
        common.append(log, part("J", *feed.take_expect(50)))
        time.sleep(0.3)
        trickle(log, part("K", *feed.take_expect(3000)), rng)
        say("copytruncate right after a write: pages exact in %.1f s"
            % common.wait_csvs(ws.www, feed.written, SETTLE, daemon, parts))

        # copytruncate, then at once more than the file held: its size never
        # looks smaller than what was read.
        common.append(log, part("M", *feed.take_expect(500)))
        copytruncate(log, old)
        common.append(log, part("N", *feed.take_expect(1500)))
        say("copytruncate followed at once by a larger write: pages exact in %.1f s"
            % common.wait_csvs(ws.www, feed.written, SETTLE, daemon, parts))

        # The rest, then a line whose LF comes only after the daemon has read
        # the rest of it and written pages. A whole line and that start are
        # written while the daemon is stopped, so its next read takes both:
        # it reads to the end of the file before it writes pages, so the
        # pages that show the whole line come after it saw the unfinished one.
        common.append(log, part("L", *feed.take_expect()))
        common.wait_csvs(ws.www, feed.written, SETTLE, daemon, parts)
        prefix = b"2026-12-01T10:00:00.000001+00:00 helpdesk01 ticky[4242]: "
        whole = prefix + b"INFO Read with it (whole)\n"
        head = prefix + b"ERROR Partial (first)"
        with stopped(daemon):
            common.append(log, whole + head)
        before = common.ticky_expect.Expectation()
        before.feed(b"INFO Read with it (whole)")
        parts.append(("the whole line before it", before))
        feed.written.merge(before)
        took = wait_user(ws.www, "whole", SETTLE, daemon)
        check(common.csvs_equal(ws.www, feed.written),
              "a line without its LF was counted: %s"
              % common.explain_counts(ws.www, parts))
        common.append(log, b" (second)\n")
        last = common.ticky_expect.Expectation()
        last.feed(b"ERROR Partial (first) (second)")
        parts.append(("the completed line", last))
        feed.written.merge(last)
        say("a line without its LF, read with a whole line (pages in %.1f s), is not counted; "
            "completed, it counts once, whole: pages exact in %.1f s"
            % (took, common.wait_csvs(ws.www, feed.written, SETTLE, daemon, parts)))

        elapsed = daemon.stop(signal.SIGTERM)
        say("SIGTERM: exit 0 in %.2f s" % elapsed)
        common.check_reports(ws.www, feed.written)
        ws.once()
        common.check_reports(ws.www, feed.written)
        say("a --once after the stop finds nothing new: %s" % common.totals_text(feed.written))


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
