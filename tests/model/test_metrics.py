"""Calibration and classification metrics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax

from cbclassify.model.metrics import (
    apply_temperature,
    evaluate,
    expected_calibration_error,
    fit_temperature,
    reliability,
)


def sampled(n: int, temperature: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Raw scores whose true probabilities are softmax(raw / temperature), and labels drawn from them."""
    rng = np.random.default_rng(seed)
    raw = rng.normal(scale=3.0, size=(n, 4))
    true = softmax(raw / temperature, axis=1)
    y = np.array([rng.choice(4, p=p) for p in true])
    return raw, y


def test_temperature_scaling_recovers_the_true_temperature():
    raw, y = sampled(6000, temperature=2.5)
    assert fit_temperature(raw, y) == pytest.approx(2.5, rel=0.1)


def test_calibrated_probabilities_have_small_ece_and_overconfident_ones_do_not():
    raw, y = sampled(6000, temperature=2.0, seed=1)
    calibrated = apply_temperature(raw, 2.0)
    overconfident = apply_temperature(raw, 0.5)
    assert expected_calibration_error(calibrated, y) < 0.03
    assert expected_calibration_error(overconfident, y) > 0.1


def test_reliability_bins_count_every_row():
    raw, y = sampled(500, temperature=1.0, seed=2)
    table = reliability(apply_temperature(raw, 1.0), y, bins=5)
    assert table["count"].sum() == 500 and len(table) == 5


def test_evaluate_per_class_and_confusion():
    proba = np.eye(4)[[0, 0, 1, 2, 3, 3]]
    y = np.array([0, 1, 1, 2, 3, 3])
    ev = evaluate(proba, y)
    assert ev.per_class.loc["payer_overpayment", "precision"] == 0.5
    assert ev.per_class.loc["duplicate_payment", "recall"] == 0.5
    assert ev.confusion.loc["duplicate_payment", "payer_overpayment"] == 1
    assert ev.accuracy == pytest.approx(5 / 6)
    flat = ev.flat("test_")
    assert flat["test_recall_patient_credit"] == 1.0 and "test_ece" in flat
