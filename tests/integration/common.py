# SPDX-License-Identifier: MIT
"""Shared helpers of the integration tests: workspace, runs, report checks.

Every test script builds a throw-away ``Workspace`` (journal, output and
state directories plus a config file), fills the journal directory with
generated traffic, runs the real ``ticky-reportd`` and compares what it
wrote with the independent expectation of tests/fixtures/ticky_expect.py.
"""

import argparse
import csv
import html
import io
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "fixtures"))
sys.path.append(os.path.join(os.path.dirname(HERE), "e2e"))

import ticky_expect  # noqa: E402,F401  (re-exported for the tests)
import ticky_gen  # noqa: E402

REPORT_FILES = ("index.html", "error_message.html", "user_statistics.html",
                "error_message.csv", "user_statistics.csv")
HTML_FILES = REPORT_FILES[:3]
ONCE_TIMEOUT = 240


class TestFailure(Exception):
    """A check failed; the message says which and how."""


def parse_args(description, extra=None):
    """Command line shared by all scripts: ``--binary PATH`` and friends.

    ``extra(parser)``, when given, adds a script's own options.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--binary", required=True, help="the built ticky-reportd")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the random choices (default: fixed per test)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directories for inspection")
    if extra:
        extra(parser)
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    if not os.access(args.binary, os.X_OK):
        parser.error("not an executable: %s" % args.binary)
    for tool in (ticky_gen.JOURNAL_REMOTE, shutil.which("journalctl") or "journalctl"):
        if not os.access(tool, os.X_OK):
            parser.error("%s is missing (packages systemd, systemd-journal-remote)" % tool)
    return args


def main(description, body, extra=None):
    """Run ``body(args)`` and turn its outcome into an exit status.

    0 when every check passed, 1 when one failed (the reason is printed),
    so each script works alone and under CTest. ``extra`` as for
    ``parse_args``.
    """
    args = parse_args(description, extra)
    name = os.path.basename(sys.argv[0])
    started = time.monotonic()
    try:
        body(args)
    except TestFailure as failure:
        print("FAIL %s: %s" % (name, failure), flush=True)
        return 1
    print("PASS %s (%.1f s)" % (name, time.monotonic() - started), flush=True)
    return 0


def check(condition, message):
    """Fail the test with ``message`` unless ``condition`` holds."""
    if not condition:
        raise TestFailure(message)


def say(message):
    """Progress line: what is being checked right now."""
    print("  " + message, flush=True)


# ---------------------------------------------------------------------------
# Workspace and runs

class Workspace:
    """Temporary journal/output/state directories, a config, child processes.

    A context manager: on exit every process it started is killed and the
    directories are removed (unless ``keep``).
    """

    def __init__(self, binary, keep=False, prefix="ticky-it-"):
        self.binary = binary
        self.keep = keep
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.journal = os.path.join(self.root, "journal")
        self.www = os.path.join(self.root, "www")
        self.state = os.path.join(self.root, "state")
        self.conf = os.path.join(self.root, "ticky.ini")
        os.mkdir(self.journal)
        self.processes = []
        self.daemons = []
        self.write_config()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop_all()
        if self.keep:
            print("  kept workspace %s" % self.root, flush=True)
        else:
            shutil.rmtree(self.root, ignore_errors=True)
        return False

    def write_config(self, www=None, state=None, journal=None, path=None, extra=""):
        """Write a config pointing at this workspace (or the given dirs)."""
        text = ("[journal]\ndirectory = %s\n[output]\ndirectory = %s\n"
                "[daemon]\nstate_directory = %s\n%s"
                % (journal or self.journal, www or self.www, state or self.state, extra))
        with open(path or self.conf, "w") as f:
            f.write(text)
        return path or self.conf

    def path(self, *parts):
        """A path inside the workspace root."""
        return os.path.join(self.root, *parts)

    def start(self, *args, conf=None):
        """Start ticky-reportd with ``-c CONF`` and ``args``; returns the Popen."""
        return self.start_raw(["-c", conf or self.conf] + list(args))

    def start_raw(self, args):
        """Start ticky-reportd with exactly ``args``; it is killed on exit."""
        proc = subprocess.Popen([self.binary] + list(args),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.processes.append(proc)
        return proc

    def run(self, *args, conf=None, timeout=ONCE_TIMEOUT):
        """Run ticky-reportd ``-c CONF args`` to completion: (status, out, err)."""
        return self.run_raw(["-c", conf or self.conf] + list(args), timeout)

    def run_raw(self, args, timeout=ONCE_TIMEOUT):
        """Run ticky-reportd with exactly ``args`` to completion."""
        proc = self.start_raw(args)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise TestFailure("%s did not finish within %d s" % (" ".join(args), timeout))
        return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")

    def once(self, conf=None, timeout=ONCE_TIMEOUT):
        """``--once`` that must succeed; returns its duration in seconds."""
        started = time.monotonic()
        status, out, err = self.run("--once", conf=conf, timeout=timeout)
        elapsed = time.monotonic() - started
        check(status == 0, "--once exited %s\nstdout: %s\nstderr: %s"
              % (status, out[-2000:], err[-2000:]))
        return elapsed

    def import_files(self, *paths, conf=None, timeout=ONCE_TIMEOUT):
        """``--import PATH...`` to completion: (status, stdout, stderr)."""
        return self.run("--import", *paths, conf=conf, timeout=timeout)

    def daemon(self, conf=None, ready=True):
        """Start the long-running daemon (``-c CONF``, foreground) as systemd would.

        It is the end-to-end tests' ``Daemon`` (tests/e2e/e2e.py): its own
        NOTIFY_SOCKET, stderr in a file, SIGKILLed if this test dies. With
        ``ready``, waits for READY=1. Stopped by ``stop_all`` at the latest.
        """
        import e2e  # noqa: E402  (lazy: e2e imports this module)
        proc = e2e.Daemon(self.binary, conf or self.conf, self.root)
        self.daemons.append(proc)
        if ready:
            proc.expect_ready()
        return proc

    def stop_all(self):
        """Kill whatever this workspace started and is still running."""
        for daemon in getattr(self, "daemons", []):
            daemon.close()
        self.daemons = []
        for proc in self.processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            try:
                proc.communicate(timeout=10)
            except (subprocess.TimeoutExpired, ValueError):
                pass
        self.processes = []

    def stage_batch(self, cfg, name, split=1):
        """Generate ``cfg`` as journal files in a side directory, not yet visible.

        Returns the generator's ``Result``; ``publish`` makes it visible.
        """
        started = time.monotonic()
        result = ticky_gen.make_journal(cfg, self.path("staged-" + name), name, split)
        say("generated %s: %d ticky + %d other entries in %d file(s), %s (%.1f s)"
            % (name, cfg.ticky, cfg.other, len(result.files), totals_text(result.expectation),
               time.monotonic() - started))
        return result

    def publish(self, result):
        """Rename a staged batch's complete files into the journal directory."""
        moved = []
        for path in result.files:
            target = os.path.join(self.journal, os.path.basename(path))
            check(not os.path.exists(target), "journal file %s already exists" % target)
            os.rename(path, target)
            moved.append(target)
        result.files = moved
        return result

    def add_batch(self, cfg, name, split=1):
        """Generate ``cfg`` and add it to the journal directory at once.

        The files are built elsewhere and renamed in, so the program never
        sees a half-written journal.
        """
        return self.publish(self.stage_batch(cfg, name, split))

    def remove_batch(self, result, label):
        """Delete a batch's journal files, as journald's vacuuming would."""
        for path in result.files:
            os.unlink(path)
        say("deleted %s (%d file(s))" % (label, len(result.files)))


def write_export(path, entries):
    """Write (identifier, message) pairs as a Journal Export Format file.

    Just the fields ticky-reportd reads, one millisecond apart from
    2023-11-14: for tests of scale, where the generator's realism costs
    too much time. Returns how many entries were written.
    """
    boot_id = b"5e1f0c0ffee0c0ffee0c0ffee0c0ffee"
    count = 0
    with open(path, "wb", buffering=1 << 20) as out:
        for count, (identifier, message) in enumerate(entries, 1):
            out.write(b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n_HOSTNAME=h\n"
                      b"SYSLOG_IDENTIFIER=%s\nMESSAGE=%s\n\n"
                      % (1_700_000_000_000_000 + count * 1000, count, boot_id, identifier, message))
    return count


def exports_to_journal(exports, journal_dir):
    """Convert export files side by side, one journal file each, and remove them."""
    procs = [subprocess.Popen([ticky_gen.JOURNAL_REMOTE,
                               "--output=" + os.path.join(journal_dir, "part-%d.journal" % k),
                               "--compress=yes", path],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for k, path in enumerate(exports)]
    for proc in procs:
        _, err = proc.communicate()
        check(proc.returncode == 0, "systemd-journal-remote failed: %s" % err.decode(errors="replace"))
    for path in exports:
        os.unlink(path)


def next_config(previous, **kwargs):
    """A GenConfig continuing where the batch ``previous`` (a Result) ended."""
    return ticky_gen.GenConfig(start_usec=previous.next_usec,
                               start_seqnum=previous.next_seqnum, **kwargs)


def totals_text(expectation):
    """Human-readable totals of an expectation."""
    t = expectation.totals()
    return "info=%d error=%d unparsed=%d" % (t["info"], t["error"], t["unparsed"])


# ---------------------------------------------------------------------------
# Syslog source

def use_utc():
    """Run everything (this process, the daemon) with TZ=UTC.

    The generator writes traditional syslog timestamps in UTC, and that
    style carries no zone: the daemon must read them as UTC too.
    """
    os.environ["TZ"] = "UTC"
    time.tzset()


class SyslogWorkspace(Workspace):
    """A Workspace whose config reads a syslog text file (``self.log``).

    ``self.log`` is ``ROOT/log/syslog``; it is not created. ``interval``
    goes to ``[daemon] interval`` when given (1 for live tests).
    """

    def __init__(self, binary, keep=False, prefix="ticky-sl-", interval=None):
        use_utc()
        self.log = None
        self.interval = interval
        super().__init__(binary, keep, prefix)
        self.log_dir = self.path("log")
        os.mkdir(self.log_dir)
        self.log = os.path.join(self.log_dir, "syslog")
        self.write_config()

    def write_config(self, www=None, state=None, journal=None, path=None, extra="",
                     log=None, identifier=None, interval=None):
        """Write a config with ``[source] type = syslog`` following ``log``."""
        if self.log is None:        # the base class's constructor
            return super().write_config(path=path)
        text = "[source]\ntype = syslog\n[syslog]\npath = %s\n" % (log or self.log)
        if identifier is not None:
            text += "identifier = %s\n" % identifier
        text += ("[output]\ndirectory = %s\n[daemon]\nstate_directory = %s\n"
                 % (www or self.www, state or self.state))
        interval = interval if interval is not None else self.interval
        if interval is not None:
            text += "interval = %d\n" % interval
        text += extra
        with open(path or self.conf, "w") as f:
            f.write(text)
        return path or self.conf


class SyslogFeed:
    """A generated batch of syslog lines, handed out piece by piece.

    ``take(n)`` returns the bytes of the next ``n`` lines and adds their
    ticky messages to ``written``, the running expectation of everything
    taken so far; ``take_expect(n)`` also returns the expectation of just
    those lines. Meant for batches that fit in memory (tens of thousands).
    """

    def __init__(self, cfg, style="traditional", pid="mixed", identifier=b"ticky"):
        self.lines = list(ticky_gen.syslog_lines(cfg, style, pid, identifier))
        self.style = style
        self.next = 0
        self.written = ticky_expect.Expectation()

    @property
    def left(self):
        """Lines not taken yet."""
        return len(self.lines) - self.next

    def take_expect(self, count=None):
        """(bytes, Expectation) of the next ``count`` lines (default: all left)."""
        count = self.left if count is None else min(count, self.left)
        part = ticky_expect.Expectation()
        chunk = self.lines[self.next:self.next + count]
        self.next += count
        for line in chunk:
            if line.message is not None:
                part.feed(line.message)
        self.written.merge(part)
        return b"".join(line.data for line in chunk), part

    def take(self, count=None):
        """Bytes of the next ``count`` lines (default: all left)."""
        return self.take_expect(count)[0]

    def next_ticky_index(self):
        """Index (from ``next``) of the next line of the followed program."""
        for index in range(self.next, len(self.lines)):
            if self.lines[index].message is not None:
                return index - self.next
        return None


def append(path, data):
    """Append ``data`` to ``path`` (created if missing) and close it again."""
    with open(path, "ab") as f:
        f.write(data)


def gzip_file(source, target):
    """Write ``target`` as the gzip (Python's gzip module) of ``source``."""
    import gzip
    with open(source, "rb") as src, gzip.open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


# The three line formats, parsed independently of the generator (from the
# interface: "Nov 24 10:00:00 host TAG: MSG", RFC 3339 timestamps, RFC 5424).
_TAG = rb"([^\s\[\]:]+)(?:\[(\d+)\])?: (.*)"
SYSLOG_PATTERNS = {
    "traditional": re.compile(rb"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                              rb"[ 123]\d \d\d:\d\d:\d\d (\S+) " + _TAG, re.S),
    "rfc3339": re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?"
                          rb"(?:Z|[+-]\d\d:\d\d) (\S+) " + _TAG, re.S),
    "rfc5424": re.compile(rb"<(?:\d{1,3})>1 \S+ (\S+) (\S+) (\d+|-) \S+ - (.*)", re.S),
}


def parse_syslog_line(line):
    """(style, host, tag, message) of one line without its LF, or None.

    The test's own reading of the formats, used to prove the fixture.
    """
    for style, pattern in SYSLOG_PATTERNS.items():
        match = pattern.fullmatch(line)
        if match:
            host, tag, _pid, message = match.groups()
            return style, host, tag, message
    return None


def syslog_file_expectation(paths, identifier=b"ticky"):
    """Expectation of the ``identifier`` lines of syslog files (or .gz), as
    ``parse_syslog_line`` reads them; plus {style: lines} and the number of
    non-syslog lines. A last line without LF is not read."""
    import gzip
    expectation = ticky_expect.Expectation()
    styles = {}
    other = 0
    for path in ([paths] if isinstance(paths, str) else paths):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            data = f.read()
        for line in data.split(b"\n")[:-1]:
            parsed = parse_syslog_line(line)
            if parsed is None:
                other += 1
                continue
            styles[parsed[0]] = styles.get(parsed[0], 0) + 1
            if parsed[2] == identifier:
                expectation.feed(parsed[3])
    return expectation, styles, other


def same_counts(a, b):
    """True when two expectations give the same reports."""
    return (a.totals() == b.totals() and a.error_table() == b.error_table()
            and a.user_table() == b.user_table())


def check_syslog_fixture(paths, expectation, style=None, identifier=b"ticky"):
    """Fail unless reading the files back gives exactly the generator's
    expectation (and, with ``style``, only lines of that style)."""
    stored, styles, other = syslog_file_expectation(paths, identifier)
    check(same_counts(stored, expectation),
          "fixture problem: the syslog text holds %s, the generator expected %s"
          % (totals_text(stored), totals_text(expectation)))
    if style is not None:
        check(set(styles) <= {style}, "fixture problem: %s lines in a %s file: %s"
              % (sorted(set(styles) - {style}), style, styles))
    say("the syslog text reads back as generated: %s (%s, %d non-syslog lines)"
        % (totals_text(stored), ", ".join("%d %s" % (n, s) for s, n in sorted(styles.items())),
           other))


def report_totals(www):
    """totals of report.json ({} when it cannot be read)."""
    try:
        with open(os.path.join(www, "report.json"), "rb") as f:
            return json.loads(f.read().decode("utf-8")).get("totals", {})
    except (OSError, ValueError):
        return {}


def explain_counts(www, parts):
    """Which multiples (0, 1, 2) of the named parts the pages' totals equal.

    ``parts``: [(name, Expectation)]. Turns "the totals differ" into
    "part C counted 0 times" or "part B counted twice" when it can.
    """
    actual = report_totals(www)
    if not actual:
        return "report.json unreadable"
    got = tuple(actual.get(k, -1) for k in ("info", "error", "unparsed"))
    text = "pages show info=%d error=%d unparsed=%d" % got
    if len(parts) > 8:
        return text
    for times in itertools.product((1, 0, 2), repeat=len(parts)):
        sums = [0, 0, 0]
        for n, (_, exp) in zip(times, parts):
            t = exp.totals()
            for i, k in enumerate(("info", "error", "unparsed")):
                sums[i] += n * t[k]
        if tuple(sums) == got:
            odd = ["%s counted %s" % (name, {0: "never", 2: "twice"}[n])
                   for n, (name, _) in zip(times, parts) if n != 1]
            return text + ("; that is: " + ", ".join(odd) if odd else
                           "; totals match, the rows differ")
    return text + "; no combination of the parts (%s) gives that" % ", ".join(
        "%s: %s" % (name, totals_text(exp)) for name, exp in parts)


def csvs_equal(www, expectation):
    """True when both CSVs hold exactly the expectation's rows (parsed)."""
    try:
        return (read_csv(os.path.join(www, "error_message.csv")) == expectation.error_table()
                and read_csv(os.path.join(www, "user_statistics.csv"))
                == expectation.user_table())
    except TestFailure:
        return False


def wait_csvs(www, expectation, timeout=15, daemon=None, parts=None, step=0.1):
    """Wait until the pages equal ``expectation`` (a live daemon rewrites them).

    Returns the seconds it took; on timeout fails with the first difference,
    ``explain_counts`` of ``parts`` and the daemon's stderr.
    """
    started = time.monotonic()
    deadline = started + timeout
    while True:
        if csvs_equal(www, expectation):
            elapsed = time.monotonic() - started
            check_csvs(www, expectation)
            return elapsed
        if daemon is not None:
            daemon.check_running("while waiting for the pages")
        if time.monotonic() >= deadline:
            break
        time.sleep(step)
    why = explain_counts(www, parts) if parts else "pages show %s" % report_totals(www)
    try:
        check_csvs(www, expectation)
        detail = "the CSVs match only now"
    except TestFailure as failure:
        detail = str(failure)
    raise TestFailure("pages did not reach %s within %.0f s: %s (%s)%s"
                      % (totals_text(expectation), timeout, detail, why,
                         "\ndaemon stderr:\n" + daemon.stderr()[-3000:] if daemon else ""))


# ---------------------------------------------------------------------------
# Journal cross-check

def journal_expectation(journal_dir):
    """Expectation rebuilt from what journalctl reads back from the files.

    Proves the fixture itself: the generator's own bookkeeping must agree
    with what systemd-journal-remote actually stored.
    """
    proc = subprocess.run(["journalctl", "--no-pager", "-D", journal_dir, "-o", "export"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    check(proc.returncode == 0, "journalctl failed: %s" % proc.stderr.decode(errors="replace"))
    return ticky_expect.expectation_from_export(io.BytesIO(proc.stdout))


def check_fixture(journal_dir, expectation):
    """Fail when the journal does not hold exactly the generated ticky entries."""
    stored = journal_expectation(journal_dir)
    check(stored.totals() == expectation.totals()
          and stored.error_table() == expectation.error_table()
          and stored.user_table() == expectation.user_table(),
          "fixture problem: journal holds %s, generator expected %s"
          % (totals_text(stored), totals_text(expectation)))
    say("journalctl reads back the generated entries exactly (%s)" % totals_text(stored))


# ---------------------------------------------------------------------------
# Report checks

def read_bytes(path):
    """Whole file as bytes (a missing report is a failure, not a crash)."""
    check(os.path.isfile(path), "missing report file %s" % path)
    with open(path, "rb") as f:
        return f.read()


def read_csv(path):
    """Rows of a report CSV, read back with Python's csv module."""
    data = read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise TestFailure("%s is not valid UTF-8: %s" % (path, err))
    return list(csv.reader(io.StringIO(text, newline="")))


def first_difference(actual, expected):
    """Describe the first differing row of two tables."""
    for index, (a, e) in enumerate(zip(actual, expected)):
        if a != e:
            return "row %d: got %r, expected %r" % (index, _short(a), _short(e))
    return "got %d rows, expected %d (first extra: %r)" % (
        len(actual), len(expected),
        _short((actual + expected)[min(len(actual), len(expected))]))


def _short(row):
    """A row with long fields cut, for readable failure messages."""
    return [f if len(f) <= 120 else f[:100] + "...(%d chars)" % len(f) for f in row]


def line_terminator(data):
    """The record terminator the program chose (CRLF per RFC 4180, or LF)."""
    first = data.split(b"\n", 1)[0]
    return "\r\n" if first.endswith(b"\r") else "\n"


def compare_csv(path, expected_rows, expected_bytes_for):
    """Compare one CSV both parsed (csv module) and byte for byte."""
    name = os.path.basename(path)
    rows = read_csv(path)
    check(rows == expected_rows, "%s differs from the expectation: %s"
          % (name, first_difference(rows, expected_rows)))
    data = read_bytes(path)
    expected = expected_bytes_for(line_terminator(data))
    if data != expected and data + line_terminator(data).encode() != expected:
        at = next((i for i, (a, b) in enumerate(zip(data, expected)) if a != b),
                  min(len(data), len(expected)))
        raise TestFailure("%s parses right but its bytes differ at offset %d: got %r, "
                          "expected %r" % (name, at, data[max(0, at - 40):at + 40],
                                           expected[max(0, at - 40):at + 40]))


def check_csvs(www, expectation):
    """Both CSVs equal the expectation, parsed and as raw bytes."""
    compare_csv(os.path.join(www, "error_message.csv"), expectation.error_table(),
                expectation.error_csv)
    compare_csv(os.path.join(www, "user_statistics.csv"), expectation.user_table(),
                expectation.user_csv)
    say("CSVs equal the expectation: %d error rows, %d users, %s"
        % (len(expectation.errors), len(expectation.users), totals_text(expectation)))


def page_text(data):
    """Visible text of an HTML page: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", " ", data.decode("utf-8", "replace")))


NUMBER = re.compile(r"\d{1,3}(?:[,.\u00a0\u202f\u2009 ]\d{3})+(?!\d)|\d+")


def numbers_near(text, word, reach=80):
    """The number right after and right before each ``word`` in ``text``.

    Covers "Unparsed: 1,234" as well as "1 234 unparsed entries";
    thousands separators (comma, dot, spaces) are accepted.
    """
    found = set()
    for match in re.finditer(re.escape(word), text, re.IGNORECASE):
        after = NUMBER.search(text, match.end(), match.end() + reach)
        if after:
            found.add(int(re.sub(r"\D", "", after.group())))
        before = NUMBER.findall(text[max(0, match.start() - reach):match.start()])
        if before:
            found.add(int(re.sub(r"\D", "", before[-1])))
    return found


def check_index(www, expectation):
    """index.html links both pages and shows the unparsed count."""
    data = read_bytes(os.path.join(www, "index.html"))
    page = data.decode("utf-8", "replace")
    for target in ("error_message.html", "user_statistics.html"):
        check(target in page, "index.html does not link %s" % target)
    unparsed = expectation.unparsed
    near = numbers_near(page_text(data), "unparsed")
    check(unparsed in near, "index.html does not show the unparsed count %d next to "
          "'unparsed' (numbers found there: %s)" % (unparsed, sorted(near)[:20]))
    say("index.html links both pages and shows unparsed=%d" % unparsed)


def check_html(www, expectation):
    """Pages exist, are UTF-8, escape hostile values and show every row."""
    pages = {}
    for name in HTML_FILES:
        data = read_bytes(os.path.join(www, name))
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise TestFailure("%s is not valid UTF-8: %s" % (name, err))
        check(re.search(rb"<script[^>]*>\s*alert\(", data, re.IGNORECASE) is None,
              "%s contains an unescaped <script> from a message" % name)
        check(re.search(rb"<(link|img)\b[^>]*(href|src)\s*=\s*[\"']?(https?:)?//", data,
                        re.IGNORECASE) is None,
              "%s loads an external resource" % name)
        pages[name] = data
    check_values_escaped(pages["error_message.html"], "error_message.html",
                         [row[0] for row in expectation.error_rows()])
    check_values_escaped(pages["user_statistics.html"], "user_statistics.html",
                         [row[0] for row in expectation.user_rows()])
    check_index(www, expectation)
    say("HTML pages are UTF-8, show every value and escape markup")


def check_values_escaped(data, name, values):
    """Every value is on the page, and none with markup appears raw."""
    text = page_text(data)
    # Hidden characters are shown as "&#8249;U+XXXX&#8250;": read them as
    # text, so that their "&" is not taken for one of a value.
    page = re.sub(r"&#8249;(U\+[0-9A-F]{4})&#8250;", "\u2039\\1\u203a", data.decode("utf-8"))
    missing = [v for v in values if shown(v) not in text]
    check(not missing, "%s lacks %d value(s), e.g. %r" % (name, len(missing),
                                                          missing[:1][0][:200] if missing else ""))
    # The escaped form may contain the raw one ("a&" in "a&amp;"): look for
    # the raw value only in what is left once the escaped forms are gone.
    raw = [v for v in values if any(c in v for c in "<>&\"'") and v in page.replace(_escaped(shown(v)), "")]
    check(not raw, "%s shows %r unescaped" % (name, raw[:1][0][:200] if raw else ""))


def _escaped(value):
    """``value`` as the pages escape it."""
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


# What the pages show as "\u2039U+XXXX\u203a" rather than as themselves:
# controls (but tab and newline), bidirectional controls, invisible
# characters (see report_html.c; CSV and JSON keep them).
HIDDEN = ((0x00, 0x08), (0x0B, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x34F, 0x34F), (0x61C, 0x61C),
          (0x115F, 0x1160), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2069),
          (0x3164, 0x3164), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0))


def shown(value):
    """``value`` as the pages' text shows it."""
    return "".join("\u2039U+%04X\u203a" % ord(c) if any(a <= ord(c) <= b for a, b in HIDDEN) else c
                   for c in value)


def check_no_temp_files(www):
    """No temporary file is left behind by the atomic replacement."""
    leftovers = [n for n in os.listdir(www)
                 if n.startswith(".") or "tmp" in n.lower() or n.endswith("~")]
    check(not leftovers, "temporary files left in %s: %s" % (www, leftovers))
    missing = [n for n in REPORT_FILES if not os.path.isfile(os.path.join(www, n))]
    check(not missing, "report files missing: %s" % missing)
    say("output directory holds the reports and no temporary file")


def check_reports(www, expectation):
    """Everything a finished ``--once`` must have produced."""
    check_csvs(www, expectation)
    check_html(www, expectation)
    check_no_temp_files(www)


def snapshot(directory):
    """{name: (bytes, mtime_ns)} of the files of a directory."""
    result = {}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                result[name] = (f.read(), os.stat(path).st_mtime_ns)
    return result


def kill_once(ws, delay):
    """Start --once, SIGKILL it after ``delay`` seconds; describe what happened."""
    proc = ws.start("--once")
    try:
        _, err = proc.communicate(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
    if proc.returncode == -signal.SIGKILL:
        return "killed at %.3f s" % delay
    check(proc.returncode == 0, "--once exited %d before the kill: %s"
          % (proc.returncode, err.decode(errors="replace")[-2000:]))
    return "finished by itself (status 0) before %.3f s" % delay
