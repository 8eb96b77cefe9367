"""Benchmark: training on ~5,000 resolved credits and scoring ~50,000 credits.

Goals (issue 3): training under 2 minutes; scoring 50,000 credits under 30 s, on 2 cores.
Training is timed twice: the model fitting alone (search + early stopping + calibration +
both baselines) and the whole ``cbclassify train`` path (features, MLflow logging and registry
on the embedded SQLite default in a temporary data dir). Scoring uses the registered pyfunc, as
``cbclassify score`` does; the classifier's part (credits, features, prediction) is timed apart
from the full output with verification. Prints seconds and ratios to the goals; no assertion.
Usage:

    .venv/bin/python benchmarks/bench_train_score.py [--labels 5000] [--score-credits 50000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from cbclassify.model.config import TrainingConfig
from cbclassify.model.dataset import combine, ledger_labelled_set
from cbclassify.model.train import train_models
from cbclassify.synth import SynthConfig, generate_practice

TRAIN_GOAL_S = 120.0
SCORE_GOAL_S = 30.0


def _timed(label: str, fn):
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    print(f"{label}: {seconds:.2f} s")
    return value, seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--labels", type=int, default=5000, help="approximate resolved credits")
    parser.add_argument(
        "--score-credits", type=int, default=50_000, help="approximate credits to score"
    )
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    os.environ["CBCLASSIFY_DATA_DIR"] = tempfile.mkdtemp(prefix="cbclassify-bench-")
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    from cbclassify.model.classifier import serving_frame
    from cbclassify.model.registry import alias_uri, load_pyfunc
    from cbclassify.model.workflow import train_labelled
    from cbclassify.scoring import score_ledger, serving_features
    from cbclassify.settings import Settings

    synth = SynthConfig(claims=int(args.labels / (0.08 * 0.6)), seed=args.seed)
    practice, _ = _timed(f"generate {synth.claims:,} claims", lambda: generate_practice(synth))
    data, features_s = _timed(
        "labelled features",
        lambda: combine([ledger_labelled_set("bench", practice.ledger, "resolutions.csv")]),
    )
    print(f"  {len(data):,} labelled credits")
    config = TrainingConfig()
    result, _ = _timed(
        "fit (search + early stopping + calibration + baselines)",
        lambda: train_models(data, config),
    )
    print(
        f"  test macro-F1 lightgbm {result.test['lightgbm'].macro_f1:.3f}, best iteration "
        f"{result.model.metadata['best_iteration']}"
    )
    settings = Settings()
    _, tracked_s = _timed(
        "train command path (fit + MLflow log + register)",
        lambda: train_labelled(data, config, settings),
    )
    total_train = features_s + tracked_s
    print(
        f"TRAIN: {total_train:.1f} s end to end for {len(data):,} labels; goal {TRAIN_GOAL_S:.0f} s; "
        f"ratio {total_train / TRAIN_GOAL_S:.2f} of budget"
    )

    # Open credits = claims x credit_rate x (1 - resolved_share).
    score_synth = SynthConfig(
        claims=int(args.score_credits / (0.4 * 0.8)),
        credit_rate=0.4,
        resolved_share=0.2,
        seed=args.seed + 1,
    )
    to_score, _ = _timed(
        f"generate {score_synth.claims:,} claims to score", lambda: generate_practice(score_synth)
    )
    model, _ = _timed(
        "load champion pyfunc",
        lambda: load_pyfunc(alias_uri(settings.registered_model_name, "champion")),
    )
    ledger = to_score.ledger
    as_of = ledger.default_as_of()
    (credits, features), features_s = _timed(
        "credit balances + features", lambda: serving_features(ledger, as_of)
    )
    _, predict_s = _timed("pyfunc predict", lambda: model.predict(serving_frame(features)))
    n = len(credits)
    classifier_s = features_s + predict_s
    print(
        f"SCORE (classifier columns): {n:,} credits in {classifier_s:.1f} s ({n / classifier_s:,.0f}/s); "
        f"goal {SCORE_GOAL_S:.0f} s for 50,000; ratio {classifier_s / SCORE_GOAL_S:.2f} of budget"
    )
    scores, score_s = _timed(
        "score_ledger end to end (with verification and recommendations)",
        lambda: score_ledger(ledger, model),
    )
    print(f"SCORE (all contract columns): {len(scores):,} credits in {score_s:.1f} s")


if __name__ == "__main__":
    main()
