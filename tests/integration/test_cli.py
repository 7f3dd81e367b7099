# SPDX-License-Identifier: MIT
"""Command line and configuration errors: exit statuses and messages per SPEC."""

import os
import signal
import subprocess
import sys
import time

import common
from common import check, say


def expect_status(ws, args, status, what, timeout=common.ONCE_TIMEOUT):
    """Run with exactly ``args``; the exit status must be ``status``."""
    got, out, err = ws.run_raw(args, timeout=timeout)
    check(got == status, "%s: exit status %s, expected %d\nstdout: %s\nstderr: %s"
          % (what, got, status, out[-1000:], err[-1000:]))
    say("%s -> %d" % (what, status))
    return out, err


def check_usage(ws):
    """--help, --version, an unknown option."""
    out, _ = expect_status(ws, ["--help"], 0, "--help")
    check("--once" in out, "--help does not describe --once: %r" % out[:500])
    out, err = expect_status(ws, ["--version"], 0, "--version")
    check((out + err).strip(), "--version prints nothing")
    _, err = expect_status(ws, ["--no-such-option"], 2, "unknown option")
    check(err.strip(), "an unknown option gives no message on stderr")
    expect_status(ws, ["-c"], 2, "-c without a file")


def check_configs(ws):
    """--check-config on good and bad files; FILE:LINE: on stderr."""
    expect_status(ws, ["-c", ws.conf, "--check-config"], 0, "--check-config on a good config")
    # name: (text, lines where the error may be reported; None: any line)
    bad = {
        "unknown key on line 3": ("[journal]\ndirectory = %s\nbogus = 1\n" % ws.journal, (3,)),
        # The header is on line 1, its first key on line 2: either is fair.
        "unknown section on line 1": ("[nonsense]\nx = 1\n", (1, 2)),
        "empty unknown section on line 3": ("[journal]\ndirectory = %s\n[nonsense]\n"
                                            % ws.journal, (3,)),
        "malformed line 2": ("[journal]\nthis is not a key value line\n", (2,)),
        "invalid interval on line 4": ("[journal]\ndirectory = %s\n[daemon]\ninterval = soon\n"
                                       % ws.journal, (4,)),
        "namespace with directory": ("[journal]\ndirectory = %s\nnamespace = foo\n"
                                     % ws.journal, None),
    }
    # Appended after the faulty lines, so that a run that wrongly went on
    # would write inside the workspace, where the test notices it.
    tail = "[output]\ndirectory = %s\n[daemon]\nstate_directory = %s\n" % (ws.www, ws.state)
    for what, (text, lines) in bad.items():
        path = ws.path("bad.ini")
        with open(path, "w") as f:
            f.write(text + tail)
        _, err = expect_status(ws, ["-c", path, "--check-config"], 1, "--check-config, " + what)
        if lines is not None:
            check(any("bad.ini:%d:" % line in err for line in lines),
                  "%s: stderr lacks 'bad.ini:%s:': %r"
                  % (what, "' or 'bad.ini:".join(map(str, lines)), err[-500:]))
        else:
            check(err.strip(), "%s: no message on stderr" % what)
        # The same file must also stop a real run, before it writes anything.
        expect_status(ws, ["-c", path, "--once"], 1, "--once, " + what)
        check(not os.path.exists(ws.www) and not os.path.exists(ws.state),
              "--once with a bad config (%s) created its directories" % what)


def check_missing_parents(ws):
    """Output or state directory whose parent does not exist -> exit 1."""
    for key in ("www", "state"):
        dirs = {key: ws.path("no-such-parent", key)}
        path = ws.write_config(path=ws.path("orphan.ini"), **dirs)
        _, err = expect_status(ws, ["-c", path, "--once"], 1,
                               "--once with the %s directory's parent missing" % key)
        check("no-such-parent" in err, "message does not name the missing directory: %r"
              % err[-500:])
        check(not os.path.exists(ws.path("no-such-parent")),
              "the missing parent was created")


def state_file(ws):
    """The state file a --once leaves behind (the largest one, if several)."""
    files = [os.path.join(ws.state, n) for n in os.listdir(ws.state)
             if os.path.isfile(os.path.join(ws.state, n))]
    check(files, "no state file in %s" % ws.state)
    return max(files, key=os.path.getsize)


def corruptions(data):
    """Named corrupt variants of a valid state file."""
    middle = len(data) // 2
    return {
        "truncated to half": data[:middle],
        "truncated to nothing": b"",
        "last byte cut": data[:-1],
        "one bit flipped in the middle": data[:middle] + bytes([data[middle] ^ 0x01])
        + data[middle + 1:],
        "one byte flipped at the end": data[:-1] + bytes([data[-1] ^ 0xFF]),
    }


def check_corrupt_state(ws):
    """A corrupt state file: exit 1, a clear message, pages untouched."""
    cfg = common.ticky_gen.GenConfig(seed=505, ticky=2000, other=1000, users=300,
                                     hostile=0.02)
    first = ws.add_batch(cfg, "first")
    ws.once()
    common.check_csvs(ws.www, first.expectation)
    # New entries after the saved position: a run that wrongly went on would
    # have something to write.
    second = ws.add_batch(common.next_config(first, seed=506, ticky=500, other=100), "second")

    path = state_file(ws)
    with open(path, "rb") as f:
        good = f.read()
    say("state file %s, %d bytes" % (os.path.basename(path), len(good)))
    pages = common.snapshot(ws.www)
    for what, data in corruptions(good).items():
        with open(path, "wb") as f:
            f.write(data)
        status, out, err = ws.run("--once")
        check(status == 1, "state %s: --once exited %s, expected 1\nstderr: %s"
              % (what, status, err[-1000:]))
        check(os.path.basename(path) in err or "state" in err.lower(),
              "state %s: the message does not mention the state file: %r" % (what, err[-500:]))
        check(common.snapshot(ws.www) == pages, "state %s: the pages were touched" % what)
        with open(path, "rb") as f:
            check(f.read() == data, "state %s: the state file was rewritten" % what)
        say("state %s -> 1, pages untouched (%s)" % (what, err.strip().splitlines()[-1][:120]
                                                      if err.strip() else "no message"))
    with open(path, "wb") as f:
        f.write(good)
    ws.once()
    say("state restored: --once resumes where it was")
    common.check_csvs(ws.www, first.expectation.copy().merge(second.expectation))


def check_stderr_reader_gone(ws):
    """The reader of stderr goes away: the daemon logs on into the closed pipe, unharmed."""
    proc = ws.start()
    check(proc.stderr.readline(), "the daemon logged nothing at start")
    proc.stderr.close()
    proc.send_signal(signal.SIGHUP)  # a reload logs a line at once
    time.sleep(1)
    check(proc.poll() is None, "the daemon died (status %s) when the reader of its stderr went away"
          % proc.returncode)
    proc.send_signal(signal.SIGTERM)
    status = proc.wait(timeout=10)
    check(status == 0, "SIGTERM after stderr was closed: exit status %s" % status)
    say("a closed stderr costs log lines, not the process (SIGPIPE ignored)")


def check_config_file_types(ws):
    """A FIFO, a device that never ends, a huge file: refused at once, not read."""
    fifo = ws.path("fifo.ini")
    os.mkfifo(fifo)
    big = ws.path("big.ini")
    with open(big, "w") as f:
        for _ in range(12000):
            f.write("; " + "x" * 97 + "\n")
    for path, reason in ((fifo, "not a regular file"), ("/dev/zero", "not a regular file"),
                         (big, "file larger than 1048576 bytes")):
        # At once: a FIFO must not be waited on, /dev/zero not read.
        _, err = expect_status(ws, ["-c", path, "--check-config"], 1, "--check-config on %s" % path, timeout=10)
        check("%s: %s" % (path, reason) in err, "no '%s: %s' on stderr: %r" % (path, reason, err[-500:]))


def check_reload_never_blocks(ws):
    """The config replaced by a FIFO, then SIGHUP: refused, and SIGTERM still works."""
    proc = ws.start()
    check(proc.stderr.readline(), "the daemon logged nothing at start")
    saved = ws.path("saved.ini")
    os.rename(ws.conf, saved)
    os.mkfifo(ws.conf)
    try:
        proc.send_signal(signal.SIGHUP)
        time.sleep(1)
        proc.send_signal(signal.SIGTERM)
        try:
            status = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise common.TestFailure("the daemon did not stop after a reload of a FIFO: it blocked reading it")
        check(status == 0, "SIGTERM after a reload of a FIFO: exit status %s" % status)
        err = proc.stderr.read().decode(errors="replace")
        check("not a regular file" in err, "the FIFO is not refused as such: %r" % err[-1000:])
    finally:
        os.unlink(ws.conf)
        os.rename(saved, ws.conf)
    say("a reload of a FIFO is refused at once; the daemon keeps its configuration and stops on SIGTERM")


def body(args):
    """Usage, configuration and state-file errors."""
    with common.Workspace(args.binary, args.keep) as ws:
        check_usage(ws)
        check_configs(ws)
        check_missing_parents(ws)
        check_corrupt_state(ws)
        check_config_file_types(ws)
        check_reload_never_blocks(ws)
        check_stderr_reader_gone(ws)


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
