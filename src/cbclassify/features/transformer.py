"""``FeatureEncoder``: the fitted step between the feature frame and the model matrix.

A scikit-learn transformer (``__init__`` only stores parameters; fitted attributes end in
``_``). It pins the column order seen at fit, casts numbers to float64 and encodes categoricals
through the versioned vocabulary, so training and serving feed the model the same matrix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted, validate_data

from cbclassify.features import vocabulary as vocab


# sklearn ships no type information, so its bases are Any to mypy.
class FeatureEncoder(TransformerMixin, BaseEstimator):  # type: ignore[misc]  # untyped bases
    """Numbers to float64, categoricals to vocabulary codes (float64), in a fixed column order.

    Args:
        vocabulary: feature name -> categories; None uses ``vocabulary.VOCABULARY``. Columns
            named in the vocabulary are encoded, all others must be numeric.
        vocabulary_version: the version recorded with the model; None uses the current one.
    """

    def __init__(
        self,
        vocabulary: dict[str, tuple[str, ...]] | None = None,
        vocabulary_version: str | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.vocabulary_version = vocabulary_version

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # missing values are meaningful (not applicable)
        return tags

    def fit(self, X: pd.DataFrame | np.ndarray, y: object = None) -> FeatureEncoder:
        """Record the columns and the vocabulary to encode with."""
        vocabulary = vocab.VOCABULARY if self.vocabulary is None else self.vocabulary
        self.vocabulary_ = {k: tuple(v) for k, v in vocabulary.items()}
        self.vocabulary_version_ = self.vocabulary_version or vocab.VOCABULARY_VERSION
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
            self.n_features_in_ = X.shape[1]
            self.categorical_features_ = [c for c in X.columns if c in self.vocabulary_]
            self._check_numeric(X)
            if len(X) == 0:
                raise ValueError("FeatureEncoder needs at least one row to fit")
        else:
            validate_data(self, X, reset=True, ensure_all_finite="allow-nan")
            self.categorical_features_ = []
        return self

    def _check_numeric(self, X: pd.DataFrame) -> None:
        for name in X.columns:
            if name not in self.vocabulary_ and not (
                pd.api.types.is_numeric_dtype(X[name]) or pd.api.types.is_bool_dtype(X[name])
            ):
                raise ValueError(f"feature {name!r} is neither numeric nor in the vocabulary")

    def transform(self, X: pd.DataFrame | np.ndarray) -> pd.DataFrame | np.ndarray:
        """The model matrix: a float64 frame with the fitted columns (numpy in, numpy out)."""
        check_is_fitted(self, "vocabulary_")
        if not hasattr(self, "feature_names_in_") or not isinstance(X, pd.DataFrame):
            checked: np.ndarray = validate_data(
                self, X, reset=False, ensure_all_finite="allow-nan"
            ).astype("float64")
            return checked
        names = list(self.feature_names_in_)
        missing = [n for n in names if n not in X.columns]
        if missing:
            raise ValueError(f"features missing at transform: {missing}")
        self._check_numeric(X[names])
        out = {}
        for name in names:
            if name in self.vocabulary_:
                out[name] = vocab.category_codes(X[name], self.vocabulary_[name])
            else:
                out[name] = X[name].astype("float64").to_numpy(dtype="float64", na_value=np.nan)
        return pd.DataFrame(out, index=X.index, columns=names)

    def transform_records(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """The model matrix of feature rows given as mappings (name -> value), without pandas:
        the same float64 values ``transform`` gives for the frame of those rows (a handful of
        credits at a time, classify-on-demand). Missing categoricals -> ``none``, unseen ->
        ``unknown``, missing numbers -> NaN."""
        check_is_fitted(self, "vocabulary_")
        if not hasattr(self, "feature_names_in_"):
            raise ValueError("transform_records needs an encoder fitted on a named frame")
        names = [str(n) for n in self.feature_names_in_]
        codes = {
            name: {c: float(i) for i, c in enumerate(cats)}
            for name, cats in self.vocabulary_.items()
        }
        out = np.empty((len(records), len(names)), dtype="float64")
        for i, record in enumerate(records):
            for j, name in enumerate(names):
                if name not in record:
                    raise ValueError(f"features missing at transform: [{name!r}]")
                value = record[name]
                if name in codes:
                    out[i, j] = vocab.record_code(value, codes[name])
                else:
                    out[i, j] = np.nan if _missing(value) else float(value)
        return out

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The output column names (the fitted input names)."""
        check_is_fitted(self, "vocabulary_")
        if hasattr(self, "feature_names_in_"):
            return np.asarray(self.feature_names_in_, dtype=object)
        return np.asarray([f"x{i}" for i in range(self.n_features_in_)], dtype=object)

    def categorical_indices(self) -> list[int]:
        """Positions of the categorical columns in the output (for LightGBM)."""
        check_is_fitted(self, "vocabulary_")
        return [list(self.get_feature_names_out()).index(c) for c in self.categorical_features_]

    def state(self) -> dict[str, object]:
        """The fitted state as JSON-ready data (saved beside the model, no pickle)."""
        check_is_fitted(self, "vocabulary_")
        return {
            "vocabulary": {k: list(v) for k, v in self.vocabulary_.items()},
            "vocabulary_version": self.vocabulary_version_,
            "feature_names": [str(n) for n in self.get_feature_names_out()],
            "categorical_features": list(self.categorical_features_),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> FeatureEncoder:
        """A fitted encoder restored from ``state()``."""
        vocabulary = {str(k): tuple(v) for k, v in dict(state["vocabulary"]).items()}
        encoder = cls(vocabulary=vocabulary, vocabulary_version=str(state["vocabulary_version"]))
        names = list(state["feature_names"])
        encoder.vocabulary_ = vocabulary
        encoder.vocabulary_version_ = str(state["vocabulary_version"])
        encoder.feature_names_in_ = np.asarray(names, dtype=object)
        encoder.n_features_in_ = len(names)
        encoder.categorical_features_ = list(state["categorical_features"])
        return encoder


def _missing(value: Any) -> bool:
    """None, pandas NA/NaT or a float NaN."""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )
