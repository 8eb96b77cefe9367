"""Benchmark: deterministic verification of every credit of a large synthetic ledger.

Goal (issue 4): verification of the credits of a 1,000,000-claim-line ledger in under 30 s on
2 cores. Generates a synthetic practice (``cbclassify.synth``), computes the credit balances as
of the ledger's date, then times ``verify_credits`` and, separately, ``recommend`` (actions and
due dates). Prints seconds and the ratio to the goal; no assertion. Usage:

    .venv/bin/python benchmarks/bench_verify.py [--lines 1000000] [--seed 7]
"""

from __future__ import annotations

import argparse
import time

from cbclassify.balances import credit_balances
from cbclassify.resolve import default_policy, recommend
from cbclassify.synth import SynthConfig, generate_practice
from cbclassify.verify import verify_credits

GOAL_SECONDS = 30.0
LINES_PER_CLAIM = 2.4  # the generator's average


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000, help="approximate claim lines")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    start = time.perf_counter()
    practice = generate_practice(
        SynthConfig(claims=int(args.lines / LINES_PER_CLAIM), seed=args.seed)
    )
    ledger = practice.ledger
    print(
        f"generated {len(ledger.claim_lines):,} claim lines, "
        f"{len(ledger.transactions):,} transactions "
        f"in {time.perf_counter() - start:.1f} s"
    )

    as_of = ledger.default_as_of()
    start = time.perf_counter()
    credits = credit_balances(ledger, as_of)
    balances_s = time.perf_counter() - start
    print(f"credit balances: {len(credits):,} in {balances_s:.2f} s")

    start = time.perf_counter()
    verified = verify_credits(ledger, credits, as_of)
    verify_s = time.perf_counter() - start
    counts = verified["verification"].value_counts().to_dict()
    print(
        f"verify_credits: {len(verified):,} credits in {verify_s:.2f} s "
        f"({len(verified) / verify_s:,.0f} credits/s); verdicts {counts}"
    )

    start = time.perf_counter()
    actions = recommend(ledger, verified, as_of, default_policy())
    recommend_s = time.perf_counter() - start
    print(
        f"recommend: {actions['recommended_action'].notna().sum():,} actions in {recommend_s:.2f} s"
    )

    lines = len(ledger.claim_lines)
    print(
        f"verification at {lines:,} claim lines: {verify_s:.2f} s; "
        f"goal {GOAL_SECONDS:.0f} s at 1,000,000 "
        f"lines; ratio {verify_s / GOAL_SECONDS:.2f} of budget"
    )
    print(
        f"verification + recommendation: {verify_s + recommend_s:.2f} s; "
        f"ratio {(verify_s + recommend_s) / GOAL_SECONDS:.2f} of budget"
    )


if __name__ == "__main__":
    main()
