# SPDX-License-Identifier: MIT
"""Three journal files arriving one at a time, --once after each."""

import os
import sys

import common
from common import check, say

BATCHES = 3


def body(args):
    """Incremental totals after each batch, then equal to one fresh import."""
    seed = 202 if args.seed is None else args.seed
    with common.Workspace(args.binary, args.keep) as ws:
        total = common.ticky_expect.Expectation()
        result = None
        for index in range(BATCHES):
            kwargs = dict(seed=seed + index, ticky=5000, other=3000, users=2500,
                          hostile=0.02)
            cfg = (common.next_config(result, **kwargs) if result
                   else common.ticky_gen.GenConfig(**kwargs))
            result = ws.add_batch(cfg, "batch%d" % index)
            total.merge(result.expectation)
            ws.once()
            say("after batch %d:" % index)
            common.check_reports(ws.www, total)

        incremental = common.snapshot(ws.www)
        fresh_conf = ws.write_config(www=ws.path("www-fresh"), state=ws.path("state-fresh"),
                                     path=ws.path("fresh.ini"))
        ws.once(conf=fresh_conf)
        say("fresh state over all %d files:" % BATCHES)
        common.check_reports(ws.path("www-fresh"), total)
        fresh = common.snapshot(ws.path("www-fresh"))
        for name in ("error_message.csv", "user_statistics.csv"):
            check(fresh[name][0] == incremental[name][0],
                  "%s of a fresh import differs from the incremental one" % name)
        say("a fresh import over all batches gives byte-identical CSVs")
        check(len(os.listdir(ws.journal)) >= BATCHES, "journal files vanished")


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
