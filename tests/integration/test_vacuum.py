# SPDX-License-Identifier: MIT
"""Journal files vacuumed away: nothing recounted, nothing lost."""

import sys

import common
from common import say

LABELS = "ABCDE"


def step(ws, total, title):
    """One --once, then the reports must equal the running expectation."""
    ws.once()
    say(title)
    common.check_reports(ws.www, total)


def body(args):
    """Old files and the saved cursor's own file deleted between runs."""
    seed = 404 if args.seed is None else args.seed
    with common.Workspace(args.binary, args.keep) as ws:
        batches = {}
        previous = None
        # All batches are generated first, so their timestamps follow each
        # other; each starts with a well-formed ticky entry, so a reader that
        # skips the first entry after a vanished cursor loses a count.
        for index, label in enumerate(LABELS):
            kwargs = dict(seed=seed + index, ticky=3000, other=2000, users=1500,
                          hostile=0.02, first_is_ticky=True)
            cfg = (common.next_config(previous, **kwargs) if previous
                   else common.ticky_gen.GenConfig(**kwargs))
            previous = batches[label] = ws.stage_batch(cfg, label)

        total = common.ticky_expect.Expectation()

        def add(label):
            total.merge(ws.publish(batches[label]).expectation)

        add("A")
        add("B")
        step(ws, total, "A+B imported (the saved cursor is now in B):")

        ws.remove_batch(batches["A"], "A, already counted")
        add("C")
        step(ws, total, "A deleted, C added: expect A+B+C (the cursor is now in C)")

        ws.remove_batch(batches["B"], "B")
        ws.remove_batch(batches["C"], "C, which holds the saved cursor")
        add("D")
        step(ws, total, "B and C deleted, D added: expect A+B+C+D")

        ws.remove_batch(batches["D"], "D, which holds the saved cursor")
        step(ws, total, "journal directory empty: still A+B+C+D")

        add("E")
        step(ws, total, "E added after the cursor's file vanished: expect A+B+C+D+E")


if __name__ == "__main__":
    sys.exit(common.main(__doc__, body))
