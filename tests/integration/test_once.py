# SPDX-License-Identifier: MIT
"""One hostile journal, --once: reports equal the independent expectation."""

import os
import sys

import common
from common import check, say


def body(args):
    """Import one journal, check every report, then check idempotence."""
    seed = 101 if args.seed is None else args.seed
    with common.Workspace(args.binary, args.keep) as ws:
        cfg = common.ticky_gen.GenConfig(seed=seed, ticky=8000, other=6000, users=3000,
                                         hostile=0.03)
        result = ws.add_batch(cfg, "once")
        common.check_fixture(ws.journal, result.expectation)

        elapsed = ws.once()
        say("--once took %.2f s" % elapsed)
        common.check_reports(ws.www, result.expectation)
        check(os.listdir(ws.state), "state directory %s is empty after --once" % ws.state)

        before = common.snapshot(ws.www)
        ws.once()
        after = common.snapshot(ws.www)
        for name in ("error_message.csv", "user_statistics.csv"):
            check(before[name][0] == after[name][0],
                  "%s changed on a second --once with nothing new" % name)
        common.check_reports(ws.www, result.expectation)
        say("a second --once with nothing new leaves the CSVs identical")


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
