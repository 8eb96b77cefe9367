"""Benchmark: the feature pipeline on every credit of a large synthetic ledger.

Goal (issue 3): features for the credits of a 1,000,000-claim-line ledger in under 30 s on 2
cores. Generates a synthetic practice (``cbclassify.synth``), then times ``credit_features``
for all credit balances as of the ledger's date, and for the labelled credits as of their
identified dates (the training path). Prints seconds, rows per second and the ratio to the
goal; no assertion. Usage:

    .venv/bin/python benchmarks/bench_features.py [--lines 1000000] [--seed 7]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from cbclassify.balances import credit_balances
from cbclassify.features import credit_features
from cbclassify.model.labels import labelled_credits
from cbclassify.synth import SynthConfig, generate_practice

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
        f"generated {len(ledger.claim_lines):,} claim lines, {len(ledger.transactions):,} transactions "
        f"in {time.perf_counter() - start:.1f} s"
    )

    as_of = ledger.default_as_of()
    start = time.perf_counter()
    credits = credit_balances(ledger, as_of)
    balances_s = time.perf_counter() - start
    start = time.perf_counter()
    features = credit_features(ledger, credits[["claim_id"]].assign(as_of_date=as_of))
    serving_s = time.perf_counter() - start
    print(f"credit balances: {len(credits):,} in {balances_s:.2f} s")
    print(
        f"serving features: {features.shape[0]:,} credits x {features.shape[1]} features in "
        f"{serving_s:.2f} s ({features.shape[0] / serving_s:,.0f} credits/s)"
    )
    total = balances_s + serving_s
    print(
        f"worklist + features: {total:.2f} s; goal {GOAL_SECONDS:.0f} s; ratio {total / GOAL_SECONDS:.2f} of budget"
    )

    labels = labelled_credits(ledger)
    start = time.perf_counter()
    training = credit_features(ledger, labels[["claim_id", "as_of_date"]])
    training_s = time.perf_counter() - start
    print(
        f"training features (each credit as of its identified_date): {len(training):,} credits in "
        f"{training_s:.2f} s, {labels['as_of_date'].nunique():,} distinct dates"
    )
    print(
        pd.Series(
            {
                "lines": len(ledger.claim_lines),
                "serving_s": round(serving_s, 2),
                "training_s": round(training_s, 2),
            }
        ).to_string()
    )


if __name__ == "__main__":
    main()
