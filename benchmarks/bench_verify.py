"""Benchmark: deterministic verification of every credit of a large synthetic ledger.

Goal (issue 4): verification of the credits of a 1,000,000-claim-line ledger in under 30 s on
2 cores. Generates a synthetic practice (``cbclassify.synth``; or reads a ledger folder, e.g.
``cbclassify synth --claims 300000 --seed 7 --out DIR``), computes the credit balances as of the
ledger's date, then times ``verify_credits`` with each ``--workers`` count (processes by patient
group; 1 = this process only) and ``verify_and_recommend`` (verification, actions and due dates)
with the most workers. Checks that every worker count gives the same frame. Prints wall seconds,
CPU seconds (this process and its workers) and peak memory; the speed-up of each worker count
is against the 1-worker run of the same run. Usage:

    .venv/bin/python benchmarks/bench_verify.py [--lines 1000000 | --claims 300000 | --ledger DIR]
        [--seed 7] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from cbclassify.balances import credit_balances
from cbclassify.contract.ledger import Ledger
from cbclassify.resolve import default_policy, verify_and_recommend
from cbclassify.synth import SynthConfig, generate_practice
from cbclassify.verify import verify_credits

GOAL_SECONDS = 30.0
LINES_PER_CLAIM = 2.4  # the generator's average


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished child processes (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, fn: Callable[[], Any]) -> tuple[Any, float]:
    """Run ``fn``; print and return its wall seconds (and CPU seconds)."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    out = fn()
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    print(f"{label:<44} {wall:8.2f} s wall {cpu:8.2f} s CPU")
    return out, wall


def load(args: argparse.Namespace) -> Ledger:
    if args.ledger is not None:
        from cbclassify.ledger_io.read import read_ledger

        return read_ledger(args.ledger)
    claims = args.claims or int(args.lines / LINES_PER_CLAIM)
    return generate_practice(SynthConfig(claims=claims, seed=args.seed)).ledger


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000, help="approximate claim lines")
    parser.add_argument("--claims", type=int, help="claims to generate (instead of --lines)")
    parser.add_argument("--ledger", type=Path, help="read this ledger folder instead")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", default="1,2", help="worker counts to time, e.g. 1,2")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]

    ledger, _ = timed("ledger (generate or read)", lambda: load(args))
    lines = len(ledger.claim_lines)
    print(f"{lines:,} claim lines, {len(ledger.transactions):,} transactions")
    as_of = ledger.default_as_of()
    credits, _ = timed("credit balances", lambda: credit_balances(ledger, as_of))
    print(f"{len(credits):,} credits on {as_of.date()}")

    frames: dict[int, pd.DataFrame] = {}
    seconds: dict[int, float] = {}
    for count in counts:
        frames[count], seconds[count] = timed(
            f"verify_credits, workers={count}",
            lambda count=count: verify_credits(ledger, credits, as_of, workers=count),
        )
    first = counts[0]
    for count in counts[1:]:
        pd.testing.assert_frame_equal(frames[count], frames[first])
        print(
            f"workers={count}: same frame as workers={first}; "
            f"speed-up {seconds[first] / seconds[count]:.2f}x"
        )
    counts_by_verdict = frames[first]["verification"].value_counts().to_dict()
    print(f"verdicts: {counts_by_verdict}")
    most = max(counts)
    resolved, _ = timed(
        f"verify_and_recommend, workers={most}",
        lambda: verify_and_recommend(ledger, credits, None, as_of, default_policy(), workers=most),
    )
    print(f"actions: {int(resolved['recommended_action'].notna().sum()):,}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:,.0f} MB")
    best = min(seconds.values())
    print(
        f"verification at {lines:,} claim lines: {best:.2f} s (goal {GOAL_SECONDS:.0f} s "
        f"at 1,000,000 lines)"
    )


if __name__ == "__main__":
    main()
