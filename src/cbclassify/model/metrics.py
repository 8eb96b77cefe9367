"""Metrics: macro-F1, per-class precision/recall, confusion matrix, calibration (ECE and the
reliability curve), and temperature scaling. Pure numpy / scikit-learn.

Top-label ECE and temperature scaling are a few lines each and written here (scikit-learn's
``calibration_curve`` is binary-only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.metrics import confusion_matrix, f1_score, log_loss, precision_recall_fscore_support

from cbclassify.contract.enums import CREDIT_SOURCES

CLASSES = list(CREDIT_SOURCES)


def apply_temperature(raw_scores: np.ndarray, temperature: float) -> np.ndarray:
    """Class probabilities from raw (margin) scores divided by ``temperature``."""
    return softmax(np.asarray(raw_scores, dtype="float64") / temperature, axis=1)


def fit_temperature(raw_scores: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of ``y`` (bounded 0.05..20)."""
    raw = np.asarray(raw_scores, dtype="float64")
    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        return float(-log_softmax(raw / np.exp(log_t), axis=1)[rows, y].mean())

    result = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(result.x))


def reliability(proba: np.ndarray, y: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Top-label reliability curve: per confidence bin, count, mean confidence, accuracy."""
    confidence = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y).astype("float64")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    frame = pd.DataFrame({"bin": which, "confidence": confidence, "correct": correct})
    table = frame.groupby("bin").agg(
        count=("correct", "size"),
        mean_confidence=("confidence", "mean"),
        accuracy=("correct", "mean"),
    )
    table = table.reindex(range(bins))
    table["bin_low"], table["bin_high"] = edges[:-1], edges[1:]
    table["count"] = table["count"].fillna(0).astype("int64")
    return table.reset_index(drop=True)


def expected_calibration_error(proba: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Top-label ECE: bin-weighted |accuracy - mean confidence| over equal-width bins."""
    table = reliability(proba, y, bins)
    used = table["count"] > 0
    gaps = (table.loc[used, "accuracy"] - table.loc[used, "mean_confidence"]).abs()
    return float((gaps * table.loc[used, "count"]).sum() / max(1, len(y)))


@dataclass(frozen=True)
class Evaluation:
    """Metrics of one model on one labelled slice."""

    macro_f1: float
    accuracy: float
    ece: float
    log_loss: float
    per_class: pd.DataFrame  # index: class; precision, recall, f1, support
    confusion: pd.DataFrame  # rows: true class, columns: predicted class
    reliability: pd.DataFrame = field(repr=False)

    def flat(self, prefix: str = "") -> dict[str, float]:
        """Metrics as a flat dict (MLflow metric names)."""
        out = {
            f"{prefix}macro_f1": self.macro_f1,
            f"{prefix}accuracy": self.accuracy,
            f"{prefix}ece": self.ece,
            f"{prefix}log_loss": self.log_loss,
        }
        for cls, row in self.per_class.iterrows():
            for metric in ("precision", "recall", "f1"):
                out[f"{prefix}{metric}_{cls}"] = float(row[metric])
        return out


def evaluate(proba: np.ndarray, y: np.ndarray, bins: int = 10) -> Evaluation:
    """Metrics of class probabilities ``proba`` (n x 4, ``CREDIT_SOURCES`` order) against ``y``."""
    proba = np.asarray(proba, dtype="float64")
    pred = proba.argmax(axis=1)
    labels = list(range(len(CLASSES)))
    precision, recall, f1, support = precision_recall_fscore_support(
        y, pred, labels=labels, zero_division=0
    )
    per_class = pd.DataFrame(
        {"precision": precision, "recall": recall, "f1": f1, "support": support}, index=CLASSES
    )
    confusion = pd.DataFrame(
        confusion_matrix(y, pred, labels=labels), index=CLASSES, columns=CLASSES
    )
    clipped = np.clip(proba, 1e-12, 1.0)
    return Evaluation(
        macro_f1=float(f1_score(y, pred, labels=labels, average="macro", zero_division=0)),
        accuracy=float((pred == y).mean()) if len(y) else 0.0,
        ece=expected_calibration_error(proba, y, bins),
        log_loss=float(log_loss(y, clipped / clipped.sum(axis=1, keepdims=True), labels=labels)),
        per_class=per_class,
        confusion=confusion,
        reliability=reliability(proba, y, bins),
    )


def comparison_table(evaluations: dict[str, Evaluation]) -> pd.DataFrame:
    """Side by side: macro-F1, ECE, accuracy and per-class precision/recall per model."""
    rows = {}
    for name, ev in evaluations.items():
        row: dict[str, object] = {"macro_f1": ev.macro_f1, "accuracy": ev.accuracy, "ece": ev.ece}
        for cls in CLASSES:
            row[f"precision_{cls}"] = ev.per_class.loc[cls, "precision"]
            row[f"recall_{cls}"] = ev.per_class.loc[cls, "recall"]
        rows[name] = row
    return pd.DataFrame(rows).T
