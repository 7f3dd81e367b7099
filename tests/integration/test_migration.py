# SPDX-License-Identifier: MIT
"""A state file of the previous format (version 3, one cursor) carried over.

The state is written here, byte by byte, as version 3 of the format was
(src/model/state.c): the cursor of a ticky entry in the middle of the
journal's merged order, the totals, users and errors of exactly the ticky
entries up to and including it in that order, every other table empty.
``--once`` must then count every entry after the cursor once, in every
file: the reports equal the expectation of all entries (SPEC.md,
"Durability": a state written by an earlier version is read and carried
over without losing or re-counting anything).

The files interleave in time, so the cursor cuts each of them; one host's
file was rotated (an archived file and the active one share a sequence
number ID, as journald's rotation leaves them), and the cursor is in the
active one.
"""

import os
import struct
import sys
import zlib

import collector
import common
from collector import SECOND, T0, Upload
from common import check, say

STATE_MAGIC = b"TICKYRD\n"
# Tables after the users and errors in version 3: day totals, error days,
# user days, error hours, user hours, hosts, host errors, host users, and
# then the imported syslog files; each with its number of counts.
LATER_TABLES = (2, 1, 2, 1, 2, 2, 1, 2, 2)


def u32(value):
    """Little-endian 32-bit unsigned."""
    return struct.pack("<I", value)


def u64(value):
    """Little-endian 64-bit unsigned."""
    return struct.pack("<Q", value)


def string(data):
    """A str of the state format: u32 length, then the bytes."""
    return u32(len(data)) + data


def counter_table(rows):
    """A table: u64 number of rows, then each key and its counts, keys in byte order."""
    return u64(len(rows)) + b"".join(string(key) + b"".join(u64(c) for c in counts)
                                     for key, counts in sorted(rows))


def state_v3(cursor, source, expectation):
    """The bytes of a version 3 state holding ``expectation`` and ``cursor``."""
    users = [(name.encode("utf-8"), tuple(counts)) for name, counts in expectation.users.items()]
    errors = [(message.encode("utf-8"), (n,)) for message, n in expectation.errors.items()]
    payload = (string(cursor) + string(source)
               + u64(expectation.info) + u64(expectation.error) + u64(expectation.unparsed)
               + counter_table(users) + counter_table(errors)
               + u64(0) + u64(0) + u64(0)          # events and errors beyond the caps
               + b"".join(counter_table([]) for _ in LATER_TABLES))
    data = STATE_MAGIC + u32(3) + u32(0) + u64(len(payload)) + payload
    return data + u32(zlib.crc32(data))


def continue_sequence(path, template):
    """Make ``path`` continue ``template``'s sequence, as rotation does.

    journald's new file after a rotation keeps the sequence number ID of
    the archived one and goes on numbering; systemd-journal-remote gives
    each new file its own. So the header's sequence number ID becomes the
    template's, and every entry's sequence number (and the header's head and
    tail ones) is moved past the template's last.
    """
    base = collector.Header(template)
    shift = base.tail_entry_seqnum
    entries = collector.entry_objects(path)
    header = collector.Header(path)
    with open(path, "r+b") as f:
        f.seek(72)
        f.write(bytes.fromhex(base.seqnum_id))
        f.seek(160)
        f.write(u64(header.tail_entry_seqnum + shift) + u64(header.head_entry_seqnum + shift))
        for seqnum, (offset, _) in entries.items():
            f.seek(offset + 16)
            f.write(u64(seqnum + shift))


def body(args):
    """Files of three hosts, a v3 state with a cursor in the middle, --once, more entries."""
    seed = 909 if args.seed is None else args.seed
    content = dict(users=500, hostile=0.02)
    with common.Workspace(args.binary, args.keep) as ws:
        # m1's older half, archived, and its newer half, the active file.
        old = collector.upload(ws.journal, Upload(b"m1", T0 + 100_003, seed=seed, ticky=1000, other=500,
                                                  **content),
                               path=os.path.join(ws.journal, "staged-m1.journal"))
        active = collector.upload(ws.journal, Upload(b"m1", old.end_usec, seed=seed + 1, ticky=1000,
                                                     other=500, **content))
        continue_sequence(active.path, old.path)
        archived = os.path.join(ws.journal, collector.Header(old.path).archived_name(b"m1"))
        os.rename(old.path, archived)
        others = [collector.upload(ws.journal, Upload(b"m2", T0 + 300_007, step_usec=1_500_000,
                                                      seed=seed + 2, ticky=1300, other=700, **content)),
                  collector.upload(ws.journal, Upload(b"m3", T0 + 700_001, seed=seed + 3, ticky=2000,
                                                      other=1000, **content))]
        batches = [old, active] + others
        total = collector.total_of(batches)
        common.check_fixture(ws.journal, total)
        check(collector.Header(archived).seqnum_id == collector.Header(active.path).seqnum_id,
              "fixture: the archived and the active file of m1 should share their sequence number ID")
        say("m1: %s (archived) and remote-m1.journal share sequence number ID %s"
            % (os.path.basename(archived), collector.Header(archived).seqnum_id))

        # The cursor: a ticky entry of m1's active file, 60 % into the merged order.
        merged = collector.export_entries("-D", ws.journal)
        at = len(merged) * 6 // 10
        while not (merged[at].get("SYSLOG_IDENTIFIER") == b"ticky" and merged[at]["_HOSTNAME"] == b"m1"):
            at += 1
        cursor = merged[at]["__CURSOR"]
        done = common.ticky_expect.Expectation()     # what the v3 state counted
        for entry in merged[:at + 1]:
            if entry.get("SYSLOG_IDENTIFIER") == b"ticky":
                done.feed(entry.get("MESSAGE"))
        check(cursor.startswith(b"s=" + collector.Header(active.path).seqnum_id.encode() + b";"),
              "fixture: the cursor %s is not of m1's sequence" % cursor.decode())
        for batch in batches:
            check(batch.start_usec < int(merged[at]["__REALTIME_TIMESTAMP"]) < batch.last_usec
                  or batch is old, "fixture: the cursor does not cut %s" % batch.path)
        say("v3 state at entry %d of %d in the merged order (%s), counting %s"
            % (at + 1, len(merged), cursor.decode(), common.totals_text(done)))

        source = b"directory %s, identifier ticky" % ws.journal.encode()
        os.mkdir(ws.state)
        with open(os.path.join(ws.state, "state"), "wb") as f:
            f.write(state_v3(cursor, source, done))
        rest = common.ticky_expect.Expectation()
        for entry in merged[at + 1:]:
            if entry.get("SYSLOG_IDENTIFIER") == b"ticky":
                rest.feed(entry.get("MESSAGE"))
        parts = [("the v3 state's counts", done), ("the entries after its cursor", rest)]

        err = collector.step(ws, total, "--once from the v3 state: every entry counted once", parts)
        check("unusable" not in err, "the v3 state was refused: %s" % err[-2000:])
        with open(os.path.join(ws.state, "state"), "rb") as f:
            head = f.read(12)
        say("the state file is now version %d" % struct.unpack_from("<I", head, 8)[0])

        more = collector.upload(ws.journal, Upload(b"m2", others[0].end_usec + 60 * SECOND, seed=seed + 4,
                                                   ticky=400, other=200, **content))
        total.merge(more.expectation)
        parts.append(("m2 appended", more.expectation))
        collector.step(ws, total, "m2 appended to after the migration: counted once", parts)

        before = common.snapshot(ws.www)
        collector.step(ws, total, "a --once with nothing new:", parts)
        after = common.snapshot(ws.www)
        for name in ("error_message.csv", "user_statistics.csv"):
            check(before[name][0] == after[name][0], "%s changed on a --once with nothing new" % name)
        say("a --once with nothing new leaves the CSVs identical")


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
