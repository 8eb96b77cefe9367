"""Evaluate the classifier the way the issue asks, and write training/reports/evaluation.md.

1. Generalisation: train on one synthetic practice (seed, payer mix) and test on practices with
   *different* seeds and payer mixes; LightGBM, the rules-only baseline and logistic regression
   side by side (macro-F1, per-class precision/recall, ECE).
2. Label noise: the same, with the generator's label noise at 0%, 2% and 10% on the training
   practice (test labels stay clean).
3. The ``cbclassify train`` protocol on the training practice: time-based split, newest held out.

Usage (about 2-4 minutes on 2 cores at the defaults):

    .venv/bin/python training/evaluate.py [--train-claims 60000] [--test-claims 30000]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cbclassify.model.baselines import RulesBaseline, logistic_baseline, logistic_proba
from cbclassify.model.classifier import PROBA_COLUMNS, CreditSourceModel
from cbclassify.model.config import TrainingConfig, load_training_config
from cbclassify.model.dataset import LabelledSet, combine, label_ids, ledger_labelled_set
from cbclassify.model.metrics import Evaluation, comparison_table, evaluate
from cbclassify.model.train import TrainingResult, train_models
from cbclassify.scoring import score_ledger
from cbclassify.synth import SynthConfig, SynthPractice, generate_practice

HERE = Path(__file__).resolve().parent
TRAIN = {"seed": 101, "payer_mix": "default"}
TESTS = [
    {"seed": 202, "payer_mix": "medicare_heavy"},
    {"seed": 303, "payer_mix": "commercial_heavy"},
    {"seed": 404, "payer_mix": "medicaid_aba"},
]
NOISE_LEVELS = (0.0, 0.02, 0.10)


def practice_of(claims: int, seed: int, payer_mix: str, label_noise: float = 0.0) -> SynthPractice:
    """One generated practice."""
    return generate_practice(
        SynthConfig(claims=claims, seed=seed, payer_mix=payer_mix, label_noise=label_noise)
    )


def labelled(practice: SynthPractice) -> LabelledSet:
    """The labelled credits of one generated practice."""
    name = (
        f"seed{practice.config.seed}-{practice.config.payer_mix}" if practice.config else "practice"
    )
    return combine([ledger_labelled_set(name, practice.ledger, "resolutions.csv")])


def serving_evaluation(
    model: CreditSourceModel, practice: SynthPractice
) -> tuple[Evaluation, int, int]:
    """The serving path: score the credits open on the ledger's as-of date (as ``cbclassify
    score`` does) and compare with the generator's truth. Returns the evaluation, the number of
    open credits with a known source, and the number of open credits without one."""
    scores = score_ledger(practice.ledger, model)
    truth = practice.truth.set_index("claim_id")["source"]
    known = scores["claim_id"].isin(truth.index).to_numpy()
    open_known = scores[known]
    y = label_ids(truth.reindex(open_known["claim_id"]).reset_index(drop=True))
    proba = open_known[list(PROBA_COLUMNS)].to_numpy(dtype="float64")
    return evaluate(proba, y), int(known.sum()), int((~known).sum())


def evaluate_all(
    model: CreditSourceModel, train: LabelledSet, test: LabelledSet, config: TrainingConfig
) -> dict[str, Evaluation]:
    """LightGBM ``model`` (fit as ``cbclassify train`` does), the rules and logistic regression
    (fit on ``train``), each evaluated on ``test``."""
    logistic = logistic_baseline(config).fit(train.features, train.labels)
    x, y = test.features, test.labels
    return {
        "lightgbm": evaluate(model.predict_proba(x), y, config.calibration_bins),
        "rules": evaluate(RulesBaseline().predict_proba(x), y, config.calibration_bins),
        "logistic": evaluate(logistic_proba(logistic, x), y, config.calibration_bins),
    }


def markdown(table: pd.DataFrame, first: str = "model") -> str:
    """A small markdown table (floats with 3 decimals)."""
    cols = [first, *map(str, table.columns)]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for name, *row in table.itertuples():
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join([str(name), *cells]) + " |")
    return "\n".join(lines)


def _clean_details(
    protocol: TrainingResult,
    train: LabelledSet,
    tests: list[LabelledSet],
    practices: list[SynthPractice],
    config: TrainingConfig,
) -> list[str]:
    """Per test practice (labelled and serving path) and the train-command protocol."""
    rows = {}
    for spec, test, practice in zip(TESTS, tests, practices):
        labelled_eval = evaluate_all(protocol.model, train, test, config)["lightgbm"]
        served, known, unknown = serving_evaluation(protocol.model, practice)
        rows[f"seed {spec['seed']} {spec['payer_mix']}"] = [
            len(test),
            labelled_eval.macro_f1,
            labelled_eval.ece,
            known,
            served.macro_f1,
            served.ece,
            unknown,
        ]
    table = pd.DataFrame(
        rows,
        index=[
            "labels",
            "labelled macro_f1",
            "labelled ece",
            "open credits scored",
            "serving macro_f1",
            "serving ece",
            "open credits without truth",
        ],
    ).T
    for col in ("labels", "open credits scored", "open credits without truth"):
        table[col] = table[col].astype(int)
    return [
        "#### LightGBM per test practice (0% noise): labelled credits as of their identified date, "
        "and the serving path (`score_ledger`: credits open on the ledger's as-of date vs the "
        "generator's truth)\n\n" + markdown(table, "test practice"),
        "### `cbclassify train` protocol on the training practice (time-based split)\n\n"
        f"Train {len(protocol.split.train)}, validation {len(protocol.split.validation)}, "
        f"test (newest) {len(protocol.split.test)}; temperature {protocol.model.temperature:.3f}, "
        f"best iteration {protocol.model.metadata['best_iteration']}.\n\n"
        + markdown(protocol.comparison())
        + "\n\nConfusion matrix (LightGBM, rows = label):\n\n"
        + markdown(protocol.test["lightgbm"].confusion, "label \\ predicted"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train-claims", type=int, default=60_000)
    parser.add_argument("--test-claims", type=int, default=30_000)
    parser.add_argument("--config", type=Path, default=HERE / "config.yaml")
    parser.add_argument("--out", type=Path, default=HERE / "reports" / "evaluation.md")
    args = parser.parse_args()
    config = load_training_config(args.config)
    started = time.perf_counter()
    test_practices = [practice_of(args.test_claims, **t) for t in TESTS]
    tests = [labelled(p) for p in test_practices]
    pooled = LabelledSet(pd.concat([t.frame for t in tests], ignore_index=True))
    sections, summary = [], {}
    for noise in NOISE_LEVELS:
        train = labelled(practice_of(args.train_claims, label_noise=noise, **TRAIN))
        protocol = train_models(train, config)
        results = evaluate_all(protocol.model, train, pooled, config)
        summary[f"noise_{noise:.2f}"] = {k: v.flat() for k, v in results.items()}
        sections.append(
            f"### Label noise {noise:.0%} on the training practice ({len(train)} labels)\n\n"
            f"Tested on {len(pooled)} clean labels (each credit as of its identified date) from seeds "
            f"{', '.join(str(t['seed']) for t in TESTS)} ({', '.join(t['payer_mix'] for t in TESTS)}).\n\n"
            + markdown(comparison_table(results))
        )
        if noise == 0.0:
            sections.append(
                "Confusion matrix (LightGBM, all test practices, rows = label):\n\n"
                + markdown(results["lightgbm"].confusion, "label \\ predicted")
            )
            sections.extend(_clean_details(protocol, train, tests, test_practices, config))
    header = (
        "# Classifier evaluation (synthetic practices)\n\n"
        f"Generated by `training/evaluate.py` in {time.perf_counter() - started:.0f} s "
        f"(train practice seed {TRAIN['seed']} {TRAIN['payer_mix']}, {args.train_claims} claims; "
        f"test practices {args.test_claims} claims each).\n"
        "ECE: top-label expected calibration error, "
        f"{config.calibration_bins} bins. The rules baseline gives hard 0/1 probabilities.\n"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(header + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(args.out.read_text())


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
