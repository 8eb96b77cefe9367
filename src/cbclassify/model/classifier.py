"""The fitted classifier: feature encoder + LightGBM booster + temperature, saved without pickle.

``CreditSourceModel`` takes the feature frame of ``cbclassify.features.credit_features`` and
returns the four class probabilities. It is saved as LightGBM's own ``model.txt`` plus
``pipeline.json`` (encoder vocabulary, feature order, temperature, versions), and loading those
two files gives identical probabilities. MLflow wraps it in ``model.pyfunc``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.features import CATEGORICAL_FEATURES, FEATURE_NAMES, FeatureEncoder
from cbclassify.model.metrics import apply_temperature

FORMAT_VERSION = 1
MODEL_FILE = "model.txt"
PIPELINE_FILE = "pipeline.json"
PROBA_COLUMNS: tuple[str, ...] = tuple(f"p_{c}" for c in CREDIT_SOURCES)


@dataclass
class CreditSourceModel:
    """A fitted credit-source classifier (see module docstring)."""

    encoder: FeatureEncoder
    booster: lgb.Booster
    temperature: float = 1.0
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def feature_names(self) -> list[str]:
        return [str(n) for n in self.encoder.get_feature_names_out()]

    def matrix(self, features: pd.DataFrame) -> np.ndarray:
        """The model matrix (float64) of a feature frame, through the fitted encoder."""
        return np.asarray(self.encoder.transform(features), dtype="float64")

    def raw_scores(self, features: pd.DataFrame) -> np.ndarray:
        """LightGBM margins, shape (n, 4)."""
        if len(features) == 0:
            return np.zeros((0, len(CREDIT_SOURCES)))
        return np.asarray(self.booster.predict(self.matrix(features), raw_score=True)).reshape(
            len(features), len(CREDIT_SOURCES)
        )

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probabilities, shape (n, 4) in ``CREDIT_SOURCES`` order; rows sum to 1."""
        return apply_temperature(self.raw_scores(features), self.temperature)

    def predict_frame(self, features: pd.DataFrame) -> pd.DataFrame:
        """``predicted_source``, ``confidence`` and the four ``p_`` columns, indexed like input."""
        return probability_frame(self.predict_proba(features), features.index)

    def contributions(self, features: pd.DataFrame) -> np.ndarray:
        """TreeSHAP contributions to the margins, shape (n, 4, n_features + 1), bias last
        (LightGBM ``pred_contrib``); divide by ``temperature`` for the calibrated scale."""
        n, k = len(features), len(CREDIT_SOURCES)
        flat = np.asarray(self.booster.predict(self.matrix(features), pred_contrib=True))
        return flat.reshape(n, k, len(self.feature_names) + 1)

    def feature_importance(self) -> pd.Series:
        """Total gain per feature, largest first."""
        gain = self.booster.feature_importance(importance_type="gain")
        return pd.Series(gain, index=self.booster.feature_name()).sort_values(ascending=False)

    def save(self, directory: Path | str) -> Path:
        """Write ``model.txt`` and ``pipeline.json`` into ``directory``."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        (out / MODEL_FILE).write_text(self.booster.model_to_string(), encoding="utf-8")
        pipeline = {
            "format_version": FORMAT_VERSION,
            "classes": list(CREDIT_SOURCES),
            "temperature": self.temperature,
            "encoder": self.encoder.state(),
            "lightgbm_version": lgb.__version__,
            "metadata": self.metadata,
        }
        (out / PIPELINE_FILE).write_text(
            json.dumps(pipeline, indent=2, sort_keys=True), encoding="utf-8"
        )
        return out

    @classmethod
    def load(cls, directory: Path | str) -> CreditSourceModel:
        """Read a model written by ``save``; refuses an unknown format or class list."""
        src = Path(directory)
        pipeline = json.loads((src / PIPELINE_FILE).read_text(encoding="utf-8"))
        if pipeline.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported model format {pipeline.get('format_version')!r}")
        if pipeline.get("classes") != list(CREDIT_SOURCES):
            raise ValueError(
                f"model classes {pipeline.get('classes')} differ from {list(CREDIT_SOURCES)}"
            )
        booster = lgb.Booster(model_str=(src / MODEL_FILE).read_text(encoding="utf-8"))
        return cls(
            encoder=FeatureEncoder.from_state(pipeline["encoder"]),
            booster=booster,
            temperature=float(pipeline["temperature"]),
            metadata=dict(pipeline.get("metadata", {})),
        )


def probability_frame(proba: np.ndarray, index: pd.Index | None = None) -> pd.DataFrame:
    """The output frame of a probability matrix (n x 4)."""
    proba = np.asarray(proba, dtype="float64")
    frame = pd.DataFrame(proba, columns=list(PROBA_COLUMNS), index=index)
    best = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype="int64")
    frame.insert(0, "confidence", proba[np.arange(len(proba)), best] if len(proba) else [])
    frame.insert(0, "predicted_source", pd.array(np.asarray(CREDIT_SOURCES)[best], dtype="string"))
    return frame


def serving_frame(features: pd.DataFrame) -> pd.DataFrame:
    """A feature frame in the dtypes of the pyfunc signature: float64 numbers, categoricals as
    plain strings (missing -> ``none``), a fresh 0..n-1 index."""
    out = features[list(FEATURE_NAMES)].copy()
    for name in FEATURE_NAMES:
        if name in CATEGORICAL_FEATURES:
            out[name] = out[name].astype("string").fillna("none").astype(object)
        else:
            out[name] = out[name].astype("float64")
    return out.reset_index(drop=True)
