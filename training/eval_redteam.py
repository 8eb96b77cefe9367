"""Held-out evaluation on ledgers the project did not generate (issue 13), as a new user runs it.

For each direction (train practice -> scored practice) the script, in a fresh data folder,

1. runs ``cbclassify train TRAIN_LEDGER`` and ``cbclassify promote --force`` (the labels are the
   training practice's ``resolutions``),
2. runs ``cbclassify score SCORED_LEDGER --out predictions.csv`` (every credit balance on the
   scored ledger's as-of date),
   and again with ``--policy`` setting ``verification.confirm_ledger_source: true`` (where the
   ledger proves another source than the prediction, confirm the ledger's instead of
   refuting): confirmed precision is reported both ways,
3. runs the verifier alone (``verify_credits`` with no prediction) on the same credits: the
   **rules-only baseline**, whose source is the confirmed source, else the largest component's,

and compares both with the truth file written by the ledger's generator, which the product never
reads. Directions:

* the red-team practices (``training/redteam``, written blind to the product's code): A -> B and
  B -> A;
* synthetic practices of ``cbclassify synth`` on seeds never used in development (train on one
  seed, score another). These share the product's own view of the accounting: they are a check
  that nothing regressed, not evidence of accuracy.

Printed per direction: credits, macro-F1 of the model and of the rules-only baseline,
per-class precision/recall, coverage (confirmed / credits), confirmed precision (a confirmation
counts as right only when BOTH the verified source and the recommended action equal the truth's;
any confirmation of a credit whose truth has no single right answer is wrong), and a per-pattern
table. ``--json FILE`` writes every figure. Usage:

    .venv/bin/python training/eval_redteam.py [--redteam-seed 2027] [--synth-seeds 901 902]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sklearn.metrics import f1_score, precision_recall_fscore_support

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("payer_overpayment", "duplicate_payment", "allowance_error", "patient_credit")
TRUTH_COLUMNS = ["claim_id", "pattern", "expected_source", "expected_action", "ambiguous"]


@dataclass(frozen=True)
class Direction:
    """One evaluation: train on ``train``'s resolutions, score ``scored``, judge with ``truth``."""

    name: str
    train: Path
    scored: Path
    truth: pd.DataFrame  # TRUTH_COLUMNS, one row per credit open on the scored ledger's as-of


def cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run the product's CLI as a user would (its own data folder), failing loudly."""
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env["CBCLASSIFY_DATA_DIR"] = str(data_dir)
    done = subprocess.run(
        [sys.executable, "-c", "from cbclassify.cli.main import app; app()", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"cbclassify {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return done


def redteam_truth(path: Path) -> pd.DataFrame:
    """The red-team truth file: credits open on the as-of date."""
    truth = pd.read_csv(path, dtype=str, keep_default_na=False)
    open_ = truth[truth["is_credit_at_asof"].str.lower() == "true"]
    out = open_.assign(ambiguous=open_["ambiguous"].str.lower() == "true")
    return out[TRUTH_COLUMNS].reset_index(drop=True)


def synth_truth(path: Path) -> pd.DataFrame:
    """``cbclassify synth``'s truth: its unresolved credits, in the red-team truth's terms."""
    truth = pd.read_csv(path, dtype=str, keep_default_na=False)
    open_ = truth[truth["resolved"].str.lower() == "false"]
    pattern = open_["variant"].where(open_["hard_kind"] == "", open_["hard_kind"])
    return pd.DataFrame(
        {
            "claim_id": open_["claim_id"],
            "pattern": pattern,
            "expected_source": open_["source"],
            "expected_action": open_["action"],
            "ambiguous": False,
        }
    ).reset_index(drop=True)


def rules_only(ledger_dir: Path) -> pd.DataFrame:
    """The verifier's own source per credit, with no model: the confirmed source, else the
    source of the largest component; with its verdict and recommended action."""
    from cbclassify.balances import credit_balances
    from cbclassify.ledger_io.read import read_ledger
    from cbclassify.resolve.pipeline import resolve_credits

    ledger = read_ledger(ledger_dir)
    as_of = ledger.default_as_of()
    resolved = resolve_credits(ledger, credit_balances(ledger, as_of), None, as_of)
    rows = []
    for r in resolved:
        v = r.verdict
        largest = max(v.components, key=lambda c: c["amount_cents"]) if v.components else None
        rows.append(
            {
                "claim_id": v.claim_id,
                "verification": v.verification,
                "verified_source": v.verified_source or "",
                "recommended_action": r.recommendation.recommended_action or "",
                "rules_source": v.verified_source or (largest["source"] if largest else ""),
            }
        )
    return pd.DataFrame(rows)


def judge(frame: pd.DataFrame, source: str, verdict: str, vsource: str, action: str) -> dict:
    """Figures for one predictor's columns on joined credits (truth + predictions)."""
    known = frame[frame["expected_source"] != ""]
    labels = list(SOURCES)
    macro = f1_score(known["expected_source"], known[source], labels=labels, average="macro")
    precision, recall, _, support = precision_recall_fscore_support(
        known["expected_source"], known[source], labels=labels, zero_division=0
    )
    confirmed = frame[frame[verdict] == "confirmed"]
    right = (
        (confirmed[vsource] == confirmed["expected_source"])
        & (confirmed[action] == confirmed["expected_action"])
        & (confirmed["expected_source"] != "")
        & ~confirmed["ambiguous"]
    )
    return {
        "credits": len(frame),
        "credits_with_one_right_answer": len(known),
        "macro_f1": round(float(macro), 4),
        "per_class": {
            s: {"precision": round(float(p), 4), "recall": round(float(r), 4), "n": int(n)}
            for s, p, r, n in zip(labels, precision, recall, support, strict=True)
        },
        "confirmed": len(confirmed),
        "coverage": round(len(confirmed) / len(frame), 4) if len(frame) else 0.0,
        "confirmed_right": int(right.sum()),
        "confirmed_precision": round(float(right.mean()), 4) if len(confirmed) else 1.0,
        "wrong_confirmations": confirmed.loc[
            ~right, ["claim_id", "pattern", "expected_source", "expected_action", vsource, action]
        ].to_dict("records"),
    }


def per_pattern(frame: pd.DataFrame) -> pd.DataFrame:
    """Per pattern: credits, model and rules accuracy, confirmed and confirmed-right counts."""
    right = (
        (frame["verification"] == "confirmed")
        & (frame["verified_source"] == frame["expected_source"])
        & (frame["recommended_action"] == frame["expected_action"])
        & (frame["expected_source"] != "")
        & ~frame["ambiguous"]
    )
    table = frame.assign(
        model_right=frame["predicted_source"] == frame["expected_source"],
        rules_right=frame["rules_source"] == frame["expected_source"],
        confirmed=frame["verification"] == "confirmed",
        confirmed_right=right,
    )
    return (
        table.groupby("pattern")
        .agg(
            credits=("claim_id", "size"),
            model_acc=("model_right", "mean"),
            rules_acc=("rules_right", "mean"),
            confirmed=("confirmed", "sum"),
            confirmed_right=("confirmed_right", "sum"),
        )
        .round(3)
        .sort_index()
    )


def evaluate(direction: Direction, work: Path) -> dict:
    """Train, score, verify rules-only, and judge one direction."""
    data_dir = work / f"data-{direction.name}"
    cli("train", str(direction.train), data_dir=data_dir)
    cli("promote", "--force", data_dir=data_dir)
    out = work / f"predictions-{direction.name}.csv"
    cli("score", str(direction.scored), "--out", str(out), data_dir=data_dir)
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    ledger_policy = work / "policy-confirm-ledger-source.yaml"
    ledger_policy.write_text("verification:\n  confirm_ledger_source: true\n", encoding="utf-8")
    out_on = work / f"predictions-{direction.name}-confirm-ledger-source.csv"
    cli("score", str(direction.scored), "--out", str(out_on), "--policy", str(ledger_policy),
        data_dir=data_dir)  # fmt: skip
    scored_on = pd.read_csv(out_on, dtype=str, keep_default_na=False)
    rules = rules_only(direction.scored)
    joined = direction.truth.merge(scored, on="claim_id", how="outer", indicator=True)
    not_in_truth = int((joined["_merge"] == "right_only").sum())
    not_scored = int((joined["_merge"] == "left_only").sum())
    joined = joined[joined["_merge"] == "both"].drop(columns="_merge")
    joined = joined.merge(
        rules.rename(
            columns={
                "verification": "rules_verification",
                "verified_source": "rules_verified_source",
                "recommended_action": "rules_action",
            }
        ),
        on="claim_id",
        how="left",
    ).fillna({"rules_source": ""})
    model = judge(
        joined, "predicted_source", "verification", "verified_source", "recommended_action"
    )
    baseline = judge(
        joined, "rules_source", "rules_verification", "rules_verified_source", "rules_action"
    )
    on = direction.truth.merge(
        scored_on[["claim_id", "verification", "verified_source", "recommended_action"]],
        on="claim_id",
    )
    model_on = judge(
        on.assign(predicted_source=on["verified_source"]),
        "predicted_source",
        "verification",
        "verified_source",
        "recommended_action",
    )
    patterns = per_pattern(joined)
    return {
        "direction": direction.name,
        "credits_scored_not_in_truth": not_in_truth,
        "truth_credits_not_scored": not_scored,
        "model": model,
        "model_confirm_ledger_source": {
            k: model_on[k]
            for k in ("confirmed", "coverage", "confirmed_right", "confirmed_precision")
        },
        "rules_only": baseline,
        "per_pattern": patterns.reset_index().to_dict("records"),
        "_patterns_frame": patterns,
    }


def print_result(result: dict) -> None:
    m, r = result["model"], result["rules_only"]
    print(f"\n=== {result['direction']}")
    print(
        f"credits {m['credits']} (one right answer: {m['credits_with_one_right_answer']}); "
        f"scored but not in truth: {result['credits_scored_not_in_truth']}; "
        f"in truth but not scored: {result['truth_credits_not_scored']}"
    )
    print(f"{'':24} {'model':>10} {'rules-only':>11}")
    for key in ("macro_f1", "confirmed", "coverage", "confirmed_right", "confirmed_precision"):
        print(f"{key:24} {m[key]:>10} {r[key]:>11}")
    on = result["model_confirm_ledger_source"]
    print("policy verification.confirm_ledger_source: true (the ledger's source confirmed):")
    for key in ("confirmed", "coverage", "confirmed_right", "confirmed_precision"):
        print(f"  {key:22} {on[key]:>10}")
    print("per class (model precision/recall | rules precision/recall, n):")
    for s in SOURCES:
        a, b = m["per_class"][s], r["per_class"][s]
        print(
            f"  {s:20} {a['precision']:.3f}/{a['recall']:.3f} | "
            f"{b['precision']:.3f}/{b['recall']:.3f}  n={a['n']}"
        )
    print("per pattern:")
    print(result["_patterns_frame"].to_string())
    wrong = m["wrong_confirmations"]
    if wrong:
        print(f"wrong confirmations (model path), first 20 of {len(wrong)}:")
        for row in wrong[:20]:
            print("  ", row)


def redteam_directions(seed: int, work: Path, generator: str = "redteam") -> list[Direction]:
    """A -> B and B -> A on the practices of a blind generator (``training.<generator>``)."""
    out = work / generator
    done = subprocess.run(
        [sys.executable, "-m", f"training.{generator}", "--out", str(out), "--seed", str(seed)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{generator} generator failed:\n{done.stderr[-4000:]}")
    a, b = out / "practice_a", out / "practice_b"
    return [
        Direction(f"{generator} A->B", a, b, redteam_truth(out / "truth" / "practice_b.csv")),
        Direction(f"{generator} B->A", b, a, redteam_truth(out / "truth" / "practice_a.csv")),
    ]


def synth_direction(train_seed: int, score_seed: int, claims: int, work: Path) -> Direction:
    dirs = {}
    for seed in (train_seed, score_seed):
        dirs[seed] = work / f"synth-{seed}"
        cli(
            "synth",
            "--out",
            str(dirs[seed]),
            "--claims",
            str(claims),
            "--seed",
            str(seed),
            data_dir=work / "data-synth",
        )
    truth = synth_truth(dirs[score_seed] / "synth_truth.csv")
    return Direction(f"synth {train_seed}->{score_seed}", dirs[train_seed], dirs[score_seed], truth)


def main() -> int:  # a process pool may start: run under __main__ only
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--redteam-seed", type=int, default=2027)
    parser.add_argument(
        "--generators",
        nargs="+",
        default=["redteam"],
        help="blind generators under training/ to evaluate (redteam, heldout)",
    )
    parser.add_argument("--synth-seeds", type=int, nargs=2, default=(901, 902))
    parser.add_argument("--synth-claims", type=int, default=10000)
    parser.add_argument("--skip-synth", action="store_true")
    parser.add_argument("--skip-redteam", action="store_true")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--work", type=Path, help="keep intermediate files here")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="cbclassify-eval-"))
    work.mkdir(parents=True, exist_ok=True)
    directions = []
    if not args.skip_redteam:
        for generator in args.generators:
            directions += redteam_directions(args.redteam_seed, work, generator)
    if not args.skip_synth:
        directions.append(synth_direction(*args.synth_seeds, args.synth_claims, work))
    results = []
    for direction in directions:
        result = evaluate(direction, work)
        print_result(result)
        results.append({k: v for k, v in result.items() if not k.startswith("_")})
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nintermediate files: {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
