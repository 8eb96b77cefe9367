"""SHAP values: LightGBM pred_contrib, shap, the fast path and a brute-force Shapley reference
agree; additivity holds for every row; the shape contract is (rows, K, F+1) with bias last."""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pytest

from cbclassify.explain import (
    AdditivityError,
    FastExplainer,
    check_additivity,
    lightgbm_contributions,
    raw_margins,
    shap_contributions,
)
from cbclassify.explain.contributions import _as_output_major
from cbclassify.explain.trees import model_matrix
from explain.factories import synthetic_frame, train


def test_shape_contract(booster, data) -> None:
    frame, _ = data
    n, f = len(frame), frame.shape[1]
    assert lightgbm_contributions(booster, frame).shape == (n, 4, f + 1)
    assert shap_contributions(booster, frame.head(20)).shape == (20, 4, f + 1)
    assert raw_margins(booster, frame).shape == (n, 4)


def test_shap_and_lightgbm_agree_and_add_up(booster, data) -> None:
    frame, _ = data
    rows = frame.head(120)
    ours = lightgbm_contributions(booster, rows)
    theirs = shap_contributions(booster, rows)
    np.testing.assert_allclose(theirs, ours, atol=1e-6, rtol=0)
    margins = raw_margins(booster, rows)
    assert check_additivity(ours, margins) < 1e-9
    assert check_additivity(theirs, margins) < 1e-6


@pytest.mark.parametrize("model_name", ["booster", "deep_booster"])
def test_fast_path_equals_pred_contrib_for_predicted_class(model_name, data, request) -> None:
    model = request.getfixturevalue(model_name)
    frame, _ = data
    explanation = FastExplainer(model, trees_per_block=3, rows_per_chunk=64).explain(frame)
    full = lightgbm_contributions(model, frame)
    picked = full[np.arange(len(frame)), explanation.predicted]
    np.testing.assert_allclose(explanation.contributions, picked[:, :-1], atol=1e-9, rtol=0)
    np.testing.assert_allclose(explanation.base, picked[:, -1], atol=1e-9, rtol=0)
    margins = raw_margins(model, frame)
    assert (explanation.predicted == margins.argmax(axis=1)).all()
    best = margins[np.arange(len(frame)), explanation.predicted]
    np.testing.assert_allclose(explanation.margin, best, atol=1e-9, rtol=0)


def test_fast_path_handles_unseen_categories_and_all_missing(booster, data) -> None:
    frame, _ = data
    odd = frame.head(30).copy()
    odd.loc[odd.index[:10], "kind"] = np.nan
    odd.iloc[10:20, :8] = np.nan
    odd["kind"] = odd["kind"].cat.add_categories(["zzz"])
    odd.loc[odd.index[20:], "kind"] = "zzz"  # a category the model never saw
    explanation = FastExplainer(booster).explain(odd)
    full = lightgbm_contributions(booster, odd)
    picked = full[np.arange(len(odd)), explanation.predicted]
    np.testing.assert_allclose(explanation.contributions, picked[:, :-1], atol=1e-9, rtol=0)


def _expected_value(node: dict, x: np.ndarray, known: set[int]) -> float:
    """E[tree(x) | x_S] with path-dependent (cover-weighted) averaging: the TreeSHAP value
    function, written independently of LightGBM and shap (numeric splits only)."""
    if "leaf_value" in node:
        return float(node["leaf_value"])
    feature = node["split_feature"]
    if feature in known:
        value = x[feature]
        left = (value <= node["threshold"]) if not np.isnan(value) else node["default_left"]
        return _expected_value(node["left_child" if left else "right_child"], x, known)
    count = float(node["internal_count"])
    total = 0.0
    for side in ("left_child", "right_child"):
        child = node[side]
        share = float(child.get("internal_count", child.get("leaf_count"))) / count
        total += share * _expected_value(child, x, known)
    return total


def _brute_force_shap(trees: list[dict], x: np.ndarray, n_features: int) -> np.ndarray:
    """Shapley values by enumerating every feature subset (exponential; tiny models only)."""
    value = {}
    for size in range(n_features + 1):
        for subset in combinations(range(n_features), size):
            value[subset] = sum(_expected_value(t, x, set(subset)) for t in trees)
    phi = np.zeros(n_features + 1)
    for j in range(n_features):
        others = [k for k in range(n_features) if k != j]
        for size in range(n_features):
            weight = factorial(size) * factorial(n_features - size - 1) / factorial(n_features)
            for subset in combinations(others, size):
                with_j = tuple(sorted(subset + (j,)))
                phi[j] += weight * (value[with_j] - value[subset])
    phi[-1] = value[()]
    return phi


def test_fast_path_matches_brute_force_shapley_values() -> None:
    frame, y = synthetic_frame(300, seed=5, features=5)
    numeric = frame.drop(columns="kind")
    model = train(numeric, y, rounds=4, num_leaves=7)
    trees = model.dump_model()["tree_info"]
    matrix = model_matrix(model, numeric)
    explanation = FastExplainer(model).explain(numeric.head(12))
    for row in range(12):
        output = explanation.predicted[row]
        own = [t["tree_structure"] for t in trees if t["tree_index"] % 4 == output]
        reference = _brute_force_shap(own, matrix[row], 5)
        np.testing.assert_allclose(explanation.contributions[row], reference[:-1], atol=1e-9)
        assert explanation.base[row] == pytest.approx(reference[-1], abs=1e-9)


def test_additivity_check_reports_a_gap() -> None:
    contributions = np.array([[[0.5, 0.25, 1.0]]])
    with pytest.raises(AdditivityError):
        check_additivity(contributions, np.array([[2.0]]))
    assert check_additivity(contributions, np.array([[1.75]])) == 0.0


def test_shap_layout_adapter() -> None:
    rows, k, f = 3, 4, 2
    modern = np.arange(rows * f * k, dtype=float).reshape(rows, f, k)  # shap >= 0.45
    legacy = [modern[:, :, i] for i in range(k)]  # shap < 0.45
    expected = np.transpose(modern, (0, 2, 1))
    np.testing.assert_array_equal(_as_output_major(modern, rows, k, f), expected)
    np.testing.assert_array_equal(_as_output_major(legacy, rows, k, f), expected)
    single = np.ones((rows, f))
    assert _as_output_major(single, rows, 1, f).shape == (rows, 1, f)
    with pytest.raises(ValueError):
        _as_output_major(np.ones((rows, 5, 5)), rows, k, f)
