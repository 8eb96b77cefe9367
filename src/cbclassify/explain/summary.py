"""Summaries of many explanations: global importance per source and a typical credit.

Global importance of a feature for a source is the mean |SHAP| of that feature over the
credits predicted as that source (the usual "mean absolute SHAP" bar chart, per class).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbclassify.explain.explainer import Explanation


def global_importance(explanation: Explanation) -> pd.DataFrame:
    """Mean |contribution| per feature (rows) and predicted source (columns); sources with
    no credit are absent."""
    frame = pd.DataFrame(np.abs(explanation.contributions), columns=list(explanation.feature_names))
    frame["source"] = explanation.predicted_names
    if frame.empty:
        return pd.DataFrame(index=list(explanation.feature_names))
    return frame.groupby("source", sort=True).mean().T


def typical_rows(explanation: Explanation) -> dict[str, int]:
    """Per predicted source, the row whose contributions are closest (Euclidean) to that
    source's mean contribution vector: an explanation that looks like most of them."""
    out: dict[str, int] = {}
    names = explanation.predicted_names
    for source in sorted(set(names)):
        rows = np.flatnonzero(names == source)
        block = explanation.contributions[rows]
        distance = np.linalg.norm(block - block.mean(axis=0), axis=1)
        out[str(source)] = int(rows[int(np.argmin(distance))])
    return out
