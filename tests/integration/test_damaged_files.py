# SPDX-License-Identifier: MIT
"""Damaged and truncated journal files: read up to the damage, never fatal.

(a) The object type byte of one ENTRY object (a ticky entry's, in the
middle of an uncompressed file) is overwritten with 0xff. The file must be
read up to the damage (what ``journalctl --file=F SYSLOG_IDENTIFIER=ticky``
reads: the ticky entries before the damaged one), the damage logged once,
the other files read whole, and later runs neither fail nor recount.

(b) A file truncated to 60 % of the bytes its objects use, once before it
was ever read and once after a complete run: ``--once`` still succeeds,
the other files are counted exactly, and the truncated file's entries are
never counted twice (its users and messages are its own, so its rows can
be told apart: each at most what the file held, and unchanged by re-runs).
"""

import os
import sys

import collector
import common
from collector import SECOND, T0, Upload
from common import check, say

CONTENT = dict(users=300, hostile=0.02)


def lines_naming(text, path):
    """The lines of ``text`` that name the file ``path`` (by its base name)."""
    name = os.path.basename(path)
    return [line for line in text.splitlines() if name in line]


def damage_ticky_entry(path):
    """Overwrite the type of the ENTRY object of a ticky entry in the middle of ``path``.

    Returns the expectation of the ticky entries before it, checked two
    ways: by sequence number from the intact file, and by what journalctl
    reads from the damaged one.
    """
    ticky = collector.export_entries("--file=" + path, "SYSLOG_IDENTIFIER=ticky")
    victim = collector.cursor_seqnum(ticky[len(ticky) // 2]["__CURSOR"])
    before = common.ticky_expect.Expectation()
    for entry in ticky:
        if collector.cursor_seqnum(entry["__CURSOR"]) < victim:
            before.feed(entry.get("MESSAGE"))
    offset, _ = collector.entry_objects(path)[victim]
    with open(path, "r+b") as f:
        f.seek(offset)
        check(f.read(1) == bytes([collector.OBJECT_ENTRY]), "fixture: no ENTRY object at %d" % offset)
        f.seek(offset)
        f.write(b"\xff")
    read = common.ticky_expect.Expectation()
    for entry in collector.export_entries("--file=" + path, "SYSLOG_IDENTIFIER=ticky"):
        read.feed(entry.get("MESSAGE"))
    check(common.same_counts(read, before),
          "fixture: journalctl reads %s from the damaged file, the entries before the damage are %s"
          % (common.totals_text(read), common.totals_text(before)))
    say("damaged the ENTRY object of ticky entry seqnum %d of %d at offset %d in %s; "
        "journalctl reads the %d ticky entries before it"
        % (victim, len(ticky), offset, os.path.basename(path), read.info + read.error + read.unparsed))
    return before


def damaged_entry(args, seed):
    """(a) One damaged ENTRY object among three files."""
    with common.Workspace(args.binary, args.keep) as ws:
        batches = [Upload(host, T0 + k * 333_331, seed=seed + k, ticky=1500, other=700, **CONTENT)
                   for k, host in enumerate((b"d1", b"d2", b"d3"))]
        for batch in batches:
            collector.upload(ws.journal, batch, compress=batch.host != b"d2")
        damaged = batches[1].path
        total = damage_ticky_entry(damaged)
        for batch in (batches[0], batches[2]):
            total.merge(batch.expectation)
        parts = [("d1", batches[0].expectation), ("d2 before the damage", total.copy()),
                 ("d3", batches[2].expectation)]

        err = collector.step(ws, total, "damaged entry: --once exits 0, the file read up to the damage",
                             parts)
        named = lines_naming(err, damaged)
        check(len(named) == 1, "stderr should name %s once, it does %d times:\n%s"
              % (os.path.basename(damaged), len(named), err[-3000:]))
        say("stderr names the damaged file once: %s" % named[0].strip())

        before = common.snapshot(ws.www)
        err = collector.step(ws, total, "a second --once: exits 0, nothing recounted", parts)
        after = common.snapshot(ws.www)
        for name in ("error_message.csv", "user_statistics.csv"):
            check(before[name][0] == after[name][0], "%s changed on a second --once" % name)
        check(len(lines_naming(err, damaged)) <= 1, "the second run names the damaged file more than "
              "once:\n%s" % err[-3000:])

        more = collector.upload(ws.journal, Upload(b"d1", batches[0].end_usec + 10 * SECOND,
                                                   seed=seed + 3, ticky=500, other=200, **CONTENT))
        total.merge(more.expectation)
        parts.append(("d1 appended", more.expectation))
        collector.step(ws, total, "d1 appended to beside the damaged file: counted once", parts)


def own_messages(host, count):
    """``count`` entries whose users and error messages belong to ``host`` alone."""
    messages = []
    for k in range(count):
        user = b"%s.user%02d" % (host, k % 37)
        if k % 5 == 4:
            messages.append((b"sshd", b"Accepted publickey for %s" % user))
        elif k % 3 == 0:
            messages.append((b"ticky", b"ERROR Disk of %s failed %d (%s)" % (host, k % 7, user)))
        else:
            messages.append((b"ticky", b"INFO Created ticket [#%d] (%s)" % (k, user)))
    return messages


def truncate(path):
    """Cut ``path`` to 60 % of the bytes its objects use (not of its preallocated size)."""
    used = collector.used_size(path)
    os.truncate(path, used * 6 // 10)
    say("truncated %s to %d bytes, 60 %% of the %d its objects use"
        % (os.path.basename(path), used * 6 // 10, used))


def table(rows):
    """{first column: the other columns as ints} of a CSV without its header."""
    return {row[0]: tuple(int(v) for v in row[1:]) for row in rows[1:]}


def split_counts(www, prefix, exact, bounded):
    """Check the CSVs: rows not starting with ``prefix`` equal ``exact``,
    rows starting with it are each at most those of ``bounded``.

    Returns those rows ({users}, {errors}) so later runs can be compared.
    """
    users = table(common.read_csv(os.path.join(www, "user_statistics.csv")))
    errors = table(common.read_csv(os.path.join(www, "error_message.csv")))
    mine = ({k: v for k, v in users.items() if k.startswith(prefix)},
            {k: v for k, v in errors.items() if k.startswith("Disk of " + prefix)})
    others = ({k: v for k, v in users.items() if k not in mine[0]},
              {k: v for k, v in errors.items() if k not in mine[1]})
    check(others[0] == table(exact.user_table()), "user rows of the intact files differ from the "
          "expectation: %s" % common.first_difference(sorted(others[0].items()),
                                                       sorted(table(exact.user_table()).items())))
    check(others[1] == table(exact.error_table()), "error rows of the intact files differ from the "
          "expectation: %s" % common.first_difference(sorted(others[1].items()),
                                                       sorted(table(exact.error_table()).items())))
    limit = (table(bounded.user_table()), table(bounded.error_table()))
    for got, most, what in ((mine[0], limit[0], "user"), (mine[1], limit[1], "error")):
        over = [(k, v, most.get(k)) for k, v in got.items()
                if k not in most or any(a > b for a, b in zip(v, most[k]))]
        check(not over, "%s rows of the truncated file count more than it held: %s" % (what, over[:5]))
    say("intact files counted exactly; the truncated file's rows within what it held "
        "(%d of %d users, %d of %d events)"
        % (len(mine[0]), len(limit[0]), sum(sum(v) for v in mine[0].values()),
           bounded.info + bounded.error))
    return mine


def truncated(args, seed):
    """(b) t2 truncated before it was ever read, t4 after a complete run."""
    with common.Workspace(args.binary, args.keep) as ws:
        batches = {}
        for k, host in enumerate((b"t1", b"t2", b"t3", b"t4")):
            start = T0 + k * 250_007
            if host == b"t2":
                batch = Upload(host, start, messages=own_messages(host, 6000))
            else:
                batch = Upload(host, start, seed=seed + k, ticky=2000, other=1000, **CONTENT)
            batches[host] = collector.upload(ws.journal, batch)
        exact = common.ticky_expect.Expectation()
        for host in (b"t1", b"t3", b"t4"):
            exact.merge(batches[host].expectation)
        t2 = batches[b"t2"]

        truncate(t2.path)
        status, out, err = ws.run("--once")
        check(status == 0, "--once exited %s with a truncated file: %s" % (status, err[-2000:]))
        say("t2 truncated before the first run: --once exits 0")
        first = split_counts(ws.www, "t2.", exact, t2.expectation)

        truncate(batches[b"t4"].path)
        for k, host in enumerate((b"t1", b"t3")):
            more = collector.upload(ws.journal, Upload(host, batches[host].end_usec + (k + 1) * 100_003,
                                                       seed=seed + 10 + k, ticky=700, other=300,
                                                       **CONTENT))
            exact.merge(more.expectation)
        status, out, err = ws.run("--once")
        check(status == 0, "--once exited %s with truncated files: %s" % (status, err[-2000:]))
        say("t4 truncated after being read, t1 and t3 appended to: --once exits 0")
        second = split_counts(ws.www, "t2.", exact, t2.expectation)
        check(second == first, "the truncated t2's rows changed on a later run: %s, then %s"
              % (first, second))

        before = common.snapshot(ws.www)
        status, out, err = ws.run("--once")
        check(status == 0, "--once exited %s: %s" % (status, err[-2000:]))
        after = common.snapshot(ws.www)
        for name in ("error_message.csv", "user_statistics.csv"):
            check(before[name][0] == after[name][0], "%s changed on a --once with nothing new" % name)
        say("a --once with nothing new leaves the CSVs identical")


def body(args):
    """(a) a damaged entry, (b) truncated files."""
    seed = 707 if args.seed is None else args.seed
    damaged_entry(args, seed)
    truncated(args, seed + 100)


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
