# SPDX-License-Identifier: MIT
"""The daemon under valgrind: no leak, no invalid access, on every path.

Start, a first import, new journal files while it runs, SIGHUP with a good
and with a broken configuration, SIGTERM: valgrind --leak-check=full must
report nothing, and the daemon must still count every entry exactly once.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

from e2e import check, common, say

VALGRIND = shutil.which("valgrind")
LIMIT = 60  # valgrind is slow; this is about the daemon being clean


def wait_for(predicate, timeout, what):
    """Poll predicate until it holds; fail with what after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise common.TestFailure("%s did not happen within %d s" % (what, timeout))


def shows(www, expectation):
    """True when the CSVs in www equal the expectation."""
    try:
        return (common.read_csv(os.path.join(www, "error_message.csv")) == expectation.error_table()
                and common.read_csv(os.path.join(www, "user_statistics.csv")) == expectation.user_table())
    except (common.TestFailure, OSError):
        return False


def body(args):
    """One life of the daemon, under valgrind."""
    check(VALGRIND, "valgrind is missing (Debian: valgrind)")
    seed = 707 if args.seed is None else args.seed
    with common.Workspace(args.binary, args.keep, prefix="ticky-vg-") as ws:
        ws.write_config(extra="interval = 1\n")
        total = common.ticky_expect.Expectation()
        result = ws.add_batch(common.ticky_gen.GenConfig(seed=seed, ticky=3000, other=1000, users=200,
                                                         hostile=0.05), "first")
        total.merge(result.expectation)

        log = ws.path("valgrind.log")
        proc = subprocess.Popen([VALGRIND, "--leak-check=full", "--show-leak-kinds=definite,indirect",
                                 "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
                                 "--log-file=" + log, args.binary, "-c", ws.conf],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        ws.processes.append(proc)
        wait_for(lambda: shows(ws.www, total), LIMIT, "the first import")
        say("first import counted under valgrind")

        result = ws.add_batch(common.next_config(result, seed=seed + 1, ticky=2000, other=500, users=200,
                                                 hostile=0.05), "second")
        total.merge(result.expectation)
        wait_for(lambda: shows(ws.www, total), LIMIT, "a journal file added while running")
        say("a file added while running counted")

        with open(ws.conf, "a") as f:
            f.write("[output]\ntitle = reloaded\n")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: b"reloaded" in common.read_bytes(os.path.join(ws.www, "index.html")), LIMIT,
                 "a reload with a good configuration")
        with open(ws.conf, "a") as f:
            f.write("this is not ini\n")
        proc.send_signal(signal.SIGHUP)
        time.sleep(3)
        check(proc.poll() is None, "the daemon died on a broken configuration")
        say("SIGHUP with a good and with a broken configuration")

        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=LIMIT)
        except subprocess.TimeoutExpired:
            raise common.TestFailure("no exit within %d s of SIGTERM" % LIMIT)
        report = open(log, errors="replace").read()
        check(proc.returncode == 0, "exit status %d; valgrind says:\n%s\n%s"
              % (proc.returncode, report[-3000:], err.decode(errors="replace")[-1000:]))
        check("ERROR SUMMARY: 0 errors" in report, "valgrind reports errors:\n%s" % report[-3000:])
        check(shows(ws.www, total), "the totals after SIGTERM are not exact")
        say("exit 0 after SIGTERM; valgrind: no leak, no error")


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
