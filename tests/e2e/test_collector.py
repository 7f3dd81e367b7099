# SPDX-License-Identifier: MIT
"""A systemd-journal-remote collector fed by systemd-journal-upload, as deployed.

Three hosts, each a journal directory with its own _HOSTNAME and boot ID,
send their entries over HTTP with a following ``systemd-journal-upload
--save-state`` (as its service runs it) to a ``systemd-journal-remote
--listen-http`` of their own on a loopback port; the daemon reads the
collector directory the whole time. One host's uploader is stopped while
that host logs a backlog older than what the other hosts send meanwhile;
when it starts again, the backlog is appended to that host's collector
file behind entries the daemon has already read, and must be counted once
(SPEC, Durability: every entry stored in any journal file read, whatever
its timestamp and whenever it arrived). The daemon is stopped with SIGTERM
and started again, and SIGKILLed once while a second backlog arrives.

After every step the CSVs (and pages) equal what the collector stores,
which journalctl reads back on its own and which must be exactly what the
hosts logged while their uploader ran. An uploader that resumes from its
saved state sends the entry at that state's cursor again: the collector
stores it twice, and both copies are entries to count. At the end the
index's host table and report.json list every host with its counts, and
``--once`` on the saved state adds nothing.
"""

import io
import json
import os
import re
import signal
import socket
import subprocess
import time

import e2e
from e2e import check, common, say

ticky_gen = common.ticky_gen
ticky_expect = common.ticky_expect

INTERVAL = 1
WAIT_LIMIT = 10             # generous: exactness is checked here, timeliness in test_live
UPLOAD_LIMIT = 15           # from a batch logged to the collector holding it
SLOT_USEC = 15 * 60 * 1_000_000
# Per batch: at most (ticky + other) * 2 s of timestamps, well inside a slot.
TICKY, OTHER = 240, 120
HOSTS = ("web1", "web2", "mail.example.org")
LATE = "web2"               # the host whose uploader is down for a while


def _find(variable, name):
    """A systemd helper outside $PATH (``$variable`` overrides); None if missing."""
    for path in (os.environ.get(variable, ""), "/lib/systemd/" + name,
                 "/usr/lib/systemd/" + name):
        if path and os.access(path, os.X_OK):
            return path
    return None


JOURNAL_REMOTE = _find("JOURNAL_REMOTE", "systemd-journal-remote")
JOURNAL_UPLOAD = _find("JOURNAL_UPLOAD", "systemd-journal-upload")


def free_port():
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port):
    """True when something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Host:
    """One machine: its journal, its uploader, and its remote on the collector.

    ``pending``: batches logged while its uploader is stopped; ``uploaded``:
    the expectation of the batches logged while it runs or sent when it
    started again; ``stored``: what the collector holds of the host (read
    back by ``check_collector``), ``extra`` the copies sent twice.
    """

    def __init__(self, ws, name, index, base_usec, seed):
        self.ws = ws
        self.name = name
        self.seed = seed
        self.base_usec = base_usec
        self.boot_id = b"%032x" % (0xb007 << 112 | (index + 1) * 0x1f2e3d4c5b6a79)
        self.boot_usec = base_usec - (index + 1) * 86_400_000_000
        self.source = ws.path("host-" + name)
        os.mkdir(self.source)
        self.state = ws.path("upload-%s.state" % name)
        self.output = os.path.join(ws.journal, "remote-%s.journal" % name)
        self.log_path = ws.path("remote-%s.log" % name)
        self.upload_log = ws.path("upload-%s.log" % name)
        self.uploader = None
        self.next_seqnum = 1
        self.batches = 0
        self.pending = []
        self.sent = []             # (label, Expectation) of the batches uploaded
        self.uploaded = ticky_expect.Expectation()
        self.stored = ticky_expect.Expectation()
        self.extra = ticky_expect.Expectation()
        self.resumes = 0           # uploader starts from a saved state
        self.remote = None
        self.port = None

    def stop(self):
        """Stop its uploader and its remote, if they run (SIGTERM, then SIGKILL)."""
        for proc in (self.uploader, self.remote):
            if proc is not None:
                e2e.stop_process(proc)

    def start_remote(self):
        """``systemd-journal-remote --listen-http`` writing this host's collector file."""
        for _ in range(5):
            port = free_port()
            with open(self.log_path, "ab") as log:
                proc = subprocess.Popen(e2e.guarded(
                    [JOURNAL_REMOTE, "--listen-http=127.0.0.1:%d" % port, "--split-mode=none",
                     "--output=" + self.output]),
                    stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            e2e.CLEANUP.add(lambda proc=proc: e2e.stop_process(proc))
            e2e.wait_until(lambda: proc.poll() is not None or accepts(port), 10)
            if proc.poll() is None and accepts(port):
                self.remote, self.port = proc, port
                say("systemd-journal-remote for %s listens on 127.0.0.1:%d (pid %d)"
                    % (self.name, port, proc.pid))
                return
            e2e.stop_process(proc)      # the port was taken meanwhile: another one
        raise common.TestFailure("systemd-journal-remote for %s did not start: %s"
                                 % (self.name, self.logs()))

    def logs(self):
        """What its uploader and remote printed (for failure messages)."""
        text = ""
        for what, path in (("systemd-journal-upload", self.upload_log),
                           ("systemd-journal-remote", self.log_path)):
            try:
                with open(path, "rb") as f:
                    text += "\n%s: %s" % (what, f.read().decode(errors="replace")[-1500:])
            except FileNotFoundError:
                pass
        return text

    def log(self, slot, what):
        """Log a batch with timestamps in time slot ``slot`` into the host's journal.

        Generated as Journal Export Format (tests/fixtures/ticky_gen.py) and
        appended to the host's journal file by systemd-journal-remote, as
        its journald would append it.
        """
        self.batches += 1
        start = self.base_usec + slot * SLOT_USEC
        cfg = ticky_gen.GenConfig(seed=self.seed * 100 + self.batches, ticky=TICKY, other=OTHER,
                                  users=40, hostile=0.05, start_usec=start,
                                  start_seqnum=self.next_seqnum, boot_usec=self.boot_usec,
                                  boot_id=self.boot_id, hostname=self.name.encode())
        export = self.ws.path("%s-%d.export" % (self.name, self.batches))
        result = ticky_gen.generate(cfg, [export])
        check(result.next_usec <= start + SLOT_USEC, "fixture problem: batch overflows its slot")
        argv = [JOURNAL_REMOTE, "--output=" + os.path.join(self.source, "system.journal"), export]
        proc = subprocess.run(e2e.guarded(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, check=False)
        check(proc.returncode == 0, "systemd-journal-remote could not write %s's journal: %s"
              % (self.name, proc.stdout.decode(errors="replace")))
        os.unlink(export)
        self.next_seqnum = result.next_seqnum
        label = "%s %s" % (self.name, what)
        self.pending.append((label, result.expectation))
        return self.flush()

    def start_uploader(self):
        """Start ``systemd-journal-upload`` following the host's journal, as its
        service runs it: it resumes after the entry of its saved state (or
        starts at the head) and sends each new entry as it is logged."""
        check(self.uploader is None, "the uploader of %s already runs" % self.name)
        self.resumes += os.path.exists(self.state)
        argv = [JOURNAL_UPLOAD, "-D", self.source, "--save-state=" + self.state,
                "-u", "http://127.0.0.1:%d" % self.port]
        with open(self.upload_log, "ab") as log:
            self.uploader = subprocess.Popen(e2e.guarded(argv), stdin=subprocess.DEVNULL,
                                             stdout=log, stderr=log)
        proc = self.uploader
        e2e.CLEANUP.add(lambda: e2e.stop_process(proc, signal.SIGKILL))
        self.flush()

    def stop_uploader(self):
        """SIGTERM the uploader (it saves its state): the host's outage begins."""
        status = e2e.stop_process(self.uploader)
        self.uploader = None
        check(status == 0, "systemd-journal-upload for %s exited %s on SIGTERM: %s"
              % (self.name, status, self.logs()))
        say("%s's uploader stopped (SIGTERM, state saved)" % self.name)

    def flush(self):
        """With the uploader running, every batch logged is on its way."""
        if self.uploader is None:
            return []
        check(self.uploader.poll() is None, "systemd-journal-upload for %s exited %s: %s"
              % (self.name, self.uploader.returncode, self.logs()))
        sent, self.pending = self.pending, []
        self.sent.extend(sent)
        for label, expectation in sent:
            self.uploaded.merge(expectation)
            say("%s: %s on its way to the collector" % (label, common.totals_text(expectation)))
        return sent


def collector_entries(collector):
    """{_HOSTNAME: [(entry key, MESSAGE)]} of the ticky entries journalctl reads
    back from the collector; the key is what the entry had on its host."""
    proc = subprocess.run(["journalctl", "--no-pager", "-D", collector, "-o", "export"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    check(proc.returncode == 0, "journalctl -D %s failed: %s"
          % (collector, proc.stderr.decode(errors="replace")))
    hosts = {}
    for entry in ticky_expect.read_export(io.BytesIO(proc.stdout)):
        if entry.get("SYSLOG_IDENTIFIER") == b"ticky":
            key = (entry.get("_BOOT_ID"), entry.get("__MONOTONIC_TIMESTAMP"),
                   entry.get("__REALTIME_TIMESTAMP"))
            host = entry.get("_HOSTNAME", b"").decode(errors="replace")
            hosts.setdefault(host, []).append((key, entry.get("MESSAGE")))
    return hosts


def read_collector(collector):
    """Per host: (every stored ticky entry, each distinct one once, the extra copies)."""
    found = collector_entries(collector)
    result = {}
    for name, entries in found.items():
        stored, distinct, extra = (ticky_expect.Expectation() for _ in range(3))
        seen = set()
        for key, message in entries:
            stored.feed(message)
            (extra if key in seen else distinct).feed(message)
            seen.add(key)
        result[name] = (stored, distinct, extra)
    return result


def check_collector(collector, hosts):
    """The collector holds what each host uploaded (journalctl as the oracle).

    The entry at an uploader's saved cursor is sent again when it resumes
    (systemd-journal-upload 252 does), so the collector may hold it twice:
    two entries, each to be counted. Every entry logged and uploaded must
    be there, nothing else; ``host.stored`` becomes what is stored.
    """
    empty = (ticky_expect.Expectation(),) * 3

    def distinct_right():
        found = read_collector(collector)
        return (set(found) <= {h.name for h in hosts}
                and all(common.same_counts(found.get(h.name, empty)[1], h.uploaded)
                        for h in hosts))
    if not e2e.wait_until(distinct_right, UPLOAD_LIMIT, 0.1):
        found = read_collector(collector)
        raise common.TestFailure("the collector holds %s, the hosts uploaded %s:%s"
                                 % ({k: common.totals_text(v[1]) for k, v in found.items()},
                                    {h.name: common.totals_text(h.uploaded) for h in hosts},
                                    "".join(h.logs() for h in hosts)))
    found = read_collector(collector)
    for host in hosts:
        host.stored, _, host.extra = found.get(host.name, empty)
        check(count(host.extra) <= host.resumes,
              "the collector holds %s of %s twice, but its uploader resumed only %d time(s), "
              "re-sending one entry each" % (common.totals_text(host.extra), host.name,
                                              host.resumes))
    say("journalctl -D reads back what was uploaded: %s"
        % ", ".join("%s %s%s" % (h.name, common.totals_text(h.stored),
                                 " (%d sent twice)" % count(h.extra)
                                 if count(h.extra) else "") for h in hosts))


def count(expectation):
    """Number of ticky entries in ``expectation``."""
    return expectation.info + expectation.error + expectation.unparsed


def total_of(hosts):
    """Expectation of every ticky entry the collector stores."""
    total = ticky_expect.Expectation()
    for host in hosts:
        total.merge(host.stored)
    return total


def parts_of(hosts):
    """The parts the counts are made of, for ``explain_counts``."""
    parts = [part for host in hosts for part in host.sent]
    resent = ticky_expect.Expectation()
    for host in hosts:
        resent.merge(host.extra)
    return parts + ([("the entries sent twice", resent)] if count(resent) else [])


def check_exact(ws, daemon, hosts, what, settle=True):
    """The daemon's reports equal what the collector stores, each entry once."""
    total = total_of(hosts)
    parts = parts_of(hosts)
    took = common.wait_csvs(ws.www, total, WAIT_LIMIT, daemon, parts)
    # The pages are replaced one at a time: the HTML may follow the CSVs.
    e2e.wait_until(lambda: e2e.matches(ws.www, total), 2)
    common.check_html(ws.www, total)
    if settle:
        # Counted once means it stays so: nothing comes in twice later on.
        time.sleep(INTERVAL + 0.5)
        daemon.check_running("after %s" % what)
        check(common.csvs_equal(ws.www, total), "the counts changed after they matched (%s): %s"
              % (what, common.explain_counts(ws.www, parts)))
    say("%s: the CSVs are exact after %.2f s (%s)" % (what, took, common.totals_text(total)))


def restart(ws, daemon):
    """SIGTERM (exit 0), then start again; returns the new daemon once READY=1."""
    took = daemon.stop(signal.SIGTERM)
    say("SIGTERM: exit 0 after %.2f s" % took)
    before = e2e.file_ids(ws.www)
    again = ws.daemon()
    e2e.wait_rewritten(ws.www, before, 5)
    say("started again: READY=1, pages rewritten")
    return again


def host_table(www):
    """{host: (INFO, ERROR)} of the index page's host table."""
    page = common.read_bytes(os.path.join(www, "index.html")).decode("utf-8")
    table = re.search(r'<table id="host-table".*?<tbody>(.*?)</tbody>', page, re.S)
    check(table is not None, "index.html has no host table (id=\"host-table\")")
    hosts = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        cells = re.findall(r"<td([^>]*)>(.*?)</td>", row, re.S)
        check(len(cells) == 3, "index.html: a host row without 3 cells: %r" % row[:300])
        name = common.page_text(cells[0][1].encode()).strip()
        values = [re.search(r'data-value="(\d+)"', attrs) for attrs, _ in cells[1:]]
        check(all(values), "index.html: a host row without data-value counts: %r" % row[:300])
        hosts[name] = tuple(int(v.group(1)) for v in values)
    return hosts


def check_hosts(www, hosts):
    """The index's host table and report.json list every host with its counts."""
    expected = {h.name: (h.stored.info, h.stored.error) for h in hosts}
    shown = host_table(www)
    check(shown == expected, "index.html host table: %s, expected %s" % (shown, expected))
    report = json.loads(common.read_bytes(os.path.join(www, "report.json")))
    listed = {h.get("name"): (h.get("info"), h.get("error")) for h in report.get("hosts", [])}
    check(listed == expected, "report.json hosts: %s, expected %s" % (listed, expected))
    say("index.html and report.json list the %d hosts with their INFO and ERROR counts: %s"
        % (len(hosts), ", ".join("%s %d/%d" % (n, i, e) for n, (i, e) in sorted(expected.items()))))


def scenario(ws, hosts, rng):
    """The steps, from the remotes' start to ``--once`` on the final state."""
    late = next(h for h in hosts if h.name == LATE)
    prompt = [h for h in hosts if h is not late]
    slots = iter(range(12))
    for host in hosts:
        host.start_remote()
        host.start_uploader()
    daemon = ws.daemon()
    say("the daemon reads %s (READY=1)" % ws.journal)

    # Each batch is newer than those before it and reaches the collector
    # before the next one is logged: in time order, so far.
    say("step 1: every host logs a first batch, one after the other")
    for host in hosts:
        host.log(next(slots), "batch 1")
        check_collector(ws.journal, hosts)
    check_exact(ws, daemon, hosts, "first batches")

    say("step 2: %s's uploader is down while it logs backlog 1; %s log newer batches"
        % (late.name, " and ".join(h.name for h in prompt)))
    late.stop_uploader()
    late.log(next(slots), "backlog 1")
    for host in prompt:
        host.log(next(slots), "batch 2")
        check_collector(ws.journal, hosts)
    check_exact(ws, daemon, hosts, "newer batches, %s's backlog not uploaded yet" % late.name)

    say("step 3: SIGTERM and start again")
    daemon = restart(ws, daemon)
    check_exact(ws, daemon, hosts, "after the restart")

    say("step 4: %s's uploader starts again: backlog 1 arrives late, older than entries "
        "already read" % late.name)
    late.start_uploader()
    check_collector(ws.journal, hosts)
    check_exact(ws, daemon, hosts, "%s's late backlog 1, counted once" % late.name)

    say("step 5: %s's uploader down again while it logs backlog 2; the others log newer "
        "batches; SIGKILL; backlog 2 arrives while the daemon is down" % late.name)
    late.stop_uploader()
    late.log(next(slots), "backlog 2")
    for host in prompt:
        host.log(next(slots), "batch 3")
        check_collector(ws.journal, hosts)
    delay = rng.uniform(0, INTERVAL + 0.5)
    time.sleep(delay)
    daemon.kill()
    say("SIGKILL %.2f s after the last batch arrived" % delay)
    late.start_uploader()
    check_collector(ws.journal, hosts)
    daemon = ws.daemon()
    check_exact(ws, daemon, hosts, "after the SIGKILL and a new start")

    say("step 6: all hosts log in the same minutes, uploaded at the same time")
    shared = next(slots)
    for host in hosts:
        host.log(shared, "batch 4")
    check_collector(ws.journal, hosts)
    check_exact(ws, daemon, hosts, "interleaved last batches", settle=False)
    check_hosts(ws.www, hosts)

    total = total_of(hosts)
    took = daemon.stop(signal.SIGTERM)
    say("SIGTERM: exit 0 after %.2f s" % took)
    ws.once()
    common.check_reports(ws.www, total)
    check_hosts(ws.www, hosts)
    say("--once on the saved state adds nothing")
    for host in hosts:
        host.stop_uploader()


def body(args):
    """Three uploading hosts, one of them late twice, under a daemon restarted and killed."""
    missing = [name for name, path in (("systemd-journal-remote", JOURNAL_REMOTE),
                                       ("systemd-journal-upload", JOURNAL_UPLOAD)) if path is None]
    check(not missing, "%s missing from /lib/systemd and /usr/lib/systemd (Debian: apt-get "
          "install systemd-journal-remote)" % " and ".join(missing))
    rng, seed = e2e.rng_for(args, 2207)
    with common.Workspace(args.binary, args.keep, prefix="ticky-e2e-collector-") as ws:
        ws.write_config(extra="interval = %d\n" % INTERVAL)
        # Whole seconds, a few hours back: slot k holds timestamps from
        # base + k * 15 min on, all in the past.
        base = (int(time.time()) - 4 * 3600) * 1_000_000
        hosts = [Host(ws, name, index, base, seed + index) for index, name in enumerate(HOSTS)]
        try:
            scenario(ws, hosts, rng)
        finally:
            for host in hosts:
                host.stop()


if __name__ == "__main__":
    raise SystemExit(e2e.run(__doc__, body))
