"""Hyper-parameter search on the validation split, to choose the grid in ``config.yaml``.

Trains every combination of a wider grid than ``cbclassify train`` uses (same time-based split,
early stopping, class weights and calibration as configured) and prints, per candidate, the
best iteration, validation log loss, macro-F1 and ECE (before calibration), best first. Data: the labelled
credits of LEDGER_DIRs, or a synthetic practice when none is given. Usage:

    .venv/bin/python training/search.py [LEDGER_DIR ...] [--claims 30000] [--seed 101]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from cbclassify.model.config import load_training_config
from cbclassify.model.dataset import combine, ledger_labelled_set, time_split
from cbclassify.model.fit import fit_lightgbm
from cbclassify.model.workflow import load_labelled

HERE = Path(__file__).resolve().parent
WIDE_GRID = {
    "num_leaves": [7, 15, 31, 63],
    "learning_rate": [0.03, 0.05, 0.1, 0.2],
    "min_data_in_leaf": [5, 10, 30, 60],
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("ledger_dirs", nargs="*", type=Path)
    parser.add_argument("--claims", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--config", type=Path, default=HERE / "config.yaml")
    args = parser.parse_args()
    if args.ledger_dirs:
        data = load_labelled(args.ledger_dirs)
    else:
        from cbclassify.synth import SynthConfig, generate_practice

        practice = generate_practice(SynthConfig(claims=args.claims, seed=args.seed))
        data = combine([ledger_labelled_set("synthetic", practice.ledger, "resolutions.csv")])
    base = load_training_config(args.config)
    config = base.model_copy(update={"search": base.search.model_copy(update=WIDE_GRID)})
    split = time_split(
        data.frame["as_of_date"], config.split.test_share, config.split.validation_share
    )
    x, y = data.features, data.labels
    _, table = fit_lightgbm(
        x.iloc[split.train], y[split.train], x.iloc[split.validation], y[split.validation], config
    )
    result = table.sort_values(
        ["validation_log_loss", "validation_macro_f1"], ascending=[True, False]
    )
    print(
        f"{len(data)} labelled credits: train {len(split.train)}, validation {len(split.validation)}"
    )
    with pd.option_context("display.width", 160, "display.max_rows", 200):
        print(result.round(4).to_string(index=False))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
