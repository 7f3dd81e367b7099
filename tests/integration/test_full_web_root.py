# SPDX-License-Identifier: MIT
"""A web root and a state directory that are full when the daemon starts.

The output and state directories are each a 1 MiB tmpfs filled to the
last byte before the daemon starts, and the pages are larger than stdio's
buffer (so the failure comes from a write in the middle of a page, not
from the final flush). The daemon must log, for each, that it cannot be
written because there is no space left on device (not "Input/output
error"), send READY=1, count the journal, and write the pages and the
state at the first interval after space is freed, with every count; then
stop with exit status 0. Needs root, to mount the tmpfs.
"""

import os
import subprocess
import sys
import time

import common
from common import check, say

INTERVAL = 1


def fill(directory):
    """Writes a file into directory until the file system is full."""
    fd = os.open(os.path.join(directory, "filler"), os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 512)
    except OSError:
        pass
    finally:
        os.close(fd)


def body(args):
    """Start on a full web root, then free it."""
    check(os.geteuid() == 0, "needs root to mount a small tmpfs for the web root")
    seed = 303 if args.seed is None else args.seed
    with common.Workspace(args.binary, args.keep) as ws:
        result = ws.add_batch(common.ticky_gen.GenConfig(seed=seed, ticky=4000, other=500, users=3000), "full")
        mounted = []
        try:
            for directory in (ws.www, ws.state):
                os.makedirs(directory, exist_ok=True)
                subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", directory], check=True)
                mounted.append(directory)
                fill(directory)
            ws.write_config(extra="interval = %d\n" % INTERVAL)
            daemon = ws.daemon()
            say("READY=1 with a full web root and a full state directory")
            time.sleep(2 * INTERVAL + 1)
            daemon.check_running("with a full web root")
            log = daemon.stderr()
            for what in ("pages", "state"):
                check("Writing the %s failed: No space left on device" % what in log,
                      "the failed write of the %s is not logged as such:\n%s" % (what, log[-2000:]))
            check(not os.path.exists(os.path.join(ws.www, "user_statistics.csv")), "pages written on a full disk?")
            say("each failed write is logged with its reason, and the daemon counts on")

            for directory in mounted:
                os.unlink(os.path.join(directory, "filler"))
            common.wait_csvs(ws.www, result.expectation, timeout=INTERVAL + 5, daemon=daemon)
            common.check_reports(ws.www, result.expectation)
            check(os.path.exists(os.path.join(ws.state, "state")), "no state saved once space was freed")
            say("space freed: the pages show every count within the interval, and the state is saved")
            daemon.stop()
        finally:
            ws.stop_all()
            for directory in mounted:
                subprocess.run(["umount", directory], check=False)


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
