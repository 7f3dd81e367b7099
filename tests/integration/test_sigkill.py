# SPDX-License-Identifier: MIT
"""SIGKILL during a long import: every entry still counted exactly once."""

import os
import random
import sys
import time

import common
from common import check, say

KILLS = 5


def check_pages_whole(www):
    """After a kill, each report present is complete (atomic replacement)."""
    if not os.path.isdir(www):
        return
    headers = {"error_message.csv": ["Error", "Count"],
               "user_statistics.csv": ["Username", "INFO", "ERROR"]}
    for name, header in headers.items():
        path = os.path.join(www, name)
        if os.path.exists(path):
            rows = common.read_csv(path)
            check(rows and rows[0] == header, "%s is partial after a kill" % name)
    for name in common.HTML_FILES:
        path = os.path.join(www, name)
        if os.path.exists(path):
            data = common.read_bytes(path).rstrip().lower()
            check(data.endswith(b"</html>"), "%s is partial after a kill" % name)



def state_signature(ws):
    """(name, size, mtime) of the state files: shows whether a checkpoint landed."""
    if not os.path.isdir(ws.state):
        return ()
    return tuple(sorted((n, os.stat(os.path.join(ws.state, n)).st_size,
                         os.stat(os.path.join(ws.state, n)).st_mtime_ns)
                        for n in os.listdir(ws.state)))


def body(args):
    """Measure a clean run, kill resumed runs at random moments, then finish."""
    seed = 303
    # The moments of the kills differ from run to run unless --seed is given.
    kill_seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    say("kill moments drawn with --seed %d" % kill_seed)
    rng = random.Random(kill_seed)
    with common.Workspace(args.binary, args.keep) as ws:
        cfg = common.ticky_gen.GenConfig(seed=seed, ticky=300_000, other=150_000,
                                         users=2000, hostile=0.01)
        result = ws.add_batch(cfg, "big", split=3)
        expectation = result.expectation
        common.check_fixture(ws.journal, expectation)

        ref_conf = ws.write_config(www=ws.path("www-ref"), state=ws.path("state-ref"),
                                   path=ws.path("ref.ini"))
        duration = ws.once(conf=ref_conf)
        say("uninterrupted --once takes %.3f s" % duration)
        common.check_csvs(ws.path("www-ref"), expectation)
        common.check_index(ws.path("www-ref"), expectation)

        for attempt in range(KILLS):
            delay = rng.uniform(0.0, duration)
            before = state_signature(ws)
            outcome = common.kill_once(ws, delay)
            after = state_signature(ws)
            say("run %d: %s; state %s" % (attempt + 1, outcome,
                                          "saved" if after != before else "unchanged"))
            check_pages_whole(ws.www)

        started = time.monotonic()
        ws.once()
        say("final --once completed in %.3f s" % (time.monotonic() - started))
        common.check_csvs(ws.www, expectation)
        common.check_index(ws.www, expectation)
        for directory in (ws.www, ws.state):
            leftovers = [n for n in os.listdir(directory) if n.startswith(".")]
            check(not leftovers, "temporary files of killed runs left in %s: %s"
                  % (directory, leftovers))


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
