# SPDX-License-Identifier: MIT
"""--import FILE...: rotated syslog files (plain and .gz) added to the counts once.

Plain and gzip files add exactly their ticky lines; the followed position
does not move; a file whose content was imported before (again, under
another name, or gzipped) counts nothing and is said to be "already
imported"; a missing file is an error (exit 1) that does not stop the
others; --import also works with the journal source, and fails (exit 1)
while a daemon holds the state.
"""

import gzip
import os
import shutil
import signal
import sys

import common
from common import check, say


def import_ok(ws, *paths, conf=None):
    """--import that must exit 0; returns stdout + stderr."""
    status, out, err = ws.import_files(*paths, conf=conf)
    check(status == 0, "--import %s exited %d\nstdout: %s\nstderr: %s"
          % (" ".join(os.path.basename(p) for p in paths), status, out[-2000:], err[-2000:]))
    return out + err


def says_already(output, path):
    """The output has an "already imported" line naming ``path``."""
    name = os.path.basename(path)
    return any("already imported" in line and name in line for line in output.splitlines())


def generated(ws, name, seed, style, ticky=3000, other=1500, gz=False):
    """A rotated syslog file of its own traffic: (path, expectation)."""
    path = ws.path(name)
    cfg = common.ticky_gen.GenConfig(seed=seed, ticky=ticky, other=other, users=400,
                                     hostile=0.03)
    result = common.ticky_gen.write_syslog(cfg, path, style)
    if gz:
        common.gzip_file(path, path + ".gz")
        os.unlink(path)
        path += ".gz"
    common.check_syslog_fixture(path, result.expectation, style)
    return path, result.expectation


def body(args):
    """Import into a followed syslog, then repeats, a missing file, journal, lock."""
    seed = 1501 if args.seed is None else args.seed
    with common.SyslogWorkspace(args.binary, args.keep) as ws:
        cfg = common.ticky_gen.GenConfig(seed=seed, ticky=4000, other=2000, users=400,
                                         hostile=0.03)
        feed = common.SyslogFeed(cfg, "rfc3339")
        common.append(ws.log, feed.take(3000))
        ws.once()
        total = feed.written.copy()
        common.check_csvs(ws.www, total)
        say("followed file: %s" % common.totals_text(total))

        plain, plain_exp = generated(ws, "syslog.3", seed + 1, "traditional")
        packed, packed_exp = generated(ws, "syslog.4.gz", seed + 2, "rfc3339", gz=True)
        import_ok(ws, plain, packed)
        total.merge(plain_exp).merge(packed_exp)
        common.check_reports(ws.www, total)
        say("--import of a plain and a .gz file adds exactly their lines: %s"
            % common.totals_text(total))

        # The followed position did not move: the rest of the file is read,
        # nothing of it twice.
        common.append(ws.log, feed.take())
        ws.once()
        total = feed.written.copy().merge(plain_exp).merge(packed_exp)
        common.check_csvs(ws.www, total)
        say("the followed file goes on where it was: %s" % common.totals_text(total))

        # The followed file, rotated with lines the follower has not read
        # yet, then imported: nothing counted twice, the rest is the
        # follower's, read by the next --once with the new file.
        cfg2 = common.ticky_gen.GenConfig(seed=seed + 8, ticky=900, other=300, users=400)
        later = common.SyslogFeed(cfg2, "rfc3339")
        os.rename(ws.log, ws.log + ".1")
        common.append(ws.log + ".1", later.take(400))
        status, out, err = ws.import_files(ws.log + ".1")
        check(status in (0, 1), "--import of the rotated followed file exited %d" % status)
        common.check_csvs(ws.www, total)
        common.append(ws.log, later.take())
        ws.once()
        total.merge(later.written)
        common.check_csvs(ws.www, total)
        say("the rotated followed file imported: nothing counted (%s); the next --once reads "
            "its rest and the new file" % (out + err).strip().replace("\n", " / ")[:150])

        # Same content again: by the same name, another name, gzipped.
        before = common.snapshot(ws.www)
        out = import_ok(ws, plain)
        check(says_already(out, plain), "importing %s again does not say 'already imported' "
              "with its name:\n%s" % (plain, out[-2000:]))
        copy = shutil.copyfile(plain, ws.path("copy-of-syslog.3"))
        zipped = common.gzip_file(plain, ws.path("syslog.3.gz"))
        unzipped = ws.path("syslog.4")
        with open(unzipped, "wb") as f:
            f.write(gzip.decompress(common.read_bytes(packed)))
        out = import_ok(ws, copy, zipped, unzipped, packed)
        for path in (copy, zipped, unzipped, packed):
            check(says_already(out, path), "importing %s (content imported before) does not "
                  "say 'already imported' with its name:\n%s" % (path, out[-2000:]))
        common.check_csvs(ws.www, total)
        after = common.snapshot(ws.www)
        for name in ("error_message.csv", "user_statistics.csv"):
            check(before[name][0] == after[name][0], "%s changed by re-imports" % name)
        say("the same content again (same name, a copy, its .gz, a .gz unpacked): "
            "counted once, 'already imported' for each")

        # A missing file among new ones: exit 1, the others imported.
        fresh, fresh_exp = generated(ws, "syslog.5", seed + 3, "rfc5424", ticky=800, other=300)
        missing = ws.path("no-such-file")
        status, out, err = ws.import_files(fresh, missing)
        check(status == 1, "--import with a missing file exited %d, not 1" % status)
        check("no-such-file" in out + err, "no message names the missing file:\n%s%s"
              % (out[-1000:], err[-1000:]))
        total.merge(fresh_exp)
        common.check_csvs(ws.www, total)
        say("a missing file: exit 1 naming it, the other file still imported")

        # Imported twice in one command: counted once.
        dup, dup_exp = generated(ws, "syslog.6", seed + 4, "traditional", ticky=500, other=200)
        out = import_ok(ws, dup, dup)
        check(says_already(out, dup), "the second %s of one command is not 'already "
              "imported':\n%s" % (dup, out[-2000:]))
        total.merge(dup_exp)
        common.check_csvs(ws.www, total)
        say("one file named twice in a command: counted once")

        # The state is locked by a running daemon.
        live = ws.write_config(interval=1)
        daemon = ws.daemon(conf=live)
        locked, locked_exp = generated(ws, "syslog.7", seed + 5, "rfc3339", ticky=300, other=100)
        status, out, err = ws.import_files(locked)
        check(status == 1, "--import while the daemon runs on the state exited %d, not 1\n%s%s"
              % (status, out[-1000:], err[-1000:]))
        daemon.stop(signal.SIGTERM)
        common.check_csvs(ws.www, total)
        import_ok(ws, locked)
        total.merge(locked_exp)
        common.check_csvs(ws.www, total)
        ws.once()
        common.check_reports(ws.www, total)
        say("while the daemon runs: exit 1 and nothing counted; after it stopped: imported")

    # With the journal source: syslog files import all the same.
    with common.Workspace(args.binary, args.keep) as ws:
        common.use_utc()
        plain, plain_exp = generated(ws, "syslog.1", seed + 6, "traditional")
        packed, packed_exp = generated(ws, "syslog.2.gz", seed + 7, "rfc5424", gz=True)
        import_ok(ws, plain, packed)
        both = plain_exp.copy().merge(packed_exp)
        common.check_reports(ws.www, both)
        out = import_ok(ws, packed)
        check(says_already(out, packed), "re-import with the journal source is not 'already "
              "imported':\n%s" % out[-2000:])
        ws.once()
        common.check_csvs(ws.www, both)
        say("journal source: --import adds the files, once; --once then keeps them")


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
