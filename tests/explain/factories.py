"""Small LightGBM models and frames for explanation tests (trained in well under a second)."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd

CLASSES = ("payer_overpayment", "duplicate_payment", "allowance_error", "patient_credit")


def synthetic_frame(rows: int, seed: int, features: int = 8) -> tuple[pd.DataFrame, np.ndarray]:
    """Numeric features with NaNs and exact zeros, one categorical, and a 4-class label."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features))
    x[rng.random((rows, features)) < 0.08] = np.nan
    x[:, 1] = np.where(rng.random(rows) < 0.3, 0.0, x[:, 1])  # zeros for zero_as_missing
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(features)])
    frame["kind"] = pd.Categorical(rng.choice(["a", "b", "c", "d", "e"], size=rows))
    score = np.nan_to_num(x[:, :4]) @ rng.normal(size=(4, 4)) + np.where(
        frame["kind"].isin(["a", "c"]).to_numpy()[:, None], [2.0, -1.0, 0.0, 1.0], 0.0
    )
    y = np.argmax(score + rng.gumbel(size=(rows, 4)), axis=1)
    return frame, y


def train(frame: pd.DataFrame, y: np.ndarray, **params: object) -> lgb.Booster:
    base = {
        "objective": "multiclass",
        "num_class": 4,
        "verbosity": -1,
        "num_threads": 1,
        "num_leaves": 15,
        "min_data_in_leaf": 5,
        "seed": 7,
        "deterministic": True,
    }
    rounds = int(params.pop("rounds", 15))  # type: ignore[call-overload]
    base.update(params)
    return lgb.train(base, lgb.Dataset(frame, y), num_boost_round=rounds)
