# SPDX-License-Identifier: MIT
"""Syslog source, SIGKILL at random moments: every line still counted once.

1. --once over a 200k-line file, killed several times mid-way, then a
   final --once: exact totals.
2. The live daemon killed with SIGKILL while lines are appended (and once
   right after a rename rotation), restarted each time: exact totals.
"""

import os
import random
import signal
import sys
import time

import common
from common import check, say

KILLS = 8
LIVE_KILLS = 4


def state_signature(ws):
    """(name, size, mtime) of the state files: shows whether a checkpoint landed."""
    if not os.path.isdir(ws.state):
        return ()
    return tuple(sorted((n, os.stat(os.path.join(ws.state, n)).st_size,
                         os.stat(os.path.join(ws.state, n)).st_mtime_ns)
                        for n in os.listdir(ws.state)))


def check_pages_whole(www):
    """After a kill, each CSV present is complete (atomic replacement)."""
    headers = {"error_message.csv": ["Error", "Count"],
               "user_statistics.csv": ["Username", "INFO", "ERROR"]}
    for name, header in headers.items():
        path = os.path.join(www, name)
        if os.path.exists(path):
            rows = common.read_csv(path)
            check(rows and rows[0] == header, "%s is partial after a kill" % name)



def no_leftovers(ws):
    """No temporary file of a killed run is left behind."""
    for directory in (ws.www, ws.state):
        if os.path.isdir(directory):
            leftovers = [n for n in os.listdir(directory) if n.startswith(".")]
            check(not leftovers, "temporary files of killed runs left in %s: %s"
                  % (directory, leftovers))


def cut_at_lines(data, fractions):
    """``data`` cut at line ends near each fraction of its length."""
    pieces, start = [], 0
    for fraction in fractions:
        end = data.index(b"\n", max(start, int(len(data) * fraction))) + 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return pieces


def killed_once(args, seed, rng):
    """A big file, --once killed KILLS times as it grows, a final --once."""
    say("--- --once killed with SIGKILL")
    with common.SyslogWorkspace(args.binary, args.keep) as ws:
        cfg = common.ticky_gen.GenConfig(seed=seed, ticky=130_000, other=70_000,
                                         users=3000, hostile=0.01)
        started = time.monotonic()
        whole = ws.path("whole")
        result = common.ticky_gen.write_syslog(cfg, whole, "rfc5424")
        expectation = result.expectation
        say("generated %d lines, %s (%.1f s)" % (result.counts[0], common.totals_text(expectation),
                                                 time.monotonic() - started))
        common.check_syslog_fixture(whole, expectation, "rfc5424")

        ref = ws.write_config(www=ws.path("www-ref"), state=ws.path("state-ref"),
                              log=whole, path=ws.path("ref.ini"))
        duration = ws.once(conf=ref)
        common.check_csvs(ws.path("www-ref"), expectation)
        idle = min(ws.once(conf=ref) for _ in range(2))
        rate = max(duration - idle, 0.01) / os.path.getsize(whole)
        say("uninterrupted --once of the whole file takes %.3f s, with nothing new %.3f s"
            % (duration, idle))

        # 40 % at first, then a slice more before each run: every run has work.
        pieces = cut_at_lines(common.read_bytes(whole),
                              [0.4 + 0.6 * k / KILLS for k in range(KILLS)])
        common.append(ws.log, pieces[0])
        pending = len(pieces[0])        # bytes not yet saved in the state, as far as we know
        for attempt in range(KILLS):
            # Spread over the run's expected length (it grows while runs are
            # killed before they save): some early, some during the final
            # writes, some too late.
            expected = idle + rate * pending
            delay = expected * rng.uniform(0.3, 1.2)
            before = state_signature(ws)
            outcome = common.kill_once(ws, delay)
            saved = state_signature(ws) != before
            if saved:
                pending = 0
            say("run %d: %s; state %s" % (attempt + 1, outcome, "saved" if saved else "unchanged"))
            check_pages_whole(ws.www)
            common.append(ws.log, pieces[attempt + 1])
            pending += len(pieces[attempt + 1])
        ws.once()
        common.check_csvs(ws.www, expectation)
        common.check_index(ws.www, expectation)
        no_leftovers(ws)
        say("final --once: exact, %s" % common.totals_text(expectation))


def killed_daemon(args, seed, rng):
    """The live daemon SIGKILLed while lines are appended, restarted each time."""
    say("--- live daemon killed with SIGKILL")
    with common.SyslogWorkspace(args.binary, args.keep, interval=1) as ws:
        cfg = common.ticky_gen.GenConfig(seed=seed, ticky=25_000, other=12_000, users=1000,
                                         hostile=0.02)
        feed = common.SyslogFeed(cfg, "traditional")
        common.append(ws.log, feed.take(3000))
        chunk = max(2, feed.left // (LIVE_KILLS * 30))
        for attempt in range(LIVE_KILLS):
            daemon = ws.daemon()
            # Write in chunks for a while; the kill comes right after a write,
            # while the daemon is reading it.
            until = time.monotonic() + rng.uniform(0.5, 2.5)
            writes = 0
            while feed.left:
                common.append(ws.log, feed.take(rng.randrange(1, chunk)))
                writes += 1
                if attempt == 1 and writes == 1:
                    os.rename(ws.log, ws.log + ".1")
                    say("renamed the file to .1 while running")
                if time.monotonic() >= until:
                    break
                time.sleep(rng.uniform(0.0, 0.1))
            daemon.check_running("while lines were appended")
            daemon.kill()
            # More lines while it is down.
            common.append(ws.log, feed.take(rng.randrange(1, chunk)))
            say("kill %d after %d writes (%d lines left)" % (attempt + 1, writes, feed.left))
        common.append(ws.log, feed.take())
        daemon = ws.daemon()
        say("restarted once more: pages exact in %.1f s"
            % common.wait_csvs(ws.www, feed.written, 30, daemon))
        daemon.stop(signal.SIGTERM)
        ws.once()
        common.check_reports(ws.www, feed.written)
        no_leftovers(ws)
        say("after SIGTERM, a --once still finds %s" % common.totals_text(feed.written))


def body(args):
    """Both halves."""
    seed = 1401
    kill_seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    say("kill moments drawn with --seed %d" % kill_seed)
    rng = random.Random(kill_seed)
    killed_once(args, seed, rng)
    killed_daemon(args, seed + 10, rng)


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
