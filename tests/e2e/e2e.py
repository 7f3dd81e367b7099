# SPDX-License-Identifier: MIT
"""Helpers of the end-to-end tests: live journald, the daemon, waiting.

``Namespace`` runs a private journald namespace (``systemd-journald NS``)
and logs into it over the native protocol, which carries any bytes, or
with ``logger``. ``Daemon`` runs ``ticky-reportd`` in the foreground with
a notification socket of its own, as systemd would, and records what it
says there. ``Traffic`` sends generated ticky traffic (tests/fixtures)
and keeps the independent expectation of what the reports must show.

Every process is started under ``setpriv --pdeathsig KILL`` so that it
dies with the test even when the test itself is killed, and everything is
stopped and removed again at exit.
"""

import atexit
import glob
import io
import os
import random
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))

import common  # noqa: E402
from common import TestFailure, check, say  # noqa: E402,F401

ticky_expect = common.ticky_expect
ticky_gen = common.ticky_gen

JOURNALD = next((p for p in ("/lib/systemd/systemd-journald",
                             "/usr/lib/systemd/systemd-journald")
                 if os.access(p, os.X_OK)), "/lib/systemd/systemd-journald")
SETPRIV = shutil.which("setpriv") or "/usr/bin/setpriv"
# An identifier the daemon must ignore; its entries mark how far journald got.
SYNC_IDENTIFIER = b"ticky-e2e-sync"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def run(doc, body, extra=None):
    """Entry point of a test script: ``common.main`` plus what e2e needs.

    Skipped (exit status 77) unless run as root; SIGTERM ends the test
    through its cleanup like a failure would; everything registered in
    ``CLEANUP`` is undone before the exit status is returned.
    """
    name = os.path.basename(sys.argv[0])
    if os.geteuid() != 0 and "-h" not in sys.argv and "--help" not in sys.argv:
        print("SKIP %s: needs root (journald namespaces, nginx as %s)" % (name, "www-data"),
              flush=True)
        return 77
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        return common.main(doc.strip().split("\n")[0], body, extra)
    finally:
        CLEANUP.run()


def guarded(argv):
    """``argv`` run so that it is SIGKILLed when the test process dies."""
    return [SETPRIV, "--pdeathsig", "KILL", "--"] + list(argv)


def machine_id():
    """The local machine ID, which names the namespace's journal directory."""
    try:
        with open("/etc/machine-id") as f:
            value = f.read().strip()
    except OSError:
        value = ""
    check(len(value) == 32, "no /etc/machine-id (systemd-machine-id-setup creates one)")
    return value


def wait_until(predicate, timeout, step=0.05):
    """Poll ``predicate()`` until it returns a true value or ``timeout`` passes.

    Returns that value, or the last (false) one on timeout.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


class Cleanup:
    """Things to undo at exit, most recent first, each exactly once."""

    def __init__(self):
        self.actions = []
        atexit.register(self.run)

    def add(self, action):
        """Register ``action()``; returns it for chaining."""
        self.actions.append(action)
        return action

    def run(self):
        """Undo everything registered so far (errors are reported, not raised)."""
        while self.actions:
            action = self.actions.pop()
            try:
                action()
            except Exception as err:  # noqa: BLE001 - cleanup must go on
                print("  cleanup: %s" % err, flush=True)


CLEANUP = Cleanup()


def stop_process(proc, sig=signal.SIGTERM, timeout=5):
    """Stop a child we started: ``sig``, then SIGKILL; always reaped."""
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


# ---------------------------------------------------------------------------
# journald namespace

def native_entry(fields):
    """A datagram of journald's native protocol from ``[(name, bytes)]``.

    Every value is sent in the binary form (name, newline, 64-bit length,
    data), so newlines, NUL bytes and invalid UTF-8 arrive unchanged.
    """
    parts = []
    for name, value in fields:
        parts.append(name + b"\n" + struct.pack("<Q", len(value)) + value + b"\n")
    return b"".join(parts)


class Namespace:
    """A private journald namespace: its journald, sockets and files.

    The name is unique per run; ``remove`` (also run at exit) stops the
    journald and deletes the namespace's directories.
    """

    def __init__(self, workdir, prefix="tickye2e"):
        self.name = "%s%s" % (prefix, secrets.token_hex(5))
        self.run_dir = "/run/systemd/journal." + self.name
        self.socket_path = os.path.join(self.run_dir, "socket")
        self.dev_log = os.path.join(self.run_dir, "dev-log")
        self.journal_dirs = ["%s/%s.%s" % (top, machine_id(), self.name)
                             for top in ("/var/log/journal", "/run/log/journal")]
        self.log_path = os.path.join(workdir, "journald-%s.log" % self.name)
        self.proc = None
        self.syncs = 0
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        CLEANUP.add(self.remove)

    # -- journald --------------------------------------------------------

    def start(self):
        """Start a journald for the namespace; returns once it accepts entries."""
        check(self.proc is None or self.proc.poll() is not None, "journald already running")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(guarded([JOURNALD, self.name]),
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        up = wait_until(lambda: self.proc.poll() is not None or self._accepts(), 10)
        check(up and self.proc.poll() is None,
              "systemd-journald %s did not start: %s" % (self.name, self.journald_log()))
        # journald logs "Journal started" itself; seeing our own marker come
        # back proves it writes and that journalctl can read this namespace.
        self.sync()
        say("journald for namespace %s is up (pid %d)" % (self.name, self.proc.pid))

    def _accepts(self):
        """True once the native socket takes a datagram."""
        try:
            self.sock.sendto(native_entry([(b"SYSLOG_IDENTIFIER", SYNC_IDENTIFIER),
                                           (b"MESSAGE", b"probe")]), self.socket_path)
            return True
        except (FileNotFoundError, ConnectionRefusedError):
            return False

    def stop(self, sig=signal.SIGTERM):
        """Stop our journald with ``sig`` (SIGKILL: as if it crashed)."""
        if self.proc is not None:
            stop_process(self.proc, sig)
            say("journald of %s stopped with %s" % (self.name, signal.Signals(sig).name))

    def journald_log(self):
        """What journald printed (for failure messages)."""
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-2000:]
        except OSError:
            return ""

    @property
    def journal_dir(self):
        """Where journald keeps the namespace's files: /var/log/journal, or
        /run/log/journal when the former does not exist (Storage=auto)."""
        return next((d for d in self.journal_dirs if os.path.isdir(d)), self.journal_dirs[0])

    def remove(self):
        """Stop journald and delete every directory of the namespace."""
        if self.proc is not None:
            stop_process(self.proc, signal.SIGKILL)
        self.sock.close()
        for path in ([self.run_dir] + self.journal_dirs
                     + glob.glob("/var/log/journal/*.%s" % self.name)
                     + glob.glob("/run/log/journal/*.%s" % self.name)):
            shutil.rmtree(path, ignore_errors=True)

    # -- logging ---------------------------------------------------------

    def send(self, identifier, message, priority=6):
        """Log one entry over the native protocol.

        ``identifier`` or ``message`` ``None``: the field is left out.
        """
        fields = [(b"PRIORITY", b"%d" % priority)]
        if identifier is not None:
            fields.append((b"SYSLOG_IDENTIFIER", identifier))
        if message is not None:
            fields.append((b"MESSAGE", message))
        self.sock.sendto(native_entry(fields), self.socket_path)

    def logger(self, identifier, message):
        """Log one entry through the syslog socket with logger(1)."""
        proc = subprocess.run(["logger", "-u", self.dev_log, "-t", identifier, "--", message],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        check(proc.returncode == 0, "logger failed: %s" % proc.stdout.decode(errors="replace"))

    def sync(self, timeout=10):
        """Return once journald has stored everything sent to it so far.

        journald handles each socket in order, so a marker sent last on the
        native socket is stored after every earlier native entry; logger's
        syslog datagrams get a marker of their own through dev-log.
        """
        self.syncs += 1
        marker = "sync-%d" % self.syncs
        self.send(SYNC_IDENTIFIER, marker.encode())
        self.logger(SYNC_IDENTIFIER.decode(), marker)

        def stored():
            out = self.journalctl("-o", "cat", "SYSLOG_IDENTIFIER=%s" % SYNC_IDENTIFIER.decode())
            return out.decode(errors="replace").split("\n").count(marker) == 2
        check(wait_until(stored, timeout, 0.02),
              "journald of %s did not store %s within %d s: %s"
              % (self.name, marker, timeout, self.journald_log()))
        return time.monotonic()

    # -- journalctl --------------------------------------------------------

    def journalctl(self, *args, ok=True):
        """Run ``journalctl --namespace=NS ARGS``; its stdout as bytes."""
        proc = subprocess.run(["journalctl", "--no-pager", "--namespace=" + self.name]
                              + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, check=False)
        if ok:
            check(proc.returncode == 0, "journalctl %s failed: %s"
                  % (" ".join(args), proc.stderr.decode(errors="replace")))
        return proc.stdout

    def rotate(self):
        """Ask journald to archive its active files and start new ones."""
        before = set(self.archived_files())
        self.journalctl("--rotate")
        check(set(self.archived_files()) - before,
              "journalctl --rotate archived no file in %s" % self.journal_dir)
        say("rotated: %d archived file(s)" % len(self.archived_files()))

    def vacuum_files(self, keep):
        """``journalctl --vacuum-files=KEEP``: archived files are deleted, oldest
        first, until at most ``keep`` files remain, the active one included.
        Returns the names of the deleted files."""
        before = self.archived_files()
        self.journalctl("--vacuum-files=%d" % keep)
        after = self.archived_files()
        deleted = sorted(set(before) - set(after))
        check(deleted, "--vacuum-files=%d deleted nothing (archived: %s)" % (keep, before))
        say("vacuumed: %d archived file(s) deleted, %d left" % (len(deleted), len(after)))
        return deleted

    def archived_files(self):
        """Archived journal files of the namespace (clean and dirty ones)."""
        return sorted(n for n in os.listdir(self.journal_dir)
                      if "@" in n and (n.endswith(".journal") or n.endswith(".journal~")))

    def stored_expectation(self, identifier=b"ticky"):
        """Expectation rebuilt from what the namespace's journal holds now."""
        data = self.journalctl("-o", "export")
        return ticky_expect.expectation_from_export(io.BytesIO(data), identifier)

    def check_fixture(self, expectation):
        """Fail unless the journal holds exactly the ticky entries we sent."""
        stored = self.stored_expectation()
        check(stored.totals() == expectation.totals()
              and stored.error_table() == expectation.error_table()
              and stored.user_table() == expectation.user_table(),
              "fixture problem: the journal of %s holds %s, we sent %s"
              % (self.name, common.totals_text(stored), common.totals_text(expectation)))
        say("journalctl reads back exactly the ticky entries sent (%s)"
            % common.totals_text(stored))


class Traffic:
    """Generated ticky traffic sent to a namespace, and its expectation."""

    def __init__(self, namespace, seed):
        self.ns = namespace
        self.expected = ticky_expect.Expectation()
        self.seed = seed
        self.batches = 0
        self.lock = threading.Lock()

    def config(self, ticky, other=None, users=40, hostile=0.08):
        """A GenConfig for the next batch (each batch has its own seed)."""
        self.batches += 1
        return ticky_gen.GenConfig(seed=self.seed * 1000 + self.batches, ticky=ticky,
                                   other=ticky // 2 if other is None else other,
                                   users=users, hostile=hostile)

    def send(self, ticky, other=None, pace=None, count=True, **kwargs):
        """Send a batch; returns its own expectation.

        ``pace``: (entries per burst, seconds between bursts), to keep
        events flowing for a while instead of sending them all at once.
        ``count=False``: not added to the expectation (for entries that are
        deleted before the daemon may read them).
        """
        batch = ticky_expect.Expectation()
        for index, (is_ticky, identifier, message, priority, _) in enumerate(
                ticky_gen.iter_entries(self.config(ticky, other, **kwargs))):
            self.ns.send(identifier, message, priority)
            if is_ticky:
                batch.feed(message)
            if pace and index % pace[0] == pace[0] - 1:
                time.sleep(pace[1])
        if count:
            with self.lock:
                self.expected.merge(batch)
        return batch

    def logger(self, messages):
        """Log ticky MESSAGEs through the syslog socket with logger(1)."""
        for message in messages:
            self.ns.logger("ticky", message)
            with self.lock:
                self.expected.feed(message.encode())

    def snapshot(self):
        """A copy of the expectation of everything sent so far."""
        with self.lock:
            return self.expected.copy()


# ---------------------------------------------------------------------------
# The daemon

class Daemon:
    """``ticky-reportd -c CONF`` in the foreground, as systemd would run it.

    ``notes`` collects ``(monotonic time, datagram)`` from its
    NOTIFY_SOCKET; its stderr goes to a file (``stderr()``).
    ``watchdog_pid``: ``"self"`` sets WATCHDOG_PID to the daemon's own pid,
    a number sets that number, ``None`` leaves it unset.
    """

    count = 0

    def __init__(self, binary, conf, workdir, watchdog_usec=None, watchdog_pid=None):
        Daemon.count += 1
        self.name = "daemon%d" % Daemon.count
        self.notify_path = os.path.join(workdir, "notify-%d" % Daemon.count)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.notify_path)
        self.notes = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read_notes, daemon=True)
        self.reader.start()

        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("WATCHDOG_", "NOTIFY_SOCKET", "LISTEN_", "JOURNAL_STREAM"))}
        env["NOTIFY_SOCKET"] = self.notify_path
        argv = [binary, "-c", conf]
        if watchdog_usec is not None:
            env["WATCHDOG_USEC"] = str(watchdog_usec)
            if watchdog_pid == "self":
                # $$ of the shell is the pid the daemon has after exec.
                argv = ["sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$0" "$@"'] + argv
            elif watchdog_pid is not None:
                env["WATCHDOG_PID"] = str(watchdog_pid)
        self.stderr_path = os.path.join(workdir, self.name + ".stderr")
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(guarded(argv), stdin=subprocess.DEVNULL,
                                         stdout=err, stderr=err, env=env)
        self.pid = self.proc.pid
        self.started = time.monotonic()
        CLEANUP.add(self.close)

    def _read_notes(self):
        """Collect every datagram until the socket is closed."""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            with self.cond:
                self.notes.append((time.monotonic(), data.decode(errors="replace")))
                self.cond.notify_all()

    def stderr(self):
        """Everything the daemon wrote to stderr (and stdout) so far."""
        with open(self.stderr_path, "rb") as f:
            return f.read().decode(errors="replace")

    def alive(self):
        """True while the process runs."""
        return self.proc.poll() is None

    def wait_note(self, predicate, timeout, since=0):
        """First notification at index >= ``since`` for which ``predicate``
        (a callable, or a line such as ``"READY=1"``) holds; ``(index, time,
        text)`` or ``None`` after ``timeout`` seconds."""
        if isinstance(predicate, str):
            line = predicate
            predicate = lambda text: line in text.split("\n")  # noqa: E731
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for index in range(since, len(self.notes)):
                    when, text = self.notes[index]
                    if predicate(text):
                        return index, when, text
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def note_count(self):
        """Number of notifications received so far (an index for ``since``)."""
        with self.cond:
            return len(self.notes)

    def notes_with(self, line):
        """Times of the notifications holding ``line``."""
        with self.cond:
            return [when for when, text in self.notes if line in text.split("\n")]

    def expect_ready(self, timeout=10):
        """Fail unless READY=1 arrives within ``timeout``; returns its time."""
        deadline = time.monotonic() + timeout
        found = None
        while found is None and time.monotonic() < deadline:
            exited = not self.alive()
            found = self.wait_note("READY=1", 0.1)
            if exited:
                break
        check(found is not None, "%s; stderr:\n%s"
              % ("no READY=1 within %d s" % timeout if self.alive() else
                 "the daemon exited %s without READY=1" % self.proc.returncode,
                 self.stderr()[-3000:]))
        return found[1]

    def check_running(self, what):
        """Fail (with its stderr) if the daemon is no longer running."""
        check(self.alive(), "the daemon exited %s %s; stderr:\n%s"
              % (self.proc.returncode, what, self.stderr()[-3000:]))

    def send_signal(self, sig):
        """Send ``sig`` to the daemon."""
        self.check_running("before %s" % signal.Signals(sig).name)
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, limit=5.0):
        """Send ``sig`` and require exit status 0 within ``limit`` seconds."""
        self.send_signal(sig)
        started = time.monotonic()
        try:
            status = self.proc.wait(limit)
        except subprocess.TimeoutExpired:
            raise TestFailure("the daemon did not exit within %.0f s of %s; stderr:\n%s"
                              % (limit, signal.Signals(sig).name, self.stderr()[-3000:]))
        elapsed = time.monotonic() - started
        check(status == 0, "the daemon exited %d after %s; stderr:\n%s"
              % (status, signal.Signals(sig).name, self.stderr()[-3000:]))
        return elapsed

    def kill(self):
        """SIGKILL, as a crash or the OOM killer would."""
        self.proc.kill()
        self.proc.wait()

    def cpu_seconds(self):
        """User + system CPU time the daemon has used so far."""
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def close(self):
        """Kill the process if it still runs and close the socket."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)    # wakes the reader up
        except OSError:
            pass
        self.reader.join(5)
        self.sock.close()
        try:
            os.unlink(self.notify_path)
        except FileNotFoundError:
            pass


# ---------------------------------------------------------------------------
# Reports

class Setup:
    """Output, state and config of one daemon under a temporary root."""

    def __init__(self, keep=False, prefix="ticky-e2e-"):
        self.root = os.path.realpath(tempfile.mkdtemp(prefix=prefix))
        self.keep = keep
        self.www = self.path("www")
        self.state = self.path("state")
        self.conf = self.path("ticky.ini")
        CLEANUP.add(self.remove)

    def path(self, *parts):
        """A path under the temporary root."""
        return os.path.join(self.root, *parts)

    def write_config(self, namespace, www=None, title="ticky e2e", interval=1, text=None):
        """Write the config file (``text`` verbatim, if given); returns its path."""
        if text is None:
            text = ("[journal]\nidentifier = ticky\nnamespace = %s\n"
                    "[output]\ndirectory = %s\ntitle = %s\n"
                    "[daemon]\ninterval = %d\nstate_directory = %s\n"
                    % (namespace, www or self.www, title, interval, self.state))
        with open(self.conf, "w") as f:
            f.write(text)
        return self.conf

    def remove(self):
        """Delete the temporary root unless asked to keep it."""
        if self.keep:
            print("  kept %s" % self.root, flush=True)
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def report_problems(www, expectation):
    """What keeps the reports in ``www`` from showing ``expectation``.

    An empty list when both CSVs equal it, the index states its INFO, ERROR
    and unparsed totals and both HTML pages hold every row value. Pages
    are replaced one at a time, so all of them are looked at.
    """
    problems = []
    for name, table in (("error_message.csv", expectation.error_table()),
                        ("user_statistics.csv", expectation.user_table())):
        try:
            rows = common.read_csv(os.path.join(www, name))
        except common.TestFailure as err:
            problems.append(str(err))
            continue
        if rows != table:
            problems.append("%s: %s" % (name, common.first_difference(rows, table)))
    try:
        text = common.page_text(common.read_bytes(os.path.join(www, "index.html")))
        for word, number in (("INFO", expectation.info), ("ERROR", expectation.error),
                             ("unparsed", expectation.unparsed)):
            near = common.numbers_near(text, word)
            if number not in near:
                problems.append("index.html: %s %d not shown (numbers there: %s)"
                                % (word, number, sorted(near)[:6]))
        for name, values in (("error_message.html", expectation.error_rows()),
                             ("user_statistics.html", expectation.user_rows())):
            common.check_values_escaped(common.read_bytes(os.path.join(www, name)), name,
                                        [row[0] for row in values])
    except common.TestFailure as err:
        problems.append(str(err))
    return problems


def matches(www, expectation):
    """True when every report in ``www`` shows ``expectation``."""
    return not report_problems(www, expectation)


def wait_reports(www, expectation, limit, since=None, what="the new events"):
    """Wait until the reports in ``www`` show ``expectation``, at most
    ``limit`` seconds after ``since`` (a monotonic time; default now).

    Then checks them fully (CSV bytes, index, HTML escaping) and returns
    the time it took.
    """
    since = time.monotonic() if since is None else since
    done = wait_until(lambda: matches(www, expectation), since + limit - time.monotonic(), 0.05)
    took = time.monotonic() - since
    if not done:
        raise TestFailure("the reports did not show %s (%s) within %.1f s: %s"
                          % (what, common.totals_text(expectation), limit,
                             "; ".join(report_problems(www, expectation))))
    common.check_csvs(www, expectation)
    common.check_html(www, expectation)
    say("reports show %s %.2f s after they were logged (limit %.1f s)" % (what, took, limit))
    return took


def file_ids(www):
    """{name: (inode, mtime_ns)} of the report files (a rewrite changes it)."""
    ids = {}
    for name in common.REPORT_FILES:
        try:
            st = os.stat(os.path.join(www, name))
            ids[name] = (st.st_ino, st.st_mtime_ns)
        except FileNotFoundError:
            ids[name] = None
    return ids


def wait_rewritten(www, before, limit):
    """Wait until every report file differs from ``before``; returns the time."""
    started = time.monotonic()
    done = wait_until(lambda: all(v is not None and v != before[k]
                                  for k, v in file_ids(www).items()), limit, 0.02)
    stale = [k for k, v in file_ids(www).items() if v is None or v == before[k]]
    check(done, "not rewritten within %.1f s: %s" % (limit, ", ".join(stale)))
    return time.monotonic() - started


def rng_for(args, default):
    """A Random seeded by ``--seed`` or ``default``, and the seed used."""
    seed = args.seed if args.seed is not None else default
    return random.Random(seed), seed
