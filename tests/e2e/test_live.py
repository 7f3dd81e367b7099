# SPDX-License-Identifier: MIT
"""The daemon on a live journald namespace, driven as systemd drives it.

Start-up (pages, then READY=1), events shown within interval + 2 s,
STATUS= with the counts, SIGHUP with a broken and then a valid
configuration, the watchdog, an idle daemon that uses no CPU, SIGTERM,
events logged while it is down, and a restart that carries on the totals.
"""

import os
import signal
import subprocess
import time

import e2e
from e2e import check, common, say

INTERVAL = 1
SHOW_LIMIT = INTERVAL + 2      # SPEC: new events show up within interval + 2 s
RELOAD_LIMIT = 2               # SPEC: pages rewritten within 2 s of SIGHUP
STOP_LIMIT = 5                 # SPEC: exit 0 within 5 s of SIGTERM/SIGINT
WATCHDOG_USEC = 2_000_000
IDLE_SECONDS = 5
IDLE_CPU_LIMIT = 0.050

SYSLOG_MESSAGES = ("ERROR Logged through syslog (syslog.user)",
                   "INFO Created ticket [#77] (syslog.user)",
                   "WARN Not a ticky level (syslog.user)")


def check_status(daemon, expectation, since):
    """A STATUS= notification sent after ``since`` states the counts."""
    def states_counts(text):
        status = next((line for line in text.split("\n") if line.startswith("STATUS=")), None)
        return (status is not None
                and expectation.info in common.numbers_near(status, "INFO")
                and expectation.error in common.numbers_near(status, "ERROR")
                and expectation.unparsed in common.numbers_near(status, "unparsed"))
    found = daemon.wait_note(states_counts, 2, since)
    last = [text for _, text in daemon.notes[since:] if "STATUS=" in text][-1:]
    check(found is not None, "no STATUS= with %s; last one: %r"
          % (common.totals_text(expectation), last))
    say("STATUS= states the counts: %r" % found[2].split("STATUS=", 1)[1][:150])


def broken_config(setup, namespace):
    """A configuration with two errors; returns (text, [their line numbers])."""
    lines = ["[journal]", "namespace = %s" % namespace, "colour = blue",
             "[output]", "directory = %s" % setup.path("never"),
             "title = this title must not appear",
             "[daemon]", "interval = soon", "state_directory = %s" % setup.state]
    bad = [lines.index("colour = blue") + 1, lines.index("interval = soon") + 1]
    return "\n".join(lines) + "\n", bad


def reload_broken(daemon, setup, ns, traffic, title):
    """SIGHUP with an invalid file: logged as FILE:LINE:, old config kept."""
    text, bad_lines = broken_config(setup, ns.name)
    setup.write_config(ns.name, text=text)
    before = e2e.file_ids(setup.www)
    since = daemon.note_count()
    daemon.send_signal(signal.SIGHUP)
    took = e2e.wait_rewritten(setup.www, before, RELOAD_LIMIT)
    say("SIGHUP with a broken config: pages rewritten after %.2f s" % took)
    time.sleep(0.2)
    daemon.check_running("after SIGHUP with a broken configuration")
    stderr = daemon.stderr()
    for line in bad_lines:
        check("%s:%d:" % (setup.conf, line) in stderr,
              "stderr does not report %s:%d: after SIGHUP; it says:\n%s"
              % (setup.conf, line, stderr[-2000:]))
    say("stderr reports %s" % ", ".join("%s:%d:" % (os.path.basename(setup.conf), n)
                                        for n in bad_lines))
    reloading = daemon.wait_note("RELOADING=1", 1, since)
    check(reloading is not None, "no RELOADING=1 after SIGHUP")
    check(daemon.wait_note("READY=1", 1, reloading[0] + 1) is not None,
          "no READY=1 after RELOADING=1: systemd would consider the reload unfinished")
    index = common.page_text(common.read_bytes(os.path.join(setup.www, "index.html")))
    check(title in index and "must not appear" not in index,
          "the broken configuration's title was applied")
    check(not os.path.exists(setup.path("never")),
          "the broken configuration's output directory was created")
    say("RELOADING=1 then READY=1; the previous configuration stays in force")

    traffic.send(80)
    e2e.wait_reports(setup.www, traffic.snapshot(), SHOW_LIMIT, ns.sync(),
                     "events logged after the failed reload")


def reload_unusable(daemon, setup, ns, title):
    """SIGHUP with a valid file whose output directory cannot be created."""
    setup.write_config(ns.name, www=setup.path("missing", "www"), title="unusable")
    before = e2e.file_ids(setup.www)
    daemon.send_signal(signal.SIGHUP)
    took = e2e.wait_rewritten(setup.www, before, RELOAD_LIMIT)
    time.sleep(0.2)
    daemon.check_running("after SIGHUP with an unusable output directory")
    check(setup.path("missing") in daemon.stderr(),
          "stderr does not say why %s cannot be used:\n%s"
          % (setup.path("missing", "www"), daemon.stderr()[-2000:]))
    check(title in common.page_text(common.read_bytes(os.path.join(setup.www, "index.html"))),
          "the pages lost the previous title after an unusable configuration")
    say("SIGHUP with an unusable output directory: logged, previous config kept, "
        "pages rewritten after %.2f s" % took)


def second_instance(binary, setup):
    """A second daemon on the same state exits 1 without READY=1."""
    other = e2e.Daemon(binary, setup.conf, setup.root)
    try:
        status = other.proc.wait(5)
    except subprocess.TimeoutExpired:
        raise common.TestFailure("a second daemon on the same state directory is still "
                                 "running after 5 s")
    check(status == 1, "a second daemon on the same state exited %d, expected 1" % status)
    check(setup.state in other.stderr(), "the second daemon does not say that %s is in use: %r"
          % (setup.state, other.stderr()[-500:]))
    check(not other.notes_with("READY=1"), "the second daemon sent READY=1")
    say("a second daemon on the same state exits 1: %s" % other.stderr().strip()[-120:])


def reload_valid(daemon, setup, ns, traffic, www2, title):
    """SIGHUP with a new title and output directory: both take effect."""
    setup.write_config(ns.name, www=www2, title=title, interval=INTERVAL)
    since = daemon.note_count()
    daemon.send_signal(signal.SIGHUP)
    started = time.monotonic()

    def applied():
        try:
            data = common.read_bytes(os.path.join(www2, "index.html"))
        except common.TestFailure:
            return False
        return (all(os.path.isfile(os.path.join(www2, n)) for n in common.REPORT_FILES)
                and title in common.page_text(data))
    check(e2e.wait_until(applied, RELOAD_LIMIT), "the new output directory %s with the "
          "title %r did not appear within %d s of SIGHUP" % (www2, title, RELOAD_LIMIT))
    say("SIGHUP with a valid config: new directory and title after %.2f s"
        % (time.monotonic() - started))
    daemon.check_running("after SIGHUP with a valid configuration")
    for name in common.HTML_FILES:
        data = common.read_bytes(os.path.join(www2, name))
        check(title.encode() not in data, "%s shows the title %r unescaped" % (name, title))
        check(title in common.page_text(data), "%s does not show the new title" % name)
    common.check_csvs(www2, traffic.snapshot())
    reloading = daemon.wait_note("RELOADING=1", 1, since)
    check(reloading is not None and daemon.wait_note("READY=1", 1, reloading[0] + 1),
          "no RELOADING=1 followed by READY=1 after SIGHUP")

    traffic.send(80)
    e2e.wait_reports(www2, traffic.snapshot(), SHOW_LIMIT, ns.sync(),
                     "events logged after the reload")


def idle_cpu(daemon, www):
    """An idle daemon neither spins nor rewrites its pages."""
    time.sleep(INTERVAL + 0.5)          # let a pending rewrite happen first
    before_files = e2e.file_ids(www)
    before = daemon.cpu_seconds()
    time.sleep(IDLE_SECONDS)
    used = daemon.cpu_seconds() - before
    daemon.check_running("while idle")
    check(used < IDLE_CPU_LIMIT, "the idle daemon used %.0f ms of CPU in %d s (limit %.0f ms)"
          % (used * 1000, IDLE_SECONDS, IDLE_CPU_LIMIT * 1000))
    check(e2e.file_ids(www) == before_files, "the pages were rewritten with no new events")
    say("idle for %d s: %.0f ms of CPU, no rewrite" % (IDLE_SECONDS, used * 1000))


def check_watchdog(daemon, until):
    """WATCHDOG=1 kept coming, never further apart than WATCHDOG_USEC."""
    times = [daemon.started] + [t for t in daemon.notes_with("WATCHDOG=1") if t <= until]
    check(len(times) > 1, "no WATCHDOG=1 although WATCHDOG_USEC=%d and WATCHDOG_PID "
          "is the daemon's pid" % WATCHDOG_USEC)
    times.append(until)
    gap = max(b - a for a, b in zip(times, times[1:]))
    check(gap < WATCHDOG_USEC / 1e6, "%.2f s without WATCHDOG=1 (WATCHDOG_USEC=%d): systemd "
          "would have killed the daemon" % (gap, WATCHDOG_USEC))
    say("%d WATCHDOG=1 in %.0f s, at most %.2f s apart"
        % (len(times) - 2, until - daemon.started, gap))


def body(args):
    """Run the daemon through start, reloads, idling, stop and restart."""
    rng, seed = e2e.rng_for(args, 1101)
    setup = e2e.Setup(args.keep)
    ns = e2e.Namespace(setup.root)
    traffic = e2e.Traffic(ns, seed)
    title = "ticky live"
    ns.start()
    setup.write_config(ns.name, title=title, interval=INTERVAL)

    daemon = e2e.Daemon(args.binary, setup.conf, setup.root,
                        watchdog_usec=WATCHDOG_USEC, watchdog_pid="self")
    ready = daemon.expect_ready()
    missing = [n for n in common.REPORT_FILES if not os.path.isfile(os.path.join(setup.www, n))]
    check(not missing, "READY=1 came before the pages were written: %s missing" % missing)
    say("READY=1 after %.2f s, pages already written" % (ready - daemon.started))

    since = daemon.note_count()
    traffic.send(600, users=30, hostile=0.08)
    traffic.logger(SYSLOG_MESSAGES)
    e2e.wait_reports(setup.www, traffic.snapshot(), SHOW_LIMIT, ns.sync(),
                     "%d events" % (600 + len(SYSLOG_MESSAGES)))
    check_status(daemon, traffic.snapshot(), since)

    second_instance(args.binary, setup)
    reload_broken(daemon, setup, ns, traffic, title)
    reload_unusable(daemon, setup, ns, title)
    www2 = setup.path("www2")
    reload_valid(daemon, setup, ns, traffic, www2, "ticky <b>reloaded</b> & 'co'")
    idle_cpu(daemon, www2)
    check_watchdog(daemon, time.monotonic())

    expected = traffic.snapshot()
    took = daemon.stop(signal.SIGTERM, STOP_LIMIT)
    check(daemon.wait_note("STOPPING=1", 1) is not None, "no STOPPING=1 on SIGTERM")
    say("SIGTERM: STOPPING=1, exit 0 after %.2f s" % took)
    common.check_csvs(www2, expected)
    check(os.listdir(setup.state), "no state saved in %s" % setup.state)

    traffic.send(200, hostile=0.1)
    traffic.logger(SYSLOG_MESSAGES[:1])
    ns.sync()
    say("logged %s in all while the daemon was down" % common.totals_text(traffic.snapshot()))

    again = e2e.Daemon(args.binary, setup.conf, setup.root,
                       watchdog_usec=500_000, watchdog_pid=1)
    ready = again.expect_ready()
    e2e.wait_reports(www2, traffic.snapshot(), SHOW_LIMIT, ready,
                     "the events logged while it was down, once")
    time.sleep(INTERVAL + 0.5)
    check(e2e.matches(www2, traffic.snapshot()),
          "the totals changed after the restart had caught up: %s"
          % "; ".join(e2e.report_problems(www2, traffic.snapshot())))
    traffic.send(50)
    e2e.wait_reports(www2, traffic.snapshot(), SHOW_LIMIT, ns.sync(),
                     "new events after the restart")
    check(not again.notes_with("WATCHDOG=1"),
          "WATCHDOG=1 sent although WATCHDOG_PID names another process")
    took = again.stop(signal.SIGINT, STOP_LIMIT)
    say("SIGINT: exit 0 after %.2f s; no WATCHDOG=1 for a foreign WATCHDOG_PID" % took)
    common.check_reports(www2, traffic.snapshot())
    ns.check_fixture(traffic.snapshot())


if __name__ == "__main__":
    raise SystemExit(e2e.run(__doc__, body))
