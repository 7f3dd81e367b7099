# SPDX-License-Identifier: MIT
"""Caps: a flood of distinct user names and messages stays within them.

With max_users and max_errors set, the tables keep that many keys; every
other event is counted in an "(other)" row at the end of the CSVs, the
totals still add up, the pages say the cap was reached, and so does the log.
"""

import os
import sys

import common
from common import check, say

MAX_USERS = 500
MAX_ERRORS = 5


def body(args):
    """100k entries of 50k user names against caps of 500 users, 5 messages."""
    seed = 808 if args.seed is None else args.seed
    with common.Workspace(args.binary, args.keep) as ws:
        ws.write_config(extra="[report]\nmax_users = %d\nmax_errors = %d\n" % (MAX_USERS, MAX_ERRORS))
        result = ws.add_batch(common.ticky_gen.GenConfig(seed=seed, ticky=100000, other=1000, users=50000,
                                                         hostile=0.05), "flood")
        t = result.expectation.totals()
        status, _, err = ws.run("--once")
        check(status == 0, "--once exited %d: %s" % (status, err[-2000:]))
        check("max_users" in err and "(other)" in err, "no warning about the caps in the log: %r" % err[-500:])
        say("the log says: %s" % err.strip().splitlines()[-1])

        users = common.read_csv(os.path.join(ws.www, "user_statistics.csv"))
        errors = common.read_csv(os.path.join(ws.www, "error_message.csv"))
        check(users[-1][0] == "(other)" and len(users) == 1 + MAX_USERS + 1,
              "user_statistics.csv: %d rows, last %r" % (len(users), users[-1]))
        check(errors[-1][0] == "(other)" and len(errors) == 1 + MAX_ERRORS + 1,
              "error_message.csv: %d rows, last %r" % (len(errors), errors[-1]))
        info = sum(int(r[1]) for r in users[1:])
        error = sum(int(r[2]) for r in users[1:])
        check((info, error) == (t["info"], t["error"]),
              "users add up to %s, expected %s" % ((info, error), (t["info"], t["error"])))
        check(sum(int(r[1]) for r in errors[1:]) == t["error"], "errors do not add up to %d" % t["error"])
        say("%d users and %d messages kept, the rest in (other); the totals add up" % (MAX_USERS, MAX_ERRORS))

        for page in ("index.html", "user_statistics.html", "error_message.html"):
            check(b"Cap reached" in common.read_bytes(os.path.join(ws.www, page)),
                  "%s does not say the cap was reached" % page)
        state = os.path.getsize(os.path.join(ws.state, "state"))
        say("the pages say so; the state file is %d bytes" % state)

        status, _, err = ws.run("--once")
        check(status == 0 and common.read_csv(os.path.join(ws.www, "user_statistics.csv")) == users,
              "a second run changed the counts")


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
