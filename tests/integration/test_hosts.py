# SPDX-License-Identifier: MIT
"""Journal files of several hosts in one directory, as a collector holds them.

The reports count every host; `[journal] hosts` restricts them to some,
filtered by sd-journal itself; report.json has the per-host counts.
"""

import json
import os
import sys

import common
from common import check, say

HOSTS = (b"web1", b"web2", b"db-1.example.org")


def body(args):
    """Three hosts, then only two of them."""
    seed = 505 if args.seed is None else args.seed
    with common.Workspace(args.binary, args.keep) as ws:
        total = common.ticky_expect.Expectation()
        per_host = {}
        result = None
        for index, host in enumerate(HOSTS):
            kwargs = dict(seed=seed + index, ticky=3000, other=1000, users=200, hostile=0.02, hostname=host)
            cfg = (common.next_config(result, **kwargs) if result
                   else common.ticky_gen.GenConfig(**kwargs))
            result = ws.add_batch(cfg, host.decode())
            per_host[host] = result.expectation
            total.merge(result.expectation)

        ws.once()
        common.check_reports(ws.www, total)
        report = json.loads(common.read_bytes(os.path.join(ws.www, "report.json")))
        hosts = {h["name"].encode(): (h["info"], h["error"]) for h in report.get("hosts", [])}
        for host in HOSTS:
            t = per_host[host].totals()
            check(hosts.get(host) == (t["info"], t["error"]),
                  "report.json: host %s has %s, expected %s" % (host, hosts.get(host), (t["info"], t["error"])))
        say("report.json counts each of %d hosts exactly" % len(HOSTS))

        chosen = (HOSTS[0], HOSTS[2])
        restricted = common.ticky_expect.Expectation()
        for host in chosen:
            restricted.merge(per_host[host])
        conf = ws.write_config(www=ws.path("www-some"), state=ws.path("state-some"),
                               path=ws.path("some.ini"), extra="")
        with open(conf) as f:
            text = f.read().replace("[journal]\n", "[journal]\nhosts = %s\n" % b" ".join(chosen).decode())
            text = text.replace("[output]\n", "[output]\nprometheus = %s\n" % ws.path("metrics", "ticky.prom"))
        with open(conf, "w") as f:
            f.write(text)
        os.mkdir(ws.path("metrics"))
        # What a writer killed before its rename leaves, and a file of
        # another program with a name of the same shape.
        for name in (".ticky.prom.Ab12Cd", ".other.prom.Ab12Cd"):
            with open(ws.path("metrics", name), "w") as f:
                f.write("stale\n")
        ws.once(conf=conf)
        common.check_reports(ws.path("www-some"), restricted)
        metrics = common.read_bytes(ws.path("metrics", "ticky.prom")).decode()
        t = restricted.totals()
        check("ticky_unparsed_total %d\n" % t["unparsed"] in metrics,
              "ticky.prom does not say ticky_unparsed_total %d" % t["unparsed"])
        events = sum(int(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                     if line.startswith("ticky_events_total{"))
        check(events == t["info"] + t["error"], "ticky.prom: %d events, expected %d"
              % (events, t["info"] + t["error"]))
        left = sorted(os.listdir(ws.path("metrics")))
        check(left == [".other.prom.Ab12Cd", "ticky.prom"],
              "beside ticky.prom: %s (a killed writer's temporary file must go, another program's stay)" % left)
        say("[output] prometheus: ticky.prom written, with the same totals")
        say("[journal] hosts = %s counts exactly those hosts" % b" ".join(chosen).decode())


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
