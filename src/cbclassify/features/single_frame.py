"""The feature frame's shape, shared by the vectorized and the single-claim path.

``empty_features`` is the frame of no credits; ``features_frame`` turns feature dicts (as
``features.single.feature_records`` returns them) into the frame ``credit_features`` returns:
numbers float64, categoricals ``string``, columns ``FEATURE_NAMES``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from cbclassify.features.specs import CATEGORICAL_FEATURES, FEATURE_NAMES, NUMERIC_FEATURES


def empty_features(index: pd.Index) -> pd.DataFrame:
    """The feature frame of no credits (typed columns, ``index`` kept)."""
    frame = pd.DataFrame({n: pd.Series(dtype="float64") for n in NUMERIC_FEATURES}, index=index)
    for name in CATEGORICAL_FEATURES:
        frame[name] = pd.Series(dtype="string", index=index)
    return frame[list(FEATURE_NAMES)]


_CATEGORY_AT = tuple((FEATURE_NAMES.index(n), n) for n in CATEGORICAL_FEATURES)


def features_frame(rows: list[dict[str, Any]], index: pd.Index) -> pd.DataFrame:
    """Feature dicts (one per credit, in ``index`` order) -> the feature frame.

    One float64 block of every column, then the categoricals set in place (``isetitem``):
    a quarter of the cost of inserting or concatenating them."""
    if not rows:
        return empty_features(index)
    categorical = set(CATEGORICAL_FEATURES)
    values = np.array(
        [[math.nan if n in categorical else r[n] for n in FEATURE_NAMES] for r in rows],
        dtype="float64",
    )
    frame = pd.DataFrame(values, index=index, columns=pd.Index(list(FEATURE_NAMES)))
    for position, name in _CATEGORY_AT:
        frame.isetitem(position, pd.array([r[name] for r in rows], dtype="string"))
    return frame
