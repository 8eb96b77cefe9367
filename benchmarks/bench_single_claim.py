"""In-process benchmark of single-claim classify + explain + verify (``POST /api/v1/classify``).

Builds realistic requests from the credits of a small synthetic practice (each credit claim with
the patient's other claims, their postings, payers, fee schedule rows and remittances, as the
endpoint takes them), then times every stage of ``api.classify.classify`` over ``--calls``
calls: wall-clock p50/p99 (``time.perf_counter``) and CPU per call (``time.process_time``).
``--profile`` adds a cProfile of the whole path (top functions by own and cumulative time).
Goal (issue 6): p50 < 20 ms and p99 < 100 ms per request at 20 clients on 2 cores; a request
must therefore cost well under 10 ms of CPU in-process (issue 15: classify() p50 < 10 ms).
Prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_single_claim.py [--calls 200] [--claims 1200] [--profile]
    .venv/bin/python benchmarks/bench_single_claim.py --write-body /tmp/body.json  # for load_classify
    .venv/bin/python benchmarks/bench_single_claim.py --write-bodies /tmp/bodies.jsonl  # every credit

Before/after a change: run it in a worktree of each commit (no in-process switch: there is one
path). Against a running server: ``benchmarks/serve_variant.py`` then
``benchmarks/load_classify.py --body /tmp/body.json`` (see docs/service.md).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the ``api`` package lives at the repository root

from api.classify import classify, request_ledger
from api.schemas_classify import ClassifyIn
from cbclassify.balances import credit_balances, resolve_as_of
from cbclassify.contract.ledger import Ledger
from cbclassify.contract.schema import TABLES
from cbclassify.ledger_io.write import to_contract_frame
from cbclassify.synth import SynthConfig, generate_practice

GOAL_P50_MS, GOAL_P99_MS, GOAL_IN_PROCESS_P50_MS = 20.0, 100.0, 10.0


def _records(table: str, frame: pd.DataFrame) -> list[dict[str, str]]:
    """Memory rows -> request rows (contract text; blanks left out)."""
    text = to_contract_frame(TABLES[table], frame)
    return [{k: v for k, v in r.items() if v != ""} for r in text.to_dict("records")]


def claim_body(ledger: Ledger, claim_id: str, as_of: pd.Timestamp, others: bool) -> dict:
    """The request for one credit claim (plus, with ``others``, the patient's other claims)."""
    lines = ledger.claim_lines
    patient = lines.loc[lines["claim_id"] == claim_id, "patient_id"].iloc[0]
    ids = set(lines.loc[lines["patient_id"] == patient, "claim_id"]) if others else {claim_id}
    lines = lines[lines["claim_id"].isin(ids) & (lines["billed_date"] <= as_of)]
    txns = ledger.transactions
    txns = txns[txns["claim_id"].isin(ids) & (txns["posted_date"] <= as_of)]
    payer_ids = set(lines["payer_id"].dropna()) | set(lines["secondary_payer_id"].dropna())
    payer_ids |= set(txns["payer_id"].dropna())
    remits = ledger.remittances[ledger.remittances["era_id"].isin(set(txns["era_id"].dropna()))]
    payer_ids |= set(remits["payer_id"].dropna())
    fees = ledger.fee_schedule
    fees = fees[fees["payer_id"].isin(payer_ids) & fees["cpt"].isin(set(lines["cpt"]))]
    plb = ledger.provider_adjustments
    plb = plb[plb["era_id"].isin(set(remits["era_id"]))]
    return {
        "payers": _records("payers", ledger.payers[ledger.payers["payer_id"].isin(payer_ids)]),
        "patients": _records("patients", ledger.patients[ledger.patients["patient_id"] == patient]),
        "claim_lines": _records("claim_lines", lines),
        "transactions": _records("transactions", txns),
        "fee_schedule": _records("fee_schedule", fees),
        "remittances": _records("remittances", remits),
        "provider_adjustments": _records("provider_adjustments", plb),
        "as_of": as_of.date().isoformat(),
    }


def practice_bodies(claims: int, seed: int, others: bool) -> list[dict]:
    """One request per credit balance of a synthetic practice on its latest posting date."""
    ledger = generate_practice(SynthConfig(claims=claims, seed=seed)).ledger
    as_of = ledger.default_as_of()
    credits = credit_balances(ledger, as_of)
    return [claim_body(ledger, c, as_of, others) for c in credits["claim_id"]]


def trained_model(claims: int, seed: int) -> Any:
    """A LightGBM CreditSourceModel trained (no MLflow) on another synthetic practice."""
    from cbclassify.model.config import TrainingConfig
    from cbclassify.model.dataset import combine, ledger_labelled_set
    from cbclassify.model.train import train_models

    ledger = generate_practice(SynthConfig(claims=claims, seed=seed)).ledger
    data = combine([ledger_labelled_set("bench", ledger, "resolutions.csv")])
    config = TrainingConfig.model_validate(
        {"search": {"num_leaves": [15], "learning_rate": [0.1], "min_data_in_leaf": [10]}}
    )
    return train_models(data, config).model


class LoadedStub:
    """What ``classify`` reads from a loaded champion."""

    def __init__(self, predictor: Any) -> None:
        from cbclassify.store.ingest import ModelRef

        self.predictor = predictor
        self.ref = ModelRef("bench", "1", "run")


def _stages(body: dict, model: LoadedStub) -> dict[str, Callable[[], Any]]:
    """Each stage of the classify path as a zero-argument call (inputs precomputed)."""
    from cbclassify.bundles import billed_claim_bundles, credit_bundles, ledger_context
    from cbclassify.features import of_bundle
    from cbclassify.resolve import default_policy
    from cbclassify.resolve.pipeline import resolve_predicted
    from cbclassify.scoring import _probabilities, _reasons, score_records
    from cbclassify.verify.engine import credits_on

    text = json.dumps(body)
    parsed = ClassifyIn.model_validate_json(text)
    ledger = request_ledger(parsed)
    when = resolve_as_of(ledger, parsed.as_of)
    credits = credit_balances(ledger, when)
    keys = credits_on(credits, when)
    context, bundles = credit_bundles(ledger, keys)
    records = [of_bundle(context, b) for b in bundles]
    proba, matrix = _probabilities(model.predictor, records)
    best = proba.argmax(axis=1)
    predicted = {b.claim_id: "payer_overpayment" for b in bundles}
    policy = default_policy()
    out = classify(parsed, model)  # type: ignore[arg-type]
    return {
        "parse_request": lambda: ClassifyIn.model_validate_json(text),
        "request_ledger": lambda: request_ledger(parsed),
        "balances (billed_claim_bundles)": lambda: billed_claim_bundles(ledger, when.date()),
        "ledger_context": lambda: ledger_context(ledger),
        "credit_bundles (context + bundles)": lambda: credit_bundles(ledger, keys),
        "features per bundle": lambda: [of_bundle(context, b) for b in bundles],
        "predict": lambda: _probabilities(model.predictor, records),
        "explain": lambda: _reasons(model.predictor, matrix, records, best),
        "verify_and_recommend per bundle": lambda: [
            resolve_predicted(context, b, predicted, policy, {}) for b in bundles
        ],
        "score_records (credits given)": lambda: score_records(
            ledger, model.predictor, when, credits=credits, workers=1
        ),
        "response_json": lambda: out.model_dump_json(),
        "TOTAL classify()": lambda: classify(parsed, model),  # type: ignore[arg-type]
    }


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def time_stages(bodies: list[dict], model: LoadedStub, calls: int) -> pd.DataFrame:
    """Wall p50/p99 and mean CPU (ms) of each stage over ``calls`` calls cycling the bodies."""
    per_body = [_stages(b, model) for b in bodies]
    wall: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for i in range(calls):
        for name, fn in per_body[i % len(per_body)].items():
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall.setdefault(name, []).append((time.perf_counter() - w0) * 1000)
            cpu.setdefault(name, []).append((time.process_time() - c0) * 1000)
    rows = {
        name: {
            "p50_ms": _pct(v, 50),
            "p99_ms": _pct(v, 99),
            "cpu_mean_ms": statistics.fmean(cpu[name]),
        }
        for name, v in wall.items()
    }
    return pd.DataFrame(rows).T.round(2)


def profile(bodies: list[dict], model: LoadedStub, calls: int, top: int) -> str:
    """cProfile of ``calls`` classify() calls: top functions by own time and cumulative time."""
    parsed = [ClassifyIn.model_validate(b) for b in bodies]
    prof = cProfile.Profile()
    prof.enable()
    for i in range(calls):
        classify(parsed[i % len(parsed)], model)  # type: ignore[arg-type]
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--claims", type=int, default=1200, help="claims of the practice")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--alone", action="store_true", help="send the credit claim alone")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--write-body",
        type=Path,
        help="write the median-sized request as JSON (for load_classify --body), exit",
    )
    parser.add_argument(
        "--write-bodies",
        type=Path,
        help="write every credit's request as JSON lines (for load_classify --body), exit",
    )
    args = parser.parse_args(argv)

    bodies = practice_bodies(args.claims, args.seed, others=not args.alone)
    if args.write_bodies:
        args.write_bodies.write_text("".join(json.dumps(b) + "\n" for b in bodies))
        print(f"wrote {len(bodies)} requests to {args.write_bodies}")
        return 0
    if args.write_body:
        median = sorted(bodies, key=lambda b: len(b["transactions"]))[len(bodies) // 2]
        args.write_body.write_text(json.dumps(median))
        print(f"wrote {args.write_body}")
        return 0
    sizes = [len(b["transactions"]) for b in bodies]
    print(
        f"{len(bodies)} credit requests; transactions per request median "
        f"{statistics.median(sizes)}, max {max(sizes)}"
    )
    model = LoadedStub(trained_model(2000, args.seed + 1))
    for b in bodies[:3]:  # warm caches and imports
        classify(ClassifyIn.model_validate(b), model)  # type: ignore[arg-type]
    table = time_stages(bodies, model, args.calls)
    print(f"\nper stage over {args.calls} calls (ms):")
    print(table.to_string())
    total = table.loc["TOTAL classify()"]
    print(
        f"\nclassify(): p50 {total['p50_ms']} ms in process (goal {GOAL_IN_PROCESS_P50_MS}; "
        f"{GOAL_P50_MS} at 20 clients), "
        f"CPU {total['cpu_mean_ms']} ms/request -> at most "
        f"{2000 / max(total['cpu_mean_ms'], 1e-9):.0f} req/s on 2 cores"
    )
    if args.profile:
        print(profile(bodies, model, min(args.calls, 100), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
