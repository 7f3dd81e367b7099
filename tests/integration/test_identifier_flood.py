# SPDX-License-Identifier: MIT
"""Another service's flood is skipped inside sd-journal, not in our code.

Two journals hold the same 2,000 ticky entries; the second also holds
200,000 entries of other identifiers, interleaved, whose messages are good
ticky lines. Both must give the same counts. And the flood must cost
(almost) nothing: the SYSLOG_IDENTIFIER match lets sd-journal walk only the
ticky entries, whereas filtering in user space would read every flood
entry. Instruction counts under callgrind are exact and do not depend on
the machine's load, so the comparison is deterministic.
"""

import os
import re
import shutil
import subprocess
import sys

import common
from common import check, say

TICKY = 2000
FLOOD_PER_TICKY = 100
# Reading one entry costs thousands of instructions; a user-space filter
# would make the flooded run many times dearer.
MAX_RATIO = 1.5


def entries(flood):
    for i in range(TICKY):
        level = b"ERROR Timeout while retrieving information" if i % 3 == 0 else b"INFO Created ticket [#%d]" % i
        yield b"ticky", b"%s (user%d)" % (level, i % 17)
        for k in range(FLOOD_PER_TICKY if flood else 0):
            yield (b"tickyd", b"ticky-flood", b"cron")[k % 3], b"ERROR Flood (intruder)"


def instructions(ws, name, flood):
    """Runs --once under callgrind on its own journal: (Ir, user CSV rows)."""
    journal, www, state = ws.path(name, "journal"), ws.path(name, "www"), ws.path(name, "state")
    os.makedirs(journal)
    export = ws.path(name + ".export")
    count = common.write_export(export, entries(flood))
    common.exports_to_journal([export], journal)
    conf = ws.write_config(www=www, state=state, journal=journal, path=ws.path(name + ".ini"))
    out = ws.path(name + ".callgrind")
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                           ws.binary, "-c", conf, "--once"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=common.ONCE_TIMEOUT)
    check(proc.returncode == 0, "--once under callgrind exited %d: %s"
          % (proc.returncode, proc.stderr.decode(errors="replace")[-2000:]))
    with open(out) as f:
        totals = re.search(r"^(?:totals|summary): (\d+)", f.read(), re.M)
    check(totals is not None, "no instruction total in %s" % out)
    rows = common.read_csv(os.path.join(www, "user_statistics.csv"))
    say("%s: %d entries, %s instructions" % (name, count, format(int(totals.group(1)), ",")))
    return int(totals.group(1)), rows


def body(args):
    # A test that cannot run fails: passing would claim a check that never ran.
    check(shutil.which("valgrind") is not None,
          "valgrind is not installed (Debian: apt-get install valgrind); this test needs its "
          "callgrind to count instructions")
    with common.Workspace(args.binary, args.keep) as ws:
        quiet, quiet_rows = instructions(ws, "ticky-only", flood=False)
        flooded, flooded_rows = instructions(ws, "flooded", flood=True)
        check(flooded_rows == quiet_rows, "the flood changed the counts")
        check(not any(r[0] == "intruder" for r in flooded_rows), "a flood entry was counted")
        ratio = flooded / quiet
        say("the flood of %d entries costs %.2fx the instructions of the ticky entries alone"
            % (TICKY * FLOOD_PER_TICKY, ratio))
        check(ratio < MAX_RATIO, "the flood is filtered in user space: %.2fx the instructions" % ratio)


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
