"""The one feature pipeline for training and serving (pure: no I/O, no MLflow).

``credit_features(ledger, credits)`` computes named features per credit from its history as of
its own date; ``FeatureEncoder`` turns that frame into the model matrix through the versioned
category vocabulary. See docs/model.md for the catalogue.
"""

from cbclassify.features.build import credit_features
from cbclassify.features.specs import (
    CATEGORICAL_FEATURES,
    FEATURE_NAMES,
    FEATURE_SPECS,
    NUMERIC_FEATURES,
    SPEC_BY_NAME,
    FeatureSpec,
)
from cbclassify.features.transformer import FeatureEncoder
from cbclassify.features.vocabulary import VOCABULARY, VOCABULARY_VERSION

__all__ = [
    "CATEGORICAL_FEATURES",
    "FEATURE_NAMES",
    "FEATURE_SPECS",
    "NUMERIC_FEATURES",
    "SPEC_BY_NAME",
    "VOCABULARY",
    "VOCABULARY_VERSION",
    "FeatureEncoder",
    "FeatureSpec",
    "credit_features",
]
