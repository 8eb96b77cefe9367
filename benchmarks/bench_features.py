"""Benchmark: the feature rules (``features.of_bundle`` over bundles) for a batch and a request.

Generates a synthetic practice (``cbclassify.synth``), then times:

- ``credit_features`` for every credit balance as of the ledger's date (serving) and for the
  labelled credits as of their identified dates (training), once per ``--workers`` value
  (1: one process; 2: a process pool over patient groups); the frames must be identical;
- one credit of a request-sized ledger (the credit claim with its patient's other claims, the
  payers and fee-schedule rows they use, handed over as rows the way ``POST /api/v1/classify``
  does): ``feature_records`` for it (context, bundle and rules) and ``of_bundle`` alone, p50
  and p99 over ``--requests`` credits.

Goal (issue 3): features for the credits of a 1,000,000-claim-line ledger in under 30 s on 2
cores. Wall-clock seconds; CPU is this process's (a pool's workers are not counted). Prints
figures, asserts nothing but the equality of the frames. Usage:

    .venv/bin/python benchmarks/bench_features.py [--claims 300000] [--workers 1,2] [--seed 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from decimal import Decimal
from typing import Any

import pandas as pd

from cbclassify.balances import credit_balances
from cbclassify.bundles import credit_bundles
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.schema import TABLES
from cbclassify.contract.validate_rows import ledger_from_rows
from cbclassify.features import credit_features, feature_records, of_bundle
from cbclassify.model.labels import labelled_credits
from cbclassify.synth import SynthConfig, generate_practice

GOAL_SECONDS = 30.0
GOAL_LINES = 1_000_000


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def typed_rows(table: str, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Memory rows -> the typed values a request hands over (Decimal money, date, int)."""
    out = []
    for record in frame.to_dict("records"):
        row: dict[str, Any] = {}
        for column in TABLES[table].columns:
            value = record[column.memory_name]
            if value is None or value is pd.NA or value is pd.NaT:
                row[column.name] = None
            elif column.type == "money":
                row[column.name] = (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
            elif column.type == "date":
                row[column.name] = value.date()
            elif column.type in ("int", "bool"):
                row[column.name] = int(value) if column.type == "int" else bool(value)
            else:
                row[column.name] = str(value)
        out.append(row)
    return out


def request_ledger(ledger: Ledger, claim_id: str, as_of: pd.Timestamp) -> Ledger | None:
    """The request for one credit claim: its patient's claims as of ``as_of``, their postings
    and remittances, and the payers and fee-schedule rows they use, as a row ledger."""
    lines = ledger.claim_lines
    patient = lines.loc[lines["claim_id"] == claim_id, "patient_id"].iloc[0]
    ids = set(lines.loc[lines["patient_id"] == patient, "claim_id"])
    lines = lines[lines["claim_id"].isin(ids) & (lines["billed_date"] <= as_of)]
    txns = ledger.transactions
    txns = txns[txns["claim_id"].isin(ids) & (txns["posted_date"] <= as_of)]
    payer_ids = set(lines["payer_id"].dropna()) | set(lines["secondary_payer_id"].dropna())
    payer_ids |= set(txns["payer_id"].dropna())
    remits = ledger.remittances[ledger.remittances["era_id"].isin(set(txns["era_id"].dropna()))]
    payer_ids |= set(remits["payer_id"].dropna())
    fees = ledger.fee_schedule
    fees = fees[fees["payer_id"].isin(payer_ids) & fees["cpt"].isin(set(lines["cpt"]))]
    patients = ledger.patients
    return ledger_from_rows(
        {
            "payers": typed_rows(
                "payers", ledger.payers[ledger.payers["payer_id"].isin(payer_ids)]
            ),
            "patients": typed_rows("patients", patients[patients["patient_id"] == patient]),
            "claim_lines": typed_rows("claim_lines", lines),
            "transactions": typed_rows("transactions", txns),
            "fee_schedule": typed_rows("fee_schedule", fees),
            "remittances": typed_rows("remittances", remits),
        }
    )


def batch(ledger: Ledger, credits: pd.DataFrame, workers: list[int], what: str) -> None:
    """Time ``credit_features`` for ``credits`` with each worker count; frames must agree."""
    first: pd.DataFrame | None = None
    for count in workers:
        frame, wall, cpu = timed(credit_features, ledger, credits, workers=count)
        print(
            f"{what}: {len(frame):,} credits, workers={count}: {wall:.2f} s wall, "
            f"{cpu:.2f} s CPU here ({len(frame) / wall:,.0f} credits/s)",
            flush=True,
        )
        if first is None:
            first = frame
        else:
            pd.testing.assert_frame_equal(frame, first, check_exact=True)


def requests(ledger: Ledger, credits: pd.DataFrame, as_of: pd.Timestamp, count: int) -> None:
    """p50/p99 of one credit's features on request-sized ledgers."""
    whole, rules = [], []
    for claim_id in credits["claim_id"].tolist()[:count]:
        request = request_ledger(ledger, claim_id, as_of)
        if request is None:
            continue
        one = pd.DataFrame({"claim_id": [claim_id], "as_of_date": [as_of]})
        feature_records(request, one)  # warm
        _, wall, _ = timed(feature_records, request, one)
        whole.append(wall * 1000)
        context, bundles = credit_bundles(request, one)
        _, wall, _ = timed(of_bundle, context, bundles[0])
        rules.append(wall * 1000)
    timings = {"feature_records (context, bundle, rules)": whole, "of_bundle alone": rules}
    for name, values in timings.items():
        ordered = sorted(values)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)))]
        print(
            f"one credit of a request-sized ledger, {name}: p50 "
            f"{statistics.median(values):.2f} ms, p99 {p99:.2f} ms over {len(values)} requests"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=300_000, help="claims (visits) to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", default="1,2", help="worker counts to time, comma-separated")
    parser.add_argument("--requests", type=int, default=200, help="request-sized ledgers to time")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]

    practice, wall, _ = timed(generate_practice, SynthConfig(claims=args.claims, seed=args.seed))
    ledger = practice.ledger
    lines = len(ledger.claim_lines)
    print(
        f"generated {lines:,} claim lines, {len(ledger.transactions):,} transactions "
        f"in {wall:.1f} s",
        flush=True,
    )
    as_of = ledger.default_as_of()
    credits, wall, _ = timed(credit_balances, ledger, as_of)
    print(f"credit balances: {len(credits):,} in {wall:.2f} s", flush=True)
    serving = credits[["claim_id"]].assign(as_of_date=as_of)
    batch(ledger, serving, workers, "serving features")
    labels = labelled_credits(ledger)
    training = labels[["claim_id", "as_of_date"]]
    print(f"labelled credits: {len(training):,} at {training['as_of_date'].nunique():,} dates")
    batch(ledger, training, workers, "training features")
    print(
        f"goal: {GOAL_SECONDS:.0f} s for a {GOAL_LINES:,}-line ledger "
        f"(this one has {lines:,} lines)"
    )
    requests(ledger, credits, as_of, args.requests)


if __name__ == "__main__":
    main()
