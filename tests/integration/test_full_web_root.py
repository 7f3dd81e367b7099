# SPDX-License-Identifier: MIT
"""A web root that is full when the daemon starts: it counts on all the same.

The output directory is a 1 MiB tmpfs filled to the last byte before the
daemon starts. The daemon must log that the pages cannot be written,
send READY=1, count the journal, and write the pages at the first interval
after space is freed, with every count (and stop with exit status 0).
Needs root, to mount the tmpfs.
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
        result = ws.add_batch(common.ticky_gen.GenConfig(seed=seed, ticky=2000, other=500, users=100), "full")
        os.makedirs(ws.www)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", ws.www], check=True)
        try:
            fill(ws.www)
            ws.write_config(extra="interval = %d\n" % INTERVAL)
            daemon = ws.daemon()
            say("READY=1 with a full web root")
            time.sleep(2 * INTERVAL + 1)
            daemon.check_running("with a full web root")
            log = daemon.stderr()
            check("No space left on device" in log, "the failed page write is not logged as such:\n%s" % log[-2000:])
            check(not os.path.exists(os.path.join(ws.www, "user_statistics.csv")), "pages written on a full disk?")
            say("the failed write is logged, and the daemon counts on")

            os.unlink(os.path.join(ws.www, "filler"))
            common.wait_csvs(ws.www, result.expectation, timeout=INTERVAL + 5, daemon=daemon)
            common.check_reports(ws.www, result.expectation)
            say("space freed: the pages show every count within the interval")
            daemon.stop()
        finally:
            ws.stop_all()
            subprocess.run(["umount", ws.www], check=False)


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
