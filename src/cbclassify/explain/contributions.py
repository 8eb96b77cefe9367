"""SHAP contributions of a LightGBM model, from LightGBM's own TreeSHAP or from ``shap``.

Both return one shape, ``(rows, outputs, features + 1)`` with the bias (expected value) last,
so callers never see the shape differences between shap releases (a list of arrays before 0.45,
``(rows, features, outputs)`` since) or between binary and multiclass models.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cbclassify.explain.trees import booster_of, model_matrix, output_count


class AdditivityError(AssertionError):
    """base value + contributions differ from the model's raw margin."""


def raw_margins(model: Any, features: pd.DataFrame | np.ndarray, threads: int = 0) -> np.ndarray:
    """The model's raw scores (log-odds margins), shape (rows, outputs)."""
    booster = booster_of(model)
    matrix = model_matrix(model, features)
    k = output_count(booster)
    if len(matrix) == 0:
        return np.zeros((0, k))
    raw = booster.predict(matrix, raw_score=True, num_threads=threads)
    return np.asarray(raw, dtype="float64").reshape(len(matrix), k)


def lightgbm_contributions(
    model: Any, features: pd.DataFrame | np.ndarray, threads: int = 0
) -> np.ndarray:
    """LightGBM ``pred_contrib`` reshaped from (rows, K*(F+1)) to (rows, K, F+1), bias last."""
    booster = booster_of(model)
    matrix = model_matrix(model, features)
    k, f = output_count(booster), booster.num_feature()
    if len(matrix) == 0:
        return np.zeros((0, k, f + 1))
    flat = booster.predict(matrix, pred_contrib=True, num_threads=threads)
    return np.asarray(flat, dtype="float64").reshape(len(matrix), k, f + 1)


def _as_output_major(values: Any, rows: int, k: int, f: int) -> np.ndarray:
    """shap's contributions in any of its layouts -> (rows, K, F)."""
    if isinstance(values, list):  # shap < 0.45: one (rows, F) array per output
        return np.stack([np.asarray(v, dtype="float64") for v in values], axis=1)
    arr = np.asarray(values, dtype="float64")
    if arr.ndim == 2:  # single output
        return arr.reshape(rows, 1, f)
    if arr.shape == (rows, f, k):  # shap >= 0.45
        return np.transpose(arr, (0, 2, 1))
    if arr.shape == (rows, k, f):
        return arr
    raise ValueError(
        f"unexpected shap output shape {arr.shape} for {rows} rows, {k} outputs, {f} features"
    )


def shap_contributions(model: Any, features: pd.DataFrame | np.ndarray) -> np.ndarray:
    """``shap.TreeExplainer`` contributions as (rows, K, F+1), bias (expected value) last."""
    import shap  # imported here: shap is slow to import and only needed on this path

    booster = booster_of(model)
    matrix = model_matrix(model, features)
    k, f = output_count(booster), booster.num_feature()
    if len(matrix) == 0:
        return np.zeros((0, k, f + 1))
    explainer = shap.TreeExplainer(booster)
    values = _as_output_major(explainer.shap_values(matrix), len(matrix), k, f)
    expected = np.broadcast_to(
        np.asarray(explainer.expected_value, dtype="float64").reshape(-1), (k,)
    )
    bias = np.broadcast_to(expected[None, :, None], (len(matrix), k, 1))
    return np.concatenate([values, bias], axis=2)


def check_additivity(
    contributions: np.ndarray, margins: np.ndarray, tolerance: float = 1e-6
) -> float:
    """Largest |sum(contributions incl. bias) - margin|; raises AdditivityError above tolerance.

    ``contributions`` is (rows, K, F+1) against margins (rows, K), or (rows, F+1) against
    margins (rows,) for one output per row."""
    gap = np.abs(contributions.sum(axis=-1) - margins)
    worst = float(gap.max()) if gap.size else 0.0
    if worst > tolerance:
        raise AdditivityError(
            f"contributions miss the margin by up to {worst:.3g} (> {tolerance:g})"
        )
    return worst
