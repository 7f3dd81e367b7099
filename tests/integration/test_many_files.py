# SPDX-License-Identifier: MIT
"""Hundreds of journal files: few file descriptors, SIGKILL at any moment.

(a) 500 small host files read by ``--once`` with RLIMIT_NOFILE at 64: a
reader must not need one descriptor per file at once; every file counted
exactly.

(b) 200 host files read once, then 8000 more entries each: ``--once``
SIGKILLed at five moments, then run to completion: every entry counted
exactly once. ``--once`` saves a checkpoint every 5 s (of the clock) and
at its end, and a kill must be able to land after a checkpoint: when an
uninterrupted run takes less than 6.5 s, every run is throttled (stopped
and continued every 100 ms) so that it takes 7.5 s or more. Two kills
come at random moments before the first checkpoint of a run, one at a
random moment within 0.5 s after a run replaced the state file, and two
while a run resumed from that checkpoint finishes.
"""

import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time

import collector
import common
import test_sigkill
from collector import SECOND, T0, Upload
from common import check, say

FEW_DESCRIPTORS = 64
CHECKPOINT = 5.0          # seconds between two checkpoints of --once
LONG_ENOUGH = CHECKPOINT + 1.5


def few_descriptors():
    """In the child, before exec: RLIMIT_NOFILE soft and hard limits lowered."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (FEW_DESCRIPTORS, FEW_DESCRIPTORS))


def many_small_files(args, seed):
    """(a) 500 files of 30 entries, --once with 64 file descriptors."""
    with common.Workspace(args.binary, args.keep) as ws:
        started = time.monotonic()
        batches = [Upload(b"host%03d" % k, T0 + k * 1_009, step_usec=SECOND, seed=seed + k,
                          ticky=20, other=10, users=300, hostile=0.05)
                   for k in range(500)]
        collector.upload_all(ws.journal, batches)
        total = collector.total_of(batches)
        say("500 host files written in %.1f s: %s" % (time.monotonic() - started, common.totals_text(total)))
        common.check_fixture(ws.journal, total)

        proc = subprocess.Popen([ws.binary, "-c", ws.conf, "--once"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, preexec_fn=few_descriptors)
        ws.processes.append(proc)
        try:
            out, err = proc.communicate(timeout=common.ONCE_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise common.TestFailure("--once did not finish within %d s" % common.ONCE_TIMEOUT)
        check(proc.returncode == 0, "--once with RLIMIT_NOFILE %d exited %s\nstderr: %s"
              % (FEW_DESCRIPTORS, proc.returncode, err.decode(errors="replace")[-3000:]))
        say("--once with RLIMIT_NOFILE %d over 500 files exits 0" % FEW_DESCRIPTORS)
        common.check_reports(ws.www, total)


class Throttle:
    """Lets a process run only ``duty`` of the time: SIGSTOP and SIGCONT every 100 ms.

    ``--once`` checkpoints by the clock, so a throttled run crosses its
    5 s checkpoint with a set of files it would read in less.
    """

    PERIOD = 0.1

    def __init__(self, proc, duty):
        self.proc = proc
        self.duty = duty
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        if duty < 1.0:
            self.thread.start()

    def _run(self):
        while self.proc.poll() is None:
            if self.done.wait(self.PERIOD * self.duty):
                return
            self.proc.send_signal(signal.SIGSTOP)
            stopped = self.done.wait(self.PERIOD * (1.0 - self.duty))
            self.proc.send_signal(signal.SIGCONT)
            if stopped:
                return

    def close(self):
        """Stop throttling; the process runs freely (if it still runs)."""
        self.done.set()
        if self.thread.is_alive():
            self.thread.join()


def saved_state(directory):
    """(size, mtime) of the state file of ``directory`` (None without one): a checkpoint replaces it."""
    try:
        st = os.stat(os.path.join(directory, "state"))
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns


def throttled_once(ws, duty, kill_after=None, after_checkpoint=None, conf=None):
    """``--once`` throttled to ``duty``, to its end or SIGKILLed.

    Killed ``kill_after`` seconds after its start, or ``after_checkpoint``
    seconds after it replaced the state file of ``ws.state``, when given.
    Returns (what happened, seconds it ran).
    """
    state = ws.state
    started = time.monotonic()
    before = saved_state(state)
    proc = ws.start("--once", conf=conf)
    throttle = Throttle(proc, duty)
    deadline = started + (kill_after if kill_after is not None else common.ONCE_TIMEOUT)
    saved_at = None
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if after_checkpoint is not None and saved_at is None and saved_state(state) != before:
                saved_at = time.monotonic() - started
                deadline = time.monotonic() + after_checkpoint
            time.sleep(0.01)
        if proc.poll() is None:
            check(kill_after is not None or saved_at is not None,
                  "--once did not finish within %d s" % common.ONCE_TIMEOUT)
            proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
    finally:
        throttle.close()
    elapsed = time.monotonic() - started
    if proc.returncode == -signal.SIGKILL:
        if saved_at is not None:
            return "killed at %.3f s, %.3f s after a checkpoint" % (elapsed, elapsed - saved_at), elapsed
        return "killed at %.3f s" % elapsed, elapsed
    check(proc.returncode == 0, "--once exited %d: %s"
          % (proc.returncode, err.decode(errors="replace")[-2000:]))
    return "finished by itself (status 0) in %.3f s" % elapsed, elapsed


def killed_runs(args, seed):
    """(b) 200 files read once, then 8000 more entries each, five kills, then a run to the end."""
    rng = random.Random(seed)
    with common.Workspace(args.binary, args.keep) as ws:
        pool = collector.Pool(seed=seed, ticky=18000, other=2000, users=2000, hostile=0.01)
        hosts = [b"node%03d" % k for k in range(200)]
        total = common.ticky_expect.Expectation()
        ends = {host: T0 + k * 4_001 for k, host in enumerate(hosts)}

        def add(count, round_):
            started = time.monotonic()
            batches = [Upload(host, ends[host], step_usec=SECOND, pool=pool, count=count,
                              seed=seed + 1000 * round_ + k)
                       for k, host in enumerate(hosts)]
            collector.upload_all(ws.journal, batches)
            total.merge(collector.total_of(batches))
            ends.update((b.host, b.end_usec) for b in batches)
            say("%d entries added to each of %d host files in %.1f s: %s"
                % (count, len(hosts), time.monotonic() - started, common.totals_text(total)))

        # The kills interrupt a run that resumes from a saved state, as the
        # daemon's reading of what arrived while it was stopped does.
        add(200, 0)
        ws.once()
        common.check_csvs(ws.www, total)
        saved = ws.path("state-saved")
        shutil.copytree(ws.state, saved)
        add(8000, 1)

        ref_conf = ws.write_config(www=ws.path("www-ref"), state=ws.path("state-ref"),
                                   path=ws.path("ref.ini"))

        def reference(duty):
            shutil.rmtree(ws.path("state-ref"), ignore_errors=True)
            shutil.copytree(saved, ws.path("state-ref"))
            _, elapsed = throttled_once(ws, duty, conf=ref_conf)
            common.check_csvs(ws.path("www-ref"), total)
            return elapsed

        duration = reference(1.0)
        say("uninterrupted --once from the saved state takes %.2f s" % duration)
        duty = 1.0
        if duration < LONG_ENOUGH:
            duty = max(0.1, duration / (LONG_ENOUGH + 1.0))
            duration = reference(duty)
            say("too quick to be killed after a checkpoint: runs throttled to %d %% of the time, "
                "then it takes %.2f s" % (duty * 100, duration))

        early = max(0.2, min(duration, CHECKPOINT) - 0.2)
        rest = max(0.3, duration - CHECKPOINT)
        plan = [dict(kill_after=rng.uniform(0.1, early)), dict(kill_after=rng.uniform(0.1, early)),
                dict(after_checkpoint=rng.uniform(0.0, 0.5)),
                dict(kill_after=rng.uniform(0.1, rest)), dict(kill_after=rng.uniform(0.1, rest))]
        checkpoints = 0
        for attempt, kill in enumerate(plan):
            before = saved_state(ws.state)
            outcome, _ = throttled_once(ws, duty, **kill)
            changed = saved_state(ws.state) != before
            checkpoints += changed and "killed" in outcome
            say("run %d: %s; state %s" % (attempt + 1, outcome, "saved" if changed else "unchanged"))
            test_sigkill.check_pages_whole(ws.www)
        if not checkpoints:
            say("no run was killed after a checkpoint of its own (each finished first)")

        elapsed = ws.once()
        say("final --once completed in %.2f s" % elapsed)
        common.check_reports(ws.www, total)
        for directory in (ws.www, ws.state):
            leftovers = [n for n in os.listdir(directory) if n.startswith(".")]
            check(not leftovers, "temporary files of killed runs left in %s: %s" % (directory, leftovers))


def body(args):
    """(a) few descriptors, (b) SIGKILL."""
    seed = 808 if args.seed is None else args.seed
    many_small_files(args, seed)
    killed_runs(args, seed + 1000)


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
