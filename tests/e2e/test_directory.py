# SPDX-License-Identifier: MIT
"""The daemon on a journal directory outside /var and /run.

Journal files given by path (a systemd-journal-remote collector, or a test
under /tmp) arrive while the daemon runs: every entry is counted once, and
the daemon sleeps between them (no reopening, no polling).
"""

import signal
import time

import e2e
from e2e import check, common, say

INTERVAL = 1
SHOW_LIMIT = INTERVAL + 2
IDLE_SECONDS = 4
IDLE_CPU_LIMIT = 0.05


def context_switches(pid):
    """Voluntary context switches of pid: each is a wake-up from a wait."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    raise common.TestFailure("no voluntary_ctxt_switches in /proc/%d/status" % pid)


def body(args):
    """Files added one at a time under the running daemon, then idle."""
    seed = 404 if args.seed is None else args.seed
    with common.Workspace(args.binary, args.keep, prefix="ticky-dir-") as ws:
        # No windows: they wake the daemon at every full hour, which a 4 s
        # idle period could straddle.
        ws.write_config(extra="interval = %d\n[report]\ndays = 0\n" % INTERVAL)
        total = common.ticky_expect.Expectation()
        result = None
        daemon = None
        for index in range(3):
            kwargs = dict(seed=seed + index, ticky=2000, other=1000, users=300, hostile=0.02)
            cfg = (common.next_config(result, **kwargs) if result
                   else common.ticky_gen.GenConfig(**kwargs))
            staged = ws.stage_batch(cfg, "batch%d" % index)
            published = time.monotonic()
            result = ws.publish(staged)
            total.merge(result.expectation)
            if daemon is None:
                daemon = e2e.Daemon(args.binary, ws.conf, ws.root)
                published = daemon.expect_ready()
            e2e.wait_reports(ws.www, total, SHOW_LIMIT, published,
                             "journal file %d of 3" % (index + 1))

        cpu, wakeups = daemon.cpu_seconds(), context_switches(daemon.pid)
        time.sleep(IDLE_SECONDS)
        idle, woke = daemon.cpu_seconds() - cpu, context_switches(daemon.pid) - wakeups
        say("idle for %d s: %.0f ms of CPU, %d wake-ups" % (IDLE_SECONDS, idle * 1000, woke))
        check(idle < IDLE_CPU_LIMIT, "the idle daemon used %.0f ms of CPU in %d s"
              % (idle * 1000, IDLE_SECONDS))
        check(woke == 0, "the idle daemon woke up %d times in %d s: polling" % (woke, IDLE_SECONDS))
        check(e2e.matches(ws.www, total), "the totals changed while nothing happened: %s"
              % "; ".join(e2e.report_problems(ws.www, total)))
        daemon.stop(signal.SIGTERM)

        ws.once()
        common.check_reports(ws.www, total)
        say("--once on the saved state adds nothing: the snapshot matched the pages")


if __name__ == "__main__":
    raise SystemExit(e2e.run(__doc__, body))
