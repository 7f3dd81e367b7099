# SPDX-License-Identifier: MIT
"""Report pages for the browser tests, written by the real ticky-reportd.

    make_pages.py --binary build/ticky-reportd --out DIR [--big]

Generates journal files (tests/fixtures/ticky_gen.py, converted by
systemd-journal-remote), runs ``ticky-reportd --once`` on them and prints a
JSON description on stdout: the output directory and the rows of both CSVs
as Python's csv module reads them, which the browser test compares with
what the pages show.

- default: the classic fixture with hostile messages (markup, invalid
  UTF-8, 20 KiB and 64 KiB messages), spread over the last 12 days so that
  per-day counts and time windows have something to show;
- ``--big``: 10,000 users and 1,000 distinct error messages over the last
  14 days, for page weight and render time.

``--caps`` adds ``[report] max_users = 20, max_errors = 8``: the rows beyond
them go to the "(other)" rows.
"""

import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "fixtures"))

import ticky_gen  # noqa: E402

DAY_USEC = 86_400 * 1_000_000
TITLE = "ticky <browser> & 'co'"


def now_usec():
    return int(time.time() * 1_000_000)


def sample_journal(journal):
    """Twelve daily batches of classic traffic, the last one an hour ago."""
    days = 12
    start = now_usec() - (days - 1) * DAY_USEC - 3_600_000_000
    seqnum = 1
    for day in range(days):
        # the last day has every kind of hostile entry (ticky_gen uses them in turn)
        cfg = ticky_gen.GenConfig(seed=4404 + day, ticky=400 if day == days - 1 else 60 + 25 * (day % 5),
                                  other=20, users=30, hostile=0.15 if day == days - 1 else 0.0,
                                  start_usec=start + day * DAY_USEC, start_seqnum=seqnum)
        result = ticky_gen.make_journal(cfg, journal, "day%02d" % day)
        seqnum = result.next_seqnum


def big_journal(journal, work):
    """10,000 users, each with INFO events, and 1,000 error messages with
    counts from 1 to ~3,000, over the last 14 days."""
    rng = random.Random(7)
    users = ticky_gen.make_usernames(10_000, seed=7)
    messages = []
    for user in users:
        for _ in range(rng.randrange(1, 4)):
            messages.append(b"INFO Created ticket [#%d] (%s)" % (rng.randrange(1000, 99999), user))
    verbs = (b"retrieving information", b"updating the ticket", b"closing the ticket",
             b"adding a comment", b"reading attachments")
    for j in range(1000):
        text = b"Failure %03d: timeout while %s on shard %d" % (j, verbs[j % len(verbs)], j % 17)
        for _ in range(max(1, 3000 // (j + 1))):
            messages.append(b"ERROR %s (%s)" % (text, rng.choice(users)))
    rng.shuffle(messages)
    cfg = ticky_gen.GenConfig(start_usec=now_usec() - 14 * DAY_USEC)
    step = 14 * DAY_USEC // len(messages)
    export = os.path.join(work, "big.export")
    realtime, seqnum = cfg.start_usec, 1
    with open(export, "wb") as out:
        for message in messages:
            out.write(ticky_gen.entry_bytes(cfg, seqnum, realtime, b"ticky", message,
                                            3 if message.startswith(b"ERROR") else 6, b"syslog"))
            realtime += step
            seqnum += 1
    ticky_gen.to_journal(export, journal, "big")
    os.unlink(export)


def read_csv(path):
    with open(path, "rb") as f:
        return list(csv.reader(io.StringIO(f.read().decode("utf-8"), newline="")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--out", required=True, help="a new directory for everything")
    parser.add_argument("--big", action="store_true")
    parser.add_argument("--caps", action="store_true")
    args = parser.parse_args()

    root = os.path.abspath(args.out)
    journal, www, state = (os.path.join(root, d) for d in ("journal", "www", "state"))
    os.makedirs(journal)
    started = time.monotonic()
    if args.big:
        big_journal(journal, root)
    else:
        sample_journal(journal)
    generated = time.monotonic() - started
    conf = os.path.join(root, "ticky.ini")
    with open(conf, "w") as f:
        f.write("[journal]\ndirectory = %s\n[output]\ndirectory = %s\ntitle = %s\n"
                "[daemon]\nstate_directory = %s\n" % (journal, www, TITLE, state))
        if args.caps:
            f.write("[report]\nmax_users = 20\nmax_errors = 8\n")
    started = time.monotonic()
    proc = subprocess.run([args.binary, "-c", conf, "--once"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=300)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode(errors="replace"))
        sys.exit("ticky-reportd --once exited %d" % proc.returncode)
    json.dump({"www": www, "title": TITLE,
               "generate_seconds": round(generated, 2),
               "once_seconds": round(time.monotonic() - started, 2),
               "errors": read_csv(os.path.join(www, "error_message.csv")),
               "users": read_csv(os.path.join(www, "user_statistics.csv"))}, sys.stdout)


if __name__ == "__main__":
    main()
