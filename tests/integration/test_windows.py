# SPDX-License-Identifier: MIT
"""Time windows: counts per day and per hour, from the entries' own times.

Three batches logged 10 days, 3 days and 1 hour ago: report.json's last 24
hours must hold the last batch only, its last 7 days the last two, its days
every batch on its local date, and the all-time counts all three.
"""

import json
import os
import sys
import time

import common
from common import check, say

DAY = 86400 * 1000000


def window_sums(report, key):
    """INFO and ERROR summed over the users' window ``key``."""
    users = report["users"]
    return (sum(u[key]["info"] for u in users), sum(u[key]["error"] for u in users))


def body(args):
    """Batches at known ages, then the windows of report.json."""
    seed = 606 if args.seed is None else args.seed
    now = int(time.time() * 1000000)
    with common.Workspace(args.binary, args.keep) as ws:
        ws.write_config(extra="[report]\ntimezone = UTC\n")
        total = common.ticky_expect.Expectation()
        batches, spans = [], []
        for index, age in enumerate((10 * DAY, 3 * DAY, DAY // 24)):
            cfg = common.ticky_gen.GenConfig(seed=seed + index, ticky=2000, other=500, users=100,
                                             hostile=0.02, start_usec=now - age,
                                             start_seqnum=1 + index * 10000)
            result = ws.add_batch(cfg, "age%d" % index)
            batches.append(result.expectation)
            spans.append((now - age, result.next_usec - 1))
            total.merge(result.expectation)

        ws.once()
        common.check_reports(ws.www, total)
        report = json.loads(common.read_bytes(os.path.join(ws.www, "report.json")))

        t = [b.totals() for b in batches]
        check(window_sums(report, "last_24h") == (t[2]["info"], t[2]["error"]),
              "last 24 h: %s, expected the last batch %s" % (window_sums(report, "last_24h"), t[2]))
        check(window_sums(report, "last_7d") == (t[1]["info"] + t[2]["info"], t[1]["error"] + t[2]["error"]),
              "last 7 days: %s, expected the last two batches" % (window_sums(report, "last_7d"),))
        say("last 24 h and last 7 days hold exactly the batches of their age")

        days = {d["date"]: (d["info"], d["error"]) for d in report["days"]}
        for batch, (first, last) in zip(t, spans):
            # A batch spans seconds; one logged across midnight lands on two
            # dates, so its INFO is looked for on every date it touches.
            dates = sorted({time.strftime("%Y-%m-%d", time.gmtime(usec / 1000000))
                            for usec in (first, last)})
            found = sum(days.get(date, (0, 0))[0] for date in dates)
            check(found >= batch["info"],
                  "days %s: %d INFO, expected at least %s" % (dates, found, batch["info"]))
        check(sum(i + e for i, e in days.values()) == sum(b["info"] + b["error"] for b in t),
              "the days add up to %d events, expected %d"
              % (sum(i + e for i, e in days.values()), sum(b["info"] + b["error"] for b in t)))
        for e in report["errors"]:
            check(sum(e["daily"]) == e["count"], "daily counts of %r add up to %d, not %d"
                  % (e["message"][:40], sum(e["daily"]), e["count"]))
        say("%d days in report.json, on their UTC dates; every error's daily counts add up" % len(days))


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
