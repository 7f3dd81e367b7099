# SPDX-License-Identifier: MIT
"""A million distinct user names, and a flood of look-alike identifiers.

1,000,000 ticky entries, each from a user never seen before, a quarter of
them errors with a message never seen before, interleaved with 200,000
entries of other identifiers that carry perfectly good ticky lines
("ticky-flood", "Ticky", "ticky2", "tickyd"). With caps of 1,000 users and
100 messages, ticky-reportd keeps that many rows and one "(other)" row,
says so in the log, counts every ticky event and none of the others, and
its anonymous memory and state file stay the size of the caps, not of the
flood.
"""

import os
import subprocess
import sys
import time

import common
from common import check, say

USERS = 1_000_000
FLOOD = 200_000
MAX_USERS = 1000
MAX_ERRORS = 100
# Caps of 1,000 rows, in tables of days and hours too: a few MB. Without
# caps this run holds over 100 MB of keys.
ANON_LIMIT_KIB = 48 * 1024
STATE_LIMIT_BYTES = 2 * 1024 * 1024
LOOKALIKES = (b"ticky-flood", b"Ticky", b"ticky2", b"tickyd")


def entries(first, count):
    """Entries first..first+count-1 of the ticky stream, with the look-alikes."""
    per_flood = USERS // FLOOD
    for i in range(first, first + count):
        if i % 4 == 3:
            yield b"ticky", b"ERROR Failure number %d (u%07d)" % (i, i)
        else:
            yield b"ticky", b"INFO Created ticket [#%d] (u%07d)" % (i, i)
        if i % per_flood == 0:
            yield LOOKALIKES[(i // per_flood) % len(LOOKALIKES)], b"ERROR Flood (intruder)"


def make_journal(ws):
    """Two halves, converted side by side."""
    started = time.monotonic()
    half = USERS // 2
    exports = [ws.path("part-%d.export" % k) for k in range(2)]
    for k, path in enumerate(exports):
        common.write_export(path, entries(k * half, half))
    common.exports_to_journal(exports, ws.journal)
    say("generated %d ticky entries of %d users and %d look-alike ones in %.1f s"
        % (USERS, USERS, FLOOD, time.monotonic() - started))


def rss_anon_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_sampled(ws):
    """--once, sampling RssAnon: (status, stderr, peak RssAnon in KiB)."""
    err_path = ws.path("once.err")
    with open(err_path, "wb") as err:
        proc = subprocess.Popen([ws.binary, "-c", ws.conf, "--once"], stdout=subprocess.DEVNULL, stderr=err)
        ws.processes.append(proc)
        peak = 0
        deadline = time.monotonic() + common.ONCE_TIMEOUT
        while proc.poll() is None:
            check(time.monotonic() < deadline, "--once did not finish")
            peak = max(peak, rss_anon_kib(proc.pid))
            time.sleep(0.005)
    with open(err_path, "rb") as f:
        return proc.returncode, f.read().decode(errors="replace"), peak


def body(args):
    with common.Workspace(args.binary, args.keep) as ws:
        ws.write_config(extra="[report]\nmax_users = %d\nmax_errors = %d\n" % (MAX_USERS, MAX_ERRORS))
        make_journal(ws)

        started = time.monotonic()
        status, err, peak_anon = run_sampled(ws)
        check(status == 0, "--once exited %d: %s" % (status, err[-2000:]))
        say("--once: %.1f s, peak RssAnon %d KiB" % (time.monotonic() - started, peak_anon))
        check("max_users" in err and "(other)" in err, "no warning about the caps in the log: %r" % err[-500:])

        users = common.read_csv(os.path.join(ws.www, "user_statistics.csv"))
        errors = common.read_csv(os.path.join(ws.www, "error_message.csv"))
        check(len(users) == 1 + MAX_USERS + 1 and users[-1][0] == "(other)",
              "user_statistics.csv: %d rows, last %r" % (len(users), users[-1]))
        check(len(errors) == 1 + MAX_ERRORS + 1 and errors[-1][0] == "(other)",
              "error_message.csv: %d rows, last %r" % (len(errors), errors[-1]))
        info = sum(int(r[1]) for r in users[1:])
        error = sum(int(r[2]) for r in users[1:])
        check((info, error) == (USERS - USERS // 4, USERS // 4),
              "INFO/ERROR add up to %d/%d: the look-alikes were counted, or events lost" % (info, error))
        check(not any(r[0] == "intruder" for r in users) and not any(r[0] == "Flood" for r in errors),
              "an entry of another identifier was counted")
        say("%d users and %d messages kept, the other %d users in (other); %d INFO + %d ERROR, no look-alike"
            % (MAX_USERS, MAX_ERRORS, USERS - MAX_USERS, info, error))

        state = os.path.getsize(os.path.join(ws.state, "state"))
        say("state file: %d bytes" % state)
        check(state < STATE_LIMIT_BYTES, "the state file grew with the flood: %d bytes" % state)
        if os.environ.get("TICKY_SANITIZED") == "1":
            say("peak RssAnon not checked: AddressSanitizer's shadow memory is anonymous")
        else:
            check(peak_anon < ANON_LIMIT_KIB, "peak RssAnon %d KiB grew with the flood" % peak_anon)


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
