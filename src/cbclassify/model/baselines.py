"""The two baselines the classifier is compared with on the same split.

* Rules only: ledger facts, no learning. For each source the amount its facts explain (identical
  payments not reversed; payer paid above what it owed; write-offs above charge minus allowed;
  patient paid above responsibility); the source explaining the most of the credit wins.
* Logistic regression on the same features (signed log, imputation with missing indicators,
  scaling, one-hot categoricals).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from cbclassify.contract.enums import CREDIT_SOURCES
from cbclassify.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES, FeatureEncoder
from cbclassify.model.config import TrainingConfig


def _col(features: pd.DataFrame, name: str) -> np.ndarray:
    return features[name].to_numpy(dtype="float64", na_value=np.nan)


def _pos(values: np.ndarray) -> np.ndarray:
    return np.clip(np.nan_to_num(values, nan=0.0), 0.0, None)


def rule_amounts(features: pd.DataFrame) -> pd.DataFrame:
    """Per credit, the dollars each source's ledger facts explain (``CREDIT_SOURCES`` columns)."""
    receipt_twice = _col(features, "identical_patient_same_receipt_count") > 0
    patient_dup = np.where(
        receipt_twice, _pos(_col(features, "identical_patient_payment_usd")), 0.0
    )
    duplicate = _pos(_col(features, "identical_payment_net_of_reversals_usd")) + patient_dup
    excess = _col(features, "primary_paid_minus_expected_usd")
    excess = np.where(
        np.isnan(excess), _col(features, "payer_paid_minus_reported_allowed_usd"), excess
    )
    overpaid = (
        _pos(excess)
        + _pos(_col(features, "unbilled_payer_paid_usd"))
        + _pos(_col(features, "secondary_payer_paid_usd"))
    )
    allowance = (
        _pos(_col(features, "contractual_minus_expected_usd"))
        + _pos(_col(features, "identical_adjustment_usd"))
        + _pos(_col(features, "pr_coded_adjustment_usd"))
    )
    patient = _pos(_col(features, "patient_paid_minus_responsibility_usd")) - patient_dup
    return pd.DataFrame(
        {
            "payer_overpayment": _pos(overpaid - duplicate),
            "duplicate_payment": duplicate,
            "allowance_error": allowance,
            "patient_credit": _pos(patient),
        },
        index=features.index,
    )[list(CREDIT_SOURCES)]


class RulesBaseline:
    """Rules only (no learning): the source whose facts explain most of the credit; ties and
    credits no rule explains go to the first source in ``CREDIT_SOURCES`` order."""

    def fit(self, features: pd.DataFrame, y: np.ndarray) -> RulesBaseline:
        """Nothing is learned; present for a uniform interface."""
        return self

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """One-hot probabilities of the rule's choice (it has no notion of confidence)."""
        credit = _pos(_col(features, "credit_amount_usd"))
        explained = np.minimum(rule_amounts(features).to_numpy(), credit[:, None])
        choice = explained.argmax(axis=1)
        proba = np.zeros((len(features), len(CREDIT_SOURCES)))
        proba[np.arange(len(features)), choice] = 1.0
        return proba


def _signed_log(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def logistic_baseline(config: TrainingConfig) -> Pipeline:
    """Logistic regression over the encoded features (same encoder as the LightGBM model)."""
    numeric = make_pipeline(
        FunctionTransformer(_signed_log, feature_names_out="one-to-one"),
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        StandardScaler(),
    )
    columns = ColumnTransformer(
        [
            ("numeric", numeric, list(NUMERIC_FEATURES)),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL_FEATURES)),
        ]
    )
    weight = "balanced" if config.class_weight == "balanced" else None
    classifier = LogisticRegression(
        C=config.logistic.C,
        max_iter=config.logistic.max_iter,
        class_weight=weight,
        random_state=config.seed,
    )
    return make_pipeline(FeatureEncoder(), columns, classifier)


def logistic_proba(model: Pipeline, features: pd.DataFrame) -> np.ndarray:
    """Probabilities in ``CREDIT_SOURCES`` order even when a class was absent in training."""
    proba = model.predict_proba(features)
    out = np.zeros((len(features), len(CREDIT_SOURCES)))
    out[:, model.classes_.astype("int64")] = proba
    return out
