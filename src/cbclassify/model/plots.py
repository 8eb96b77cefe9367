"""Figures logged with each training run: confusion matrix, reliability curve, importance.

Built on ``matplotlib.figure.Figure`` directly (no pyplot state, no display needed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cbclassify.model.metrics import Evaluation


def confusion_figure(
    evaluation: Evaluation, title: str = "Confusion matrix (test slice)"
) -> Figure:
    """Counts of true (rows) vs predicted (columns) source."""
    matrix = evaluation.confusion
    fig = Figure(figsize=(6.5, 5.5), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(matrix.to_numpy(), cmap="Blues")
    labels = [c.replace("_", "\n") for c in matrix.columns]
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted source")
    ax.set_ylabel("true source (label)")
    ax.set_title(title)
    peak = matrix.to_numpy().max() or 1
    for (i, j), value in np.ndenumerate(matrix.to_numpy()):
        ax.text(
            j,
            i,
            str(value),
            ha="center",
            va="center",
            color="white" if value > peak / 2 else "black",
        )
    fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def reliability_figure(
    evaluations: dict[str, Evaluation], title: str = "Reliability (test slice)"
) -> Figure:
    """Accuracy vs mean confidence per confidence bin, one line per model, with ECE in the key."""
    fig = Figure(figsize=(6, 5.5), layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    for name, ev in evaluations.items():
        table = ev.reliability[ev.reliability["count"] > 0]
        ax.plot(
            table["mean_confidence"],
            table["accuracy"],
            marker="o",
            label=f"{name} (ECE {ev.ece:.3f})",
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence of the predicted source")
    ax.set_ylabel("share predicted correctly")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    return fig


def importance_figure(importance: pd.Series, top: int = 20) -> Figure:
    """Total gain of the ``top`` features, largest on top."""
    shown = importance.head(top)[::-1]
    fig = Figure(figsize=(7, 0.3 * len(shown) + 1.5), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(list(shown.index), shown.to_numpy())
    ax.set_xlabel("total gain")
    ax.set_title(f"Feature importance (top {len(shown)})")
    return fig
