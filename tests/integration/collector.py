# SPDX-License-Identifier: MIT
"""Journal files as a systemd-journal-remote collector holds them.

One file per host, ``remote-HOST.journal``, written by the real
systemd-journal-remote from Journal Export Format. Running it again with
``--output`` naming an existing file appends to that file (same sequence
number ID, sequence numbers going on) whatever the timestamps of the new
entries: a host's delayed upload. The content of each upload comes from
tests/fixtures/ticky_gen.py (its ticky and other messages, hostile ones
included), with the host, boot ID and clocks chosen here, so that tests
control exactly how the files interleave in time.

Also a reader of the journal file format's header and object chain
(https://systemd.io/JOURNAL_FILE_FORMAT/), for tests that damage a file
or need its IDs.
"""

import hashlib
import os
import random
import struct
import subprocess
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import common
from common import check, ticky_expect, ticky_gen

SECOND = 1_000_000
# Realtime of the first entries of a test: 2023-11-14 22:13:20 UTC.
T0 = ticky_gen.DEFAULT_START_USEC
# Realtime at which every host's first boot began: the monotonic clock of
# an entry of that boot is its realtime minus this, by default.
BOOTED_USEC = T0 - 30 * 86400 * SECOND

OBJECT_ENTRY = 3


def boot_id(host, boot=0):
    """A fixed 128-bit boot ID (32 hex digits) for the ``boot``-th boot of ``host``."""
    return hashlib.md5(b"boot-%s-%d" % (host, boot)).hexdigest().encode()


class Pool:
    """A fixed set of ticky_gen entries that uploads draw from at random.

    For tests of scale: writing a drawn entry costs one formatted header,
    and the expectation of a whole upload is computed once per distinct
    entry, not once per entry. ``content``: GenConfig keyword arguments of
    the set (seed, ticky, other, users, hostile).
    """

    def __init__(self, **content):
        self.bodies = []
        self.parts = []
        for _, identifier, message, _, _ in ticky_gen.iter_entries(ticky_gen.GenConfig(**content)):
            self.bodies.append(_body(identifier, message))
            part = None
            if identifier == b"ticky":
                part = ticky_expect.Expectation()
                part.feed(message)
            self.parts.append(part)

    def draw(self, seed, count):
        """``count`` indices into the set, from a generator seeded with ``seed``."""
        rng = random.Random(seed)
        return rng.choices(range(len(self.bodies)), k=count)

    def expectation(self, indices):
        """The expectation of the entries ``indices`` (repeats counted)."""
        total = ticky_expect.Expectation()
        for index, times in Counter(indices).items():
            part = self.parts[index]
            if part is None:
                continue
            total.info += part.info * times
            total.error += part.error * times
            total.unparsed += part.unparsed * times
            for message, n in part.errors.items():
                total.errors[message] += n * times
            for user, (info, error) in part.users.items():
                counts = total.users.setdefault(user, [0, 0])
                counts[0] += info * times
                counts[1] += error * times
        return total


def _body(identifier, message):
    """The export fields of an entry after its clocks, host and boot."""
    parts = []
    if identifier is not None:
        parts.append(b"SYSLOG_IDENTIFIER=" + identifier + b"\n")
    if message is not None:
        parts.append(ticky_gen.field(b"MESSAGE", message))
    parts.append(b"\n")
    return b"".join(parts)


class Upload:
    """One batch of one host's entries, as an export file describes them.

    ``start_usec``: realtime of the first entry; entries are ``step_usec``
    apart. ``monotonic_usec``: monotonic time of the first entry, in the
    host's boot number ``boot`` (by default as if booted at BOOTED_USEC).
    The entries are, in order of precedence: ``messages``, an exact list
    of (identifier or None, MESSAGE or None); ``count`` entries drawn from
    ``pool`` (a Pool) with ``seed``; or ticky_gen's traffic for ``content``,
    GenConfig keyword arguments (seed, ticky, other, users, hostile).
    ``expectation`` and ``count`` are known once the export is written.
    """

    def __init__(self, host, start_usec, step_usec=SECOND, monotonic_usec=None, boot=0,
                 messages=None, pool=None, count=0, **content):
        self.host = host
        self.start_usec = start_usec
        self.step_usec = step_usec
        self.monotonic_usec = (start_usec - BOOTED_USEC if monotonic_usec is None
                               else monotonic_usec)
        self.boot_id = boot_id(host, boot)
        self.messages = messages
        self.pool = pool
        self.count = count
        self.content = content
        self.expectation = ticky_expect.Expectation()
        self.path = None

    @property
    def end_usec(self):
        """Realtime just after the last entry."""
        return self.start_usec + self.count * self.step_usec

    @property
    def last_usec(self):
        """Realtime of the last entry."""
        return self.start_usec + (self.count - 1) * self.step_usec

    def bodies(self):
        """The export fields of each entry after the head, and the expectation."""
        if self.pool is not None:
            indices = self.pool.draw(self.content.get("seed", 0), self.count)
            return [self.pool.bodies[i] for i in indices], self.pool.expectation(indices)
        expectation = ticky_expect.Expectation()
        if self.messages is not None:
            pairs = self.messages
        else:
            cfg = ticky_gen.GenConfig(**self.content)
            pairs = ((identifier, message)
                     for _, identifier, message, _, _ in ticky_gen.iter_entries(cfg))
        bodies = []
        for identifier, message in pairs:
            if identifier == b"ticky":
                expectation.feed(message)
            bodies.append(_body(identifier, message))
        return bodies, expectation

    def write_export(self, path):
        """Write the export file; sets ``expectation`` and ``count``."""
        bodies, self.expectation = self.bodies()
        self.count = len(bodies)
        head = (b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=" + self.boot_id
                + b"\n_HOSTNAME=" + self.host + b"\n")
        start, mono, step = self.start_usec, self.monotonic_usec, self.step_usec
        with open(path, "wb") as out:
            for at in range(0, len(bodies), 4096):
                out.write(b"".join(head % (start + k * step, mono + k * step) + bodies[k]
                                   for k in range(at, min(at + 4096, len(bodies)))))
        return self


def journal_remote(export, output, compress=True):
    """systemd-journal-remote ``--output=output export``: creates or appends."""
    proc = subprocess.run([ticky_gen.JOURNAL_REMOTE, "--output=" + output,
                           "--compress=" + ("yes" if compress else "no"), export],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    check(proc.returncode == 0, "systemd-journal-remote --output=%s failed: %s"
          % (output, proc.stderr.decode(errors="replace")[-1000:]))


def host_file(journal_dir, host):
    """The collector's file of ``host``."""
    return os.path.join(journal_dir, "remote-%s.journal" % host.decode())


def upload(journal_dir, batch, path=None, compress=True):
    """Append ``batch`` (an Upload) to its host's file (or ``path``); returns it."""
    path = path or host_file(journal_dir, batch.host)
    # The export file is written beside the journal directory, not inside it.
    fd, export = tempfile.mkstemp(prefix="upload-", suffix=".export",
                                  dir=os.path.dirname(os.path.abspath(journal_dir)))
    os.close(fd)
    try:
        batch.write_export(export)
        journal_remote(export, path, compress)
    finally:
        os.unlink(export)
    batch.path = path
    return batch


def upload_all(journal_dir, batches, jobs=None):
    """Upload many batches side by side (each to a different file); returns them.

    ``jobs`` threads each write a batch's export file (Python, one at a
    time under the interpreter lock) and run its conversion; the
    conversions run in parallel.
    """
    jobs = jobs or max(2, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda b: upload(journal_dir, b), batches))


def total_of(batches):
    """The expectation of several uploads together."""
    total = ticky_expect.Expectation()
    for batch in batches:
        total.merge(batch.expectation)
    return total


# ---------------------------------------------------------------------------
# The journal file format

class Header:
    """The fields of a journal file's header that the tests use."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read(272)
        check(data[:8] == b"LPKSHHRH", "%s is not a journal file" % path)
        self.file_id = data[24:40].hex()
        self.seqnum_id = data[72:88].hex()
        (self.header_size, self.arena_size) = struct.unpack_from("<QQ", data, 88)
        self.tail_object_offset = struct.unpack_from("<Q", data, 136)[0]
        self.n_entries = struct.unpack_from("<Q", data, 152)[0]
        (self.tail_entry_seqnum, self.head_entry_seqnum) = struct.unpack_from("<QQ", data, 160)
        (self.head_entry_realtime, self.tail_entry_realtime) = struct.unpack_from("<QQ", data, 184)

    def archived_name(self, host):
        """The name journald gives an archived file: NAME@SEQNUMID-HEADSEQNUM-HEADREALTIME."""
        return "remote-%s@%s-%016x-%016x.journal" % (host.decode(), self.seqnum_id,
                                                      self.head_entry_seqnum,
                                                      self.head_entry_realtime)


def objects(path):
    """Yield (offset, type, size) of every object of a journal file, in file order."""
    header = Header(path)
    with open(path, "rb") as f:
        data = f.read()
    offset = header.header_size
    end = min(len(data), header.header_size + header.arena_size)
    while offset + 16 <= end:
        kind, size = data[offset], struct.unpack_from("<Q", data, offset + 8)[0]
        if kind == 0 or size < 16:
            break
        yield offset, kind, size
        if offset == header.tail_object_offset:
            break
        offset += (size + 7) & ~7


def entry_objects(path):
    """{seqnum: (offset, realtime)} of the ENTRY objects of a journal file."""
    with open(path, "rb") as f:
        data = f.read()
    found = {}
    for offset, kind, _ in objects(path):
        if kind == OBJECT_ENTRY:
            seqnum, realtime = struct.unpack_from("<QQ", data, offset + 16)
            found[seqnum] = (offset, realtime)
    return found


def used_size(path):
    """Bytes of a journal file up to the end of its last object."""
    header = Header(path)
    with open(path, "rb") as f:
        f.seek(header.tail_object_offset + 8)
        size = struct.unpack("<Q", f.read(8))[0]
    return header.tail_object_offset + size


def export_entries(*args):
    """Entries (dicts of bytes) that ``journalctl --no-pager ARGS -o export`` prints."""
    import io
    proc = subprocess.run(["journalctl", "--no-pager"] + list(args) + ["-o", "export"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    check(proc.returncode == 0, "journalctl %s failed: %s"
          % (" ".join(args), proc.stderr.decode(errors="replace")[-1000:]))
    return list(ticky_expect.read_export(io.BytesIO(proc.stdout)))


def cursor_seqnum(cursor):
    """The ``i=`` (sequence number) of a journal cursor, as an int."""
    fields = dict(part.split(b"=", 1) for part in cursor.split(b";"))
    return int(fields[b"i"], 16)


def step(ws, total, title, parts=None, conf=None, www=None):
    """One ``--once``, then every report must equal ``total``.

    On a mismatch, ``parts`` ([(name, Expectation)]) name what was counted
    never or twice. Returns the run's stderr.
    """
    status, out, err = ws.run("--once", conf=conf)
    check(status == 0, "--once exited %s\nstdout: %s\nstderr: %s"
          % (status, out[-2000:], err[-2000:]))
    common.say(title)
    www = www or ws.www
    try:
        common.check_reports(www, total)
    except common.TestFailure as failure:
        if parts:
            raise common.TestFailure("%s (%s)" % (failure, common.explain_counts(www, parts)))
        raise
    return err
