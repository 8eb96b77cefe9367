"""The one versioned category vocabulary: how categorical features become numbers.

Training and serving both encode categoricals through ``VOCABULARY`` (a fixed
``pd.CategoricalDtype`` per feature). A value outside the vocabulary lands in ``unknown``; a
missing value in ``none``. Changing a category list is a new ``VOCABULARY_VERSION`` (append,
never reorder). A saved model carries the vocabulary and version it was trained with and keeps
encoding with them, so an older model still scores after the vocabulary grows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cbclassify.contract.enums import PAYER_TYPES

VOCABULARY_VERSION = "1"
UNKNOWN = "unknown"
NONE = "none"

SERVICE_LINES: tuple[str, ...] = ("pt", "ot", "speech", "aba", "behavioral_health", "other")

#: feature name -> its categories (the order fixes the integer codes; never reorder).
VOCABULARY: dict[str, tuple[str, ...]] = {
    "service_line": (*SERVICE_LINES, NONE, UNKNOWN),
    "payer_type": (*PAYER_TYPES, "self_pay", NONE, UNKNOWN),
    "secondary_payer_type": (*PAYER_TYPES, NONE, UNKNOWN),
}


def category_dtype(
    feature: str, vocabulary: dict[str, tuple[str, ...]] | None = None
) -> pd.CategoricalDtype:
    """The fixed categorical dtype of ``feature``."""
    vocab = VOCABULARY if vocabulary is None else vocabulary
    return pd.CategoricalDtype(categories=list(vocab[feature]), ordered=False)


def to_categorical(values: pd.Series, categories: tuple[str, ...]) -> pd.Series:
    """Map raw values onto ``categories``: missing -> ``none``, unseen -> ``unknown``."""
    text = values.astype("string")
    known = text.isin(categories).fillna(False).to_numpy(dtype=bool)
    missing = text.isna().to_numpy()
    mapped = np.where(known, text.to_numpy(dtype=object, na_value=NONE), UNKNOWN)
    mapped = np.where(missing, NONE, mapped)
    dtype = pd.CategoricalDtype(categories=list(categories), ordered=False)
    return pd.Series(mapped, index=values.index, name=values.name).astype(dtype)


def category_codes(values: pd.Series, categories: tuple[str, ...]) -> np.ndarray:
    """Integer codes (as float64, the model's input) of ``values`` under ``categories``."""
    return to_categorical(values, categories).cat.codes.to_numpy().astype("float64")


def record_code(value: object, codes: dict[str, float]) -> float:
    """The code (float) of one raw value, as ``category_codes`` gives it: missing -> ``none``,
    a value outside the categories -> ``unknown`` (``codes``: category -> its code)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return codes.get(NONE, -1.0)
    return codes.get(str(value), codes.get(UNKNOWN, -1.0))
