"""Benchmark (issue 17): a portfolio of practices scored and trained on Dask.

1. Writes ``--practices`` synthetic practices of ``--lines`` claim lines each and trains a
   model on the first with ``cbclassify train`` (a small configuration; it is not timed).
2. Scoring (after the workers have imported the stack and loaded the model once, timed\n   apart as start-up): the practices one after another in this process (read, validate, ``score_ledger``
   on one process, write: what ``cbclassify score`` does per practice), against
   ``portfolio.score_portfolio`` on a local cluster of ``--workers`` processes. Prints wall
   seconds and the speed-up, and checks that both wrote the same predictions.
3. Scheduler overhead: ``--noop-tasks`` empty tasks through the same cluster, wall per task.
4. Training on ``--train-practices`` practices: ``portfolio.train_portfolio`` (lightgbm.dask)
   against single-process LightGBM (``model.fit.fit_lightgbm``) on the same training and
   validation rows, both evaluated on the same held-out practice: macro-F1 and wall seconds
   (feature building included in both).
5. A projection to 650 practices of 1,000,000 lines from the measured cost per practice,
   assuming cost grows linearly with lines (stated as an assumption, not measured).

Usage:  .venv/bin/python benchmarks/bench_portfolio.py [--practices 20] [--lines 100000]
            [--workers 2] [--train-practices 5] [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

LINES_PER_CLAIM = 2.4  # the generator's average
TRAIN_CONFIG = """
lightgbm: {num_boost_round: 200, early_stopping_rounds: 20}
search: {num_leaves: [31], learning_rate: [0.1], min_data_in_leaf: [20]}
"""


def make_portfolio(root: Path, practices: int, lines: int) -> list[Path]:
    from cbclassify.synth import SynthConfig, generate_practice, write_practice

    folders = []
    for i in range(practices):
        folder = root / f"practice-{i:03d}"
        if not (folder / "transactions.csv").exists():
            config = SynthConfig(claims=int(lines / LINES_PER_CLAIM), seed=1000 + i)
            write_practice(generate_practice(config), folder)
        folders.append(folder)
    return folders


def noop(value: int) -> int:
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--practices", type=int, default=20)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--train-practices", type=int, default=5)
    parser.add_argument("--noop-tasks", type=int, default=2000)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-portfolio-"))
    os.environ["CBCLASSIFY_DATA_DIR"] = str(work / "data")

    from distributed import Client, LocalCluster

    from cbclassify.cli.model_choice import choose_model
    from cbclassify.features import FEATURE_NAMES
    from cbclassify.ledger_io import read_ledger
    from cbclassify.model.config import load_training_config
    from cbclassify.model.dataset import label_ids
    from cbclassify.model.fit import fit_lightgbm
    from cbclassify.model.metrics import evaluate
    from cbclassify.portfolio import find_practices, score_portfolio
    from cbclassify.portfolio.train import (
        frame_of,
        labelled_practice,
        split_validation,
        train_portfolio,
    )
    from cbclassify.portfolio.work import ModelRef, loaded_model
    from cbclassify.scoring import score_ledger, write_scores
    from cbclassify.settings import Settings

    started = time.perf_counter()
    folders = make_portfolio(work / "root", args.practices, args.lines)
    print(f"{args.practices} practices of {args.lines:,} lines ready in "
          f"{time.perf_counter() - started:.1f} s ({work})")  # fmt: skip
    config_file = work / "train.yaml"
    config_file.write_text(TRAIN_CONFIG)
    if not (work / "data").exists():
        subprocess.run(
            [sys.executable, "-m", "cbclassify.cli.main", "train", str(folders[0]),
             "--config", str(config_file)], check=True, capture_output=True,
        )  # fmt: skip
    settings = Settings()
    ref = ModelRef(choose_model(None, settings).uri, str(settings.resolved_tracking_uri))
    model = loaded_model(ref)

    sequential_out = work / "sequential"
    t0 = time.perf_counter()
    for folder in folders:
        ledger = read_ledger(folder)
        scores = score_ledger(ledger, model, workers=1)
        write_scores(scores, sequential_out / folder.name / "predictions.csv")
    sequential = time.perf_counter() - t0
    print(f"sequential, one process          {sequential:8.1f} s wall")

    t0 = time.perf_counter()
    cluster = LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=40,
    )  # fmt: skip
    client = Client(cluster)
    startup = time.perf_counter() - t0
    print(f"local cluster start ({args.workers} workers)     {startup:8.1f} s wall")
    t0 = time.perf_counter()
    client.run(loaded_model, ref)  # each worker imports the stack and loads the model once
    warm = time.perf_counter() - t0
    print(f"worker warm-up (imports + model) {warm:8.1f} s wall")
    startup += warm
    t0 = time.perf_counter()
    score_portfolio(work / "root", work / "cluster", ref, client)
    clustered = time.perf_counter() - t0
    print(f"portfolio score on the cluster   {clustered:8.1f} s wall  "
          f"speed-up {sequential / clustered:.2f}x  (with start-up: "
          f"{sequential / (clustered + startup):.2f}x)")  # fmt: skip
    same = all(
        (work / "cluster" / f.name / "predictions.csv").read_bytes()
        == (sequential_out / f.name / "predictions.csv").read_bytes()
        for f in folders
    )
    print(f"same predictions as sequential: {same}")

    t0 = time.perf_counter()
    client.gather(client.map(noop, range(args.noop_tasks), pure=False))
    per_task = (time.perf_counter() - t0) / args.noop_tasks
    print(f"scheduler overhead               {per_task * 1000:8.2f} ms per task "
          f"({args.noop_tasks} empty tasks)")  # fmt: skip

    config = load_training_config(config_file)
    chosen = find_practices(work / "root")[: args.train_practices]
    t0 = time.perf_counter()
    labelled = client.map(labelled_practice, chosen, pure=False)
    frames = {p.name: client.submit(frame_of, f) for p, f in zip(chosen, labelled, strict=True)}
    distributed = train_portfolio(client, frames, config, holdout_share=0.2)
    dist_time = time.perf_counter() - t0

    t0 = time.perf_counter()
    local = {p.name: labelled_practice(p).frame for p in chosen}
    trains, vals = zip(
        *(split_validation(local[n], config.split.validation_share)
          for n in distributed.trained_on), strict=True,
    )  # fmt: skip
    train = pd.concat(trains)
    validation = pd.concat(vals)
    single, _ = fit_lightgbm(
        train[list(FEATURE_NAMES)], label_ids(train["label"]),
        validation[list(FEATURE_NAMES)], label_ids(validation["label"]), config,
    )  # fmt: skip
    held = pd.concat([local[n] for n in distributed.held_out])
    single_f1 = evaluate(
        single.predict_proba(held[list(FEATURE_NAMES)]), label_ids(held["label"])
    ).macro_f1
    single_time = time.perf_counter() - t0
    print(f"training on {len(distributed.trained_on)} practices ({distributed.n_train:,} train + "
          f"{distributed.n_validation:,} validation credits), held out "
          f"{distributed.held_out} ({len(held):,} credits):")  # fmt: skip
    print(f"  lightgbm.dask     macro-F1 {distributed.pooled.macro_f1:.4f}  {dist_time:7.1f} s")
    print(f"  single process    macro-F1 {single_f1:.4f}  {single_time:7.1f} s")

    per_practice = clustered * args.workers / args.practices  # worker-seconds per practice
    scale = 1_000_000 / args.lines
    print(
        f"projection to 650 practices of 1,000,000 lines (assumes cost linear in lines: "
        f"{per_practice * scale:.1f} worker-s per practice, {per_task * 1000:.1f} ms per task):"
    )
    for workers in (2, 32, 128, 512):
        hours = (650 * per_practice * scale / workers + 650 * per_task) / 3600
        print(f"  {workers:4d} workers: {hours:7.2f} h")
    client.close()
    cluster.close()
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
