"""Reasons in words: the strongest SHAP contributions of a credit, with its real values.

"Two payer payments of $180.00 on this claim (+2.1 toward duplicate payment)". The number is
the feature's contribution to the predicted class's raw score (log-odds); "toward" when it
pushes toward the predicted source, "against" when it pushes away. Strongest = largest
absolute contribution.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.explain.explainer import Explanation, FastExplainer
from cbclassify.explain.templates import phrase
from cbclassify.explain.trees import booster_of

#: Separator of reasons in the ``top_reasons`` column (the contract says ``;``-separated).
REASON_SEPARATOR = "; "


def source_words(source: str) -> str:
    """``duplicate_payment`` -> ``duplicate payment``."""
    return str(source).replace("_", " ")


def _categories() -> Mapping[str, tuple[str, ...]]:
    try:
        from cbclassify.features.vocabulary import VOCABULARY
    except ImportError:  # pragma: no cover - features are part of the package
        return {}
    return VOCABULARY


def _as_mapping(feature_row: Any, feature_names: Sequence[str]) -> dict[str, Any]:
    """A feature row (Series, mapping or array aligned with names) as name -> value, with
    category codes turned back into their labels."""
    if isinstance(feature_row, pd.Series):
        row = {str(k): v for k, v in feature_row.items()}
    elif isinstance(feature_row, Mapping):
        row = dict(feature_row)
    else:
        row = dict(zip(feature_names, np.asarray(feature_row, dtype=object).tolist()))
    for name, categories in _categories().items():
        value = row.get(name)
        if isinstance(value, (int, float, np.integer, np.floating)) and not np.isnan(value):
            code = int(value)
            row[name] = categories[code] if 0 <= code < len(categories) else "unknown"
    return row


def _amount(contribution: float) -> str:
    return f"{contribution:+.1f}" if abs(contribution) >= 0.05 else f"{contribution:+.2f}"


def reason(
    name: str, value: Any, contribution: float, row: Mapping[str, Any], source: str | None
) -> str:
    """One reason: the feature's phrase and its signed contribution."""
    direction = "toward" if contribution >= 0 else "against"
    target = f" {source_words(source)}" if source else " this source"
    return f"{phrase(name, value, row)} ({_amount(contribution)} {direction}{target})"


def reasons_in_words(
    feature_row: Any,
    contributions: Sequence[float] | np.ndarray,
    feature_names: Sequence[str],
    top_k: int = 3,
    source: str | None = None,
) -> list[str]:
    """The ``top_k`` strongest contributions of one credit, in words, strongest first.

    Args:
        feature_row: the credit's features (Series/mapping by name, or values aligned with
            ``feature_names``); raw feature values read best (category labels, dollars).
        contributions: SHAP values aligned with ``feature_names`` (no bias term).
        feature_names: names of the model's features.
        top_k: how many reasons.
        source: the predicted source the contributions push toward.
    """
    values = np.asarray(contributions, dtype="float64")
    if values.shape != (len(feature_names),):
        raise ValueError(f"{values.shape[0]} contributions for {len(feature_names)} features")
    row = _as_mapping(feature_row, feature_names)
    order = np.argsort(-np.abs(values), kind="stable")[:top_k]
    return [
        reason(feature_names[i], row.get(feature_names[i]), float(values[i]), row, source)
        for i in order
    ]


def top_reasons(features: pd.DataFrame, explanation: Explanation, top_k: int = 3) -> pd.Series:
    """The ``top_reasons`` column: per row of ``features`` (aligned with ``explanation``), its
    strongest reasons joined by ``REASON_SEPARATOR``."""
    if len(features) != len(explanation):
        raise ValueError(f"{len(features)} feature rows for {len(explanation)} explanations")
    names = list(explanation.feature_names)
    frame = features.reindex(columns=names)
    records = frame.to_dict(orient="records")
    order, picked = explanation.top(top_k)
    sources = explanation.predicted_names
    out = []
    for i, record in enumerate(records):  # formatting words is per row by nature
        row = _as_mapping(record, names)
        out.append(
            REASON_SEPARATOR.join(
                reason(names[j], row.get(names[j]), float(c), row, sources[i])
                for j, c in zip(order[i], picked[i])
            )
        )
    return pd.Series(out, index=features.index, dtype="string", name="top_reasons")


_EXPLAINERS: weakref.WeakKeyDictionary[Any, FastExplainer] = weakref.WeakKeyDictionary()


def explainer_for(
    model: Any, class_names: Sequence[str] | None = None, threads: int = 1
) -> FastExplainer:
    """A FastExplainer for ``model``, built once per booster and reused (its tables cost a
    few CPU-seconds to build)."""
    booster = booster_of(model)
    cached = _EXPLAINERS.get(booster)
    if cached is None or (class_names is not None and tuple(class_names) != cached.class_names):
        cached = FastExplainer(model, class_names=class_names, threads=threads)
        _EXPLAINERS[booster] = cached
    return cached


def reasons_for(
    model: Any, features: pd.DataFrame, predicted: Sequence[str] | np.ndarray, top_k: int = 3
) -> pd.Series:
    """The ``top_reasons`` column for scored credits in one call: explain each row's predicted
    source (``features`` = ``cbclassify.features.credit_features`` output) and word it."""
    from cbclassify.contract.enums import CREDIT_SOURCES

    if len(features) == 0:
        return pd.Series([], index=features.index, dtype="string", name="top_reasons")
    explanation = explainer_for(model, class_names=CREDIT_SOURCES).explain(
        features, predicted=np.asarray(predicted, dtype=object)
    )
    return top_reasons(features, explanation, top_k)
