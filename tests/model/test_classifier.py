"""The fitted classifier: probabilities, determinism, save/load golden test, contributions."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cbclassify.model.classifier import PROBA_COLUMNS, CreditSourceModel, serving_frame
from cbclassify.model.config import TrainingConfig
from cbclassify.model.fit import class_weights, fit_lightgbm

SMALL = TrainingConfig.model_validate(
    {
        "lightgbm": {"num_boost_round": 60, "early_stopping_rounds": 10},
        "search": {"num_leaves": [7, 15], "learning_rate": [0.1], "min_data_in_leaf": [10]},
    }
)


@pytest.fixture(scope="module")
def fitted(random_training_frame) -> tuple[CreditSourceModel, pd.DataFrame]:
    x, y = random_training_frame
    model, search = fit_lightgbm(x.iloc[:400], y[:400], x.iloc[400:], y[400:], SMALL)
    assert len(search) == 2 and search["validation_log_loss"].notna().all()
    return model, x


def test_probabilities_sum_to_one_and_confidence_is_the_top_one(fitted):
    model, x = fitted
    out = model.predict_frame(x)
    proba = out[list(PROBA_COLUMNS)].to_numpy()
    assert np.allclose(proba.sum(axis=1), 1.0)
    chosen = proba[np.arange(len(out)), proba.argmax(axis=1)]
    assert np.array_equal(out["confidence"].to_numpy(), chosen)
    assert set(out["predicted_source"]) <= {c[2:] for c in PROBA_COLUMNS}


def test_saved_and_reloaded_model_gives_identical_probabilities(fitted, tmp_path):
    model, x = fitted
    model.save(tmp_path / "m")
    assert (tmp_path / "m" / "model.txt").read_text().startswith("tree")
    reloaded = CreditSourceModel.load(tmp_path / "m")
    assert np.array_equal(model.predict_proba(x), reloaded.predict_proba(x))
    assert reloaded.temperature == model.temperature


def test_categorical_input_order_and_dtype_do_not_matter(fitted):
    model, x = fitted
    reordered = x[list(reversed(x.columns))]
    assert np.array_equal(model.predict_proba(x), model.predict_proba(reordered))
    assert np.array_equal(model.predict_proba(x), model.predict_proba(serving_frame(x)))
    alone = model.predict_proba(x.iloc[[5]])
    assert np.array_equal(alone, model.predict_proba(x)[[5]])


def test_same_data_same_seed_same_model(random_training_frame):
    x, y = random_training_frame
    first, _ = fit_lightgbm(x.iloc[:400], y[:400], x.iloc[400:], y[400:], SMALL)
    second, _ = fit_lightgbm(x.iloc[:400], y[:400], x.iloc[400:], y[400:], SMALL)
    assert first.booster.model_to_string() == second.booster.model_to_string()
    assert first.temperature == second.temperature


def test_contributions_add_up_to_the_margins(fitted):
    model, x = fitted
    contrib = model.contributions(x.iloc[:20])
    assert contrib.shape == (20, 4, len(model.feature_names) + 1)
    assert np.allclose(contrib.sum(axis=2), model.raw_scores(x.iloc[:20]), atol=1e-9)


def test_unknown_format_is_refused(fitted, tmp_path):
    model, _ = fitted
    folder = model.save(tmp_path / "m")
    meta = json.loads((folder / "pipeline.json").read_text())
    meta["classes"] = ["a", "b"]
    (folder / "pipeline.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="classes"):
        CreditSourceModel.load(folder)


def test_balanced_class_weights_equalise_class_totals():
    y = np.array([0, 0, 0, 1, 2, 3])
    w = class_weights(y, "balanced")
    totals = np.bincount(y, weights=w)
    assert np.allclose(totals, totals[0])
    assert np.array_equal(class_weights(y, "none"), np.ones(6))
