"""Train the classifier and its two baselines on one time-based split and evaluate all three.

No MLflow here (see ``model.workflow`` for tracking and the registry): this returns the fitted
model, the split and every evaluation, so scripts and notebooks can use it directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbclassify.model.baselines import RulesBaseline, logistic_baseline, logistic_proba
from cbclassify.model.classifier import PROBA_COLUMNS, CreditSourceModel, serving_frame
from cbclassify.model.config import TrainingConfig
from cbclassify.model.dataset import LabelledSet, Split, time_split
from cbclassify.model.fit import fit_lightgbm
from cbclassify.model.metrics import Evaluation, apply_temperature, comparison_table, evaluate


@dataclass(frozen=True)
class TrainingResult:
    """What one training run produced."""

    model: CreditSourceModel
    data: LabelledSet
    split: Split
    search: pd.DataFrame
    test: dict[str, Evaluation]  # lightgbm, lightgbm_uncalibrated, rules, logistic
    validation: Evaluation

    @property
    def holdout(self) -> LabelledSet:
        """The held-out (newest) labelled credits."""
        return LabelledSet(self.data.frame.iloc[self.split.test].reset_index(drop=True))

    def comparison(self) -> pd.DataFrame:
        """The three models (and LightGBM before calibration) side by side on the test slice."""
        return comparison_table(self.test)


def train_models(data: LabelledSet, config: TrainingConfig) -> TrainingResult:
    """Fit LightGBM (search, early stopping, calibration), the rules baseline and logistic
    regression on the same time-based split; evaluate each on the newest slice."""
    split = time_split(
        data.frame["as_of_date"], config.split.test_share, config.split.validation_share
    )
    x, y = data.features, data.labels
    x_train, y_train = x.iloc[split.train], y[split.train]
    x_val, y_val = x.iloc[split.validation], y[split.validation]
    x_test, y_test = x.iloc[split.test], y[split.test]
    model, search = fit_lightgbm(x_train, y_train, x_val, y_val, config)
    bins = config.calibration_bins
    raw_test = model.raw_scores(x_test)
    logistic = logistic_baseline(config).fit(x_train, y_train)
    test = {
        "lightgbm": evaluate(model.predict_proba(x_test), y_test, bins),
        "lightgbm_uncalibrated": evaluate(apply_temperature(raw_test, 1.0), y_test, bins),
        "rules": evaluate(RulesBaseline().predict_proba(x_test), y_test, bins),
        "logistic": evaluate(logistic_proba(logistic, x_test), y_test, bins),
    }
    validation = evaluate(model.predict_proba(x_val), y_val, bins)
    return TrainingResult(model, data, split, search, test, validation)


def evaluate_model_on(model: object, holdout: LabelledSet, bins: int = 10) -> Evaluation:
    """Metrics of any model with ``predict_proba(features)`` or a pyfunc-style ``predict``
    returning ``p_`` columns, on a labelled slice."""
    features = holdout.features
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(features))
    else:
        out = model.predict(serving_frame(features))  # type: ignore[attr-defined]  # a pyfunc
        proba = out[list(PROBA_COLUMNS)].to_numpy(dtype="float64")
    return evaluate(proba, holdout.labels, bins)
