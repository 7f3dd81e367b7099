# SPDX-License-Identifier: MIT
"""Syslog source, --once: each line style gives exact reports, read incrementally.

For the traditional, RFC 3339 and RFC 5424 styles: a hostile file, then
lines appended (nothing counted twice), and a partial last line that is
counted only once a later append completes it. Then the identifier: only
the configured program's lines count.
"""

import calendar
import json
import os
import sys
import time

import common
from common import check, say

# A line whose first half is a well-formed message of its own: read before
# its LF arrives, it would count user "first" and message "Partial line check".
PARTIAL_HEAD = b"ERROR Partial line check (first)"
PARTIAL_TAIL = b" (second)"


def partial_line(style):
    """The bytes of one ticky line of ``style``, cut into (head, tail)."""
    prefix = {
        "traditional": b"Dec  1 10:00:00 helpdesk01 ticky[4242]: ",
        "rfc3339": b"2026-12-01T10:00:00.000001+00:00 helpdesk01 ticky[4242]: ",
        "rfc5424": b"<11>1 2026-12-01T10:00:00.000001+00:00 helpdesk01 ticky 4242 - - ",
    }[style]
    return prefix + PARTIAL_HEAD, PARTIAL_TAIL + b"\n"


def recent_fifth():
    """Microseconds of the 5th of this month (or the last), 08:00 UTC: in the
    past, and a day of the month that the traditional style pads ("Mar  5")."""
    now = time.gmtime()
    year, month = now.tm_year, now.tm_mon
    if now.tm_mday < 6:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return calendar.timegm((year, month, 5, 8, 0, 0)) * 1_000_000


def unchanged_by_rerun(ws, expectation):
    """A --once with nothing new leaves the CSVs as they are."""
    before = common.snapshot(ws.www)
    ws.once()
    after = common.snapshot(ws.www)
    for name in ("error_message.csv", "user_statistics.csv"):
        check(before[name][0] == after[name][0],
              "%s changed on a --once with nothing new" % name)
    common.check_csvs(ws.www, expectation)


def one_style(args, style, seed):
    """First file, two appends (one leaving a partial line), checks after each."""
    say("--- style %s" % style)
    with common.SyslogWorkspace(args.binary, args.keep) as ws:
        cfg = common.ticky_gen.GenConfig(seed=seed, ticky=6000, other=4000, users=800,
                                         hostile=0.04, first_is_ticky=True,
                                         start_usec=recent_fifth())
        feed = common.SyslogFeed(cfg, style)
        common.append(ws.log, feed.take(6000))
        first = feed.written.copy()
        common.check_syslog_fixture(ws.log, first, style)
        say("first --once took %.2f s" % ws.once())
        common.check_reports(ws.www, first)
        check(os.listdir(ws.state), "state directory is empty after --once")
        unchanged_by_rerun(ws, first)

        # Append more, ending with a line whose newline has not arrived.
        head, tail = partial_line(style)
        common.append(ws.log, feed.take(2500) + head)
        second = feed.written.copy()
        ws.once()
        common.check_csvs(ws.www, second)
        say("an appended batch is added; the partial last line is not counted yet")
        ws.once()
        common.check_csvs(ws.www, second)

        # Complete the line, append the rest.
        common.append(ws.log, tail)
        completed = common.ticky_expect.Expectation()
        parsed = completed.feed(PARTIAL_HEAD + PARTIAL_TAIL)
        check(parsed is not None and parsed.user == b"second", "fixture problem: %r" % parsed)
        ws.once()
        common.check_csvs(ws.www, feed.written.copy().merge(completed))
        say("the completed line counts once, as the whole line (user 'second')")

        common.append(ws.log, feed.take())
        total = feed.written.copy().merge(completed)
        common.check_syslog_fixture(ws.log, total, style)
        ws.once()
        common.check_reports(ws.www, total)
        unchanged_by_rerun(ws, total)
        say("%s: exact after 4 appends, nothing counted twice" % style)


def identifier(args, seed):
    """``[syslog] identifier`` selects the program; ticky's lines are then others'."""
    say("--- identifier")
    with common.SyslogWorkspace(args.binary, args.keep) as ws:
        cfg = common.ticky_gen.GenConfig(seed=seed, ticky=1500, other=500, users=50)
        ticky = common.SyslogFeed(cfg, "traditional")
        cfg2 = common.ticky_gen.GenConfig(seed=seed + 1, ticky=1000, other=0, users=50)
        helpdesk = common.SyslogFeed(cfg2, "traditional", identifier=b"helpdesk")
        # Interleave the two programs' lines, a few at a time.
        data = []
        while ticky.left or helpdesk.left:
            data.append(ticky.take(7))
            data.append(helpdesk.take(5))
        common.append(ws.log, b"".join(data))
        common.check_syslog_fixture(ws.log, helpdesk.written, identifier=b"helpdesk")
        ws.write_config(identifier="helpdesk")
        ws.once()
        common.check_csvs(ws.www, helpdesk.written)
        say("identifier = helpdesk counts the helpdesk lines only")


def year_of(month, day, now):
    """The interface's rule: this year, unless that is more than a day ahead."""
    guess = calendar.timegm((now.tm_year, month, day, 10, 0, 0))
    if guess > calendar.timegm(now) + 86400:
        return now.tm_year - 1
    return now.tm_year


def traditional_year(args, seed):
    """No year in the traditional style: the days of report.json show which was taken."""
    say("--- the year of traditional timestamps")
    now = time.gmtime()
    with common.SyslogWorkspace(args.binary, args.keep) as ws:
        ws.write_config(extra="[report]\ndays = 3660\n")
        expected = {}
        for k, shift in enumerate((-2, 10)):
            when = time.gmtime(calendar.timegm(now) + shift * 86400)
            year = year_of(when.tm_mon, when.tm_mday, now)
            start = calendar.timegm((year, when.tm_mon, when.tm_mday, 10, 0, 0))
            cfg = common.ticky_gen.GenConfig(seed=seed + k, ticky=60, other=20, users=30,
                                             start_usec=start * 1_000_000)
            offset = os.path.getsize(ws.log) if os.path.exists(ws.log) else 0
            result = common.ticky_gen.write_syslog(cfg, ws.log, "traditional", append=True)
            date = "%04d-%02d-%02d" % (year, when.tm_mon, when.tm_mday)
            expected[date] = {"info": result.expectation.info, "error": result.expectation.error}
            say("lines of %s, %+d days from now, written as '%s'" % (
                date, shift, common.read_bytes(ws.log)[offset:offset + 15].decode()))
        ws.once()
        with open(os.path.join(ws.www, "report.json"), "rb") as f:
            days = {d["date"]: {"info": d["info"], "error": d["error"]}
                    for d in json.load(f).get("days", [])}
        got = {date: days.get(date) for date in expected}
        check(got == expected, "report.json days: expected %s, got %s (days with events: %s)"
              % (expected, got, {d: c for d, c in days.items() if c["info"] or c["error"]}))
        say("dates 2 days ago and 10 days ahead (so last year) are counted on the right days")


def body(args):
    """Every style, then the identifier."""
    seed = 1101 if args.seed is None else args.seed
    for offset, style in enumerate(common.ticky_gen.SYSLOG_STYLES):
        one_style(args, style, seed + offset)
    identifier(args, seed + 10)
    traditional_year(args, seed + 20)


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
