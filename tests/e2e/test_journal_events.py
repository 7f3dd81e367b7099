# SPDX-License-Identifier: MIT
"""What happens to a live journal under a running daemon: totals stay exact.

One private journald namespace and one daemon, through: the namespace not
existing yet when the daemon starts, rotation, vacuuming of archived
files, journald stopped and restarted (cleanly and by SIGKILL), the daemon
SIGKILLed at random moments while events flow, and the saved cursor
vacuumed away while the daemon is down, and the namespace's directory
removed and created anew under the running daemon. After each, more events are
logged and the reports must count every entry exactly once.
"""

import shutil
import signal
import threading
import time

import e2e
from e2e import check, common, say

INTERVAL = 1
SHOW_LIMIT = INTERVAL + 2      # SPEC: new events show up within interval + 2 s
RETRY = 2                      # a namespace without files is looked for every 2 s
KILLS = 3


class Run:
    """The namespace, the current daemon and the traffic of one test."""

    def __init__(self, args):
        self.args = args
        self.rng, seed = e2e.rng_for(args, 2202)
        say("random choices drawn with --seed %d" % seed)
        self.setup = e2e.Setup(args.keep)
        self.ns = e2e.Namespace(self.setup.root)
        self.traffic = e2e.Traffic(self.ns, seed)
        self.setup.write_config(self.ns.name, interval=INTERVAL)
        self.daemon = None

    def start_daemon(self):
        """Start a daemon on the config; returns the time READY=1 came."""
        self.daemon = e2e.Daemon(self.args.binary, self.setup.conf, self.setup.root)
        return self.daemon.expect_ready()

    def log_and_check(self, what, ticky=200, limit=SHOW_LIMIT, **kwargs):
        """Log a batch; the reports must show the exact totals in time."""
        self.traffic.send(ticky, **kwargs)
        e2e.wait_reports(self.setup.www, self.traffic.snapshot(), limit, self.ns.sync(), what)
        self.daemon.check_running("after %s" % what)


def late_namespace(run):
    """Daemon first, journald 3 s later: it must wait for the namespace."""
    run.start_daemon()
    common.check_csvs(run.setup.www, run.traffic.snapshot())
    say("daemon started on namespace %s, which has no journald and no files yet"
        % run.ns.name)
    time.sleep(max(0.0, run.daemon.started + 3 - time.monotonic()))
    run.daemon.check_running("while the namespace did not exist")
    run.ns.start()
    run.log_and_check("events of a namespace that appeared after the daemon started",
                      ticky=300, limit=RETRY + SHOW_LIMIT, hostile=0.1)


def rotation(run):
    """journalctl --rotate under the running daemon."""
    run.ns.rotate()
    run.log_and_check("events logged after a rotation")
    run.ns.check_fixture(run.traffic.snapshot())


def vacuum(run):
    """Archived files vacuumed under the running daemon."""
    run.ns.rotate()
    check(len(run.ns.archived_files()) >= 2, "expected two archived files before vacuuming")
    run.ns.vacuum_files(1)
    run.log_and_check("events logged after archived files were vacuumed")


def journald_restart(run, sig):
    """journald stopped (``sig``) and started again under the daemon."""
    run.ns.stop(sig)
    time.sleep(0.5)
    run.daemon.check_running("while journald was down")
    run.ns.start()
    dirty = [n for n in run.ns.archived_files() if n.endswith("~")]
    if dirty:
        say("journald set aside the uncleanly closed file as %s" % dirty[-1])
    run.log_and_check("events logged after journald was restarted (%s)"
                      % signal.Signals(sig).name)


def namespace_recreated(run):
    """journald stopped, its directory removed, journald started anew.

    The daemon is left with no journal file at all; the new directory is
    not one sd-journal watches, so the daemon must go back to waiting for
    files, and resume after its cursor (by time, in the new files).
    """
    run.ns.stop(signal.SIGTERM)
    shutil.rmtree(run.ns.journal_dir)
    say("removed %s while the daemon ran" % run.ns.journal_dir)
    time.sleep(0.5)
    run.daemon.check_running("after the namespace's directory was removed")
    run.ns.start()
    run.log_and_check("events logged into a recreated namespace directory",
                      limit=RETRY + SHOW_LIMIT)


def kills_while_flowing(run):
    """SIGKILL the daemon at random moments while events keep coming."""
    errors = []

    def flow():
        try:
            run.traffic.send(1500, pace=(40, 0.05), hostile=0.05)
        except Exception as err:  # noqa: BLE001 - reported by the main thread
            errors.append(err)
    sender = threading.Thread(target=flow)
    sender.start()
    try:
        for attempt in range(KILLS):
            delay = run.rng.uniform(0.1, 1.5)
            time.sleep(delay)
            run.daemon.check_running("before kill %d" % (attempt + 1))
            run.daemon.kill()
            say("SIGKILL %d at %.2f s after start" % (attempt + 1, delay))
            if run.rng.random() < 0.5:
                time.sleep(run.rng.uniform(0.1, 0.6))
            run.start_daemon()
    finally:
        sender.join()
    check(not errors, "sending events failed: %s" % errors[:1])
    e2e.wait_reports(run.setup.www, run.traffic.snapshot(), SHOW_LIMIT, run.ns.sync(),
                     "every event once after %d SIGKILLs while events flowed" % KILLS)
    time.sleep(INTERVAL + 0.5)
    check(e2e.matches(run.setup.www, run.traffic.snapshot()),
          "the totals changed after the daemon had caught up: %s"
          % "; ".join(e2e.report_problems(run.setup.www, run.traffic.snapshot())))


def cursor_vacuumed(run):
    """While the daemon is down, its cursor's file is vacuumed away.

    Entries logged after the cursor and vacuumed with it are gone; those
    in the surviving files must be counted, the older ones not again.
    """
    run.daemon.stop(signal.SIGTERM)
    gone = run.traffic.send(150, count=False)
    run.ns.sync()
    run.ns.rotate()
    kept = run.traffic.send(150)
    run.ns.sync()
    run.ns.rotate()
    run.ns.vacuum_files(2)      # the active file and the newest archived one
    stored = run.ns.stored_expectation()
    check(stored.totals() == kept.totals(),
          "fixture problem: after vacuuming, the journal holds %s, expected only the "
          "last batch %s" % (common.totals_text(stored), common.totals_text(kept)))
    say("while the daemon was down: %s logged then vacuumed with the cursor's file, "
        "%s kept" % (common.totals_text(gone), common.totals_text(kept)))
    ready = run.start_daemon()
    e2e.wait_reports(run.setup.www, run.traffic.snapshot(), SHOW_LIMIT, ready,
                     "the surviving entries after the cursor, and nothing older again")
    run.log_and_check("events logged after that restart")


def body(args):
    """Every journal event in turn, one daemon (restarted when killed)."""
    run = Run(args)
    late_namespace(run)
    rotation(run)
    vacuum(run)
    journald_restart(run, signal.SIGTERM)
    journald_restart(run, signal.SIGKILL)
    namespace_recreated(run)
    kills_while_flowing(run)
    cursor_vacuumed(run)
    run.daemon.stop(signal.SIGTERM)
    common.check_reports(run.setup.www, run.traffic.snapshot())


if __name__ == "__main__":
    raise SystemExit(e2e.run(__doc__, body))
