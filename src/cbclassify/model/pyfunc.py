"""The MLflow pyfunc around ``CreditSourceModel``: input the feature frame, output
``predicted_source``, ``confidence`` and the four ``p_`` probabilities.

The model itself travels as two artifacts, LightGBM's ``model.txt`` and ``pipeline.json``, and
the pyfunc is logged "from code" (``pyfunc_code.py``): nothing is pickled.
``unwrap_python_model().model`` gives the ``CreditSourceModel`` for what pyfunc cannot return,
e.g. ``contributions`` (TreeSHAP) for explanations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mlflow.models import ModelSignature, infer_signature
from mlflow.models.model import ModelInfo
from mlflow.pyfunc import PythonModel, PythonModelContext

from cbclassify.features import FEATURE_NAMES
from cbclassify.features.schema import feature_schema
from cbclassify.model.classifier import MODEL_FILE, PIPELINE_FILE, CreditSourceModel, serving_frame

ARTIFACT_KEY = "pipeline_dir"


class CreditSourcePyfunc(PythonModel):
    """Loads ``CreditSourceModel`` from its artifacts once, then predicts probabilities."""

    def __init__(self) -> None:
        self.model: CreditSourceModel | None = None

    def load_context(self, context: PythonModelContext) -> None:
        """Read ``model.txt`` and ``pipeline.json`` from the logged artifact folder."""
        self.model = CreditSourceModel.load(context.artifacts[ARTIFACT_KEY])

    def predict(
        self,
        context: PythonModelContext,
        model_input: pd.DataFrame,
        params: dict[str, Any] | None = None,
    ) -> pd.DataFrame:
        """Probabilities for each row of a feature frame (``cbclassify.features``)."""
        if self.model is None:
            raise RuntimeError("model not loaded")
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        frame = feature_schema().validate(frame[list(FEATURE_NAMES)])
        return self.model.predict_frame(frame).reset_index(drop=True)


def signature_example(features: pd.DataFrame, rows: int = 5) -> pd.DataFrame:
    """An input example: a few real rows plus one row with every value missing, numbers as
    float64 and categoricals as plain strings (what MLflow's schema expects)."""
    head = features[list(FEATURE_NAMES)].head(rows)
    blank = pd.DataFrame({c: [np.nan] for c in FEATURE_NAMES})
    return serving_frame(pd.concat([head, blank], ignore_index=True))


def model_signature(model: CreditSourceModel, example: pd.DataFrame) -> ModelSignature:
    """The signature inferred from ``example`` and the model's own output on it."""
    return infer_signature(example, model.predict_frame(example).reset_index(drop=True))


def log_pyfunc(model: CreditSourceModel, features: pd.DataFrame, workdir: Path) -> ModelInfo:
    """Log the model as an MLflow pyfunc in the active run; returns mlflow's ModelInfo."""
    import lightgbm
    import mlflow
    import sklearn

    import cbclassify

    folder = model.save(workdir / "credit_source_model")
    example = signature_example(features)
    requirements = [
        f"lightgbm=={lightgbm.__version__}",
        f"scikit-learn=={sklearn.__version__}",
        f"pandas=={pd.__version__}",
        f"numpy=={np.__version__}",
        f"mlflow=={mlflow.__version__}",
        f"cbclassify=={cbclassify.__version__}",
    ]
    return mlflow.pyfunc.log_model(
        name="model",
        python_model=str(Path(__file__).with_name("pyfunc_code.py")),
        artifacts={ARTIFACT_KEY: str(folder)},
        signature=model_signature(model, example),
        input_example=example,
        pip_requirements=requirements,
    )


__all__ = ["MODEL_FILE", "PIPELINE_FILE", "CreditSourcePyfunc", "log_pyfunc", "model_signature"]
